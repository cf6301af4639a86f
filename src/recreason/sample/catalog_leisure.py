"""Synthetic catalogue, leisure: coffee beans, books, camping tents.

Every brand, author, publisher and book title here is invented for the synthetic sample.
"""

from __future__ import annotations

from recreason.sample.spec import Attr, Category, graded, numeric, o, plain

COFFEE = Category(
    id="coffee",
    group="home",
    path=(("食品饮料", "咖啡", "咖啡豆"), ("Grocery", "Coffee", "Coffee beans")),
    noun=("咖啡豆", "coffee"),
    price=((39, 259), (9, 39)),
    brands=(("山隅咖啡", "晨焙", "豆语", "拾光烘焙", "野生豆仓", "半山"),
            ("Kettlebrook", "Roastwell & Co", "Morrow Beans", "Hollowmere", "Ember Street", "Quillan Roasters")),
    model=((("",), ("",), ("",)), (("",), ("",), ("",))),
    attrs=(
        Attr("origin", "产地", "Origin", parts=(graded(
            o("越南 罗布斯塔", "Vietnam Robusta", 0.15), o("巴西 喜拉朵", "Brazil Cerrado", 0.5),
            o("云南 保山", "Yunnan Baoshan", 0.55), o("哥伦比亚 慧兰", "Colombia Huila", 0.75),
            o("危地马拉 安提瓜", "Guatemala Antigua", 0.8), o("肯尼亚 AA", "Kenya AA", 0.9),
            o("埃塞俄比亚 耶加雪菲", "Ethiopia Yirgacheffe", 0.95)),)),
        Attr("roast", "烘焙度", "Roast", parts=(plain(
            ("浅烘", "light"), ("中烘", "medium"), ("中深烘", "medium-dark"), ("深烘", "dark")),)),
        Attr("notes", "风味", "Flavour notes", many=(2, 3), parts=(graded(
            o("木质", "woody", 0.25), o("烟熏", "smoky", 0.3), o("谷物", "cereal", 0.35), o("坚果", "nutty", 0.6),
            o("黑巧克力", "dark chocolate", 0.7), o("焦糖", "caramel", 0.7), o("柑橘", "citrus", 0.8),
            o("蜂蜜", "honey", 0.8), o("莓果", "berry", 0.85), o("茉莉花", "jasmine", 0.9)),)),
        Attr("process", "处理法", "Process", parts=(plain(
            ("水洗", "washed"), ("日晒", "natural"), ("蜜处理", "honey-processed")),)),
        Attr("freshness", "新鲜度", "Freshness", parts=(graded(
            o("保质期18个月", "18-month shelf life", 0.15), o("烘焙后30天内发货", "ships within 30 days of roasting", 0.4),
            o("烘焙后7天内发货", "ships within 7 days of roasting", 0.75),
            o("烘焙后3天内发货", "ships within 3 days of roasting", 1.0)),)),
        Attr("net", "净含量", "Net weight", parts=(plain(("227g", "227g"), ("250g", "250g"), ("454g", "454g"),
                                                         ("500g", "500g")),)),
    ),
    aspects={"flavor": ("notes",), "aroma": ("origin",), "freshness": ("freshness",), "value": ()},
    title=("{brand} {origin} {roast}咖啡豆 {net}", "{brand} {origin} {roast} roast coffee beans, {net}"),
    desc=(("{origin}{process}豆，{roast}，风味：{notes}。", "{freshness}，净含量{net}。"),
          ("{process} beans from {origin}, {roast} roast, with notes of {notes}.", "{freshness}; {net} bag.")),
    fans=(("爱喝咖啡", "喜欢在家手冲咖啡", "每天一杯咖啡"),
          ("loves coffee", "brews pour-over at home", "drinks coffee every morning")),
)

BOOKS = Category(
    id="books",
    group="home",
    path=(("图书音像", "图书"), ("Books & Media", "Books")),
    noun=("书", "book"),
    price=((19, 129), (9, 39)),
    brands=(("青岚出版社", "远帆文化", "溪山书局", "拾页出版社", "北辰文艺", "星野图书"),
            ("Quillmere Press", "Bramblecote Books", "Harrowfield House", "Inkwell Lane", "Ashgrove Editions",
             "Tidewater Folio")),
    model=((("时间", "城市", "数据", "河流", "算法", "人心", "市场", "光", "习惯", "记忆"),
            ("的",), ("简史", "逻辑", "秘密", "力量", "边界", "结构", "地图", "形状")),
           (("The ",), ("Hidden ", "Quiet ", "Short ", "Secret ", "Unseen ", "Long "),
            ("Logic of Cities", "History of Time", "Shape of Data", "Map of Habits", "Power of Markets",
             "Life of Rivers", "Story of Light", "Science of Memory"))),
    attrs=(
        Attr("genre", "类型", "Genre", parts=(plain(
            ("历史", "history"), ("心理学", "psychology"), ("商业管理", "business"), ("编程技术", "programming"),
            ("科普", "popular science"), ("经济学", "economics"), ("摄影", "photography"), ("烹饪", "cooking")),)),
        Attr("author", "作者", "Author", parts=(plain(
            ("林澈", "Harriet Vale"), ("苏以宁", "Jonah Pell"), ("周远山", "Marisol Quint"), ("顾青禾", "Tobias Wren"),
            ("沈墨白", "Elena Marsh"), ("许知秋", "Caleb Stroud")),)),
        Attr("content", "内容", "Content", parts=(graded(
            o("篇幅冗长，重复较多", "long-winded and repetitive", 0.1),
            o("内容偏浅，适合入门", "introductory level", 0.4),
            o("观点新颖但论证略单薄", "fresh ideas, lightly argued", 0.45),
            o("通俗易懂，例子丰富", "accessible, with many examples", 0.8),
            o("信息量大，值得反复读", "dense with information", 0.85),
            o("结构清晰，论述深入", "well structured and in depth", 0.95)),)),
        Attr("writing", "文风", "Writing", parts=(graded(
            o("译文生硬", "stiffly translated", 0.15), o("术语较多，读起来吃力", "jargon-heavy", 0.25),
            o("行文平实", "plain prose", 0.6), o("译文通顺", "smoothly translated", 0.75),
            o("文字流畅，深入浅出", "clear, accessible prose", 0.9)),)),
        Attr("binding", "装帧", "Binding", parts=(graded(
            o("简装", "basic paperback", 0.25), o("平装", "paperback", 0.55), o("精装", "hardcover", 0.9)),)),
        Attr("pages", "页数", "Pages", parts=(
            tuple((z, e, None) for z, e, _ in numeric(range(180, 561, 20), "{}页", "{} pages")),)),
    ),
    aspects={"content": ("content",), "readability": ("writing",), "print": ("binding",), "value": ()},
    title=("《{model}》 {author} 著 {binding}", "{model} by {author} ({binding})"),
    desc=(("{genre}类图书，{pages}，{binding}。", "内容：{content}；文风：{writing}。"),
          ("A {genre} book, {pages}, {binding}.", "Content: {content}. Writing: {writing}.")),
    fans=(("喜欢读书", "爱看非虚构类图书", "每月读几本书"),
          ("loves reading", "reads a lot of non-fiction", "reads a few books a month")),
)

TENT = Category(
    id="tent",
    group="sport",
    path=(("运动户外", "露营装备", "帐篷"), ("Outdoors", "Camping gear", "Tents")),
    noun=("帐篷", "tent"),
    price=((99, 2999), (29, 499)),
    brands=(("野营家", "山野行", "远岫", "拾野", "松间", "驭风"),
            ("Campmoor", "Ridgeway Outfitters", "Fernhollow", "Tarnfield", "Wildmere", "Cobbleknot")),
    model=((("Ridge ", "Peak ", "Dome ", "Cabin "), ("2", "3", "4", "6"), ("", " Plus", " UL")),
           (("Ridge ", "Peak ", "Dome ", "Cabin "), ("2", "3", "4", "6"), ("", " Plus", " UL"))),
    attrs=(
        Attr("capacity", "容纳人数", "Capacity", parts=(graded(
            o("1人", "1-person", 0.2), o("2人", "2-person", 0.45), o("3-4人", "3-4 person", 0.75),
            o("5-6人", "5-6 person", 0.95)),)),
        Attr("waterproof", "防水指数", "Waterproof rating", parts=(graded(
            o("PU1500mm", "PU1500mm", 0.2), o("PU2000mm", "PU2000mm", 0.45), o("PU3000mm", "PU3000mm", 0.75),
            o("PU4000mm以上", "PU4000mm+", 0.95)),)),
        Attr("weight", "重量", "Weight",
             parts=(numeric([round(1.2 + 0.3 * k, 1) for k in range(17)], "{}kg", "{}kg", invert=True),)),
        Attr("setup", "搭建方式", "Setup", parts=(graded(
            o("需多人配合搭建", "needs two people to pitch", 0.1),
            o("传统穿杆，约10分钟", "sleeve poles, about 10 minutes", 0.35),
            o("快开杆，约3分钟", "quick-set poles, about 3 minutes", 0.75),
            o("自动速开，约60秒", "pop-up, about 60 seconds", 0.95)),)),
        Attr("season", "适用季节", "Season", parts=(plain(("三季", "3-season"), ("四季", "4-season")),)),
        Attr("material", "面料", "Fabric", parts=(plain(
            ("210T涤纶格子布", "210T ripstop polyester"), ("20D硅涂尼龙", "20D silnylon"),
            ("150D牛津布", "150D Oxford cloth")),)),
    ),
    aspects={"waterproof": ("waterproof",), "space": ("capacity",), "weight": ("weight",),
             "setup": ("setup",), "value": ()},
    title=("{brand} {model} {capacity}{season}露营帐篷", "{brand} {model} {capacity} {season} camping tent"),
    desc=(("{material}，防水指数{waterproof}，{setup}。", "可容纳{capacity}，重量{weight}，{season}适用。"),
          ("{material} with a {waterproof} waterproof rating; {setup}.",
           "A {capacity} tent weighing {weight}, for {season} use.")),
    fans=(("热爱户外露营", "周末常去露营", "喜欢徒步登山"),
          ("loves camping", "goes camping most weekends", "enjoys hiking and the outdoors")),
)

CATEGORIES = (COFFEE, BOOKS, TENT)

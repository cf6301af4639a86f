"""Synthetic catalogue, things worn or applied: running shoes, dresses, skincare.

Every brand and model name here is invented for the synthetic sample; none is a real trademark.
"""

from __future__ import annotations

from recreason.sample.spec import Attr, Category, graded, numeric, o, plain

SHOES = Category(
    id="shoes",
    group="sport",
    path=(("运动户外", "跑步鞋"), ("Sports", "Running shoes")),
    noun=("跑鞋", "running shoe"),
    price=((199, 1299), (49, 199)),
    brands=(("疾风", "踏云", "燕跃", "逐光", "行川", "跃迁"),
            ("Stridewell", "Cadenza Run", "Fleetmoor", "Pacewick", "Harrowgate", "Tempora")),
    model=((("Swift ", "Cloud ", "Pace ", "Tempo ", "Trail "), ("2", "3", "4", "5", "6"), ("", " Max", " Lite")),
           (("Swift ", "Cloud ", "Pace ", "Tempo ", "Trail "), ("2", "3", "4", "5", "6"), ("", " Max", " Lite"))),
    attrs=(
        Attr("upper", "材质", "Upper", parts=(graded(
            o("合成革鞋面", "synthetic leather upper", 0.15), o("双层网布鞋面", "double-layer mesh upper", 0.55),
            o("透气网眼 + TPU 支撑", "open mesh with TPU overlays", 0.7),
            o("工程网布鞋面", "engineered mesh upper", 0.8), o("一体飞织鞋面", "one-piece knit upper", 0.9)),)),
        Attr("midsole", "缓震", "Cushioning", parts=(graded(
            o("普通橡胶中底", "basic rubber midsole", 0.1), o("EVA 中底", "EVA midsole", 0.35),
            o("TPU 爆米花中底", "TPU bead-foam midsole", 0.7), o("超临界发泡中底", "supercritical foam midsole", 0.85),
            o("碳板 + PEBA 中底", "carbon plate + PEBA midsole", 1.0)),)),
        Attr("outsole", "鞋底", "Outsole", parts=(graded(
            o("发泡一体底", "exposed foam outsole", 0.15), o("局部贴片大底", "partial rubber pods", 0.35),
            o("耐磨橡胶大底", "hard-wearing rubber outsole", 0.65),
            o("全掌防滑橡胶大底", "full-length grippy rubber outsole", 0.9)),)),
        Attr("weight", "重量", "Weight", parts=(numeric(range(180, 341, 10), "{}g", "{}g", invert=True),)),
        Attr("drop", "前后掌落差", "Heel drop", parts=(plain(("6mm", "6mm"), ("8mm", "8mm"), ("10mm", "10mm")),)),
        Attr("use", "适用场景", "Best for", parts=(plain(
            ("日常慢跑", "easy runs"), ("马拉松竞速", "marathon racing"), ("越野跑", "trail running"),
            ("健身训练", "gym training")),)),
    ),
    aspects={"cushioning": ("midsole",), "weight": ("weight",), "breathability": ("upper",),
             "grip": ("outsole",), "value": ()},
    title=("{brand} {model} 跑步鞋 {midsole}", "{brand} {model} Running Shoes, {midsole}"),
    desc=(("{upper}，{midsole}，{outsole}。", "单只重量{weight}，前后掌落差{drop}，适合{use}。"),
          ("A {upper} over a {midsole} and a {outsole}.",
           "Weighs {weight} per shoe with a {drop} drop; built for {use}.")),
    fans=(("喜欢跑步", "每周跑马拉松训练", "爱好运动健身"),
          ("loves running gear", "trains for marathons", "works out every week")),
)

DRESS = Category(
    id="dress",
    group="style",
    path=(("服饰", "女装", "连衣裙"), ("Clothing", "Women", "Dresses")),
    noun=("连衣裙", "dress"),
    price=((89, 899), (19, 159)),
    brands=(("棠歌", "素简", "衣澜", "半夏", "晚枫", "织云"),
            ("Maribelle", "Thistledown", "Ostera", "Clemmie Lane", "Vareuse", "Juniper Row")),
    model=((("",), ("",), ("",)), (("",), ("",), ("",))),
    attrs=(
        Attr("fabric", "面料", "Fabric", parts=(graded(
            o("聚酯纤维", "polyester", 0.2), o("雪纺", "chiffon", 0.45), o("纯棉", "100% cotton", 0.65),
            o("棉麻混纺", "cotton-linen blend", 0.7), o("醋酸缎面", "acetate satin", 0.75), o("天丝", "lyocell", 0.8),
            o("100%桑蚕丝", "100% mulberry silk", 0.95)),)),
        Attr("fit", "版型", "Fit", parts=(graded(
            o("均码宽松", "one-size loose", 0.2), o("宽松直筒", "relaxed straight", 0.5),
            o("修身包臀", "slim bodycon", 0.6), o("高腰伞裙", "high-waisted flared", 0.75),
            o("收腰A字", "fitted-waist A-line", 0.85)),)),
        Attr("style", "风格", "Style", parts=(graded(
            o("简约通勤", "minimal workwear", 0.55), o("度假风", "resort", 0.6), o("韩系温柔", "soft Korean", 0.65),
            o("甜美碎花", "sweet floral", 0.7), o("法式复古", "French vintage", 0.8)),)),
        Attr("length", "裙长", "Length", parts=(plain(("短款", "mini"), ("中长款", "midi"), ("长款", "maxi")),)),
        Attr("color", "颜色", "Colour", parts=(plain(
            ("黑色", "black"), ("燕麦色", "oat"), ("雾霾蓝", "dusty blue"), ("酒红色", "burgundy"), ("白色", "white"),
            ("墨绿色", "forest green")),)),
        Attr("sleeve", "袖长", "Sleeves", parts=(plain(
            ("短袖", "short sleeves"), ("无袖", "sleeveless"), ("长袖", "long sleeves"), ("泡泡袖", "puff sleeves")),)),
    ),
    aspects={"fabric": ("fabric",), "fit": ("fit",), "style": ("style",), "value": ()},
    title=("{brand} {style}{length}{fabric}连衣裙 {color}", "{brand} {style} {length} dress in {fabric}, {color}"),
    desc=(("{fabric}面料，{fit}版型，{sleeve}设计。", "{style}风格，{color}，{length}裙长。"),
          ("Made from {fabric} in a {fit} cut with {sleeve}.",
           "A {style} look in {color}, {length} length.")),
    fans=(("喜欢买衣服", "关注穿搭", "爱逛女装店"),
          ("loves shopping for clothes", "follows fashion", "likes putting outfits together")),
)

SKINCARE = Category(
    id="skincare",
    group="style",
    path=(("美妆个护", "护肤品"), ("Beauty", "Skincare")),
    noun=("护肤品", "skincare product"),
    price=((59, 899), (9, 129)),
    brands=(("肌源", "润泽", "初禾", "植萃堂", "水漾", "素肌"),
            ("Dermalune", "Aquavelle", "Petalwise", "Cerulea", "Mossgrove", "Solenne")),
    model=((("",), ("",), ("",)), (("",), ("",), ("",))),
    attrs=(
        Attr("type", "品类", "Type", parts=(plain(
            ("精华液", "Serum"), ("面霜", "Moisturiser"), ("乳液", "Lotion"), ("爽肤水", "Toner")),)),
        Attr("ingredient", "核心成分", "Key ingredients", many=(1, 2), parts=(plain(
            ("5%烟酰胺", "5% niacinamide"), ("透明质酸", "hyaluronic acid"), ("神经酰胺", "ceramides"),
            ("积雪草提取物", "centella extract"), ("0.1%视黄醇", "0.1% retinol"), ("角鲨烷", "squalane")),)),
        Attr("effect", "功效", "Benefits", parts=(graded(
            o("控油清爽", "oil control", 0.3), o("基础滋润", "basic moisture", 0.45), o("补水保湿", "hydrating", 0.7),
            o("修护屏障", "barrier repair", 0.8), o("深层保湿 48小时", "48-hour deep hydration", 0.95)),)),
        Attr("skin", "适用肤质", "Skin type", parts=(graded(
            o("含香精，敏感肌慎用", "contains fragrance; patch-test if sensitive", 0.1),
            o("油性肌肤", "oily skin", 0.4), o("所有肤质", "all skin types", 0.6),
            o("敏感肌可用，无香精无酒精", "sensitive skin, fragrance- and alcohol-free", 0.95)),)),
        Attr("texture", "质地", "Texture", parts=(graded(
            o("厚重膏状", "thick balm", 0.2), o("丰润霜状", "rich cream", 0.55), o("清爽乳液", "light lotion", 0.75),
            o("水润啫喱", "light gel", 0.85)),)),
        Attr("volume", "容量", "Size", parts=(plain(("30ml", "30ml"), ("50ml", "50ml"), ("100ml", "100ml"),
                                                     ("120ml", "120ml")),)),
    ),
    aspects={"moisturizing": ("effect",), "gentleness": ("skin",), "texture": ("texture",), "value": ()},
    title=("{brand} {ingredient}{type} {volume}", "{brand} {ingredient} {type}, {volume}"),
    desc=(("主打{effect}，核心成分{ingredient}。", "{texture}质地，适用肤质：{skin}。"),
          ("Focused on {effect}, with {ingredient}.", "A {texture} texture; suits {skin}.")),
    fans=(("喜欢研究护肤", "注重皮肤保养", "爱买美妆护肤品"),
          ("is into skincare", "takes skincare seriously", "loves trying beauty products")),
)

CATEGORIES = (SHOES, DRESS, SKINCARE)

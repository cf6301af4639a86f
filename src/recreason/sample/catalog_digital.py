"""Synthetic catalogue, electronics: phones, laptops, headphones, cameras.

Every brand, chip and model name here is invented for the synthetic sample; none is a real trademark.
"""

from __future__ import annotations

from recreason.sample.spec import Attr, Category, graded, numeric, o, plain

_DIGITAL_FANS_ZH = ("喜欢购买电子产品", "爱玩数码")
_DIGITAL_FANS_EN = ("loves buying electronics", "is a gadget fan")

PHONE = Category(
    id="phone",
    group="digital",
    path=(("数码", "手机"), ("Electronics", "Phones")),
    noun=("手机", "phone"),
    price=((999, 7999), (199, 1199)),
    brands=(("澜芯", "曜石", "星穹", "青岚", "溯光", "鲸屿"),
            ("Quenby", "Arvello", "Tessmar", "Orivane", "Kelvaro", "Brisling")),
    model=((("Z", "K", "V", "S", "T"), ("7", "8", "9", "10", "12", "20", "30"), ("", " Pro", " Lite", " Ultra")),
           (("Z", "K", "V", "S", "T"), ("7", "8", "9", "10", "12", "20", "30"), ("", " Pro", " Lite", " Ultra"))),
    attrs=(
        Attr("processor", "处理器", "Processor", parts=(graded(
            o("曜芯 A5 八核 2.0GHz", "Helix A5 octa-core 2.0GHz", 0.1),
            o("玄微 M6 八核 2.2GHz", "Corvo M6 octa-core 2.2GHz", 0.3),
            o("曜芯 A7 八核 2.4GHz", "Helix A7 octa-core 2.4GHz", 0.45),
            o("曜芯 S8 八核 2.8GHz", "Helix S8 octa-core 2.8GHz", 0.65),
            o("玄微 M9 八核 3.0GHz", "Corvo M9 octa-core 3.0GHz", 0.8),
            o("曜芯 S9 旗舰八核 3.2GHz", "Helix S9 flagship octa-core 3.2GHz", 0.95)),)),
        Attr("screen", "屏幕", "Display", weights=(0.2, 0.4, 0.4), parts=(
            numeric((6.1, 6.4, 6.5, 6.7, 6.8), "{}英寸", "{}-inch"),
            graded(o("LCD", "LCD", 0.15), o("OLED", "OLED", 0.7), o("AMOLED", "AMOLED", 0.85)),
            graded(o("60Hz", "60Hz", 0.1), o("90Hz", "90Hz", 0.5), o("120Hz", "120Hz", 0.85),
                   o("144Hz", "144Hz", 1.0)))),
        Attr("battery", "电池", "Battery", parts=(numeric(range(3500, 6001, 100), "{}mAh", "{}mAh"),)),
        Attr("endurance", "续航", "Battery life", follows="battery", tiers=(
            (0.3, "轻度使用约1天", "about a day of light use"),
            (0.6, "重度使用约1天", "a full day of heavy use"),
            (0.85, "重度使用约1.5天", "about 1.5 days of heavy use"),
            (1.01, "正常使用约2天", "about 2 days of typical use"))),
        Attr("camera", "相机", "Camera", weights=(0.6, 0.4), sep=(" + ", " + "), parts=(
            graded(o("1200万像素主摄", "12MP main camera", 0.2), o("4800万像素主摄", "48MP main camera", 0.5),
                   o("5000万像素主摄", "50MP main camera", 0.7), o("1亿像素主摄", "108MP main camera", 0.85),
                   o("2亿像素主摄", "200MP main camera", 0.95)),
            graded(o("", "", 0.1), o("800万像素超广角", "8MP ultra-wide", 0.4),
                   o("1200万像素超广角", "12MP ultra-wide", 0.6),
                   o("5000万像素超广角 + 3倍长焦", "50MP ultra-wide + 3x telephoto", 1.0)))),
        Attr("storage", "存储", "Storage", parts=(graded(
            o("6GB+128GB", "6GB+128GB", 0.15), o("8GB+128GB", "8GB+128GB", 0.3),
            o("8GB+256GB", "8GB+256GB", 0.55), o("12GB+256GB", "12GB+256GB", 0.75),
            o("12GB+512GB", "12GB+512GB", 0.9), o("16GB+1TB", "16GB+1TB", 1.0)),)),
        Attr("charging", "快充", "Fast charging", parts=(graded(
            o("33W", "33W", 0.3), o("67W", "67W", 0.6), o("100W", "100W", 0.85), o("120W", "120W", 1.0)),)),
    ),
    aspects={"performance": ("processor",), "screen": ("screen",), "battery": ("battery",),
             "camera": ("camera",), "storage": ("storage",), "value": ()},
    title=("{brand} {model} 5G智能手机 {storage}", "{brand} {model} 5G Smartphone, {storage}"),
    desc=(("搭载{processor}，{screen}屏幕，{battery}大电池支持{charging}快充。",
           "{camera}，{storage}大存储，{endurance}。"),
          ("Powered by a {processor} with a {screen} display and a {battery} battery with {charging} charging.",
           "{camera}, {storage} of storage and {endurance}.")),
    fans=(_DIGITAL_FANS_ZH + ("关注手机新品", "经常换新手机"),
          _DIGITAL_FANS_EN + ("follows every new phone launch", "upgrades phones often")),
)

LAPTOP = Category(
    id="laptop",
    group="digital",
    path=(("数码", "笔记本电脑"), ("Electronics", "Laptops")),
    noun=("笔记本", "laptop"),
    price=((2999, 12999), (399, 2199)),
    brands=(("澜芯", "墨岩", "星穹", "极昼", "青岚", "北溟"),
            ("Quenby", "Marrowline", "Tessmar", "Solvane", "Kelvaro", "Pellridge")),
    model=((("Aero", "Slate", "Vela", "Orbit"), (" ", " X", " S"), ("13", "14", "15", "16")),
           (("Aero", "Slate", "Vela", "Orbit"), (" ", " X", " S"), ("13", "14", "15", "16"))),
    attrs=(
        Attr("cpu", "处理器", "Processor", parts=(graded(
            o("曜芯 L3 四核", "Helix L3 quad-core", 0.15), o("曜芯 L5 六核", "Helix L5 6-core", 0.4),
            o("曜芯 L7 八核", "Helix L7 8-core", 0.65), o("曜芯 L9 十二核", "Helix L9 12-core", 0.85),
            o("玄微 X14 十四核", "Corvo X14 14-core", 1.0)),)),
        Attr("memory", "内存", "Memory", parts=(graded(
            o("8GB", "8GB", 0.2), o("16GB", "16GB", 0.6), o("32GB", "32GB", 0.95)),)),
        Attr("ssd", "硬盘", "Storage", parts=(graded(
            o("256GB 固态", "256GB SSD", 0.2), o("512GB 固态", "512GB SSD", 0.55),
            o("1TB 固态", "1TB SSD", 0.85), o("2TB 固态", "2TB SSD", 1.0)),)),
        Attr("display", "屏幕", "Display", weights=(0.0, 0.6, 0.4), parts=(
            plain(("13.3英寸", "13.3-inch"), ("14英寸", "14-inch"), ("15.6英寸", "15.6-inch"),
                  ("16英寸", "16-inch")),
            graded(o("1920×1080", "1920×1080", 0.2), o("2560×1600", "2560×1600", 0.6),
                   o("2880×1800 OLED", "2880×1800 OLED", 0.95)),
            graded(o("60Hz", "60Hz", 0.1), o("120Hz", "120Hz", 0.85)))),
        Attr("battery", "续航", "Battery life", parts=(graded(
            o("约6小时", "about 6 hours", 0.1), o("约8小时", "about 8 hours", 0.35),
            o("约10小时", "about 10 hours", 0.55), o("约12小时", "about 12 hours", 0.75),
            o("约15小时", "about 15 hours", 0.9), o("约18小时", "about 18 hours", 1.0)),)),
        Attr("weight", "重量", "Weight",
             parts=(numeric([round(1.0 + 0.1 * k, 1) for k in range(15)], "{}kg", "{}kg", invert=True),)),
    ),
    aspects={"performance": ("cpu", "memory"), "screen": ("display",), "battery": ("battery",),
             "weight": ("weight",), "storage": ("ssd",), "value": ()},
    title=("{brand} {model} 轻薄笔记本电脑 {memory}+{ssd}", "{brand} {model} Laptop, {memory} RAM, {ssd}"),
    desc=(("{cpu}处理器，{memory}内存，{ssd}，{display}屏幕。", "机身重量{weight}，续航{battery}。"),
          ("A {cpu} processor with {memory} of memory, a {ssd} and a {display} display.",
           "Weighs {weight} and runs for {battery} on a charge.")),
    fans=(_DIGITAL_FANS_ZH + ("经常带电脑出差", "在家办公"),
          _DIGITAL_FANS_EN + ("travels with a laptop", "works from home")),
)

HEADPHONES = Category(
    id="headphones",
    group="digital",
    path=(("数码", "耳机"), ("Electronics", "Headphones")),
    noun=("耳机", "headset"),
    price=((99, 2499), (19, 399)),
    brands=(("声屿", "澜芯", "回响", "青岚", "听岚", "鲸屿"),
            ("Soundmere", "Quenby", "Echovale", "Arvello", "Hushwell", "Brisling")),
    model=((("Buds ", "Air ", "Pods ", "H"), ("2", "3", "5", "7", "9"), ("", " Pro", " SE")),
           (("Buds ", "Air ", "Pods ", "H"), ("2", "3", "5", "7", "9"), ("", " Pro", " SE"))),
    attrs=(
        Attr("form", "类型", "Type", parts=(plain(
            ("真无线入耳式耳机", "True Wireless Earbuds"), ("头戴式耳机", "Over-Ear Headphones"),
            ("半入耳式耳机", "Semi-In-Ear Earbuds"), ("开放式耳机", "Open-Ear Headphones")),)),
        Attr("driver", "发声单元", "Driver", weights=(0.7, 0.3), sep=(" ", ", "), parts=(
            graded(o("单动圈", "single dynamic driver", 0.3), o("复合振膜动圈", "composite dynamic driver", 0.55),
                   o("圈铁结合", "hybrid dynamic + balanced armature", 0.8),
                   o("平板振膜", "planar magnetic driver", 0.95)),
            graded(o("SBC/AAC", "SBC/AAC", 0.2), o("LHDC 高清解码", "LHDC hi-res codec", 0.85),
                   o("LDAC 高清解码", "LDAC hi-res codec", 0.9)))),
        Attr("anc", "降噪", "Noise cancelling", parts=(graded(
            o("无主动降噪", "no active noise cancelling", 0.0),
            o("仅通话降噪", "call noise reduction only", 0.2),
            o("主动降噪 最深30dB", "ANC up to 30dB", 0.5),
            o("自适应主动降噪 最深45dB", "adaptive ANC up to 45dB", 0.85),
            o("自适应主动降噪 最深50dB", "adaptive ANC up to 50dB", 1.0)),)),
        Attr("battery", "续航", "Battery life", parts=(graded(
            o("单次5小时，总续航20小时", "5 h per charge, 20 h in total", 0.2),
            o("单次6小时，总续航24小时", "6 h per charge, 24 h in total", 0.35),
            o("单次8小时，总续航32小时", "8 h per charge, 32 h in total", 0.6),
            o("单次10小时，总续航40小时", "10 h per charge, 40 h in total", 0.8),
            o("单次12小时，总续航50小时", "12 h per charge, 50 h in total", 0.95)),)),
        Attr("fit", "佩戴", "Fit", parts=(graded(
            o("硬质塑料外壳", "hard plastic shell", 0.1), o("标准硅胶耳塞", "standard silicone tips", 0.45),
            o("亲肤记忆海绵", "soft memory foam", 0.8),
            o("人体工学设计，附三种尺寸耳塞", "ergonomic shape with three tip sizes", 0.9)),)),
    ),
    aspects={"sound": ("driver",), "noise_cancelling": ("anc",), "battery": ("battery",),
             "comfort": ("fit",), "value": ()},
    title=("{brand} {model} {form}", "{brand} {model} {form}"),
    desc=(("{driver}，{anc}。", "{battery}，{fit}。"),
          ("A {driver} with {anc}.", "{battery}; {fit}.")),
    fans=(_DIGITAL_FANS_ZH + ("每天戴耳机听歌", "通勤路上听播客"),
          _DIGITAL_FANS_EN + ("listens to music every day", "listens to podcasts on the commute")),
)

CAMERA = Category(
    id="camera",
    group="digital",
    path=(("数码", "相机"), ("Electronics", "Cameras")),
    noun=("相机", "camera"),
    price=((2999, 19999), (449, 2999)),
    brands=(("光屿", "溯光", "映川", "曜石", "青岚", "镜湖"),
            ("Lumbrook", "Orivane", "Falcrest", "Arvello", "Tessmar", "Pellridge")),
    model=((("A", "R", "X", "M"), ("5", "6", "7", "8"), ("", " II", " III", " Mark II")),
           (("A", "R", "X", "M"), ("5", "6", "7", "8"), ("", " II", " III", " Mark II"))),
    attrs=(
        Attr("sensor", "传感器", "Sensor", weights=(0.6, 0.4), parts=(
            graded(o("1英寸", "1-inch", 0.2), o("M4/3", "Micro Four Thirds", 0.4), o("APS-C", "APS-C", 0.6),
                   o("全画幅", "full-frame", 0.95)),
            graded(o("2000万像素", "20MP", 0.3), o("2420万像素", "24.2MP", 0.5), o("2610万像素", "26.1MP", 0.6),
                   o("3300万像素", "33MP", 0.75), o("4500万像素", "45MP", 0.9)))),
        Attr("af", "对焦", "Autofocus", parts=(graded(
            o("49点反差对焦", "49-point contrast AF", 0.1), o("425点相位对焦", "425-point phase-detect AF", 0.5),
            o("759点相位对焦 + 眼部追踪", "759-point phase-detect AF with eye tracking", 0.8),
            o("AI 主体识别追焦", "AI subject-recognition tracking AF", 1.0)),)),
        Attr("ibis", "防抖", "Stabilization", parts=(graded(
            o("无机身防抖", "no in-body stabilization", 0.1), o("5轴机身防抖 5级", "5-axis IBIS, 5 stops", 0.6),
            o("5轴机身防抖 8级", "5-axis IBIS, 8 stops", 1.0)),)),
        Attr("video", "视频", "Video", parts=(graded(
            o("4K 30p", "4K 30p", 0.3), o("4K 60p", "4K 60p", 0.6), o("6K 30p", "6K 30p", 0.8),
            o("8K 30p", "8K 30p", 1.0)),)),
        Attr("battery", "续航", "Battery life", parts=(graded(
            o("约300张", "about 300 shots", 0.1), o("约400张", "about 400 shots", 0.35),
            o("约520张", "about 520 shots", 0.6), o("约650张", "about 650 shots", 0.8),
            o("约800张", "about 800 shots", 1.0)),)),
        Attr("weight", "机身重量", "Weight", parts=(numeric(range(350, 901, 50), "{}g", "{}g", invert=True),)),
    ),
    aspects={"image_quality": ("sensor", "ibis"), "autofocus": ("af",), "battery": ("battery",),
             "weight": ("weight",), "value": ()},
    title=("{brand} {model} 微单相机 {sensor}", "{brand} {model} Mirrorless Camera, {sensor}"),
    desc=(("{sensor}传感器，{af}，{ibis}。", "支持{video}视频，续航{battery}，机身重量{weight}。"),
          ("A {sensor} sensor, {af} and {ibis}.", "Records {video} video, lasts {battery}, weighs {weight}.")),
    fans=(_DIGITAL_FANS_ZH + ("喜欢摄影", "爱拍风光和人像"),
          _DIGITAL_FANS_EN + ("is into photography", "shoots landscapes and portraits")),
)

CATEGORIES = (PHONE, LAPTOP, HEADPHONES, CAMERA)

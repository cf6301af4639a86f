"""Sentence frames for synthetic reviews: openers and closers by mood, connectors by kind.

Moods: pos (4-5 stars), mid (3), neg (1-2). Connector kinds: pos (adding praise), mix (contrast),
neg (adding complaints). No frame mentions an aspect, so ``reviews.mentions`` only finds the clauses.
"""

from __future__ import annotations

FRAMES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "zh": {
        "open": {
            "pos": ("", "", "", "收到货了，", "用了一周，", "第二次买了，", "整体很满意，", "物流很快，",
                    "朋友推荐的，", "对比了好几家，", "入手半个月，", "包装很用心，", "给家里人也买了，",
                    "等了很久终于入手，", "回购了，", "说说使用感受，"),
            "mid": ("", "", "用了几天，", "说说真实感受：", "总体还行，", "实话实说，", "用了一段时间，",
                    "优缺点都有，"),
            "neg": ("", "", "有点失望，", "用了几天，", "说实话，", "期待挺高的，结果", "踩雷了，",
                    "第一次给差评，", "不太满意，"),
        },
        "close": {
            "pos": ("", "", "推荐购买！", "会回购的。", "五星好评。", "值得入手。", "很满意。", "家人也说好。",
                    "总之很喜欢。", "这次买对了。", "已经推荐给朋友了。", "好评！"),
            "mid": ("", "", "中规中矩吧。", "看个人需求。", "给个三星。", "凑合用吧。", "期待改进。"),
            "neg": ("", "不推荐。", "已申请退货。", "不会再买了。", "大家谨慎购买。", "很后悔。",
                    "希望商家改进。"),
        },
        "join": {
            "pos": ("，", "，而且", "，另外", "，同时", "；", "，最惊喜的是"),
            "mix": ("，不过", "，但是", "，就是", "，可惜", "，唯一不足是", "；缺点是"),
            "neg": ("，而且", "，还有", "，再加上", "；", "，更糟的是"),
        },
    },
    "en": {
        "open": {
            "pos": ("", "", "", "Really happy with this purchase. ", "Arrived quickly and well packed. ",
                    "Second time buying this. ", "Used it for a couple of weeks now. ", "Great buy. ",
                    "A friend recommended it. ", "Compared a few options before picking this. ",
                    "Finally treated myself. ", "Bought another as a gift. ", "Quick review: ",
                    "Pleasantly surprised. "),
            "mid": ("", "", "Mixed feelings. ", "Honest review: ", "Used it for a few days. ",
                    "It's okay overall. ", "Some good, some bad. "),
            "neg": ("", "", "Disappointed. ", "Had high hopes, but ", "Honestly, ", "Not what I expected. ",
                    "First bad review I've written. ", "Unfortunately, "),
        },
        "close": {
            "pos": ("", "", "Would buy again.", "Highly recommend.", "Five stars.", "No regrets.", "Very pleased.",
                    "Already recommended it to friends.", "Exactly what I wanted.", "Love it."),
            "mid": ("", "", "It does the job.", "Depends on what you need.", "Three stars.", "Could be better."),
            "neg": ("", "Would not recommend.", "Returning it.", "Won't buy again.", "Save your money.",
                    "Regret buying it."),
        },
        "join": {
            "pos": (" and ", ", and ", "; also, ", ". Plus, ", ", and on top of that ", ". Best of all, "),
            "mix": (", but ", ", though ", ". On the other hand, ", "; however, ", ". The one downside: "),
            "neg": (" and ", ", and ", ". On top of that, ", "; also, ", ". Worse, "),
        },
    },
}

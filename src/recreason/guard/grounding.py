"""Grounding: which claims of a reason the item's own data does not support.

``find_unsupported(text, item, user, lang, catalog_values)`` returns one ``Claim`` per unsupported
claim, of three kinds:

``number``
    Every digit number in the reason, with or without a unit or currency, in Chinese or English
    ("5000mAh", "5,000 mAh", "6.7英寸", "6.7-inch", "0.9 kg", "25g", "120Hz", "$25", "¥4999", "50%",
    "5000万像素"), every model code ("S24", "RTX4090") and every Chinese numeral of two or more
    characters with a magnitude ("两千毫安") must match a number in the item's facts: title,
    category, attribute keys and values, brand, price, price band, description, mean rating and the
    aspects' features, opinions and example sentences. Years ("2019") are numbers like any other.
    English number words ("one of the best", "two kids") and single Chinese numeral characters
    ("一款", "三年") are counting words and are not read. Matching is after normalisation: thousands
    separators, multipliers (万, 亿, k, million), unit synonyms (kg/公斤/千克, inch/英寸/"), case;
    different units of one dimension match through conversion within 2 % ("900 g" = "0.9 kg"), and a
    number without a unit matches the same number with one ("5000" = "5000mAh"). So "1.9 kg" against
    an item of "0.9 kg" is unsupported, and so is "4000mAh" against "5000mAh".
    ``recreason.guard.quantities`` has the parser and the unit table.
    A number said of the user ("a mother of 2") is also accepted when the user's profile states it.

``attribute_value``
    With ``catalog_values`` (every categorical attribute value of the catalog: colours, materials,
    "OLED", "LCD", "骁龙8" ...), a value mentioned in the reason that this item's facts do not
    mention. English values match on word boundaries and Chinese ones as substrings, the longest
    value wins where values overlap ("深空灰色" over "灰色"), and a value counts as this item's when
    its facts contain it anywhere. Ignored: values shorter than 2 characters (Chinese) or 3 (other),
    numbers (the ``number`` rule reads those) and common words (``COMMON_VALUES``: "new", "standard",
    "other", 其他, 通用 ...). A value in a clause about the user ("you usually pick black") is
    accepted when the user's profile mentions it.

``user_aspect``
    A content word of the reason (``recreason.guard.vocab``: no stopwords, opinion words or generic
    words such as "food" or "experience") that the user's profile holds (profile text, interests,
    categories, attributes, aspects) but the item's data does not, said of the item. That is the
    burger chain praised for its "authentic Thai cuisine" because the user's profile mentions Thai
    food. Words are compared with plurals folded, and a word the item's data holds in another form
    counts as the item's (same first five letters: "romance" ~ "romantic"); Chinese terms are the nouns of the user's profile
    found as substrings of the reason. Whether a phrase is said of the item or of the user is
    ``recreason.guard.about``'s marker rule: "since you love Thai food, ..." is the user's taste and
    passes, "... because it offers authentic Thai cuisine" is a claim about the item and is
    flagged. The span reported is the aspect phrase ``recreason.aspects.extract`` finds around the
    word when there is one ("thai cuisine"), else the word or adjacent words.

What this cannot see: claims that need world knowledge (a wrong author, a wrong city), paraphrases
of the item's facts with other numbers ("half a kilo" is not read) and aspects the model invented
without the user's profile (those are not copied from the user, and the item's data cannot refute
them). ``benchmarks/grounding_check.py`` measures precision and misses on XRec.

Speed: an item's facts are parsed once (``GroundingIndex``; ``find_unsupported`` keeps the last few
thousand items and users it saw), after which an English reason takes well under a millisecond.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from recreason.aspects import extract
from recreason.aspects.lexicon import split_words as _words
from recreason.guard.about import credited_to_item
from recreason.guard.quantities import Quantity, find_quantities, same_dimension, supports
from recreason.guard.vocab import (
    EN_WORD,
    GENERIC_ZH,
    en_tokens,
    is_en_content,
    stem,
    user_texts,
    zh_content_words,
)
from recreason.profiles.models import ItemProfile, UserProfile
from recreason.text import HAN_CHAR, Language, detect, has_han, language

Kind = Literal["number", "attribute_value", "user_aspect"]
COMMON_VALUES = _words("""new yes none other others standard normal regular classic general basic free all
good great high low small large medium big long short light unknown default true false mixed various multi
multiple plain simple other n/a na null 其他 其它 通用 常规 标准 普通 默认 不限 是 否 有 无 无 均码 其他颜色""")
_TOKENS = re.compile(r"[a-z0-9]+")
_NUMERIC = re.compile(r"[\d.,\s%]+")
_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Claim:
    """One unsupported claim: what kind, the text as written in the reason, and why."""

    kind: Kind
    span: str
    reason: str


def fact_texts(item: ItemProfile) -> list[str]:
    """Every piece of text the item's data states (what a reason may claim)."""
    out = [value for _, value in item.facts()]
    out += [key for key in item.attributes]
    for part in (item.description, item.price_band):
        if part:
            out.append(part)
    if item.mean_rating is not None:
        out += [f"{item.mean_rating:.1f}", f"{item.mean_rating:g}"]
    for a in item.aspects:
        out += a.opinions
        if a.example:
            out.append(a.example)
    return [t for t in out if t]


def _phrase_key(text: str) -> str:
    return " ".join(_TOKENS.findall(text.lower()))


class _TextIndex:
    """Text normalised for phrase look-ups: Latin tokens joined by spaces, Chinese without spaces."""

    def __init__(self, texts: list[str]):
        self.text = "\n".join(texts)
        self._prefixes: set[str] | None = None
        lower = self.text.lower()
        tokens = _TOKENS.findall(lower)
        self.joined = " " + " ".join(tokens) + " "
        self.compact = re.sub(r"\s+", "", lower)
        self.glued = set(tokens) | {a + b for a, b in itertools.pairwise(tokens)}  # "iPhone 15" ~ "iphone15"
        self.stems = {stem(m.group(0)) for m in en_tokens(self.text)}
        self.quantities = [q for t in texts for q in find_quantities(t)]

    def has_word(self, stemmed: str) -> bool:
        """An English word (stemmed) is in the text, or a word that shares its first five letters
        ("romance" ~ "romantic", "humor" ~ "humorous", "history" ~ "historical")."""
        if stemmed in self.stems:
            return True
        if len(stemmed) < 5:
            return False
        if self._prefixes is None:
            self._prefixes = {s[:5] for s in self.stems if len(s) >= 5}
        return stemmed[:5] in self._prefixes

    def mentions(self, phrase: str) -> bool:
        """``phrase`` occurs in the text: as a substring for Chinese, on word boundaries otherwise."""
        low = phrase.lower()
        if has_han(low):
            return re.sub(r"\s+", "", low) in self.compact
        key = _phrase_key(low)
        return bool(key) and f" {key} " in self.joined

    def states(self, q: Quantity) -> bool:
        if q.code is not None:
            return q.code.replace(" ", "") in self.glued or f" {q.code} " in self.joined
        return any(supports(q, f) for f in self.quantities)


class GroundingIndex(_TextIndex):
    """An item's facts parsed once: numbers, codes, words, text for value look-ups."""

    def __init__(self, item: ItemProfile):
        super().__init__(fact_texts(item))
        self.item = item
        self.title = item.title
        # a bare number of the name ("Blouses 836", "Orbit X15") is a name, not a measure: "836 cm" is no fact
        rest = [q for t in fact_texts(item.model_copy(update={"title": None})) for q in find_quantities(t)]
        self._measures = [q for q in self.quantities if q.unit is not None or q.code is not None
                          or any(supports(q, r) for r in rest)]

    def states(self, q: Quantity) -> bool:
        if q.code is None and q.unit is not None:
            return any(supports(q, f) for f in self._measures)
        return super().states(q)


class UserIndex(_TextIndex):
    """A user's profile parsed once: the words and terms a reason might copy from it."""

    def __init__(self, user: UserProfile):
        texts = user_texts(user)
        super().__init__(texts)
        self.user = user
        self.stems = {stem(w.group(0)) for t in texts for w in en_tokens(t) if is_en_content(w.group(0))}
        zh = [t for t in texts if has_han(t)]
        terms = {w for t in zh for w in zh_content_words(t)}
        terms |= {t for t in [*user.interests, *(a.feature for a in user.aspects)] if has_han(t) and len(t) >= 2}
        self.zh_terms = sorted(terms - GENERIC_ZH, key=len, reverse=True)


class _Catalog:
    """Catalog attribute values ready for matching: token n-grams (Latin) and substrings (Chinese)."""

    def __init__(self, values: Iterable[str]):
        self.latin: dict[str, str] = {}
        self.han: dict[int, dict[str, str]] = {}
        for value in values:
            v = (value or "").strip()
            low = v.lower()
            if not v or low in COMMON_VALUES or _NUMERIC.fullmatch(v):
                continue
            if has_han(v):
                compact = re.sub(r"\s+", "", low)
                if len(compact) >= 2:
                    self.han.setdefault(len(compact), {})[compact] = v
            else:
                key = _phrase_key(low)
                if len(key.replace(" ", "")) >= 3:
                    self.latin[key] = v
        self.max_words = max((k.count(" ") + 1 for k in self.latin), default=0)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, value) of every value in ``text``; the longest wins where they overlap."""
        lower = text.lower()
        hits: list[tuple[int, int, str]] = []
        if self.latin:
            found = list(_TOKENS.finditer(lower))
            words = [m.group(0) for m in found]
            for i in range(len(words)):
                for n in range(min(self.max_words, len(words) - i), 0, -1):
                    key = words[i] if n == 1 else " ".join(words[i:i + n])
                    if key in self.latin:
                        hits.append((found[i].start(), found[i + n - 1].end(), self.latin[key]))
                        break
        if self.han:
            reach = max(self.han) - 1
            starts = sorted({i for m in HAN_CHAR.finditer(lower) for i in range(max(0, m.start() - reach), m.start() + 1)})
            for size, table in self.han.items():  # every Chinese value holds a Han character
                for i in starts:
                    value = table.get(lower[i:i + size])
                    if value is not None:
                        hits.append((i, i + size, value))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[tuple[int, int, str]] = []
        for h in hits:
            if not any(a <= h[0] and h[1] <= b for a, b, _ in out):
                out.append(h)
        return out


class _Lru(OrderedDict):
    """id(obj) -> (obj, built); holding obj keeps its id from being reused while cached. Thread-safe
    (the server checks reasons from several threads); an index may be built twice in a race, never wrong."""

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()

    def get_or_build(self, obj, build):
        with self._lock:
            hit = self.get(id(obj))
            if hit is not None and hit[0] is obj:
                self.move_to_end(id(obj))
                return hit[1]
        built = build(obj)
        with self._lock:
            self[id(obj)] = (obj, built)
            while len(self) > _CACHE_SIZE:
                self.popitem(last=False)
        return built


_items, _users, _catalogs = _Lru(), _Lru(), _Lru()


def item_index(item: ItemProfile | GroundingIndex) -> GroundingIndex:
    return item if isinstance(item, GroundingIndex) else _items.get_or_build(item, GroundingIndex)


def user_index(user: UserProfile | UserIndex) -> UserIndex:
    return user if isinstance(user, UserIndex) else _users.get_or_build(user, UserIndex)


Located = tuple[int, int, Claim]


def _number_claims(text: str, item: GroundingIndex, user: UserIndex | None, lang: Language) -> list[Located]:
    out = []
    for q in find_quantities(text):
        if item.states(q):
            continue
        end = q.start + len(q.span)
        if user is not None and user.states(q) and not credited_to_item(text, q.start, end, lang, item.title):
            continue
        if q.code is not None:
            why = "a model code the item's data does not state"
        else:
            near = [f.span for f in item.quantities if f.code is None and same_dimension(q, f)]
            why = (f"the item's data states {', '.join(dict.fromkeys(near[:3]))}" if near
                   else "no matching number in the item's data")
        out.append((q.start, end, Claim("number", q.span, why)))
    return out


def _value_claims(text: str, item: GroundingIndex, user: UserIndex | None, catalog: _Catalog,
                  lang: Language) -> list[Located]:
    out = []
    for start, end, value in catalog.find(text):
        if item.mentions(value):
            continue
        if user is not None and user.mentions(value) and not credited_to_item(text, start, end, lang, item.title):
            continue
        claim = Claim("attribute_value", text[start:end], f"{value!r} is a catalog value this item does not have")
        out.append((start, end, claim))
    return out


def _feature_spans(text: str, lang: Language) -> list[tuple[int, int]]:
    """Where the aspect phrases the miner finds occur in ``text`` (for reporting whole phrases)."""
    lower, spans = text.lower(), []
    for a in extract(text, lang):
        spans += [m.span() for m in re.finditer(lang.phrase_pattern(a.feature.lower()), lower)]
    return spans


def _user_terms(text: str, item: GroundingIndex, user: UserIndex) -> list[tuple[int, int, str]]:
    """Chinese (words run together): the profile's terms found as substrings of the reason."""
    found = []
    for term in user.zh_terms:
        if item.mentions(term):
            continue
        found += [(m.start(), m.end(), term) for m in re.finditer(re.escape(term), text)]
    return found


def _user_words(text: str, item: GroundingIndex, user: UserIndex) -> list[tuple[int, int, str]]:
    """English (words written apart): the reason's content words whose stems the profile holds."""
    lower = text.lower()
    hits = {w for w in set(EN_WORD.findall(lower))
            if stem(w) in user.stems and not item.has_word(stem(w)) and is_en_content(w)}
    if not hits:
        return []
    return [(m.start(), m.end(), m.group(0)) for m in EN_WORD.finditer(lower) if m.group(0) in hits]


def _user_word_spans(text: str, item: GroundingIndex, user: UserIndex, lang: Language) -> list[tuple[int, int, str]]:
    """(start, end, word) of the reason's words that only the user's profile holds."""
    return (_user_words if lang.spaced else _user_terms)(text, item, user)


def _aspect_claims(text: str, item: GroundingIndex, user: UserIndex, lang: Language) -> list[Located]:
    words = _user_word_spans(text, item, user, lang)
    if not words:
        return []
    phrases = _feature_spans(text, lang)
    groups: list[list] = []  # adjacent words and the aspect phrase around them make one claim
    for start, end, word in sorted(words):
        around = next(((a, b) for a, b in phrases if a <= start and end <= b), (start, end))
        if groups and (around[0] <= groups[-1][1] or not text[groups[-1][1]:around[0]].strip(" -")):
            groups[-1][1] = max(groups[-1][1], around[1])
            groups[-1][2].append(word)
        else:
            groups.append([around[0], around[1], [word]])
    out, seen = [], set()
    for start, end, group_words in groups:
        span = text[start:end]
        if span.lower() in seen or not credited_to_item(text, start, end, lang, item.title):
            continue
        seen.add(span.lower())
        listed = list(dict.fromkeys(group_words))
        words = ", ".join(repr(w) for w in listed) + (" is" if len(listed) == 1 else " are")
        out.append((start, end, Claim("user_aspect", span, f"{words} in the user's profile but not in the item's data")))
    return out


def find_unsupported(
    text: str,
    item: ItemProfile | GroundingIndex,
    user: UserProfile | UserIndex | None = None,
    lang: str | None = None,
    catalog_values: set[str] | None = None,
) -> list[Claim]:
    """Unsupported claims of one reason about ``item`` (module docstring has the rules), in order of kind.

    ``user`` enables the ``user_aspect`` rule (and accepts numbers and values said of the user);
    ``catalog_values`` enables the ``attribute_value`` rule; it is indexed once per set object (cached
    by identity), so pass a new set (or a frozenset) when the catalog changes rather than mutating it.
    ``lang`` None: detected from ``text``.
    """
    if not text or not text.strip():
        return []
    lang = language(lang) if lang else detect(text)
    uindex = user_index(user) if user is not None else None
    return [claim for _, _, claim in located_unsupported(text, item_index(item), uindex, lang, catalog_values)]


def located_unsupported(text: str, index: GroundingIndex, uindex: UserIndex | None, lang: Language,
                        catalog_values: set[str] | None = None) -> list[Located]:
    """``find_unsupported`` with where each claim is: (start, end, claim) in reading order within a kind."""
    located = _number_claims(text, index, uindex, lang)
    if catalog_values:
        catalog = _catalogs.get_or_build(catalog_values, _Catalog)
        values = _value_claims(text, index, uindex, catalog, lang)
        # a number inside a flagged value ("天玑9000") is the same claim: report it once, as the value
        located = [n for n in located if not any(a <= n[0] and n[1] <= b for a, b, _ in values)] + values
    if uindex is not None:
        located += _aspect_claims(text, index, uindex, lang)
    return located

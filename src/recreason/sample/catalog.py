"""The whole synthetic catalogue and the one place that says how good an item is on each aspect.

``aspect_qualities`` reads an item's *rendered* attribute values (as stored in the items table) back to
their quality, so generation and tests judge items by exactly the same rule: a review or reference may
only praise an aspect whose quality is high and only criticise one whose quality is low.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from functools import cache

from recreason.sample import aspects_en, aspects_zh, catalog_digital, catalog_leisure, catalog_wear
from recreason.sample.spec import Attr, Category
from recreason.text import language

LANGS = ("zh", "en")
CATEGORIES: tuple[Category, ...] = (
    catalog_digital.CATEGORIES + catalog_wear.CATEGORIES + catalog_leisure.CATEGORIES
)
BY_ID: dict[str, Category] = {c.id: c for c in CATEGORIES}
#: Every aspect, in first-use order; "value" (price against quality) is shared by all categories.
ASPECT_IDS: tuple[str, ...] = tuple(dict.fromkeys(a for c in CATEGORIES for a in c.aspects))
VOCAB = {"zh": aspects_zh.ASPECTS, "en": aspects_en.ASPECTS}
#: the key reviews and references quote a price under, and how they write the price
PRICE_KEY = {"zh": "价格", "en": "Price"}
PRICE_FORMAT = {"zh": "{:g}元", "en": "${:.2f}"}

#: Quality thresholds for what a truthful opinion may say.
POS_AT, NEG_BELOW = 0.6, 0.35


def lang_index(lang: str) -> int:
    return LANGS.index(lang)


def polarity(q: float) -> str:
    return "pos" if q >= POS_AT else ("neg" if q < NEG_BELOW else "mid")


def category_of(path: Sequence[str]) -> Category | None:
    """The category whose zh or en path equals ``path``."""
    return _PATHS.get(tuple(path))


_PATHS = {c.path[i]: c for c in CATEGORIES for i in (0, 1)}


def join_parts(texts: Sequence[str], sep: str) -> str:
    return sep.join(t for t in texts if t)


def part_quality(attr: Attr, qs: Sequence[float | None]) -> float | None:
    weights = attr.weights or (1.0,) * len(qs)
    pairs = [(w, q) for w, q in zip(weights, qs, strict=True) if q is not None and w > 0]
    if not pairs:
        return None
    return sum(w * q for w, q in pairs) / sum(w for w, _ in pairs)


@cache
def _value_table(cat_id: str, attr_id: str, li: int) -> dict[str, float | None]:
    """Rendered text -> quality for every value an attribute can take (one option per part)."""
    attr = BY_ID[cat_id].attr(attr_id)
    if attr.many[1]:
        return {opt[li]: opt[2] for opt in attr.parts[0]}
    table: dict[str, float | None] = {}
    for combo in itertools.product(*attr.parts):
        text = join_parts([opt[li] for opt in combo], attr.sep[li])
        if text in table:
            raise ValueError(f"{cat_id}.{attr_id}: two option combinations both render as {text!r}")
        table[text] = part_quality(attr, [opt[2] for opt in combo])
    return table


def attr_quality(cat: Category, attr_id: str, lang: str, value: str | list[str] | None) -> float | None:
    """Quality of a stored value; ``KeyError`` for a value the catalogue cannot produce."""
    if value is None:
        return None
    attr = cat.attr(attr_id)
    table = _value_table(cat.id, attr_id, lang_index(lang))
    if attr.follows:
        return None
    if attr.many[1]:
        qs = [table[v] for v in value if table[v] is not None]
        return sum(qs) / len(qs) if qs else None
    return table[value]


def price_position(cat: Category, lang: str, price: float) -> float:
    lo, hi = cat.price[lang_index(lang)]
    return min(1.0, max(0.0, (price - lo) / (hi - lo)))


def aspect_qualities(cat: Category, lang: str, attributes: Mapping[str, object], price: float) -> dict[str, float]:
    """Aspect -> quality in [0, 1] for one item, from its stored attributes (keys in ``lang``) and price."""
    li = lang_index(lang)
    out: dict[str, float] = {}
    for aspect, attr_ids in cat.aspects.items():
        qs = []
        for attr_id in attr_ids:
            key = getattr(cat.attr(attr_id), LANGS[li])
            q = attr_quality(cat, attr_id, lang, attributes.get(key))
            if q is not None:
                qs.append(q)
        if qs:
            out[aspect] = sum(qs) / len(qs)
    core = sum(out.values()) / len(out) if out else 0.5
    if "value" in cat.aspects:
        out["value"] = min(1.0, max(0.0, 0.5 + 1.2 * (core - price_position(cat, lang, price))))
    return out


def core_quality(qualities: Mapping[str, float]) -> float:
    """Mean quality over the aspects other than value."""
    qs = [q for a, q in qualities.items() if a != "value"]
    return sum(qs) / len(qs) if qs else 0.5


def aspect_key(cat: Category, aspect: str, lang: str) -> str:
    """The attribute key a review or reference quotes for an aspect (the price key for "value")."""
    attr_ids = cat.aspects[aspect]
    if not attr_ids:
        return PRICE_KEY[lang]
    return getattr(cat.attr(attr_ids[0]), lang)


def format_value(value: object, lang: str) -> str:
    """A stored value as text; a list of values read as one phrase ("A, B and C", "甲、乙、丙")."""
    return language(lang).join_and(value) if isinstance(value, list) else str(value)


def format_price(price: float, lang: str) -> str:
    return PRICE_FORMAT[lang].format(price)


def quote_value(value: object, lang: str) -> str:
    """A value as reviews and references quote it (a Chinese comma inside a value becomes the list
    separator, 、, so the value stays one clause)."""
    return format_value(value, lang).replace("，", language(lang).list_sep)

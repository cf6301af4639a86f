"""The shape of the synthetic catalogue: categories, their attributes and how good each value is.

An attribute value is made of one or more *parts* (e.g. a phone screen = size + panel + refresh rate);
each part is picked from options ``(zh text, en text, quality)``. Quality lies in [0, 1] (``None`` for
taste-only parts such as colour) and drives price, ratings and the opinions reviews express, so a review
that praises the battery is only ever written about an item whose battery value is actually good.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: (zh text, en text, quality or None)
Option = tuple[str, str, float | None]


@dataclass(frozen=True)
class Attr:
    """One attribute: its key in each language and how its value is drawn.

    ``parts``: option lists joined with ``sep`` (empty texts are skipped). ``many=(lo, hi)``: the value is
    a list of lo..hi distinct options of ``parts[0]``. ``follows``: a derived attribute whose text is
    picked from ``tiers`` ``(upper quality bound, zh, en)`` by the quality of another attribute.
    """

    id: str
    zh: str
    en: str
    parts: tuple[tuple[Option, ...], ...] = ()
    weights: tuple[float, ...] | None = None
    sep: tuple[str, str] = (" ", " ")
    many: tuple[int, int] = (0, 0)
    follows: str | None = None
    tiers: tuple[tuple[float, str, str], ...] = ()


@dataclass(frozen=True)
class Category:
    """One product category with both language versions side by side (index 0 = zh, 1 = en)."""

    id: str
    path: tuple[tuple[str, ...], tuple[str, ...]]
    noun: tuple[str, str]
    price: tuple[tuple[float, float], tuple[float, float]]  # CNY band for zh items, USD band for en items
    brands: tuple[tuple[str, ...], tuple[str, ...]]
    model: tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]  # word lists, concatenated
    attrs: tuple[Attr, ...]
    aspects: dict[str, tuple[str, ...]]  # aspect id -> attribute ids ("value" -> () : price vs quality)
    title: tuple[str, str]
    desc: tuple[tuple[str, ...], tuple[str, ...]]
    fans: tuple[tuple[str, ...], tuple[str, ...]]  # declared-interest phrases for fans of the category
    group: str = ""
    extra: dict = field(default_factory=dict)

    def attr(self, attr_id: str) -> Attr:
        for a in self.attrs:
            if a.id == attr_id:
                return a
        raise KeyError(f"{self.id}: no attribute {attr_id!r}")


def o(zh: str, en: str, q: float | None = None) -> Option:
    return (zh, en, q)


def plain(*pairs: tuple[str, str]) -> tuple[Option, ...]:
    """Taste-only options (no quality)."""
    return tuple((zh, en, None) for zh, en in pairs)


def graded(*triples: Option) -> tuple[Option, ...]:
    return tuple(triples)


def numeric(values: Iterable[float], zh: str, en: str, invert: bool = False) -> tuple[Option, ...]:
    """Options over a numeric range with quality linear in the value (``invert``: smaller is better)."""
    values = list(values)
    lo, hi = min(values), max(values)
    out = []
    for v in values:
        q = (v - lo) / (hi - lo) if hi > lo else 0.5
        text = f"{v:g}"
        out.append((zh.format(text), en.format(text), round(1 - q if invert else q, 3)))
    return tuple(out)

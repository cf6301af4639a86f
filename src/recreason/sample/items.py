"""Synthetic items: attributes drawn per category, price from quality, titles and descriptions.

Each item gets a hidden *tier*; attribute options near that tier are more likely, so a flagship phone
tends to have a good screen *and* a good chip, and its price follows its overall quality with noise
(some items are bargains, some overpriced, which the "value" aspect reflects).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from recreason.sample import catalog
from recreason.sample.catalog import ASPECT_IDS, CATEGORIES, LANGS
from recreason.sample.spec import Attr, Category
from recreason.text import language

SEED_ITEM_ID = "i_seed_phone"
SEED_ITEM = {
    "title": "最新款智能手机",
    "brand": "星穹",
    "price": 4999.0,
    "attributes": {
        "处理器": "曜芯 S9 旗舰八核 3.2GHz",
        "屏幕": "6.7英寸 AMOLED 120Hz",
        "电池": "5500mAh",
        "续航": "重度使用约1.5天",
        "相机": "1亿像素主摄 + 1200万像素超广角",
        "存储": "12GB+256GB",
        "快充": "100W",
    },
    "description": "星穹最新款智能手机：曜芯 S9 旗舰八核 3.2GHz 处理器，6.7英寸 AMOLED 120Hz 高清屏幕，"
                   "5500mAh 大电池长续航，1亿像素高清主摄。",
}


@dataclass
class ItemInfo:
    """What the behaviour model needs to know about the items, row-aligned with the items table."""

    ids: list[str]
    cat: np.ndarray          # category index into CATEGORIES
    lang: np.ndarray         # 0 = zh, 1 = en
    price: np.ndarray
    quality: np.ndarray      # items x ASPECT_IDS, NaN where the category lacks the aspect
    core: np.ndarray         # mean non-value quality
    price_pos: np.ndarray    # position of the price in its category band, 0..1
    attributes: list[dict]
    popularity: np.ndarray

    def qualities(self, i: int) -> dict[str, float]:
        return {a: float(q) for a, q in zip(ASPECT_IDS, self.quality[i], strict=True) if not np.isnan(q)}


def _weights(options, tier: float) -> np.ndarray:
    qs = np.array([np.nan if opt[2] is None else opt[2] for opt in options], dtype=float)
    if np.isnan(qs).all():
        return np.full(len(options), 1.0 / len(options))
    w = np.exp(-0.5 * ((np.nan_to_num(qs, nan=tier) - tier) / 0.22) ** 2) + 1e-3
    return w / w.sum()


def _draw_value(rng: np.random.Generator, attr: Attr, li: int, tier: float) -> str | list[str]:
    if attr.many[1]:
        options = attr.parts[0]
        k = int(rng.integers(attr.many[0], attr.many[1] + 1))
        picked = rng.choice(len(options), size=k, replace=False, p=_weights(options, tier))
        return [options[i][li] for i in sorted(picked)]
    texts = [part[rng.choice(len(part), p=_weights(part, tier))][li] for part in attr.parts]
    return catalog.join_parts(texts, attr.sep[li])


def _draw_attributes(rng: np.random.Generator, cat: Category, lang: str, tier: float) -> tuple[dict, dict]:
    li = catalog.lang_index(lang)
    by_id: dict[str, str | list[str]] = {}
    for attr in cat.attrs:
        if not attr.follows:
            by_id[attr.id] = _draw_value(rng, attr, li, tier)
    for attr in cat.attrs:
        if attr.follows:
            q = catalog.attr_quality(cat, attr.follows, lang, by_id[attr.follows])
            by_id[attr.id] = next(t[1 + li] for t in attr.tiers if q < t[0])
    return {getattr(a, lang): by_id[a.id] for a in cat.attrs}, by_id


#: the indefinite article, per language code (Chinese has none)
_ARTICLE = {"en": re.compile(r"\b([Aa])n? (?=(\w+))")}
#: price rounding per language code: (from this price, to a multiple of this step, less this) -> 4999元, $49.99
_PRICE_STEPS = {"zh": ((1000, 100, 1), (20, 10, 1), (float("-inf"), 1, 0)),
                "en": ((100, 10, 0.01), (float("-inf"), 1, 0.01))}


def fix_articles(text: str, lang: str = "en") -> str:
    """English a/an by the next word's sound (good enough for the catalogue's vocabulary); other
    languages' text as is."""
    def pick(m: re.Match) -> str:
        word = m.group(2).lower()
        vowel = word[0] in "aeiou" and not word.startswith(("one", "uni", "use", "eu"))
        vowel = vowel or word.startswith(("hour", "8", "18", "11"))
        return m.group(1) + ("n " if vowel else " ")
    article = _ARTICLE.get(lang)
    return article.sub(pick, text) if article else text


def _fill(template: str, by_id: dict, lang: str, first_only: bool) -> str:
    values = {k: (v[0] if first_only and isinstance(v, list) else catalog.format_value(v, lang))
              for k, v in by_id.items()}
    return template.format(**values)


def _round_price(p: float, lang: str) -> float:
    step, less = next((step, less) for start, step, less in _PRICE_STEPS[lang] if p >= start)
    return float(round(max(1, round(p / step)) * step - less, 2))


def _make_item(rng: np.random.Generator, cat: Category, lang: str) -> dict:
    li = catalog.lang_index(lang)
    brands = cat.brands[li]
    b = int(rng.integers(len(brands)))
    tier = float(np.clip(rng.beta(2.2, 2.2) + 0.3 * (b / (len(brands) - 1) - 0.5), 0.02, 0.98))
    attributes, by_id = _draw_attributes(rng, cat, lang, tier)
    model = "".join(words[int(rng.integers(len(words)))] for words in cat.model[li])
    core = catalog.core_quality(catalog.aspect_qualities(cat, lang, attributes, cat.price[li][0]))
    lo, hi = cat.price[li]
    x = float(np.clip(core + rng.normal(0, 0.15), 0.0, 1.0)) ** 1.3
    price = _round_price(lo + (hi - lo) * x, lang)
    title = " ".join(_fill(cat.title[li], {**by_id, "brand": brands[b], "model": model}, lang, True).split())
    desc = language(lang).word_sep.join(_fill(t, by_id, lang, False) for t in cat.desc[li])
    desc = fix_articles(language(lang).capitalize(desc), lang)
    return {"title": title, "brand": brands[b], "price": price, "attributes": attributes, "description": desc}


def build_items(rng: np.random.Generator, n_items: int) -> tuple[list[dict], ItemInfo]:
    """``n_items`` items spread evenly over categories x languages; the seed phone is the last one."""
    groups = [(ci, lang) for ci in range(len(CATEGORIES)) for lang in LANGS]
    if n_items < len(groups):
        raise ValueError(f"n_items must be at least {len(groups)} (one per category and language)")
    counts = [n_items // len(groups) + (g < n_items % len(groups)) for g in range(len(groups))]
    counts[0] -= 1  # the zh phone slot taken by the seed item
    rows, cats, langs = [], [], []
    for (ci, lang), count in zip(groups, counts, strict=True):
        for _ in range(count):
            rows.append(_make_item(rng, CATEGORIES[ci], lang))
            cats.append(ci)
            langs.append(lang)
    rows.append(dict(SEED_ITEM, attributes=dict(SEED_ITEM["attributes"])))
    cats.append(0)
    langs.append("zh")
    ids = [f"i_{k + 1:04d}" for k in range(len(rows) - 1)] + [SEED_ITEM_ID]
    for item_id, row, ci, lang in zip(ids, rows, cats, langs, strict=True):
        cat = CATEGORIES[ci]
        row.update(item_id=item_id, category=list(cat.path[catalog.lang_index(lang)]), language=lang)
    return rows, _info(rng, ids, rows, cats, langs)


def _info(rng, ids, rows, cats, langs) -> ItemInfo:
    n = len(rows)
    quality = np.full((n, len(ASPECT_IDS)), np.nan)
    core, pos = np.zeros(n), np.zeros(n)
    for i, (row, ci, lang) in enumerate(zip(rows, cats, langs, strict=True)):
        cat = CATEGORIES[ci]
        qs = catalog.aspect_qualities(cat, lang, row["attributes"], row["price"])
        for a, q in qs.items():
            quality[i, ASPECT_IDS.index(a)] = q
        core[i] = catalog.core_quality(qs)
        pos[i] = catalog.price_position(cat, lang, row["price"])
    popularity = rng.normal(0.0, 0.5, n)
    popularity[-1] = 1.0  # the seed phone is a popular new release
    return ItemInfo(ids=ids, cat=np.array(cats), lang=np.array([LANGS.index(x) for x in langs]),
                    price=np.array([r["price"] for r in rows]), quality=quality, core=core, price_pos=pos,
                    attributes=[r["attributes"] for r in rows], popularity=popularity)

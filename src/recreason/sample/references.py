"""Synthetic reference reasons: one short sentence per chosen (user, purchased item) pair.

Each reason quotes one real attribute of the item (key and value) on an aspect where the item is
genuinely good, and ties it to one real interest of the user: an aspect they care about, an interest
they declared, or a category they shop most. ``feature`` is the aspect word used in the sentence and
``opinion`` the adjective attached to it. All of them are synthetic.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from recreason.sample import catalog
from recreason.sample.catalog import LANGS, VOCAB, polarity
from recreason.sample.items import fix_articles
from recreason.sample.spec import Category
from recreason.text import language

TEMPLATES = {
    "zh": (
        "这款{cat}{k}{v}，{p}，很适合{w}的你。",
        "{k}{v}，{p}，{w}的你会喜欢。",
        "推荐给{w}的你：{p}，{k}{v}。",
        "{p}（{k}{v}），正合{w}的你。",
        "考虑到你{w}，这款{cat}{k}{v}，{p}。",
        "你{w}，这款{cat}{k}{v}，{p}，值得一试。",
        "这款{cat}{p}，{k}{v}，适合{w}的你。",
        "{w}的你可以看看这款{cat}：{k}{v}，{p}。",
    ),
    "en": (
        "{P} ({k}: {v}), ideal for someone who {w}.",
        "A good pick for someone who {w}: {p} ({k}: {v}).",
        "For someone who {w}, this {cat} offers {p} ({k}: {v}).",
        "{P} ({k}: {v}) makes this {cat} a fit for someone who {w}.",
        "Made for someone who {w}: this {cat} has {p} ({k}: {v}).",
        "This {cat} brings {p} ({k}: {v}) for someone who {w}.",
        "Someone who {w} will appreciate {p} ({k}: {v}).",
        "This {cat} suits someone who {w}, with {p} ({k}: {v}).",
    ),
}
#: an aspect with its adjective, per language code: 屏幕清晰 / "sharp screen"
PHRASE = {"zh": "{noun}{adj}", "en": "{adj} {noun}"}


def _interest(rng: np.random.Generator, lang: str, cat: Category, feature: str, cared: Mapping[str, float],
              declared: list[str], cat_rank: int) -> str | None:
    """A true interest of the user that makes the feature relevant, or None when there is none."""
    li = catalog.lang_index(lang)
    if feature in cared:
        return VOCAB[lang][feature]["care"]
    own = [d for d in declared if d in cat.fans[li]]
    if own:
        return own[int(rng.integers(len(own)))]
    if cat_rank <= 1:
        return cat.fans[li][int(rng.integers(len(cat.fans[li])))]
    return None


def make_reference(rng: np.random.Generator, cat: Category, lang: str, attributes: Mapping[str, object],
                   price: float, qualities: Mapping[str, float], cared: Mapping[str, float],
                   declared: list[str], cat_rank: int) -> dict | None:
    """One reference record (without ids and split), or None when nothing true and personal fits."""
    good = [a for a, q in qualities.items() if polarity(q) == "pos"]
    if not good:
        return None
    good.sort(key=lambda a: (-cared.get(a, 0.0), -qualities[a]))
    feature = good[0]
    who = _interest(rng, lang, cat, feature, cared, declared, cat_rank)
    if who is None:
        return None
    key = catalog.aspect_key(cat, feature, lang)
    if feature == "value":
        value = catalog.format_price(price, lang)
    elif key in attributes:
        value = catalog.quote_value(attributes[key], lang)
    else:
        return None
    vocab = VOCAB[lang][feature]
    adj = vocab["ref"][int(rng.integers(len(vocab["ref"])))]
    templates = TEMPLATES[lang]
    template = templates[int(rng.integers(len(templates)))]
    li = LANGS.index(lang)
    writing = language(lang)
    phrase = PHRASE[lang].format(noun=vocab["noun"], adj=adj)
    text = template.format(cat=cat.noun[li], k=writing.inline_label(key), v=value, p=phrase, w=who,
                           P=writing.capitalize(phrase))
    text = fix_articles(text, lang)
    opinion = adj.split(" ")[-1]
    return {"text": text, "feature": vocab["noun"], "opinion": opinion, "sentiment": 1, "language": lang}

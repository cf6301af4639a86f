"""Short synthetic reviews that are true to the item and to the rating.

A review mentions one or two aspects, preferring those the reviewer cares about. The rating decides
*which* aspects (the best ones for a happy reviewer, the worst for an unhappy one), but what is said about
an aspect always follows the item's actual quality on it (``catalog.polarity``), so a review never
praises a weak battery. Sentences are assembled from openers, aspect clauses, connectors and closers in
the reviewer's language (see ``review_frames``). ``mentions`` reads the aspects back out of a review.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from recreason.sample import catalog
from recreason.sample.catalog import VOCAB, polarity
from recreason.sample.review_frames import FRAMES
from recreason.sample.spec import Category
from recreason.text import language

#: the longest value a review quotes, per language code, and whether it must read as a spec: in English
#: only spec-like values ("5000mAh", "260g") read well as "the 260g weight"
QUOTABLE = {"zh": (20, False), "en": (24, True)}
#: a clause that quotes a value, per language code: the price ("value") or another attribute
QUOTED = {"zh": {"value": "{key}{value}，{phrase}", "attribute": "{key}{value}，{phrase}"},
          "en": {"value": "at {value}, {phrase}", "attribute": "with the {value} {key}, {phrase}"}}


def mood(rating: int) -> str:
    return "pos" if rating >= 4 else ("neg" if rating <= 2 else "mid")


def _order(aspects, qualities, cared, best_first: bool, rng: np.random.Generator) -> list[str]:
    jitter = {a: rng.random() * 0.05 for a in aspects}
    sign = -1 if best_first else 1
    return sorted(aspects, key=lambda a: (-cared.get(a, 0.0), sign * (qualities[a] + jitter[a])))


def choose_aspects(rng: np.random.Generator, rating: int, qualities: Mapping[str, float],
                   cared: Mapping[str, float]) -> tuple[int, list[tuple[str, str]]]:
    """(rating, [(aspect, polarity)]): the rating is nudged to 3 / 4 / 2 when the item offers nothing
    truthful to say at the original rating (e.g. a 5-star review of an item with no good aspect)."""
    pols = {a: polarity(q) for a, q in qualities.items()}
    good = [a for a in qualities if pols[a] != "neg"]
    bad = [a for a in qualities if pols[a] != "pos"]
    best = [a for a in good if pols[a] == "pos"] or good  # praise what is really good when there is any
    worst = [a for a in bad if pols[a] == "neg"] or bad
    if rating >= 4 and not good or rating <= 2 and not bad:
        rating = 3
    if rating == 3 and not bad:
        rating = 4
    elif rating == 3 and not good:
        rating = 2
    two = rng.random() < 0.55
    if rating >= 4:
        picked = _order(best, qualities, cared, True, rng)[: 1 + two]
    elif rating <= 2:
        picked = _order(worst, qualities, cared, False, rng)[: 1 + two]
    else:
        top = _order(good, qualities, cared, True, rng)[0]
        low = _order([a for a in bad if a != top] or bad, qualities, cared, False, rng)[0]
        picked = [top, low] if top != low and (two or pols[top] == "pos") else [low]
    return rating, [(a, pols[a]) for a in picked]


def _quote_ok(value: str, lang: str) -> bool:
    """Short values only (``QUOTABLE``); where asked, only spec-like ones."""
    if not value or "，" in value or "," in value:
        return False
    longest, spec_only = QUOTABLE[lang]
    return len(value) <= longest and (not spec_only or (value[0].isdigit() and " with " not in value))


def _clause(rng: np.random.Generator, cat: Category, lang: str, aspect: str, pol: str,
            attributes: Mapping[str, object], price: float | None) -> str:
    phrases = VOCAB[lang][aspect][pol]
    phrase = phrases[int(rng.integers(len(phrases)))]
    if rng.random() >= 0.3:
        return phrase
    key = catalog.aspect_key(cat, aspect, lang)
    if aspect == "value":
        if price is None:
            return phrase
        value = catalog.format_price(price, lang)
    elif key in attributes:
        value = catalog.quote_value(attributes[key], lang)
    else:
        return phrase
    if aspect != "value" and not _quote_ok(value, lang):
        return phrase
    quoted = QUOTED[lang]["value" if aspect == "value" else "attribute"]
    return quoted.format(key=language(lang).inline_label(key), value=value, phrase=phrase)


def _pick(rng: np.random.Generator, options) -> str:
    return options[int(rng.integers(len(options)))]


def compose(rng: np.random.Generator, cat: Category, lang: str, rating: int, said: list[tuple[str, str]],
            attributes: Mapping[str, object], price: float | None) -> str:
    """The review text for the (aspect, polarity) pairs chosen by ``choose_aspects``.

    Pass empty ``attributes`` and ``price=None`` when the reviewer's language is not the item's, so no
    value is quoted in the wrong language."""
    frames = FRAMES[lang]
    m = mood(rating)
    clauses = [_clause(rng, cat, lang, a, p, attributes, price) for a, p in said]
    body = clauses[0]
    if len(clauses) == 2:
        contrast = said[0][1] != said[1][1] and "pos" in (said[0][1], said[1][1])
        body += _pick(rng, frames["join"]["mix" if contrast else ("neg" if m == "neg" else "pos")]) + clauses[1]
    opener, closer = _pick(rng, frames["open"][m]), _pick(rng, frames["close"][m])
    writing = language(lang)
    text = writing.word_sep.join(s for s in (f"{opener}{body}{writing.full_stop}", closer) if s)
    return writing.capitalize_sentences(text)


def mentions(text: str, lang: str, category: Category | None = None) -> list[tuple[str, str]]:
    """The (aspect, polarity) pairs whose opinion clauses occur in ``text`` (generated reviews only)."""
    aspects = category.aspects if category is not None else VOCAB[lang]
    low = text.lower()
    found = []
    for aspect in aspects:
        for pol in ("pos", "mid", "neg"):
            if any(phrase.lower() in low for phrase in VOCAB[lang][aspect][pol]):
                found.append((aspect, pol))
    return found

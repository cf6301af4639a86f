"""Aspect mining: (feature, opinion, sentiment, sentence) tuples from English and Chinese reviews.

The tuples play the role of the "templates" in the NETE / PETER data sets: ``feature`` is the
aspect noun phrase ("battery life", "fabric", "屏幕", "物流"), ``opinion`` the word that judges it
("great", "too small", "清晰", "很快", with a negation kept: "not soft", "不耐用"), ``sentiment``
+1 / 0 / -1, ``sentence`` the sentence it came from. They serve to give data without a PETER
``template`` one (``best_template``) and to build user profiles (which aspects a user writes
about) and item profiles (how often each aspect is praised or criticised).

The extractors are lexicon- and pattern-based (``aspects/en.py``, ``aspects/zh.py``; their module
docstrings define what counts as a feature). They run offline and fast: see
``benchmarks/aspect_precision.py`` for the measured precision / recall on hand-labelled review
sentences and for the speed.

Mixed-language text: with ``lang=None`` every sentence is routed on its own; a Chinese sentence
that carries an English clause of three or more words has that clause read by the English
extractor too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from recreason.aspects import en, zh
from recreason.text import detect, has_han, split_sentences

__all__ = ["Aspect", "best_template", "extract", "extract_many"]

_EXTRACTORS = {"en": en, "zh": zh}  # one extractor module per language code
_ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z0-9][A-Za-z0-9'’-]*){2,}")


@dataclass(frozen=True)
class Aspect:
    feature: str
    opinion: str
    sentiment: int
    sentence: str
    lang: str


def _sentence_aspects(sentence: str, lang: str | None, routed: bool) -> list[Aspect]:
    """With ``routed`` (no language given) a sentence with Han characters is read by the Chinese
    extractor and each English run of 3+ words in it by the English one; otherwise one extractor."""
    if not routed:
        return [Aspect(f, o, s, sentence, lang) for f, o, s in _EXTRACTORS[lang].extract_pairs(sentence)]
    if not has_han(sentence):
        return [Aspect(f, o, s, sentence, "en") for f, o, s in en.extract_pairs(sentence)]
    parts = [("zh", sentence)] + [("en", run) for run in _ENGLISH_RUN.findall(sentence)]
    main = detect(sentence)
    parts.sort(key=lambda part: part[0] != main)  # the sentence's main language's aspects first (stable)
    found, seen = [], set()
    for part_lang, part in parts:
        for f, o, s in _EXTRACTORS[part_lang].extract_pairs(part):
            if f not in seen:
                seen.add(f)
                found.append(Aspect(f, o, s, sentence, part_lang))
    return found


def extract(text: str, lang: str | None = None) -> list[Aspect]:
    """Every (feature, opinion) pair in ``text``, sentence by sentence, in reading order.

    ``lang`` is "en" or "zh"; None detects it per sentence (``recreason.text.detect``).
    A feature is reported once per sentence (its first opinion). Empty or non-text input gives [].
    """
    if not isinstance(text, str) or not text.strip():
        return []
    if lang is not None and lang not in _EXTRACTORS:
        raise ValueError(f"lang must be 'en', 'zh' or None, not {lang!r}")
    aspects: list[Aspect] = []
    for sentence in split_sentences(text):
        aspects.extend(_sentence_aspects(sentence, lang, routed=lang is None))
    return aspects


def extract_many(texts: Iterable[str], lang: str | None = None) -> list[list[Aspect]]:
    """``extract`` over many reviews (one list per input, same order). The extractors keep no
    per-call state, so this is a plain loop with the lexicons loaded once; progress display is
    the caller's job."""
    return [extract(text, lang) for text in texts]


def _sentence_score(aspects: list[Aspect]) -> float:
    """How informative a sentence's aspects are: judged (non-zero) aspects count most, known
    (seed-lexicon) features beat guessed ones, and very long sentences lose a little."""
    score = 0.0
    for a in aspects:
        seed = _EXTRACTORS[a.lang].is_seed(a.feature)
        score += (1.0 if a.sentiment else 0.4) + (0.3 if seed else 0.0)
    size = _EXTRACTORS[aspects[0].lang].sentence_size(aspects[0].sentence)
    return score - max(0.0, size - 25) * 0.02


def best_template(text: str, lang: str | None = None) -> tuple[str, str, str, int] | None:
    """PETER-style ``(feature, opinion, sentence, sentiment)`` for one review: the sentence whose
    aspects say the most, and in it the first judged aspect with a known feature (else the first
    aspect). None when the review has no aspect at all."""
    by_sentence: dict[str, list[Aspect]] = {}
    for aspect in extract(text, lang):
        by_sentence.setdefault(aspect.sentence, []).append(aspect)
    if not by_sentence:
        return None
    best = max(by_sentence.values(), key=_sentence_score)  # max keeps the first of equals
    pick = min(best, key=lambda a: (a.sentiment == 0, not _EXTRACTORS[a.lang].is_seed(a.feature)))
    return pick.feature, pick.opinion, pick.sentence, pick.sentiment

"""Scoring extracted features against hand-labelled sentences (``tests/data/aspects/labels_*.jsonl``).

Matching rule (also printed by ``benchmarks/aspect_precision.py``):

* Both sides are normalised first. English: lower-cased, tokenised like the extractor, each word
  made singular ("prices" -> "price"), hyphens kept. Chinese: whitespace removed, Latin lower-cased.
* An extracted feature and a gold feature match when they are equal, or when one is contained in
  the other: as a run of whole words in English ("battery" ~ "battery life", "staff" ~ "cool staff"
  but "bat" !~ "battery"), as a substring of at least 2 characters in Chinese ("速度" ~ "快递速度",
  "电池" ~ "手机电池"; a single character only matches itself).
* Precision = extracted features matching some gold feature of the same sentence / all extracted.
  Recall = gold features matched by some extracted feature / all gold features.
  Sentiment accuracy = among matched gold features, the share whose first matching extracted
  aspect has the gold sign (+1 / 0 / -1).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from recreason.aspects import en, extract

MATCH_RULE = __doc__.split("Matching rule (also printed by ``benchmarks/aspect_precision.py``):")[1].strip()


def normalize(feature: str, lang: str) -> tuple[str, ...] | str:
    if lang == "en":
        return tuple(en.singular(t) for t in en.tokens(feature))
    return "".join(feature.split()).lower()


def _contains(longer, shorter) -> bool:
    if isinstance(longer, str):
        return len(shorter) >= 2 and shorter in longer
    n = len(shorter)
    return n > 0 and any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def matches(extracted: str, gold: str, lang: str) -> bool:
    a, b = normalize(extracted, lang), normalize(gold, lang)
    if not a or not b:
        return False
    return a == b or _contains(a, b) or _contains(b, a)


@dataclass
class Score:
    sentences: int = 0
    empty_sentences: int = 0          # gold features = []
    empty_with_output: int = 0        # ... where the extractor still found something
    extracted: int = 0
    correct: int = 0
    gold: int = 0
    found: int = 0
    sentiment_right: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def sentiment_accuracy(self) -> float:
        return self.sentiment_right / self.found if self.found else 1.0

    def as_dict(self) -> dict:
        return {**asdict(self), "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "sentiment_accuracy": round(self.sentiment_accuracy, 4)}


def load_labels(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(records: list[dict], lang: str, errors: list | None = None) -> Score:
    """Score the extractor on labelled records; wrong and missed features go to ``errors``."""
    result = Score()
    for rec in records:
        aspects = extract(rec["sentence"], lang)
        gold = rec["features"]
        result.sentences += 1
        result.empty_sentences += not gold
        result.empty_with_output += bool(not gold and aspects)
        for a in aspects:
            result.extracted += 1
            if any(matches(a.feature, g, lang) for g in gold):
                result.correct += 1
            elif errors is not None:
                errors.append(("wrong", rec["sentence"], a.feature, a.opinion))
        for g in gold:
            hit = next((a for a in aspects if matches(a.feature, g, lang)), None)
            result.gold += 1
            if hit is None:
                if errors is not None:
                    errors.append(("missed", rec["sentence"], g, ""))
                continue
            result.found += 1
            result.sentiment_right += hit.sentiment == rec["sentiments"][g]
    return result

"""Scoring extracted features against hand-labelled sentences (``tests/data/aspects/labels_*.jsonl``).

The sentences were drawn by ``draw_sample`` from public review data (``shared/data``) and labelled by
hand; ``check_labels`` re-draws them and says where a labelled file differs, so the files stay tied to
the data they came from. Sampling: for each source, shuffle the row numbers with a fixed seed, take
each row's text, split it with ``recreason.text.split_sentences``, keep the sentences of a readable
length, pick one of them at random (one sentence per review, so no review dominates) until the
source's quota is met. The pooled sample is shuffled once more; its first half is ``split = "tune"``
(lexicons may be tuned on it), the second half ``split = "heldout"`` (never looked at while tuning).

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

import gzip
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from recreason.aspects import en, extract
from recreason.text import split_sentences

MATCH_RULE = __doc__.split("Matching rule (also printed by ``benchmarks/aspect_precision.py``):")[1].strip()


def _word_key(feature: str) -> tuple[str, ...]:
    return tuple(en.singular(t) for t in en.tokens(feature))


def _char_key(feature: str) -> str:
    return "".join(feature.split()).lower()


#: how features compare, per language code: English by words (made singular), any other by characters
_KEYS = {"en": _word_key}


def normalize(feature: str, lang: str) -> tuple[str, ...] | str:
    return _KEYS.get(lang, _char_key)(feature)


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


# ---------------------------------------------------------------------------- the labelled sample

SEED = 20240601
#: language -> (source, quota); the sources are folders of ``shared/data`` (read below)
QUOTAS = {
    "en": [("amazon-giftcards-2018", 30), ("womens-clothing-reviews", 95), ("xrec-google", 15),
           ("xrec-amazon", 10)],
    "zh": [(f"zh-online-shopping-10cats/{cat}", 15) for cat in
           ["书籍", "平板", "手机", "水果", "洗发水", "热水器", "蒙牛", "衣服", "计算机", "酒店"]],
}
LENGTH = {"en": (4, 40), "zh": (5, 60)}  # words for English, characters for Chinese


def _giftcards(shared: Path) -> list[str]:
    with gzip.open(shared / "amazon-giftcards-2018" / "Gift_Cards_5.json.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line).get("reviewText") or "" for line in f]


def _clothing(shared: Path) -> list[str]:
    import pandas as pd

    path = shared / "womens-clothing-reviews" / "WomensClothingE-CommerceReviews.parquet.brotli"
    return pd.read_parquet(path, columns=["Review Text"])["Review Text"].fillna("").tolist()


def _xrec(shared: Path, domain: str) -> list[str]:
    with open(shared / "xrec" / domain / "tst.jsonl", encoding="utf-8") as f:
        return [json.loads(line).get("explanation") or "" for line in f]


def _zh_shopping(shared: Path) -> dict[str, list[tuple[int, str]]]:
    import pandas as pd

    df = pd.read_csv(shared / "zh-online-shopping-10cats" / "online_shopping_10_cats.zip")
    by_cat: dict[str, list[tuple[int, str]]] = {}
    for row, (cat, review) in enumerate(zip(df["cat"], df["review"].fillna(""), strict=True)):
        by_cat.setdefault(cat, []).append((row, str(review)))
    return by_cat


def _rows(source: str, shared: Path, cache: dict) -> list[tuple[int, str]]:
    """(row number in the source file, text); row numbers are 0-based data rows."""
    if source.startswith("zh-online-shopping-10cats/"):
        if "zh" not in cache:
            cache["zh"] = _zh_shopping(shared)
        return cache["zh"].get(source.split("/", 1)[1], [])
    texts = {
        "amazon-giftcards-2018": lambda: _giftcards(shared),
        "womens-clothing-reviews": lambda: _clothing(shared),
        "xrec-google": lambda: _xrec(shared, "google"),
        "xrec-amazon": lambda: _xrec(shared, "amazon"),
    }[source]()
    return list(enumerate(texts))


#: a sentence's length for the draw, per language code: English words, Chinese characters without ASCII
#: spaces. Not ``Language.length`` (which drops every kind of space): the labelled files were drawn with this.
_DRAW_LENGTH = {"en": lambda s: len(s.split()), "zh": lambda s: len(s.replace(" ", ""))}


def _length(sentence: str, lang: str) -> int:
    return _DRAW_LENGTH[lang](sentence)


def draw_sample(lang: str, shared: Path, seed: int = SEED) -> list[dict]:
    """The sentences to label for ``lang`` (``source, row, sentence, split``), drawn from ``shared``
    (the shared data folder) as described above."""
    rng = random.Random(seed)
    cache: dict = {}
    lo, hi = LENGTH[lang]
    picked: list[dict] = []
    for source, quota in QUOTAS[lang]:
        rows = _rows(source, Path(shared), cache)
        order = list(range(len(rows)))
        rng.shuffle(order)
        seen: set[str] = set()
        got = 0
        for i in order:
            if got == quota:
                break
            row, text = rows[i]
            sentences = [s for s in split_sentences(str(text)) if lo <= _length(s, lang) <= hi]
            if not sentences:
                continue
            sentence = rng.choice(sentences)
            if sentence.lower() in seen:  # gift-card reviews repeat "Great gift." a lot
                continue
            seen.add(sentence.lower())
            picked.append({"source": source, "row": row, "sentence": sentence})
            got += 1
    rng.shuffle(picked)
    half = (len(picked) + 1) // 2
    for i, item in enumerate(picked):
        item["split"] = "tune" if i < half else "heldout"
    return picked


def check_labels(lang: str, path: Path, shared: Path) -> list[str]:
    """Differences between a labelled file and a fresh draw from ``shared``; empty when they agree."""
    fresh = draw_sample(lang, shared)
    labelled = load_labels(path)
    problems = []
    if len(fresh) != len(labelled):
        problems.append(f"{path}: {len(labelled)} records, the draw has {len(fresh)}")
    for i, (a, b) in enumerate(zip(fresh, labelled, strict=False)):
        for key in ("source", "row", "sentence", "split"):
            if a[key] != b.get(key):
                problems.append(f"{path}:{i + 1}: {key} {b.get(key)!r} != drawn {a[key]!r}")
    return problems

"""Draw the sentences that were hand-labelled for the aspect-mining evaluation (reproducible).

    python benchmarks/aspect_label_sample.py --lang en > /tmp/sample_en.jsonl
    python benchmarks/aspect_label_sample.py --lang zh --check tests/data/aspects/labels_zh.jsonl

Without ``--check`` it prints one JSON object a line: ``source, row, split, sentence``; a person then
adds ``features`` and ``sentiments`` by reading the sentence (never by looking at extractor output).
With ``--check FILE`` it re-draws the sample and verifies that FILE holds exactly these sentences,
in this order, so the labelled files stay tied to the data they came from.

Sampling: for each source, shuffle the row numbers with a fixed seed, take each row's text, split it
with ``recreason.text.split_sentences``, keep the sentences of a readable length, pick one of them at
random (one sentence per review, so no review dominates) until the source's quota is met. The pooled
sample is shuffled once more; its first half is ``split = "tune"`` (lexicons may be tuned on it), the
second half ``split = "heldout"`` (never looked at while tuning; reported separately).

Labelling rules (the same for both languages):

* A **feature** is an explicit aspect of the item or the service that the sentence *evaluates*
  (positive, negative or neutral such as "average" / "一般"): a noun phrase written in the sentence,
  copied as written (lower-cased, determiners, possessives and opinion adjectives dropped):
  "The fabric is soft" -> ``fabric``; "battery life is short" -> ``battery life``; "物流很快" -> ``物流``;
  "快递速度快" -> ``快递速度``.
* Not features: the item as a whole, by a generic or category noun (it, this, product, item, dress,
  top, card, gift card, gift, book, 东西, 商品, 产品, 宝贝, 书, 手机 / 酒店 when they mean the whole
  item); people or occasions (my daughter, birthday); aspects that are only implied with no noun
  ("runs small", "很便宜"); aspects mentioned without an evaluation ("I ordered the small").
* ``sentiments`` maps each feature to +1 / 0 / -1 as the sentence judges it.
* A sentence with no feature is labelled ``"features": []`` and is kept: it tests precision.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from recreason.text import split_sentences

SHARED = REPO.parent / "shared" / "data"
SEED = 20240601

# (source name, quota); the reader for each is below.
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


def _length(sentence: str, lang: str) -> int:
    return len(sentence.split()) if lang == "en" else len(sentence.replace(" ", ""))


def sample(lang: str, shared: Path = SHARED, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    cache: dict = {}
    lo, hi = LENGTH[lang]
    picked: list[dict] = []
    for source, quota in QUOTAS[lang]:
        rows = _rows(source, shared, cache)
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


def _records(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def check(lang: str, path: Path, shared: Path = SHARED) -> list[str]:
    """Differences between a labelled file and a fresh draw; empty when they agree."""
    fresh = sample(lang, shared)
    labelled = list(_records(path))
    problems = []
    if len(fresh) != len(labelled):
        problems.append(f"{path}: {len(labelled)} records, the draw has {len(fresh)}")
    for i, (a, b) in enumerate(zip(fresh, labelled, strict=False)):
        for key in ("source", "row", "sentence", "split"):
            if a[key] != b.get(key):
                problems.append(f"{path}:{i + 1}: {key} {b.get(key)!r} != drawn {a[key]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "zh"], required=True)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared/data folder")
    parser.add_argument("--check", type=Path, help="a labelled .jsonl to verify against the draw")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.lang, args.check, args.shared)
        print("\n".join(problems) or f"{args.check}: matches the draw")
        return 1 if problems else 0
    for item in sample(args.lang, args.shared):
        print(json.dumps(item, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

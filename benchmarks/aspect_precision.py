"""Precision / recall of aspect extraction on the hand-labelled sentences, and its speed.

    python benchmarks/aspect_precision.py            # table: each language x (all, tune, heldout)
    python benchmarks/aspect_precision.py --json     # the same as JSON
    python benchmarks/aspect_precision.py --errors tune   # list wrong / missed features of a split
    python benchmarks/aspect_precision.py --speed    # reviews per second on the shared data sets

The labelled files are ``tests/data/aspects/labels_{en,zh}.jsonl`` (drawn by
``benchmarks/aspect_label_sample.py``, labelled by hand before the extractor was run on them).
Lexicons were tuned on ``split == "tune"`` only; ``heldout`` is the honest figure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from recreason.aspects import extract_many
from recreason.aspects.evaluate import MATCH_RULE, load_labels, score

LABELS = REPO / "tests" / "data" / "aspects"
SHARED = REPO.parent / "shared" / "data"
SPLITS = ("all", "tune", "heldout")


def evaluate(errors_split: str | None = None) -> tuple[dict, list]:
    results, errors = {}, []
    for lang in ("en", "zh"):
        records = load_labels(LABELS / f"labels_{lang}.jsonl")
        for split in SPLITS:
            chosen = [r for r in records if split == "all" or r["split"] == split]
            sink = errors if split == errors_split else None
            results[f"{lang}/{split}"] = score(chosen, lang, sink).as_dict()
    return results, errors


def _speed_sets() -> dict[str, tuple[str, list[str]]]:
    """name -> (lang, review texts) for the shared data sets that are present."""
    sets = {}
    try:
        with gzip.open(SHARED / "amazon-giftcards-2018" / "Gift_Cards_5.json.gz", "rt", encoding="utf-8") as f:
            sets["en gift cards (short)"] = ("en", [json.loads(line).get("reviewText") or "" for line in f])
    except FileNotFoundError:
        pass
    try:
        import pandas as pd

        path = SHARED / "womens-clothing-reviews" / "WomensClothingE-CommerceReviews.parquet.brotli"
        sets["en clothing (long)"] = ("en", pd.read_parquet(path, columns=["Review Text"])["Review Text"]
                                      .dropna().tolist())
        df = pd.read_csv(SHARED / "zh-online-shopping-10cats" / "online_shopping_10_cats.zip")
        sets["zh online shopping"] = ("zh", df["review"].dropna().astype(str).tolist())
    except (FileNotFoundError, ImportError):
        pass
    return sets


def speed(limit: int = 5000) -> dict:
    """Reviews per second of ``extract_many`` on one core (an evenly spaced sample of each set)."""
    out = {}
    for name, (lang, texts) in _speed_sets().items():
        texts = texts[::max(1, len(texts) // limit)][:limit]
        extract_many(texts[:50], lang)  # load lexicons / jieba outside the timing
        start = time.perf_counter()
        found = extract_many(texts, lang)
        elapsed = time.perf_counter() - start
        out[name] = {"reviews": len(texts), "seconds": round(elapsed, 3),
                     "reviews_per_s": round(len(texts) / elapsed),
                     "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
                     "aspects_per_review": round(sum(map(len, found)) / len(texts), 2)}
    return out or {"note": "shared data not found"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--errors", choices=SPLITS, help="also list wrong and missed features")
    parser.add_argument("--speed", action="store_true", help="also time extraction on shared data")
    args = parser.parse_args(argv)
    results, errors = evaluate(args.errors)
    timing = speed() if args.speed else None
    if args.json:
        print(json.dumps({"match_rule": MATCH_RULE, "results": results, "speed": timing},
                         ensure_ascii=False, indent=2))
        return 0
    print("Matching rule:\n" + MATCH_RULE + "\n")
    print(f"{'lang/split':<12} {'sent':>5} {'gold':>5} {'extr':>5} {'prec':>6} {'recall':>6} "
          f"{'sentim':>6} {'empty FP':>9}")
    for name, r in results.items():
        print(f"{name:<12} {r['sentences']:>5} {r['gold']:>5} {r['extracted']:>5} {r['precision']:>6.3f} "
              f"{r['recall']:>6.3f} {r['sentiment_accuracy']:>6.3f} "
              f"{r['empty_with_output']:>4}/{r['empty_sentences']:<4}")
    for kind, sentence, feature, opinion in errors:
        print(f"{kind:>6}: {feature!r} {opinion!r} <- {sentence}")
    for name, t in (timing or {}).items():
        print(f"speed {name}: {t}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

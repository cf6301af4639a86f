"""Precision / recall of aspect extraction on the hand-labelled sentences, and its speed.

    .venv/bin/python -m benchmarks.aspect_precision                 # the table of BENCHMARKS.md (all, held-out)
    .venv/bin/python -m benchmarks.aspect_precision --json          # every split (all, tune, heldout) as JSON
    .venv/bin/python -m benchmarks.aspect_precision --errors tune   # list wrong / missed features of a split
    .venv/bin/python -m benchmarks.aspect_precision --speed         # reviews per second on the shared data sets
    .venv/bin/python -m benchmarks.aspect_precision --write         # also update its table in BENCHMARKS.md

The labelled files are ``tests/data/aspects/labels_{en,zh}.jsonl`` (drawn by
``python -m benchmarks.aspect_label_sample``, labelled by hand before the extractor was run on them);
scoring is ``recreason.aspects.evaluate.score``. Lexicons were tuned on ``split == "tune"`` only;
``heldout`` is the honest figure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys

from benchmarks._common import REPO, add_write_option, markdown_table, shared_data, timed, write_section
from recreason.aspects import extract_many
from recreason.aspects.evaluate import MATCH_RULE, load_labels, score

LABELS = REPO / "tests" / "data" / "aspects"
SPLITS = ("all", "tune", "heldout")
SECTION = "aspect-precision"


def evaluate(errors_split: str | None = None) -> tuple[dict, list]:
    results, errors = {}, []
    for lang in ("en", "zh"):
        records = load_labels(LABELS / f"labels_{lang}.jsonl")
        for split in SPLITS:
            chosen = [r for r in records if split == "all" or r["split"] == split]
            sink = errors if split == errors_split else None
            results[f"{lang}/{split}"] = score(chosen, lang, sink).as_dict()
    return results, errors


def table(results: dict) -> str:
    rows = []
    for name, r in results.items():
        lang, split = name.split("/")
        if split == "tune":
            continue
        rows.append([f"{lang} / {'held-out' if split == 'heldout' else split}", r["sentences"], r["gold"],
                     r["extracted"], f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['sentiment_accuracy']:.3f}"])
    return markdown_table(["lang / split", "sentences", "gold features", "extracted", "precision", "recall",
                           "sentiment accuracy"], rows)


def _speed_sets() -> dict[str, tuple[str, list[str]]]:
    """name -> (lang, review texts) for the shared data sets."""
    import pandas as pd

    with gzip.open(shared_data("amazon-giftcards-2018", "Gift_Cards_5.json.gz"), "rt", encoding="utf-8") as f:
        sets = {"en gift cards (short)": ("en", [json.loads(line).get("reviewText") or "" for line in f])}
    path = shared_data("womens-clothing-reviews", "WomensClothingE-CommerceReviews.parquet.brotli")
    sets["en clothing (long)"] = ("en", pd.read_parquet(path, columns=["Review Text"])["Review Text"].dropna().tolist())
    df = pd.read_csv(shared_data("zh-online-shopping-10cats", "online_shopping_10_cats.zip"))
    sets["zh online shopping"] = ("zh", df["review"].dropna().astype(str).tolist())
    return sets


def speed(limit: int = 5000) -> dict:
    """Reviews per second of ``extract_many`` on one core (an evenly spaced sample of each set)."""
    out = {}
    for name, (lang, texts) in _speed_sets().items():
        texts = texts[::max(1, len(texts) // limit)][:limit]
        extract_many(texts[:50], lang)  # load lexicons / jieba outside the timing
        with timed() as t:
            found = extract_many(texts, lang)
        out[name] = {"reviews": len(texts), "seconds": round(t.wall, 3), "reviews_per_s": round(len(texts) / t.wall),
                     "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
                     "aspects_per_review": round(sum(map(len, found)) / len(texts), 2)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--errors", choices=SPLITS, help="also list wrong and missed features")
    parser.add_argument("--speed", action="store_true", help="also time extraction on shared data")
    add_write_option(parser)
    args = parser.parse_args(argv)
    results, errors = evaluate(args.errors)
    timing = speed() if args.speed else None
    if args.json:
        print(json.dumps({"match_rule": MATCH_RULE, "results": results, "speed": timing},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"Matching rule:\n{MATCH_RULE}\n", file=sys.stderr)
    print(table(results))
    for kind, sentence, feature, opinion in errors:
        print(f"{kind:>6}: {feature!r} {opinion!r} <- {sentence}")
    for name, t in (timing or {}).items():
        print(f"speed {name}: {t}")
    if args.write:
        write_section(args.write, SECTION, table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

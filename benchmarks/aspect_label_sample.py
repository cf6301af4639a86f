"""Draw the sentences that were hand-labelled for the aspect-mining evaluation (reproducible).

    .venv/bin/python -m benchmarks.aspect_label_sample --lang en > /tmp/sample_en.jsonl
    .venv/bin/python -m benchmarks.aspect_label_sample --lang zh --check tests/data/aspects/labels_zh.jsonl

Without ``--check`` it prints one JSON object a line: ``source, row, split, sentence``; a person then
adds ``features`` and ``sentiments`` by reading the sentence (never by looking at extractor output).
With ``--check FILE`` it re-draws the sample and verifies that FILE holds exactly these sentences,
in this order. The draw (sources, quotas, seed) is ``recreason.aspects.evaluate.draw_sample``; the
shared data folder is ``$RECREASON_SHARED`` or ``../shared``.

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
import json
from pathlib import Path

from benchmarks._common import shared_data
from recreason.aspects.evaluate import check_labels, draw_sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "zh"], required=True)
    parser.add_argument("--shared", type=Path, default=None, help="the shared/data folder")
    parser.add_argument("--check", type=Path, help="a labelled .jsonl to verify against the draw")
    args = parser.parse_args(argv)
    shared = args.shared or shared_data()
    if args.check:
        problems = check_labels(args.lang, args.check, shared)
        print("\n".join(problems) or f"{args.check}: matches the draw")
        return 1 if problems else 0
    for item in draw_sample(args.lang, shared):
        print(json.dumps(item, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

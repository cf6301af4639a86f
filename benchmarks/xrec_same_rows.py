"""Re-score saved XRec-protocol predictions on the rows an LLM run used (fold 1 of ``llm_xrec``).

    .venv/bin/python -m benchmarks.xrec_protocol --data ../shared/data/xrec/amazon --semantic --out results/xrec_amazon_peter.json ...
    .venv/bin/python -m benchmarks.xrec_same_rows --domain amazon --rows 100 --fold 1 \\
        template=results/xrec_amazon_template.json "PETER (d 256)=results/xrec_amazon_peter.json"

The LLM rows are measured on a subsample (``benchmarks._common.subsample``, same seed and folds); the
template and PETER generators get a prediction for every row from ``xrec_protocol --out`` (``predictions``:
what the generator wrote, before the guard; ``--guarded``: the pipeline's reasons). This script takes
those saved predictions at the LLM run's rows and scores them with the same call (``score_xrec``,
semantic similarity on), beside XRec's released outputs on the same rows; a row without a released
prediction is named in a warning and left out of the XRec row (the printed note says how many).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks._common import (
    XREC_ROW,
    load_xrec,
    score_released,
    score_xrec,
    shared_data,
    subsample,
    xrec_table,
)


def rows_of(n: int, folds: int, fold: int, seed: int, rows: int) -> list[int]:
    """The rows ``llm_xrec`` scores: ``rows`` of fold ``fold`` (1-based), or ``rows`` over all folds (0)."""
    if fold:
        return subsample(n, folds, seed, rows)[fold - 1].tolist()
    return [j for k in subsample(n, folds, seed, rows // folds) for j in k.tolist()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="LABEL=predictions.json (written by xrec_protocol --out)")
    p.add_argument("--data", type=Path, default=None, help="XRec-layout folder of domains (default: shared xrec)")
    p.add_argument("--domain", required=True)
    p.add_argument("--rows", type=int, default=100)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--fold", type=int, default=1, help="1-based; 0: --rows spread over all folds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--guarded", action="store_true", help="score the pipeline's reasons, not the generator's")
    p.add_argument("--no-semantic", action="store_true", help="leave out semantic similarity (quick runs)")
    args = p.parse_args(argv)
    data = load_xrec((args.data or shared_data("xrec")) / args.domain)
    keep = rows_of(len(data), args.folds, args.fold, args.seed, args.rows)
    sub = data.take(keep)
    semantic = not args.no_semantic
    table = {}
    for run in args.runs:
        label, _, path = run.partition("=")
        saved = json.loads(Path(path).read_text(encoding="utf-8"))
        preds = saved["guarded" if args.guarded else "predictions"]
        if len(preds) != len(data):
            raise SystemExit(f"{path}: {len(preds)} predictions for {len(data)} rows of {data.name}; "
                             f"saved from another folder or with --limit?")
        table[label] = score_xrec([preds[j] for j in keep], sub, semantic)
    released, note = score_released(sub, semantic)
    if released is not None:
        table[XREC_ROW] = released
    print(f"### {data.name}: {len(sub)} rows (fold {args.fold or 'all'})")
    print(xrec_table(table))
    if note:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Re-score saved XRec-protocol predictions on the rows an LLM run used (fold 1 of ``llm_xrec.py``).

    python benchmarks/xrec_protocol.py --data ../shared/data/xrec/amazon --semantic --out results/xrec_amazon_peter.json ...
    python benchmarks/xrec_same_rows.py --domain amazon --rows 100 --fold 1 \\
        template=results/xrec_amazon_template.json "PETER (d 256)=results/xrec_amazon_peter.json"

The LLM rows are measured on a subsample (``llm_xrec.subsample``, same seed and folds); the template and
PETER generators get a prediction for every row from ``xrec_protocol.py --out``. This script takes
those saved predictions at the LLM run's rows and scores them with the same call
(``xrec_protocol.score``, semantic similarity on), beside XRec's released outputs on the same rows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import llm_xrec as lx
import xrec_protocol as xp


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="LABEL=predictions.json (written by xrec_protocol.py --out)")
    p.add_argument("--data", type=Path, default=lx.DATA)
    p.add_argument("--domain", required=True)
    p.add_argument("--rows", type=int, default=100)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--fold", type=int, default=1, help="1-based; 0: --rows spread over all folds")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    rows = xp.load_rows(args.data / args.domain)
    if args.fold:
        keep = lx.subsample(len(rows), args.folds, args.seed, args.rows)[args.fold - 1].tolist()
    else:
        keep = [j for k in lx.subsample(len(rows), args.folds, args.seed, args.rows // args.folds) for j in k]
    sub = [rows[j] for j in keep]
    refs = [r["explanation"] for r in sub]
    table = {}
    for run in args.runs:
        label, _, path = run.partition("=")
        preds = json.loads(Path(path).read_text(encoding="utf-8"))["predictions"]
        table[label] = xp.score([preds[j] for j in keep], refs, sub, "en", True)
    table[xp.XREC_ROW] = xp.score([r["xrec_pred"] for r in sub], refs, sub, "en", True)
    print(f"### {args.domain}: {len(sub)} rows (fold {args.fold or 'all'})")
    print(xp.markdown_table(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Score XRec's released explanations (HKUDS/XRec ``data/*/tst_pred.pkl`` vs ``tst_ref.pkl``).

    python benchmarks/xrec_reproduce.py                 # both domains, from tst.jsonl
    python benchmarks/xrec_reproduce.py --source pkl    # the same pairs from the pickles
    python benchmarks/xrec_reproduce.py --semantic 300  # also e5 similarity on the first 300 rows

What reproduces the numbers in ``shared/notes/benchmarks.md`` §3.8 (to the printed 2 decimals):

* BLEU-1/4: PETER's corpus BLEU (tensorflow/nmt, no smoothing) on ``str.split()`` tokens.
* ROUGE-1/2/L: PETER's rouge.py applied to the *raw strings*, which it splits on single spaces
  (``peter_rouge_strings``). 1,160 of the 3,000 amazon predictions start with a space and a few end in
  ``"\\n\\n"``, so these tokens differ from ``str.split()``; on ``str.split()`` tokens amazon ROUGE-L F
  would be 30.76, not the published 30.62 (google is almost unaffected: 30.83 vs 30.82).
* USR: distinct ``str.split()`` token sequences / N (XRec's evaluation/metrics.py).

``tst.jsonl`` (``xrec_pred`` vs ``explanation``) holds exactly the same 3,000 (prediction, reference)
pairs as the pickles, in ``tst.pkl`` row order; every metric here is order-free, so both give the
same numbers. Exit status 1 when a published number is missed by more than 0.05.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
from pathlib import Path

from recreason.evaluate.explainability import unique_sentence_ratio
from recreason.evaluate.lexical import peter_bleu, peter_rouge, peter_rouge_strings, sacrebleu_bleu

REPO = Path(__file__).resolve().parents[1]
DOMAINS = ("amazon", "google")
# benchmarks.md §3.8, [measured on the released files].
PUBLISHED = {
    "amazon": {
        "usr": 1.0,
        "bleu_1": 36.13,
        "bleu_4": 15.49,
        "rouge_1/f": 35.58,
        "rouge_2/f": 17.59,
        "rouge_l/f": 30.62,
    },
    "google": {
        "usr": 0.9993,
        "bleu_1": 35.23,
        "bleu_4": 17.32,
        "rouge_1/f": 36.84,
        "rouge_2/f": 19.04,
        "rouge_l/f": 30.82,
    },
}
TOLERANCE = 0.05


def default_data_dir() -> Path:
    env = os.environ.get("RECREASON_SHARED")
    if env:
        return Path(env) / "data" if (Path(env) / "data").is_dir() else Path(env)
    return REPO.parent / "shared" / "data"


def load_pairs(domain_dir: Path, source: str = "jsonl") -> tuple[list[str], list[str]]:
    """(references, predictions) of one XRec domain, as released (no stripping)."""
    if source == "pkl":
        with open(domain_dir / "tst_ref.pkl", "rb") as f:
            refs = pickle.load(f)
        with open(domain_dir / "tst_pred.pkl", "rb") as f:
            preds = pickle.load(f)
        return list(refs), list(preds)
    with open(domain_dir / "tst.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = [r for r in rows if r.get("xrec_pred") is not None]
    return [r["explanation"] for r in rows], [r["xrec_pred"] for r in rows]


def score(refs: list[str], preds: list[str]) -> dict[str, float]:
    """The §3.8 metrics plus reference variants (ROUGE on str.split() tokens, sacreBLEU 13a)."""
    ref_tok, pred_tok = [r.split() for r in refs], [p.split() for p in preds]
    out = {
        "n": float(len(refs)),
        "usr": unique_sentence_ratio(pred_tok),
        "bleu_1": peter_bleu(ref_tok, pred_tok, 1),
        "bleu_4": peter_bleu(ref_tok, pred_tok, 4),
    }
    raw = peter_rouge_strings(refs, preds)
    tok = peter_rouge(ref_tok, pred_tok)
    for k in ("rouge_1", "rouge_2", "rouge_l"):
        for part in ("p", "r", "f"):
            out[f"{k}/{part}"] = raw[f"{k}/{part}_score"]
        out[f"{k}/f (split tokens)"] = tok[f"{k}/f_score"]
    out["sacrebleu (13a)"] = sacrebleu_bleu(refs, preds, tokenize="13a")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="shared/data folder")
    parser.add_argument("--source", choices=("jsonl", "pkl"), default="jsonl")
    parser.add_argument("--semantic", type=int, default=0, help="e5 similarity on the first N rows")
    args = parser.parse_args(argv)
    missed = 0
    for domain in DOMAINS:
        refs, preds = load_pairs(args.data / "xrec" / domain, args.source)
        result = score(refs, preds)
        if args.semantic:
            from recreason.evaluate.semantic import LABEL, semantic_similarity

            result[LABEL] = semantic_similarity(refs[: args.semantic], preds[: args.semantic])
        print(f"== XRec {domain} ({int(result.pop('n'))} pairs, {args.source})")
        for key, value in result.items():
            target = PUBLISHED[domain].get(key)
            note = ""
            if target is not None:
                ok = abs(value - target) <= (TOLERANCE if key != "usr" else 5e-5)
                missed += not ok
                note = f"   published {target:g}  {'ok' if ok else 'MISSED'}"
            print(f"  {key:<26} {value:9.4f}{note}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""XRec's released explanations (HKUDS/XRec ``tst_pred.pkl`` vs ``tst_ref.pkl``) scored as the paper scores them.

What reproduces the published numbers (``PUBLISHED``, benchmarks.md §3.8, to the printed 2 decimals):

* BLEU-1/4: PETER's corpus BLEU (tensorflow/nmt, no smoothing) on ``str.split()`` tokens.
* ROUGE-1/2/L: PETER's rouge.py applied to the *raw strings*, which it splits on single spaces
  (``peter_rouge_strings``). 1,160 of the 3,000 amazon predictions start with a space and a few end in
  ``"\\n\\n"``, so these tokens differ from ``str.split()``; on ``str.split()`` tokens amazon ROUGE-L F
  would be 30.76, not the published 30.62 (google is almost unaffected: 30.83 vs 30.82).
* USR: distinct ``str.split()`` token sequences / N (XRec's evaluation/metrics.py).

``tst.jsonl`` (``xrec_pred`` vs ``explanation``) holds exactly the same (prediction, reference) pairs as
the pickles, in ``tst.pkl`` row order; every metric here is order-free, so both give the same numbers.
Strings are used as released (no trimming): the ROUGE figures depend on it.
"""

from __future__ import annotations

from pathlib import Path

from recreason.data.readers import pickles
from recreason.data.readers.base import read_jsonl_rows
from recreason.data.rejects import InputError
from recreason.evaluate.explainability import unique_sentence_ratio
from recreason.evaluate.lexical import peter_bleu, peter_rouge, peter_rouge_strings, sacrebleu_bleu

#: benchmarks.md §3.8, measured on the released files, by domain folder name.
PUBLISHED: dict[str, dict[str, float]] = {
    "amazon": {"usr": 1.0, "bleu_1": 36.13, "bleu_4": 15.49, "rouge_1/f": 35.58, "rouge_2/f": 17.59,
               "rouge_l/f": 30.62},
    "google": {"usr": 0.9993, "bleu_1": 35.23, "bleu_4": 17.32, "rouge_1/f": 36.84, "rouge_2/f": 19.04,
               "rouge_l/f": 30.82},
}
#: how far a measured number may be from the published one (USR is printed to 4 decimals)
TOLERANCE = {"usr": 5e-5}
DEFAULT_TOLERANCE = 0.05


def load_released(folder: Path, source: str = "jsonl", missing: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(references, predictions) of one XRec domain as released. ``source="jsonl"``: ``explanation`` and
    ``xrec_pred`` of the rows of ``tst.jsonl`` that have a prediction (the ``uid/iid`` of those that do not
    go to ``missing``); ``"pkl"``: ``tst_ref.pkl`` and ``tst_pred.pkl``, aligned index by index."""
    folder = Path(folder)
    if source == "pkl":
        refs = pickles.load(folder / "tst_ref.pkl", pickles.PLAIN)
        preds = pickles.load(folder / "tst_pred.pkl", pickles.PLAIN)
        if not isinstance(refs, list) or not isinstance(preds, list) or len(refs) != len(preds):
            raise InputError(f"{folder}: tst_ref.pkl and tst_pred.pkl are not two lists of the same length")
        return [str(r) for r in refs], [str(p) for p in preds]
    if source != "jsonl":
        raise ValueError(f"source is jsonl or pkl, not {source!r}")
    records, _, rejects = read_jsonl_rows(folder / "tst.jsonl", "references")
    if rejects:
        raise InputError(rejects[0].message())
    refs, preds = [], []
    for rec in records:
        if rec.get("xrec_pred") is None:
            if missing is not None:
                missing.append(f"{rec.get('uid')}/{rec.get('iid')}")
            continue
        refs.append(rec["explanation"])
        preds.append(rec["xrec_pred"])
    return refs, preds


def score_released(refs: list[str], preds: list[str]) -> dict[str, float]:
    """The §3.8 metrics (``usr``, ``bleu_1``, ``bleu_4``, ``rouge_{1,2,l}/{p,r,f}`` on raw strings) plus
    ROUGE F on ``str.split()`` tokens (``rouge_x/f (split tokens)``) and ``sacrebleu (13a)``."""
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


def published_misses(result: dict[str, float], domain: str) -> dict[str, tuple[float, float]]:
    """``{metric: (measured, published)}`` for the published numbers of ``domain`` that ``result`` misses by
    more than the tolerance (empty: all reproduced, or nothing published for that domain)."""
    out = {}
    for key, target in PUBLISHED.get(domain, {}).items():
        if abs(result[key] - target) > TOLERANCE.get(key, DEFAULT_TOLERANCE):
            out[key] = (result[key], target)
    return out

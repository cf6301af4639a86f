"""The judge against people: agreement figures on the labelled judgement set (``tests/data/judgements``).

    .venv/bin/python -m benchmarks.judge_agreement                 # held-out half, printed
    .venv/bin/python -m benchmarks.judge_agreement --split tune    # the half the rules were tuned on
    .venv/bin/python -m benchmarks.judge_agreement --write         # held-out and tune, into BENCHMARKS.md

Reason level (each labelled reason judged by ``recreason.guard.judge``): the claim checker's flag
("this reason states something false") against the labels' ``false`` — precision and recall; the stance,
degeneration and compliance checks the same way; compliance recall also on ``compliance.jsonl``'s sentences;
the personal, specific and fluency calls as accuracy. Pair level: on the labelled pairs (ties left out), the
share where the judge prefers the reason the reader preferred, and on the pairs whose request has a
reference text, the same share for BLEU-4 (sentence BLEU, NIST smoothing, the language's tokens),
ROUGE-L F and e5 semantic similarity (``--no-semantic`` skips the model), each preferring the reason closer
to the reference. Needs no ``../shared``: the set carries the data it is judged against.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks._common import REPO, add_write_option, machine_note, markdown_table, write_section
from recreason.evaluate.agreement import (
    compliance_recall,
    judge_set,
    load_judgement_set,
    pair_agreement,
    reason_agreement,
)
from recreason.evaluate.lexical import nltk_sentence_bleu, standard_rouge_l
from recreason.text import language

FOLDER = REPO / "tests" / "data" / "judgements"


def _tokens(text: str, lang: str) -> list[str]:
    return language(lang).tokenize(text)


def scorers(semantic: bool) -> dict:
    out = {
        "BLEU-4": lambda c, r, lang: nltk_sentence_bleu(_tokens(r, lang), _tokens(c, lang), smoothing="method3"),
        "ROUGE-L": lambda c, r, lang: standard_rouge_l(_tokens(r, lang), _tokens(c, lang))[2],
    }
    if semantic:
        from recreason.evaluate.semantic import semantic_similarity_scores

        out["semantic"] = lambda c, r, lang: semantic_similarity_scores([r], [c])[0]
    return out


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def _pr(d: dict) -> str:
    return f"{_pct(d['precision'])} / {_pct(d['recall'])} (tp {d['tp']}, fp {d['fp']}, fn {d['fn']})"


def run(split: str, semantic: bool, folder: Path = FOLDER, verifier=None) -> dict:
    js = load_judgement_set(folder)
    t0 = time.perf_counter()
    judged = judge_set(js, js.ids(split), verifier)
    seconds = time.perf_counter() - t0
    return {"split": split, "reasons": len(judged), "seconds": seconds,
            "reasons_zh": sum(js.rows[i]["lang"] == "zh" for i in judged),
            "reason": reason_agreement(js, judged), "compliance_set": compliance_recall(js, split),
            "pairs": pair_agreement(js, split, judged, scorers(semantic))}


def table(results: list[dict]) -> str:
    head = ["figure", *(f"{r['split']} ({r['reasons']} reasons, {r['reasons_zh']} zh)" for r in results)]
    rows = [
        ["false-claim flag: precision / recall", *(_pr(r["reason"]["false"]) for r in results)],
        ["against the item or user: precision / recall", *(_pr(r["reason"]["against"]) for r in results)],
        ["degenerate: precision / recall", *(_pr(r["reason"]["degenerate"]) for r in results)],
        ["not compliant (labelled reasons): precision / recall", *(_pr(r["reason"]["non_compliant"]) for r in results)],
        ["not compliant (compliance sentences): precision / recall", *(_pr(r["compliance_set"]) for r in results)],
        ["not shown: precision / recall", *(_pr(r["reason"]["not_shown"]) for r in results)],
        ["personal: accuracy", *(_pct(r["reason"]["personal"]["accuracy"]) for r in results)],
        ["specific: accuracy", *(_pct(r["reason"]["specific"]["accuracy"]) for r in results)],
        ["fluent 1–3: exact", *(_pct(r["reason"]["fluent"]["accuracy"]) for r in results)],
        ["pairs: judge agrees with the reader", *(f"{_pct(r['pairs']['judge'])} of {r['pairs']['pairs']}" for r in results)],
        ["pairs with a reference: judge", *(f"{_pct(r['pairs']['judge_on_reference_pairs'])} of "
                                             f"{r['pairs']['pairs_with_reference']}" for r in results)],
    ]
    for name in ("BLEU-4", "ROUGE-L", "semantic"):
        if name in results[0]["pairs"]:
            rows.append([f"pairs with a reference: {name}", *(_pct(r["pairs"][name]) for r in results)])
    return markdown_table(head, rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=["heldout", "tune", "all"], default=None,
                   help="one half only (default: held-out, and with --write both halves)")
    p.add_argument("--no-semantic", action="store_true", help="leave out the e5 similarity scorer")
    p.add_argument("--folder", type=Path, default=FOLDER)
    p.add_argument("--verifier", type=float, metavar="THRESHOLD", default=None,
                   help="add the LLM entailment step (recreason.guard.verifier, Qwen2.5 0.5B) with this threshold "
                        "on P(yes); answers cached in .recreason/bench/verifier.jsonl")
    add_write_option(p)
    args = p.parse_args()
    splits = [args.split] if args.split else (["heldout", "tune"] if args.write else ["heldout"])
    verifier = None
    if args.verifier is not None:
        from recreason.guard.verifier import LLMVerifier

        verifier = LLMVerifier(threshold=args.verifier, cache=REPO / ".recreason" / "bench" / "verifier.jsonl")
    results = [run(None if s == "all" else s, not args.no_semantic, args.folder, verifier) for s in splits]
    for r in results:
        r["split"] = r["split"] or "all"
    text = table(results)
    print(text)
    seconds = ", ".join(f"{r['seconds']:.1f} s" for r in results)
    print(f"judged in {seconds}", file=sys.stderr)
    if args.write:
        flag = f" --verifier {args.verifier}" if verifier else ""
        body = (f"Command: `.venv/bin/python -m benchmarks.judge_agreement{flag} --write` — {machine_note()}. "
                f"Labels: `tests/data/judgements` (GUIDE.md); the rules were tuned on the tune half only.\n\n{text}")
        write_section(args.write, "judge-agreement" + ("-verifier" if verifier else ""), body)


if __name__ == "__main__":
    main()

"""Score XRec's released explanations (``xrec_pred`` vs ``explanation``) in every domain of an XRec-layout folder.

    .venv/bin/python -m benchmarks.xrec_reproduce                      # ../shared/data/xrec: every domain in it
    .venv/bin/python -m benchmarks.xrec_reproduce --data DIR           # any XRec-layout folder (or one domain)
    .venv/bin/python -m benchmarks.xrec_reproduce --source pkl         # the same pairs from the pickles
    .venv/bin/python -m benchmarks.xrec_reproduce --semantic 300       # also e5 similarity on the first 300 rows
    .venv/bin/python -m benchmarks.xrec_reproduce --write              # also update its table in BENCHMARKS.md

``--data`` is one domain folder (``tst.jsonl`` / ``tst_pred.pkl`` + ``tst_ref.pkl``) or a folder of them.
Loading and scoring are ``recreason.evaluate.xrec`` (what reproduces the published figures is described
there); rows of ``tst.jsonl`` without a prediction are counted in a warning and left out. Prints the
Markdown table of BENCHMARKS.md and, with ``--verbose``, every metric. Exit status 1 when a domain with
published numbers (amazon, google of the HKUDS release) misses one by more than the tolerance.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks._common import (
    add_write_option,
    markdown_table,
    shared_data,
    warn,
    write_section,
    xrec_domains,
)
from recreason.evaluate.xrec import PUBLISHED, load_released, published_misses, score_released

SECTION = "xrec-reproduce"
COLUMNS = [("usr", "USR"), ("bleu_1", "BLEU-1"), ("bleu_4", "BLEU-4"), ("rouge_1/f", "ROUGE-1 F"),
           ("rouge_2/f", "ROUGE-2 F"), ("rouge_l/f", "ROUGE-L F"), ("sacrebleu (13a)", "sacreBLEU")]
BOLD = ("bleu_4", "rouge_l/f")  # the two published figures the table is about


def table(results: dict[str, dict]) -> str:
    rows = []
    for domain, r in results.items():
        cells = [f"{r[k]:.4f}" if k == "usr" else f"{r[k]:.2f}" for k, _ in COLUMNS]
        rows.append([domain] + [f"**{c}**" if k in BOLD else c for (k, _), c in zip(COLUMNS, cells)])
    return markdown_table(["domain"] + [h for _, h in COLUMNS], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="XRec-layout folder (default: shared xrec)")
    parser.add_argument("--source", choices=("jsonl", "pkl"), default="jsonl")
    parser.add_argument("--semantic", type=int, default=0, help="e5 similarity on the first N rows")
    parser.add_argument("--verbose", action="store_true", help="print every metric, beside the published one")
    add_write_option(parser)
    args = parser.parse_args(argv)
    results, missed = {}, 0
    for folder in xrec_domains(args.data or shared_data("xrec")):
        needs = ["tst.jsonl"] if args.source == "jsonl" else ["tst_ref.pkl", "tst_pred.pkl"]
        if not all((folder / f).is_file() for f in needs):
            warn(f"{folder}: no {' and '.join(needs)}; skipped (try --source {'pkl' if args.source == 'jsonl' else 'jsonl'})")
            continue
        missing: list[str] = []
        refs, preds = load_released(folder, args.source, missing)
        if missing:
            warn(f"{folder}: {len(missing)} rows have no xrec_pred and are left out "
                 f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})")
        result = score_released(refs, preds)
        if args.semantic:
            from recreason.evaluate.semantic import LABEL, semantic_similarity

            result[LABEL] = semantic_similarity(refs[: args.semantic], preds[: args.semantic])
        domain = folder.resolve().name
        misses = published_misses(result, domain)
        missed += len(misses)
        results[domain] = result
        print(f"== XRec {domain}: {int(result['n'])} pairs ({args.source})", file=sys.stderr)
        for key, value in result.items():
            target = PUBLISHED.get(domain, {}).get(key)
            note = "" if target is None else f"   published {target:g}  {'MISSED' if key in misses else 'ok'}"
            if args.verbose or key in misses:
                print(f"  {key:<26} {value:9.4f}{note}", file=sys.stderr)
    print(table(results))
    if args.write:
        write_section(args.write, SECTION, table(results))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

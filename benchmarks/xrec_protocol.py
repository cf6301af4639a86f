"""The XRec protocol: k-fold predictions for every test row, scored beside XRec's released outputs.

    .venv/bin/python -m benchmarks.xrec_protocol --data ../shared/data/xrec/google --generator template
    .venv/bin/python -m benchmarks.xrec_protocol --data DIR --generator template --generator-config '{"n_variants": 1}' \\
        --label "template (1 variant)" --semantic --out results/xrec_google_template.json --write
    .venv/bin/python -m benchmarks.xrec_protocol --limit 500     # the shared xrec/google, first 500 rows

``--data`` is one domain folder in the XRec layout (``tst.jsonl`` with ``uid, iid, title, user_summary,
item_summary, explanation`` and optionally ``xrec_pred``, or ``tst.pkl``; see
``shared/data/xrec/SOURCE.md``), read by ``benchmarks._common.load_xrec``: each row becomes a request with
id-only profiles (``ItemProfile(item_id=iid, title, description=item_summary)``, ``UserProfile(user_id=uid,
profile_text=user_summary)``). The rows are shuffled with ``--seed`` and cut into ``--folds`` folds; for
each fold a fresh generator (``--generator`` by registry name, built with ``--generator-config``) is fitted
on the other folds' (request, explanation) pairs and writes the fold's reasons through the reason pipeline
(``write_reasons``: guard, one regeneration, fallback to the template generator fitted on the same pool),
so every row gets a reason from a model that never saw it. ``total_trn.csv`` is not used: it holds only
ids (no text) and contains most test pairs (SOURCE.md, leakage warning).

Scoring (``recreason.evaluate.suite.evaluate_reasons`` with XRec tokenization): BLEU-1/4 and ROUGE-1/2/L
F as PETER computes them on whitespace tokens, USR, semantic similarity (with ``--semantic``;
multilingual-e5-small cosine, about a minute per 3,000 pairs), the unsupported-claim rate
(``recreason.guard``), personalization (interest hit rate, distinct reasons per item) and mean length.
Two rows per run: ``LABEL`` scores what the generator wrote (before the guard), ``LABEL + guard`` what
the pipeline returned. XRec's released predictions are scored by the same call on the same rows
("XRec (released outputs)"; rows without one are named in a warning and left out of that row, ``n``
says how many are in). reasons/s is wall-clock time of the generator's ``generate`` calls only (``fit``
time is reported separately; the guard row's rate includes the guard, regeneration and fallback);
reasons/CPU-s divides by the process CPU time of those calls, which a busy machine disturbs less.

``--write [FILE]`` (default BENCHMARKS.md) writes the table between ``<!-- xrec:<domain>:begin -->`` and
``<!-- xrec:<domain>:end -->`` (appended when the markers are absent), keeping rows of other generators
already there, so each generator's run adds or replaces its own lines. Nothing is written without it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks._common import (
    XREC_ROW,
    Written,
    XRecTest,
    add_write_option,
    fold_guard,
    folds_of,
    load_xrec,
    machine_note,
    read_section,
    score_released,
    score_xrec,
    shared_data,
    timed,
    write,
    write_section,
    xrec_table,
)
from recreason.reasons import make_generator

COMMAND = ("python -m benchmarks.xrec_protocol --data DIR --semantic --generator NAME --generator-config JSON "
           "--label LABEL --write")


def run_protocol(data: XRecTest, generator: str, config: dict, k: int, seed: int,
                 batch: int = 256) -> tuple[Written, float, list[int]]:
    """Every row's reason from a generator fitted on the other folds, through the pipeline; the fit seconds;
    the row of each reason (the folds' rows, in fold order)."""
    out, fit_s, order = Written(), 0.0, []
    for i, test in enumerate(folds_of(len(data), k, seed)):
        held = set(test.tolist())
        pool = data.examples([j for j in range(len(data)) if j not in held])
        gen = make_generator(generator, **config)
        with timed() as fit:
            gen.fit(pool)
        guard = fold_guard(gen, pool)
        part = write(gen, [data.requests[j] for j in test], guard, batch)
        out += part
        order += test.tolist()
        fit_s += fit.wall
        print(f"  fold {i + 1}/{k}: fit {fit.wall:.1f} s on {len(pool)}, generate {len(test)} in "
              f"{part.generate.wall:.2f} s, with the guard {part.total.wall:.2f} s; paths {part.paths()}, "
              f"problems {guard.stats.problems}",
              file=sys.stderr)
    return out, fit_s, order


def merge_section(path: Path, domain: str, table: str, header_note: str, run_note: str) -> None:
    """Replace this domain's marked section, keeping table rows (and their run notes, one bullet per row
    label) of other generators; the XRec row stays first."""
    rows: dict[str, str] = {}
    notes: dict[str, str] = {}
    for line in (read_section(path, f"xrec:{domain}") or "").splitlines():
        if line.startswith("| ") and not line.startswith("| generator |"):
            rows[line.split("|")[1].strip()] = line
        elif line.startswith("- `"):
            notes[line.split("`")[1]] = line
    header, rule, *body = table.splitlines()
    for line in body:
        rows[line.split("|")[1].strip()] = line
    notes[run_note.split("`")[1]] = run_note
    ordered = ([rows.pop(XREC_ROW)] if XREC_ROW in rows else []) + list(rows.values())
    kept = [notes[k] for k in rows if k in notes]
    write_section(path, f"xrec:{domain}", "\n".join([header, rule, *ordered, "", header_note, "", *kept]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="a folder in the XRec layout, one domain (default: the shared xrec/google)")
    parser.add_argument("--generator", default="template", help="registry name (recreason.reasons.registry)")
    parser.add_argument("--generator-config", default="{}", help="JSON keyword arguments for the generator")
    parser.add_argument("--label", default=None, help="row name in the table (default: the generator name)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows (quick runs)")
    parser.add_argument("--semantic", action="store_true", help="also semantic similarity (slow)")
    parser.add_argument("--no-released", action="store_true",
                        help="do not re-score XRec's released outputs (keeps their row already in the table)")
    parser.add_argument("--out", type=Path, default=None, help="JSON results file")
    add_write_option(parser)
    args = parser.parse_args(argv)

    data = load_xrec(args.data or shared_data("xrec", "google"), args.limit or None)
    config = json.loads(args.generator_config)
    label = args.label or args.generator
    print(f"== {data.name}: {len(data)} rows, {args.folds} folds, {label} {config}", file=sys.stderr)
    written, fit_s, order = run_protocol(data, args.generator, config, args.folds, args.seed)
    raw, final = [""] * len(data), [""] * len(data)
    for j, r, f in zip(order, written.raw, written.final, strict=True):
        raw[j], final[j] = r.text, f.text
    n = len(data)
    results = {
        label: {**score_xrec(raw, data, args.semantic), "fit_seconds": fit_s,
                "generate_seconds": written.generate.wall, "reasons_per_s": n / written.generate.wall,
                "generate_cpu_seconds": written.generate.cpu,
                "reasons_per_cpu_s": n / written.generate.cpu if written.generate.cpu else None},
        f"{label} + guard": {**score_xrec(final, data, args.semantic), "paths": written.paths(),
                             "reasons_per_s": n / written.total.wall,
                             "reasons_per_cpu_s": n / written.total.cpu if written.total.cpu else None},
    }
    released_note = ""
    if not args.no_released:
        released, released_note = score_released(data, args.semantic)
        if released is not None:
            results = {XREC_ROW: released, **results}
    table = xrec_table(results)
    header_note = (f"{data.name}: {n} rows, {args.folds} folds (seed {args.seed}), whitespace tokens, PETER "
                   f"BLEU/ROUGE; `+ guard`: what the reason pipeline returned; every row's command is `{COMMAND}`. {released_note + ' ' if released_note else ''}Runs:")
    paths = "/".join(str(v) for v in written.paths().values())
    note = (f"- `{label}`: `--generator {args.generator} --generator-config '{json.dumps(config)}'`, fit "
            f"{fit_s:.0f} s in total, guard paths primary/regenerated/fallback {paths}, {machine_note()}.")
    print(table)
    print(note)
    if released_note:
        print(released_note)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"domain": data.name, "data": str(args.data or "shared xrec/google"), "rows": n, "folds": args.folds, "seed": args.seed,
                   "generator": args.generator, "config": config, "label": label, "results": results,
                   "predictions": raw, "guarded": final}
        args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
    if args.write:
        merge_section(args.write, data.name, table, header_note, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())

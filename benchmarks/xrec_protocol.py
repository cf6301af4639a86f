"""The XRec protocol: k-fold predictions for every test row, scored beside XRec's released outputs.

    python benchmarks/xrec_protocol.py --data ../shared/data/xrec/google --generator template
    python benchmarks/xrec_protocol.py --data DIR --generator template --generator-config '{"n_variants": 1}' \\
        --label "template (1 variant)" --semantic --out results/xrec_google_template.json \\
        --benchmarks-md BENCHMARKS.md

``--data`` is any folder in the XRec layout (``tst.jsonl`` with ``uid, iid, title, user_summary,
item_summary, explanation`` and optionally ``xrec_pred``; see ``shared/data/xrec/SOURCE.md``). Each row
becomes a request with id-only profiles: ``ItemProfile(item_id=iid, title, description=item_summary)``
and ``UserProfile(user_id=uid, profile_text=user_summary)``. The rows are shuffled with ``--seed`` and
cut into ``--folds`` folds; for each fold a fresh generator (``--generator`` by registry name, built
with ``--generator-config``) is fitted on the other folds' (request, explanation) pairs and writes the
fold's reasons, so every row gets a reason from a model that never saw it. ``total_trn.csv`` is not
used: it holds only ids (no text) and contains most test pairs (SOURCE.md, leakage warning).

Scoring (``recreason.evaluate.suite.evaluate_reasons`` with XRec tokenization): BLEU-1/4 and
ROUGE-1/2/L F as PETER computes them on whitespace tokens, USR, semantic similarity (with
``--semantic``; multilingual-e5-small cosine, about a minute per 3,000 pairs), the unsupported-claim
rate (``recreason.guard``), personalization (interest hit rate, distinct reasons per item) and mean
length. XRec's released predictions (``xrec_pred``) are scored by the same call on the same rows
("XRec (released outputs)"; rows without one are left out of that line, ``n`` says how many).
reasons/s is wall-clock time of the ``generate`` calls only (``fit`` time is reported separately);
reasons/CPU-s divides by the process CPU time of those calls, which a busy machine disturbs less (a
generator that runs several threads gets a lower number here than its wall-clock rate).

``--benchmarks-md FILE`` writes the table between ``<!-- xrec:<domain>:begin -->`` and
``<!-- xrec:<domain>:end -->`` (appended when the markers are absent), keeping rows of other
generators already there, so each generator's run adds or replaces its own line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons import ReasonRequest, TrainingExample, make_generator
from recreason.text import detect

XREC_ROW = "XRec (released outputs)"
# (key, header) in table order
COLUMNS = [
    ("bleu_1", "BLEU-1"),
    ("bleu_4", "BLEU-4"),
    ("rouge_1", "ROUGE-1 F"),
    ("rouge_2", "ROUGE-2 F"),
    ("rouge_l", "ROUGE-L F"),
    ("usr", "USR"),
    ("semantic", "semantic sim."),
    ("unsupported_rate", "unsupported-claim rate"),
    ("interest_hit_rate", "interest hit rate"),
    ("distinct_per_item", "distinct/item"),
    ("mean_length", "mean length"),
    ("reasons_per_s", "reasons/s"),
    ("reasons_per_cpu_s", "reasons/CPU-s"),
    ("n", "n"),
]


def load_rows(folder: Path) -> list[dict]:
    path = folder / "tst.jsonl"
    if not path.is_file():
        raise SystemExit(
            f"{folder}: no tst.jsonl (the XRec layout is described in shared/data/xrec/SOURCE.md)"
        )
    rows, broken = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                rows.append(json.loads(line)) if line.strip() else None
            except json.JSONDecodeError:
                broken += 1
    kept = [r for r in rows if isinstance(r, dict) and r.get("explanation")]
    if broken or len(kept) < len(rows):
        print(
            f"{path}: skipped {broken} broken lines and {len(rows) - len(kept)} rows without an explanation",
            file=sys.stderr,
        )
    return kept


def request_of(row: dict, lang: str) -> ReasonRequest:
    item = ItemProfile(
        item_id=str(row["iid"]),
        title=row.get("title") or None,
        description=row.get("item_summary") or None,
        language=lang,
    )
    user = UserProfile(user_id=str(row["uid"]), profile_text=row.get("user_summary") or None, language=lang)
    return ReasonRequest(user=user, item=item, language=lang)


def folds_of(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(part) for part in np.array_split(order, k)]


def run_protocol(
    rows: list[dict], generator: str, config: dict, k: int, seed: int, lang: str, batch: int = 256
) -> tuple[list[str], dict]:
    """Every row's reason from a generator fitted on the other folds; timings."""
    requests = [request_of(r, lang) for r in rows]
    texts: list[str | None] = [None] * len(rows)
    fit_s = gen_s = cpu_s = 0.0
    for i, test in enumerate(folds_of(len(rows), k, seed)):
        held = set(test.tolist())
        train = [
            TrainingExample(request=requests[j], text=rows[j]["explanation"])
            for j in range(len(rows))
            if j not in held
        ]
        gen = make_generator(generator, **config)
        t0 = time.perf_counter()
        gen.fit(train)
        t1, c1 = time.perf_counter(), time.process_time()
        for start in range(0, len(test), batch):
            idx = test[start : start + batch]
            for j, reason in zip(idx, gen.generate([requests[j] for j in idx]), strict=True):
                texts[j] = reason.text
        t2, c2 = time.perf_counter(), time.process_time()
        fit_s, gen_s, cpu_s = fit_s + t1 - t0, gen_s + t2 - t1, cpu_s + c2 - c1
        print(
            f"  fold {i + 1}/{k}: fit {t1 - t0:.1f} s on {len(train)}, generate {len(test)} in {t2 - t1:.2f} s",
            file=sys.stderr,
        )
    return [t or "" for t in texts], {
        "fit_seconds": fit_s,
        "generate_seconds": gen_s,
        "reasons_per_s": len(rows) / gen_s if gen_s else None,
        "generate_cpu_seconds": cpu_s,
        "reasons_per_cpu_s": len(rows) / cpu_s if cpu_s else None,
    }


def score(cands: list[str], refs: list[str], rows: list[dict], lang: str, semantic: bool) -> dict:
    """The metric row; ``suite.evaluate_reasons`` when present, else lexical metrics only."""
    users = [request_of(r, lang).user for r in rows]
    items = [request_of(r, lang).item for r in rows]
    try:
        from recreason.evaluate.suite import evaluate_reasons
    except ImportError:
        evaluate_reasons = None
    if evaluate_reasons is not None:
        row = evaluate_reasons(cands, refs, users, items, lang=lang, tokenization="xrec", semantic=semantic)
        details = row.pop("details", {})
        row["unsupported_examples"] = details.get("unsupported", {}).get("examples", [])[:5]
        return row
    from recreason.evaluate.explainability import unique_sentence_ratio
    from recreason.evaluate.lexical import peter_bleu, peter_rouge

    r_tok, c_tok = [r.split() for r in refs], [c.split() for c in cands]
    rouge = peter_rouge(r_tok, c_tok)
    row = {
        "n": len(cands),
        "bleu_1": peter_bleu(r_tok, c_tok, 1),
        "bleu_4": peter_bleu(r_tok, c_tok, 4),
        "rouge_1": rouge["rouge_1/f_score"],
        "rouge_2": rouge["rouge_2/f_score"],
        "rouge_l": rouge["rouge_l/f_score"],
        "usr": unique_sentence_ratio(c_tok),
        "mean_length": float(np.mean([len(c) for c in c_tok])),
    }
    if semantic:
        from recreason.evaluate.semantic import semantic_similarity

        row["semantic"] = semantic_similarity(refs, cands)
    return row


def _cell(key: str, value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    if key in ("bleu_1", "bleu_4", "rouge_1", "rouge_2", "rouge_l"):
        return f"{value:.2f}"
    if key in ("mean_length",):
        return f"{value:.1f}"
    if key in ("reasons_per_s", "reasons_per_cpu_s"):
        return f"{value:,.0f}"
    if key == "n":
        return str(int(value))
    return f"{value:.3f}"


def markdown_table(rows: dict[str, dict]) -> str:
    head = "| generator | " + " | ".join(h for _, h in COLUMNS) + " |"
    lines = [head, "|---|" + "---:|" * len(COLUMNS)]
    lines += [
        f"| {name} | " + " | ".join(_cell(k, r.get(k)) for k, _ in COLUMNS) + " |" for name, r in rows.items()
    ]
    return "\n".join(lines)


def update_markdown(path: Path, domain: str, new_lines: list[str], header_note: str, run_note: str) -> None:
    """Replace this domain's marked section, keeping table rows (and their run notes, one bullet per row
    label) of other generators."""
    begin, end = f"<!-- xrec:{domain}:begin -->", f"<!-- xrec:{domain}:end -->"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    old_rows: dict[str, str] = {}
    old_notes: dict[str, str] = {}
    m = re.search(re.escape(begin) + r"(.*?)" + re.escape(end), text, re.DOTALL)
    if m:
        for line in m.group(1).splitlines():
            if line.startswith("| ") and not line.startswith("| generator |"):
                old_rows[line.split("|")[1].strip()] = line
            elif line.startswith("- `"):
                old_notes[line.split("`")[1]] = line
    header, rule, *body = new_lines
    for line in body:
        old_rows[line.split("|")[1].strip()] = line
    label = body[-1].split("|")[1].strip()
    old_notes[label] = run_note
    ordered = [old_rows.pop(XREC_ROW)] if XREC_ROW in old_rows else []
    notes = [old_notes[k] for k in old_rows if k in old_notes]
    section = "\n".join([begin, header, rule, *ordered, *old_rows.values(), "", header_note, "", *notes, end])
    text = (
        text.replace(m.group(0), section)
        if m
        else text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    )
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a folder in the XRec layout")
    parser.add_argument("--generator", default="template", help="registry name (recreason.reasons.registry)")
    parser.add_argument("--generator-config", default="{}", help="JSON keyword arguments for the generator")
    parser.add_argument("--label", default=None, help="row name in the table (default: the generator name)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows (smoke runs)")
    parser.add_argument("--semantic", action="store_true", help="also semantic similarity (slow)")
    parser.add_argument("--no-released", action="store_true",
                        help="do not re-score XRec's released outputs (keeps their row already in the table)")
    parser.add_argument("--out", type=Path, default=None, help="JSON results file")
    parser.add_argument("--benchmarks-md", type=Path, default=None, help="markdown file to update")
    args = parser.parse_args(argv)

    rows = load_rows(args.data)[: args.limit or None]
    domain = args.data.resolve().name
    lang = detect(" ".join(r["explanation"] for r in rows[:200]))
    config = json.loads(args.generator_config)
    label = args.label or args.generator
    print(f"== {domain}: {len(rows)} rows, {args.folds} folds, {label} {config}", file=sys.stderr)
    cands, timing = run_protocol(rows, args.generator, config, args.folds, args.seed, lang)
    refs = [r["explanation"] for r in rows]
    results = {label: {**score(cands, refs, rows, lang, args.semantic), **timing}}
    released = [(i, r["xrec_pred"]) for i, r in enumerate(rows) if isinstance(r.get("xrec_pred"), str)]
    if args.no_released:
        released = []
    if released:
        idx, preds = zip(*released)
        results[XREC_ROW] = score(
            list(preds), [refs[i] for i in idx], [rows[i] for i in idx], lang, args.semantic
        )
    table_rows = {XREC_ROW: results[XREC_ROW]} if released else {}
    table_rows[label] = results[label]
    table = markdown_table(table_rows)
    header_note = (
        f"{domain}: {len(rows)} rows, {args.folds} folds (seed {args.seed}), whitespace tokens, PETER "
        f"BLEU/ROUGE; every row's command is `python benchmarks/xrec_protocol.py --data DIR --semantic "
        f"--generator NAME --generator-config JSON --label LABEL --benchmarks-md BENCHMARKS.md`. Runs:"
    )
    note = (
        f"- `{label}`: `--generator {args.generator} --generator-config '{json.dumps(config)}'`, fit "
        f"{timing['fit_seconds']:.0f} s in total, {os.cpu_count()} CPU cores "
        f"({platform.processor() or platform.machine()}), load average {os.getloadavg()[0]:.1f}, "
        f"{time.strftime('%Y-%m-%d')}."
    )
    print(table)
    print(note)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "domain": domain,
            "data": str(args.data),
            "rows": len(rows),
            "folds": args.folds,
            "seed": args.seed,
            "generator": args.generator,
            "config": config,
            "label": label,
            "results": results,
            "predictions": cands,
        }
        args.out.write_text(
            json.dumps(payload, ensure_ascii=False, indent=2, default=float), encoding="utf-8"
        )
    if args.benchmarks_md:
        update_markdown(args.benchmarks_md, domain, table.splitlines(), header_note, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())

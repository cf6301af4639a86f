"""LLM reasons on the XRec protocol: a fixed, seeded subsample, few-shot pools from the other folds, guard on.

    .venv/bin/python -m benchmarks.llm_xrec --model qwen2.5-coder-0.5b --rows 100 --out results/llm_xrec_qwen05.json
    .venv/bin/python -m benchmarks.llm_xrec --model gemma-3-270m --rows 100 --domains google
    .venv/bin/python -m benchmarks.llm_xrec --model gemma-3-270m --lora /tmp/ft_gemma/adapter.gguf --shots 0 --fold 1 \\
        --rows 30 --label "gemma 270m + LoRA"   # adapter from benchmarks.llm_finetune_xrec
    .venv/bin/python -m benchmarks.llm_xrec --rows 5 --domains google   # a quick check that it runs

``--data`` is an XRec-layout folder; ``--domains`` the domain folders in it (default: every one there).
The rows of each domain are cut into ``--folds`` folds exactly as ``benchmarks.xrec_protocol`` does (same
seed, same ``folds_of``); from each fold the first ``rows / folds`` rows of a seeded shuffle are kept
(``subsample``), so the subsample is fixed by ``--seed`` and spreads evenly over the folds (``--fold k``:
only fold k, ``--rows`` rows of it; a fine-tuned adapter trained on folds 2..5 is evaluated this way).
Each kept row gets a reason from an ``LLMGenerator`` whose shot pool is the other folds' (request,
explanation) pairs, written through the reason pipeline (``write_reasons``: grounding, compliance, tone,
one sampled regeneration, fallback to the template generator fitted on the same pool). Scored on the same
rows with ``score_xrec`` (PETER BLEU/ROUGE on whitespace tokens, USR, e5 similarity, unsupported-claim
rate): the LLM's reasons before the guard, the pipeline's reasons, and XRec's released outputs (a row
without a released prediction is named in a warning and left out of the XRec row; the note says so).
Timing: reasons/s of the LLM's generate calls (wall clock, one batch per fold) and of the whole pipeline;
the backend's own seconds per reason; peak RSS of the process; the load average, since other work on
the machine slows llama.cpp down. ``--rows-out FILE.jsonl`` keeps every finished row, so that a restart
with the same settings skips them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from benchmarks._common import (
    XREC_ROW,
    RowLog,
    fold_guard,
    folds_of,
    load_xrec,
    machine,
    peak_rss_mb,
    score_released,
    score_xrec,
    shared_data,
    subsample,
    timed,
    write,
    xrec_domains,
    xrec_table,
)
from recreason.reasons.llm import LLMGenerator


def run_domain(folder: Path, args, backend, log: RowLog) -> dict:
    data = load_xrec(folder)
    folds = folds_of(len(data), args.folds, args.seed)
    if args.fold:  # one fold only, ``rows`` rows of it (same shuffle, so a prefix of a larger run)
        kept = subsample(len(data), args.folds, args.seed, args.rows)
        kept = [k if f == args.fold - 1 else k[:0] for f, k in enumerate(kept)]
    else:
        kept = subsample(len(data), args.folds, args.seed, args.rows // args.folds)
    problems: Counter = Counter()
    for f, (test, sample) in enumerate(zip(folds, kept)):
        todo = [j for j in sample.tolist() if f"{data.name}:{j}" not in log.done]
        if not todo:
            continue
        held = set(test.tolist())
        pool = data.examples([j for j in range(len(data)) if j not in held])
        gen = LLMGenerator(model=args.model, shots=args.shots, max_sentences=args.sentences, lora=args.lora,
                           backend=backend, seed=args.seed).fit(pool)
        guard = fold_guard(gen, pool)  # the template fitted on the same pool (unfitted reads poorly here)
        part = write(gen, [data.requests[j] for j in todo], guard)
        problems.update(guard.stats.problems)
        for j, r, g in zip(todo, part.raw, part.final, strict=True):
            log.add(f"{data.name}:{j}", {"raw": r.text, "final": g.text, "path": g.path, "backend_s": r.seconds,
                                         "wall_s": part.generate.wall / len(todo),
                                         "wall_guard_s": part.total.wall / len(todo), "notes": g.notes})
        print(f"  {data.name} fold {f + 1}: {len(todo)} reasons in {part.generate.wall:.1f} s, with the guard "
              f"{part.total.wall:.1f} s, paths {part.paths()}, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
    keep = [j for k in kept for j in k.tolist()]
    done = [log.done[f"{data.name}:{j}"] for j in keep]
    sub = data.take(keep)
    label = args.label or args.model
    gen_s, total_s = sum(d["wall_s"] for d in done), sum(d["wall_guard_s"] for d in done)
    results = {f"{label} (raw)": {**score_xrec([d["raw"] for d in done], sub, args.semantic),
                                  "reasons_per_s": len(done) / gen_s if gen_s else None},
               f"{label} + guard": {**score_xrec([d["final"] for d in done], sub, args.semantic),
                                    "reasons_per_s": len(done) / total_s if total_s else None}}
    released, note = score_released(sub, args.semantic)
    if released is not None:
        results[XREC_ROW] = released
    paths = Counter(d["path"] for d in done)
    timing = {"seconds_per_reason": gen_s / len(done), "seconds_per_reason_with_guard": total_s / len(done),
              "backend_seconds_per_reason": sum(d["backend_s"] for d in done) / len(done),
              "paths": {p: paths.get(p, 0) for p in ("primary", "regenerated", "fallback")},
              "guard_problems_this_run": dict(problems)}
    examples = [{"row": keep[i], "reference": sub.references[i], "raw": d["raw"], "final": d["final"],
                 "path": d["path"]} for i, d in enumerate(done[:8])]
    return {"rows": len(done), "results": results, "timing": timing, "note": note, "examples": examples}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="qwen2.5-coder-0.5b")
    p.add_argument("--lora", default=None)
    p.add_argument("--label", default=None)
    p.add_argument("--data", type=Path, default=None, help="XRec-layout folder (default: shared xrec)")
    p.add_argument("--domains", nargs="+", default=None, help="domain folder names (default: all in --data)")
    p.add_argument("--rows", type=int, default=50, help="rows per domain (spread over the folds)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--fold", type=int, default=0, help="evaluate only this fold (1-based), --rows rows of it")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shots", type=int, default=2)
    p.add_argument("--sentences", type=int, default=1)
    p.add_argument("--parallel", type=int, default=1)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--semantic", action="store_true")
    p.add_argument("--rows-out", type=Path, default=None, help="JSONL of finished rows; a restart skips them")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)

    from recreason.reasons.llm.backends import make_backend

    data = args.data or shared_data("xrec")
    folders = [data / d for d in args.domains] if args.domains else xrec_domains(data)
    with timed() as load:
        backend = make_backend(args.model, lora=args.lora, parallel=args.parallel, threads=args.threads)
    config = {k: getattr(args, k) for k in ("model", "lora", "shots", "sentences", "seed", "folds")}
    log = RowLog(args.rows_out, config)
    out = {**config, "model_load_seconds": load.wall, "threads": getattr(backend, "threads", None),
           "parallel": args.parallel, "machine_start": machine(), "domains": {}}
    for folder in folders:
        res = out["domains"][folder.name] = run_domain(folder, args, backend, log)
        print(f"### {folder.name}: {res['rows']} rows, {args.model}, shots {args.shots}")
        print(xrec_table(res["results"]))
        if res["note"]:
            print(res["note"])
        print(json.dumps(res["timing"]))
    out["machine_end"], out["peak_rss_gb"] = machine(), peak_rss_mb() / 1024
    print(f"peak RSS {out['peak_rss_gb']:.2f} GB; model load {load.wall:.1f} s; threads {out['threads']}; "
          f"load average {out['machine_start']['load_average']:.1f} -> {out['machine_end']['load_average']:.1f}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

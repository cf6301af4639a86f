"""LLM reasons on the XRec protocol: a fixed, seeded subsample, few-shot pools from the other folds, guard on.

    python benchmarks/llm_xrec.py --model qwen2.5-coder-0.5b --rows 100 --out results/llm_xrec_qwen05.json
    python benchmarks/llm_xrec.py --model gemma-3-270m --rows 100 --domains google
    python benchmarks/llm_xrec.py --model gemma-3-270m --lora /tmp/ft_gemma/adapter.gguf --shots 0 --fold 1 \
        --rows 30 --label "gemma 270m + LoRA"   # adapter from benchmarks/llm_finetune_xrec.py

The 3,000 rows of each domain are cut into ``--folds`` folds exactly as ``benchmarks/xrec_protocol.py``
does (same seed, same ``folds_of``); from each fold the first ``rows / folds`` rows of a seeded shuffle
are kept, so the subsample is fixed by ``--seed`` and spreads evenly over the folds (``--fold k``: only
fold k, ``--rows`` rows of it; a fine-tuned adapter trained on folds 2..5 is evaluated this way). Each kept row gets
a reason from an ``LLMGenerator`` whose shot pool is the other folds' (request, explanation) pairs
(2,400 rows), and every reason passes through ``Guard`` (grounding + compliance, one regeneration,
fallback to the template generator fitted on the same pool). Scored on the same rows with ``xrec_protocol.score`` (PETER BLEU/ROUGE on whitespace
tokens, USR, e5 similarity, unsupported-claim rate): the raw LLM reasons, the guarded reasons, and
XRec's released outputs. Timing: seconds per reason of the LLM call (wall clock, batch of a fold),
and of generate + guard; peak RSS of the process; the load average, since other work on the machine
slows llama.cpp down.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import xrec_protocol as xp

from recreason.guard.pipeline import Guard
from recreason.reasons import TrainingExample
from recreason.reasons.llm import LLMGenerator
from recreason.reasons.template import TemplateGenerator

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xrec"


def subsample(n_rows: int, folds: int, seed: int, per_fold: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed + 1)
    return [np.sort(rng.permutation(test)[:per_fold]) for test in xp.folds_of(n_rows, folds, seed)]


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def run_domain(folder: Path, args, backend) -> dict:
    rows = xp.load_rows(folder)
    requests = [xp.request_of(r, "en") for r in rows]
    folds = xp.folds_of(len(rows), args.folds, args.seed)
    if args.fold:  # one fold only, ``rows`` rows of it (same shuffle, so a prefix of a larger run)
        kept = subsample(len(rows), args.folds, args.seed, args.rows)
        kept = [k if f == args.fold - 1 else k[:0] for f, k in enumerate(kept)]
    else:
        kept = subsample(len(rows), args.folds, args.seed, args.rows // args.folds)
    raw, final, paths, keep_idx = [], [], [], []
    gen_s = guard_s = 0.0
    stats = Guard().stats  # summed over the folds' guards
    for f, (test, sample) in enumerate(zip(folds, kept)):
        if not len(sample):
            continue
        held = set(test.tolist())
        pool = [TrainingExample(request=requests[j], text=rows[j]["explanation"])
                for j in range(len(rows)) if j not in held]
        gen = LLMGenerator(model=args.model, shots=args.shots, max_sentences=args.sentences,
                           lora=args.lora, backend=backend, seed=args.seed, cache_dir=args.cache_dir)
        gen.fit(pool)
        # the fallback is the template generator fitted on the same pool, as in a deployment that
        # trains its reasons on these references (an unfitted one reads poorly on description-only rows)
        guard = Guard(fallback=TemplateGenerator().fit(pool))
        batch = [requests[j] for j in sample]
        t0 = time.perf_counter()
        reasons = gen.generate(batch)
        t1 = time.perf_counter()
        checked = guard.check(reasons, batch, regenerate=gen.generate)
        t2 = time.perf_counter()
        gen_s, guard_s = gen_s + t1 - t0, guard_s + t2 - t1
        stats.clause_dropped += guard.stats.clause_dropped
        for kind, k in guard.stats.problems.items():
            stats.problems[kind] = stats.problems.get(kind, 0) + k
        raw += [r.text for r in reasons]
        final += [r.text for r in checked]
        paths += [r.path for r in checked]
        keep_idx += sample.tolist()
        print(f"  {folder.name} fold {f + 1}: {len(batch)} reasons in {t1 - t0:.1f} s, guard {t2 - t1:.1f} s, "
              f"load {os.getloadavg()[0]:.1f}", file=sys.stderr)
    sub = [rows[j] for j in keep_idx]
    refs = [r["explanation"] for r in sub]
    label = args.label or args.model
    results = {
        f"{label} (raw)": xp.score(raw, refs, sub, "en", args.semantic),
        f"{label} + guard": xp.score(final, refs, sub, "en", args.semantic),
        xp.XREC_ROW: xp.score([r["xrec_pred"] for r in sub], refs, sub, "en", args.semantic),
    }
    n = len(sub)
    timing = {"seconds_per_reason": gen_s / n, "seconds_per_reason_with_guard": (gen_s + guard_s) / n,
              "paths": {p: paths.count(p) for p in ("primary", "regenerated", "fallback")},
              "guard_problems": dict(stats.problems), "clause_dropped": stats.clause_dropped}
    for key in (f"{label} (raw)", f"{label} + guard"):
        results[key]["reasons_per_s"] = n / gen_s if "raw" in key else n / (gen_s + guard_s)
    examples = [{"row": keep_idx[i], "reference": refs[i], "raw": raw[i], "final": final[i], "path": paths[i]}
                for i in range(min(8, n))]
    return {"rows": n, "results": results, "timing": timing, "examples": examples}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="qwen2.5-coder-0.5b")
    p.add_argument("--lora", default=None)
    p.add_argument("--label", default=None)
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--domains", nargs="+", default=["amazon", "google"])
    p.add_argument("--rows", type=int, default=50, help="rows per domain (spread over the folds)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--fold", type=int, default=0, help="evaluate only this fold (1-based), --rows rows of it")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shots", type=int, default=2)
    p.add_argument("--sentences", type=int, default=1)
    p.add_argument("--parallel", type=int, default=1)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--semantic", action="store_true")
    p.add_argument("--cache-dir", default=None, help="reuse reasons across runs (SQLite, keyed by prompt)")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)

    from recreason.reasons.llm.backends import make_backend

    t0 = time.perf_counter()
    backend = make_backend(args.model, lora=args.lora, parallel=args.parallel, threads=args.threads)
    load_s = time.perf_counter() - t0
    out = {"model": args.model, "lora": args.lora, "shots": args.shots, "sentences": args.sentences,
           "seed": args.seed, "folds": args.folds, "model_load_seconds": load_s,
           "threads": getattr(backend, "threads", None), "parallel": args.parallel,
           "load_average_start": os.getloadavg(), "domains": {}}
    for d in args.domains:
        out["domains"][d] = run_domain(args.data / d, args, backend)
        print(f"\n### {d} ({out['domains'][d]['rows']} rows)\n", file=sys.stderr)
        print(f"### {d}: {out['domains'][d]['rows']} rows, {args.model}, shots {args.shots}")
        print(xp.markdown_table(out["domains"][d]["results"]))
        print(json.dumps(out["domains"][d]["timing"]))
    out["load_average_end"] = os.getloadavg()
    out["peak_rss_gb"] = peak_rss_gb()
    print(f"peak RSS {out['peak_rss_gb']:.2f} GB; model load {load_s:.1f} s; threads {out['threads']}; "
          f"load average {out['load_average_start'][0]:.1f} -> {out['load_average_end'][0]:.1f}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

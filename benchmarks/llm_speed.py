"""Seconds per reason of an embedded model: sequential vs parallel slots, on the same XRec prompts.

    python benchmarks/llm_speed.py --model qwen2.5-coder-0.5b --n 8 --parallel 1 2 --threads 2

Builds ``--n`` two-shot prompts from XRec google rows (shots from the other rows), then for each
``--parallel`` value loads the model with that many llama.cpp slots and times ``complete`` on all the
prompts in one call (after one warm-up prompt). Reports wall seconds per reason, generated tokens,
the load average before and after (other work on the machine slows llama.cpp a lot), and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import xrec_protocol as xp

from recreason.reasons import TrainingExample
from recreason.reasons.llm import LLMGenerator
from recreason.reasons.llm.backends import LlamaCppBackend
from recreason.reasons.llm.prompts import stops
from recreason.reasons.llm.registry import model_path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xrec" / "google"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="qwen2.5-coder-0.5b")
    p.add_argument("--n", type=int, default=8)
    p.add_argument("--parallel", type=int, nargs="+", default=[1, 2])
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)
    rows = xp.load_rows(DATA)
    reqs = [xp.request_of(r, "en") for r in rows]
    gen = LLMGenerator(model=args.model).fit(
        [TrainingExample(request=reqs[j], text=rows[j]["explanation"]) for j in range(args.n, 600)])
    prompts = [gen.prompt(r)[0] for r in reqs[: args.n + 1]]
    path = model_path(args.model)
    print("| model | threads | parallel | s/reason | tokens/reason | load before -> after |")
    print("|---|---:|---:|---:|---:|---|")
    for par in args.parallel:
        backend = LlamaCppBackend(path, threads=args.threads, parallel=par, model_id=args.model)
        backend.complete(prompts[-1:], max_tokens=64, stop=stops("en"))  # warm-up
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        out = backend.complete(prompts[: args.n], max_tokens=64, stop=stops("en"))
        wall = time.perf_counter() - t0
        tokens = sum(c.tokens for c in out) / len(out)
        print(f"| {args.model} | {backend.threads} | {par} | {wall / args.n:.2f} | {tokens:.0f} | "
              f"{load0:.1f} -> {os.getloadavg()[0]:.1f} |", flush=True)
        backend.close()
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

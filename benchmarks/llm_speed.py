"""Seconds per reason of an embedded model: sequential vs parallel slots, on the same XRec prompts.

    .venv/bin/python -m benchmarks.llm_speed --model qwen2.5-coder-0.5b --n 8 --parallel 1 2 --threads 2

Builds ``--n`` two-shot prompts from XRec rows (``--data``, default the shared google domain; shots from
other rows), then for each ``--parallel`` value loads the model with that many llama.cpp slots and times
``complete`` on all the prompts in one call (after one warm-up prompt). This times the backend alone (no
reason is written, so the guard does not run). Reports wall seconds per reason, generated tokens, the
load average before and after (other work on the machine slows llama.cpp a lot), and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from benchmarks._common import load_xrec, markdown_table, peak_rss_mb, shared_data, timed
from recreason.reasons.llm import LLMGenerator
from recreason.reasons.llm.backends import LlamaCppBackend
from recreason.reasons.llm.prompts import stops
from recreason.reasons.llm.registry import model_path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="qwen2.5-coder-0.5b")
    p.add_argument("--data", type=Path, default=None, help="one XRec domain folder (default: shared google)")
    p.add_argument("--n", type=int, default=8)
    p.add_argument("--parallel", type=int, nargs="+", default=[1, 2])
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)
    data = load_xrec(args.data or shared_data("xrec", "google"))
    gen = LLMGenerator(model=args.model).fit(data.examples(range(args.n, min(600, len(data)))))
    prompts = [gen.prompt(r)[0] for r in data.requests[: args.n + 1]]
    path = model_path(args.model)
    rows = []
    for par in args.parallel:
        backend = LlamaCppBackend(path, threads=args.threads, parallel=par, model_id=args.model)
        backend.complete(prompts[-1:], max_tokens=64, stop=stops("en"))  # warm-up
        load0 = os.getloadavg()[0]
        with timed() as t:
            out = backend.complete(prompts[: args.n], max_tokens=64, stop=stops("en"))
        tokens = sum(c.tokens for c in out) / len(out)
        rows.append([args.model, backend.threads, par, f"{t.wall / args.n:.2f}", f"{tokens:.0f}",
                     f"{load0:.1f} -> {os.getloadavg()[0]:.1f}"])
        print(f"  {par} slot(s): {t.wall / args.n:.2f} s/reason", file=sys.stderr, flush=True)
        backend.close()
    print(markdown_table(["model", "threads", "parallel", "s/reason", "tokens/reason", "load before -> after"], rows))
    print(f"peak RSS {peak_rss_mb() / 1024:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cross-user leakage on real data: how often a shown reason quotes another user's review
(``recreason.evaluate.leakage``: a run of 6 English words or 10 Chinese characters found in another user's review
and not in the item's own data).

    .venv/bin/python -m benchmarks.leakage --n 200 --write

Sources as in ``benchmarks.llm_real`` (gift cards, clothing reviews, Chinese shopping reviews; seeded requests).
The guard checks every reason for such a quote (problem kind ``quote``), so "first reasons" are what the generator
wrote and "shown" what a user sees after the guard (a quoting reason is regenerated or replaced by the fallback).
Configurations: ``template`` (the default generator: the guard's fitted template), ``retrieval`` (the template's
opt-in mode that quotes the item's review sentence for the chosen aspect), and the LLM configurations of
``benchmarks.llm_real`` when named (slow: about 3 s a reason).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks._common import add_write_option, machine_note, markdown_table, write, write_section
from benchmarks.llm_real import CONFIGS, sources
from recreason.guard.leakage import foreign_quotes, leak_rate
from recreason.guard.pipeline import build_guard
from recreason.reasons import make_generator

HEAD = ["source", "config", "first reasons quoting another user", "example", "shown", "shown quoting another user",
        "review index"]


def generator(config: str, src, backend, model: str):
    if config == "template":
        return make_generator("template").fit(src.train[:5000])
    if config == "retrieval":
        return make_generator("template", mode="retrieval").fit(src.train[:5000])
    from recreason.reasons.llm import LLMGenerator

    return LLMGenerator(model=model, backend=backend, seed=0, **CONFIGS[config]).fit(src.train[:2000])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--configs", nargs="+", default=["template", "retrieval"],
                   choices=["template", "retrieval", *(c for c, v in CONFIGS.items() if v and not v.get("lora"))])
    p.add_argument("--sources", nargs="*", help="only these (giftcards, clothing, zh-shopping)")
    p.add_argument("--model", default="qwen2.5-coder-0.5b")
    p.add_argument("--work", type=Path, default=Path(".recreason/bench/llm_real"))
    add_write_option(p)
    args = p.parse_args(argv)
    backend = None
    if any(c not in ("template", "retrieval") for c in args.configs):
        from recreason.reasons.llm.backends import make_backend

        backend = make_backend(args.model, threads=2)
    rows = []
    for src in sources(args.n, args.seed, args.work, args.sources):
        guard = build_guard(src.dataset)
        start = time.perf_counter()
        index = guard.reviews
        built = f"{len(src.dataset.interactions):,} reviews, {time.perf_counter() - start:.1f} s"
        for config in args.configs:
            out = write(generator(config, src, backend, args.model), src.requests, guard)
            written = [(r, q) for r, q in zip(out.raw, src.requests, strict=True) if r.text]
            first = foreign_quotes([r for r, _ in written], [q for _, q in written], index)
            shown = [(r, q) for r, q in zip(out.final, src.requests, strict=True) if r.path != "withheld"]
            quotes = foreign_quotes([r for r, _ in shown], [q for _, q in shown], index)
            worst = max(first, key=lambda q: q.length, default=None)
            rows.append([src.name, config, f"{100 * leak_rate(first):.1f} % of {len(first)}",
                         f"“{worst.text[:70]}” ({worst.length})" if worst and worst.leaks else "—",
                         str(len(shown)), f"{100 * leak_rate(quotes):.1f} %", built])
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    table = markdown_table(HEAD, rows, left=2)
    print(table)
    if args.write:
        cmd = f"`.venv/bin/python -m benchmarks.leakage --n {args.n} --seed {args.seed} --configs {' '.join(args.configs)}`"
        write_section(Path("BENCHMARKS.md"), "leakage", f"Command: {cmd} — {machine_note()}.\n\n{table}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

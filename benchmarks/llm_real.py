"""LLM reasons on real data the project was not tuned on, judged as a reader would: gift cards, clothing reviews,
Chinese shopping reviews (``benchmarks.real_sources``), ``--n`` seeded requests each.

    .venv/bin/python -m benchmarks.llm_real --n 100 --configs template v1 v2 v2-best3 --write

Every configuration writes through the one reason pipeline (``write_reasons``: the guard of the source's data
set, best-of-n where the configuration asks for it, then the template fallback). The judge
(``recreason.guard.judge``) reads the generator's first reasons (raw) and what a user is shown. Columns:
false (share of reasons with a checkable claim that hold a false one), personal, fluent (1–3), against, and for
the shown reasons the share the LLM wrote (primary or a later candidate, not the template fallback), personal,
fluent, withheld, and seconds a reason (all of the pipeline). ``--dump FILE`` writes every reason with the
item's and the user's data, for reading.

Configurations (``CONFIGS``): ``template`` (the fallback alone), ``v1`` (the prompt before the v2 shots, greedy),
``v2`` (greedy), ``v2-best3`` (greedy, and 2 sampled candidates for a reason that fails or is weak),
``v2-best3-num`` (the same under a grammar that lets digits appear only as the item's data writes them), ``lora`` and
``lora-best3`` (the base model with ``--lora ADAPTER``, zero-shot prompts as it was trained: see
``benchmarks.llm_selftrain``).
Requests use seed 1 by default, so they are not the judgement set's tuned requests (seed 0).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks import real_sources
from benchmarks._common import (
    add_write_option,
    machine_note,
    markdown_table,
    peak_rss_mb,
    write,
    write_section,
)
from recreason.guard.judge import judge_reasons
from recreason.guard.pipeline import build_guard
from recreason.reasons import make_generator

CONFIGS = {
    "template": None,
    "v1": {"prompt_version": "v1"},
    "v2": {"prompt_version": "v2"},
    "v2-best3": {"prompt_version": "v2", "best_of": 3},
    "v2-best3-num": {"prompt_version": "v2", "best_of": 3, "grounded_numbers": True},
    "lora": {"prompt_version": "v2", "shots": 0, "lora": True},  # --lora: the adapter, zero-shot as trained
    "lora-best3": {"prompt_version": "v2", "shots": 0, "lora": True, "best_of": 3},
}
HEAD = ["source", "config", "n", "raw false", "raw personal", "raw fluent", "LLM shown", "false", "personal",
        "fluent", "against", "withheld", "s/reason"]


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.0f} %"


def sources(n: int, seed: int, work: Path, only: list[str] | None):
    makers = {"giftcards": lambda: real_sources.giftcards(n, seed),
              "clothing": lambda: real_sources.clothing(n, work / "clothing", seed),
              "zh-shopping": lambda: real_sources.zh_shopping(n, work / "zh-shopping", seed)}
    for name, make in makers.items():
        if not only or name in only:
            yield make()


def run(src, config: str, backend, model: str, dump) -> list[str]:
    settings = CONFIGS[config]
    if settings is None:
        gen = make_generator("template").fit(src.train[:5000])
    else:
        from recreason.reasons.llm import LLMGenerator

        settings = {k: v for k, v in settings.items() if k != "lora"}
        gen = LLMGenerator(model=model, backend=backend, seed=0, **settings).fit(src.train[:2000])
    guard = build_guard(src.dataset)
    out = write(gen, src.requests, guard)
    raw = judge_reasons([r.text for r in out.raw], src.requests)
    shown = [(r, q) for r, q in zip(out.final, src.requests) if r.path != "withheld"]
    after = judge_reasons([r.text for r, _ in shown], [q for _, q in shown])
    llm = sum(r.path in ("primary", "regenerated") for r, _ in shown) if settings is not None else 0
    n = len(src.requests)
    if dump is not None:
        for first, final, q in zip(out.raw, out.final, src.requests):
            dump.write(json.dumps({"source": src.name, "config": config, "user": q.user.summary(q.lang),
                                   "profile_text": (q.user.profile_text or "")[:300], "item": q.item.summary(q.lang),
                                   "description": (q.item.description or "")[:300], "raw": first.text,
                                   "shown": final.text, "path": final.path, "notes": final.notes[-2:]},
                                  ensure_ascii=False) + "\n")
    return [src.name, config, str(n), _pct(raw["false_rate"]), _pct(raw["personal"]), f"{raw['fluent']:.2f}",
            _pct(llm / n) if settings is not None else "—", _pct(after["false_rate"]), _pct(after["personal"]),
            f"{after['fluent']:.2f}", _pct(after["against"]), str(n - len(shown)), f"{out.total.wall / n:.2f}"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    p.add_argument("--sources", nargs="*", help="only these (giftcards, clothing, zh-shopping)")
    p.add_argument("--model", default="qwen2.5-coder-0.5b")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--lora", help="a GGUF LoRA adapter for the lora configurations")
    p.add_argument("--work", type=Path, default=Path(".recreason/bench/llm_real"))
    p.add_argument("--dump", type=Path, help="every reason with its data, one JSON object a line")
    add_write_option(p)
    args = p.parse_args(argv)
    from recreason.reasons.llm.backends import make_backend

    backends: dict[bool, object] = {}

    def backend_for(config: str):
        with_lora = bool((CONFIGS[config] or {}).get("lora"))
        if CONFIGS[config] is None:
            return None
        if with_lora and not args.lora:
            p.error(f"--configs {config} needs --lora ADAPTER")
        if with_lora not in backends:
            backends[with_lora] = make_backend(args.model, threads=args.threads, lora=args.lora if with_lora else None)
        return backends[with_lora]

    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    rows = []
    for src in sources(args.n, args.seed, args.work, args.sources):
        for config in args.configs:
            rows.append(run(src, config, backend_for(config), args.model, dump))
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    table = markdown_table(HEAD, rows, left=2)
    print(table)
    print(f"peak RSS {peak_rss_mb() / 1024:.2f} GB", file=sys.stderr)
    if args.write:
        cmd = (f"`.venv/bin/python -m benchmarks.llm_real --n {args.n} --seed {args.seed} --configs "
               f"{' '.join(args.configs)}{' --lora ' + args.lora if args.lora else ''}`")
        write_section(Path("BENCHMARKS.md"), "llm-real", f"Command: {cmd} — {machine_note()}, model {args.model} "
                      f"on {args.threads} llama.cpp threads.\n\n{table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

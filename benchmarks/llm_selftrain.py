"""Fine-tune the LLM on reasons the judge finds true, personal and specific: targets from data without
references (rejection sampling, or a larger teacher), then LoRA on them.

    .venv/bin/python -m benchmarks.llm_selftrain --n 60 --teacher qwen2.5-coder-1.5b --out .recreason/bench/distil
    .venv/bin/python -m benchmarks.llm_real --n 100 --configs lora lora-best3 --lora .recreason/bench/distil/adapter.gguf

Real data sets have no reference reasons (gift cards, clothing reviews, Chinese shopping reviews), and the
references that exist are mostly untrue to their item's data (XRec's: 96–99 % hold a claim the data does not;
AdvertiseGen's ad copy: all of 400 checked; ``recreason.guard.targets``). So the targets are written by a
model: for ``--n`` requests of each real source (seed 2: other requests than ``llm_real``'s seed 1) the
few-shot ``--teacher`` (default: the model itself; prompt v2) writes a greedy reason and ``--candidates``
sampled ones; the best that the judge shows *and* finds personal, specific and fluent (3) becomes the target,
at most one per request. The embedded sample's references that pass ``true_targets`` join them (``--sample``,
up to that many). Then LoRA (``recreason.reasons.llm.finetune``: zero-shot prompts, checkpoints, resumable)
on ``--model``. Targets are kept in ``OUT/targets.jsonl``; a rerun with the same settings reuses them and
resumes training. Read the targets before training: ``OUT/targets.jsonl`` holds them one a line.

Measured 2026-12-08 with the 0.5B model as its own teacher (60 requests a source): 95 "strong" targets of 180
requests, and reading them showed most were garbled or formulaic while the judge called them fluent and
personal ("Blouses are 832, which is a class number", "蒙牛包装、味道、价格都是蒙牛的", "你常买计算机、衣服，书籍内容
……很好"): the judge cannot yet tell garble from prose, so self-training on its verdicts was stopped before
any step (the note of issue #13 has the details).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks import real_sources
from benchmarks._common import ensure_sample, load_dataset, peak_rss_mb, timed
from recreason.guard.compliance import BannedTerms
from recreason.guard.judge import judge
from recreason.guard.pipeline import catalog_values
from recreason.guard.targets import true_targets
from recreason.reasons.base import TrainingExample


def written_targets(src, gen, candidates: int) -> list[TrainingExample]:
    banned, values = BannedTerms.load(None), catalog_values(src.dataset)
    firsts = gen.generate(src.requests)
    more = gen.candidates(src.requests, candidates) if candidates else [[] for _ in src.requests]
    out = []
    for req, first, rest in zip(src.requests, firsts, more):
        best = None
        for r in [first, *rest]:
            if not r.text:
                continue
            j = judge(r.text, req, values, banned)
            if j.show and j.personal and j.specific and j.fluent == 3 and (best is None or j.rank() > best[1].rank()):
                best = (r.text, j)
        if best:
            out.append(TrainingExample(request=req, text=best[0]))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=100, help="requests per real source")
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--candidates", type=int, default=2, help="sampled candidates besides the greedy one")
    p.add_argument("--sample", type=int, default=150, help="true sample references to add (0: none)")
    p.add_argument("--model", default="qwen2.5-coder-0.5b", help="the model to fine-tune")
    p.add_argument("--teacher", default=None, help="the model that writes the targets (default: --model)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=float, default=2.0)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--max-tokens", type=int, default=320)
    p.add_argument("--max-minutes", type=float, default=None)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    cache = args.out / "targets.jsonl"
    args.teacher = args.teacher or args.model
    settings = {k: getattr(args, k) for k in ("n", "seed", "candidates", "sample", "teacher")}
    examples: list[TrainingExample] = []
    if cache.is_file() and json.loads(cache.read_text(encoding="utf-8").splitlines()[0]) == settings:
        lines = cache.read_text(encoding="utf-8").splitlines()[1:]
        examples = [TrainingExample.model_validate_json(line) for line in lines]
        print(f"{len(examples)} targets from {cache}", file=sys.stderr)
    else:
        from recreason.reasons.llm import LLMGenerator
        from recreason.reasons.llm.backends import make_backend

        backend = make_backend(args.teacher, threads=args.threads)
        gen = LLMGenerator(model=args.teacher, backend=backend, seed=0, prompt_version="v2")
        work = args.out / "data"
        for src in (real_sources.giftcards(args.n, args.seed), real_sources.clothing(args.n, work / "clothing", args.seed),
                    real_sources.zh_shopping(args.n, work / "zh-shopping", args.seed)):
            with timed() as t:
                got = written_targets(src, gen, args.candidates)
            print(f"{src.name}: {len(got)} targets of {len(src.requests)} requests in {t.wall / 60:.1f} min",
                  file=sys.stderr, flush=True)
            examples += got
        if args.sample:
            sample = load_dataset(ensure_sample(work / "sample"))
            src = real_sources.dataset_source("sample", sample, 1, args.seed)
            kept, dropped = true_targets(src.train, 1, catalog_values(sample))
            examples += kept[: args.sample]
            print(f"sample: {min(len(kept), args.sample)} true references of {len(src.train)} ({dict(dropped)})",
                  file=sys.stderr)
        backend.close()
        cache.write_text("\n".join([json.dumps(settings)] + [e.model_dump_json() for e in examples]) + "\n",
                         encoding="utf-8")
    from recreason.reasons.llm.finetune import FinetuneConfig, finetune_lora

    cfg = FinetuneConfig(base=args.model, out_dir=str(args.out), epochs=args.epochs, batch_size=args.batch_size,
                         rank=args.rank, lr=args.lr, max_tokens=args.max_tokens, threads=args.threads,
                         max_sentences=1, prompt_version="v2", max_minutes=args.max_minutes, checkpoint_every=10)
    with timed() as t:
        res = finetune_lora(examples, cfg, log=lambda m: print(m, file=sys.stderr, flush=True))
    summary = {"targets": len(examples), "steps": res.steps, "of": res.total, "complete": res.complete,
               "train_minutes": res.seconds / 60, "wall_minutes": t.wall / 60, "first_loss": res.losses[:5],
               "last_loss": res.losses[-5:], "peak_rss_gb": peak_rss_mb() / 1024, "adapter": str(res.gguf_adapter)}
    print(json.dumps(summary, indent=1))
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1))
    return 0 if res.complete else 6


if __name__ == "__main__":
    sys.exit(main())

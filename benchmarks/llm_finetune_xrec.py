"""LoRA fine-tuning on XRec training rows (every domain), for the fine-tuned row of ``benchmarks.llm_xrec``.

    .venv/bin/python -m benchmarks.llm_finetune_xrec --base gemma-3-270m --per-domain 1000 --out /tmp/ft_gemma
    .venv/bin/python -m benchmarks.llm_xrec --model gemma-3-270m --lora /tmp/ft_gemma/adapter.gguf --shots 0 --fold 1 --rows 30

Training rows come from folds 2..5 of each domain (``benchmarks._common.folds_of``, the XRec protocol's
folds, same seed), so fold 1 stays unseen and ``llm_xrec --fold 1`` evaluates on it. ``--per-domain`` rows are drawn (seeded)
from each domain's training folds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from benchmarks._common import folds_of, load_xrec, peak_rss_mb, shared_data, timed, xrec_domains
from recreason.reasons.llm.finetune import FinetuneConfig, finetune_lora


def training_examples(folders: list[Path], per_domain: int, folds: int, seed: int):
    out = []
    for folder in folders:
        data = load_xrec(folder)
        test = set(folds_of(len(data), folds, seed)[0].tolist())
        train = [j for j in range(len(data)) if j not in test]
        out += data.examples(np.random.default_rng(seed + 2).permutation(train)[:per_domain])
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default="gemma-3-270m")
    p.add_argument("--data", type=Path, default=None, help="XRec-layout folder (default: shared xrec)")
    p.add_argument("--domains", nargs="+", default=None, help="domain folder names (default: all in --data)")
    p.add_argument("--per-domain", type=int, default=1000)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--max-tokens", type=int, default=256)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    data = args.data or shared_data("xrec")
    folders = [data / d for d in args.domains] if args.domains else xrec_domains(data)
    examples = training_examples(folders, args.per_domain, args.folds, args.seed)
    cfg = FinetuneConfig(base=args.base, out_dir=args.out, epochs=args.epochs, batch_size=args.batch_size,
                         rank=args.rank, lr=args.lr, max_tokens=args.max_tokens, threads=args.threads,
                         seed=args.seed)
    with timed() as t:
        res = finetune_lora(examples, cfg, log=lambda m: print(m, flush=True))
    summary = {"base": args.base, "examples": res.n_examples, "steps": res.steps, "train_seconds": res.seconds,
               "total_seconds": t.wall, "first_loss": res.losses[:10], "last_loss": res.losses[-10:],
               "peak_rss_gb": peak_rss_mb() / 1024,
               "adapter": str(res.gguf_adapter)}
    print(json.dumps(summary, indent=1))
    Path(args.out, "summary.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

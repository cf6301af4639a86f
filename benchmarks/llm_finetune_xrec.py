"""LoRA fine-tuning on XRec training rows (both domains), for the fine-tuned row of ``llm_xrec.py``.

    python benchmarks/llm_finetune_xrec.py --base gemma-3-270m --per-domain 1000 --out /tmp/ft_gemma
    python benchmarks/llm_xrec.py --model gemma-3-270m --lora /tmp/ft_gemma/adapter.gguf --shots 0 --fold 1 --rows 30

Training rows come from folds 2..5 of each domain (``xrec_protocol.folds_of``, same seed), so fold 1
stays unseen and ``llm_xrec.py --fold 1`` evaluates on it. ``--per-domain`` rows are drawn (seeded)
from each domain's training folds.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import xrec_protocol as xp

from recreason.reasons import TrainingExample
from recreason.reasons.llm.finetune import FinetuneConfig, finetune_lora

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xrec"


def training_examples(data: Path, domains: list[str], per_domain: int, folds: int, seed: int):
    out = []
    for d in domains:
        rows = xp.load_rows(data / d)
        test = set(xp.folds_of(len(rows), folds, seed)[0].tolist())
        train = [j for j in range(len(rows)) if j not in test]
        pick = np.random.default_rng(seed + 2).permutation(train)[:per_domain]
        out += [TrainingExample(request=xp.request_of(rows[j], "en"), text=rows[j]["explanation"]) for j in pick]
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default="gemma-3-270m")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--domains", nargs="+", default=["amazon", "google"])
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
    examples = training_examples(args.data, args.domains, args.per_domain, args.folds, args.seed)
    cfg = FinetuneConfig(base=args.base, out_dir=args.out, epochs=args.epochs, batch_size=args.batch_size,
                         rank=args.rank, lr=args.lr, max_tokens=args.max_tokens, threads=args.threads,
                         seed=args.seed)
    t0 = time.perf_counter()
    res = finetune_lora(examples, cfg, log=lambda m: print(m, flush=True))
    summary = {"base": args.base, "examples": res.n_examples, "steps": res.steps, "train_seconds": res.seconds,
               "total_seconds": time.perf_counter() - t0, "first_loss": res.losses[:10], "last_loss": res.losses[-10:],
               "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024,
               "adapter": str(res.gguf_adapter)}
    print(json.dumps(summary, indent=1))
    Path(args.out, "summary.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

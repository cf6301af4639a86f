"""Speed of the PETER-class model on this CPU: training step time, epoch estimate, generation, memory.

    .venv/bin/python -m benchmarks.peter_speed                      # all variants, 2 threads, markdown table
    .venv/bin/python -m benchmarks.peter_speed --steps 50 --warmup 5 --variants adaptive-bf16,full-fp32
    .venv/bin/python -m benchmarks.peter_speed --variants adaptive-bf16 --steps 3 --warmup 1 --gen-batches 1  # quick

Data: SYNTHETIC, shaped like TripAdvisor-HK (PETER Table 1): 256,000 records of 5-15 words (mean ~12,
Zipf-distributed word ids over a 20,000-word vocabulary), 9,765 users, 6,280 items, 4 attribute tokens
per item (users: ids only). Model: PETER's default size (2 layers, d 512, 2 heads, FFN 2048, batch 128, 15 words).

What is measured and how:

Variants: ``adaptive`` / ``full`` softmax, ``bf16`` autocast or ``fp32``; ``-tied`` shares the word
embeddings with the softmax head (then the word table is dense and updated by AdamW every step).

* training: ``recreason.reasons.peter.train.train_step`` (the loop's own step: autocast, loss, backward, clipping,
  AdamW + SparseAdam) on random batches; ``--warmup`` steps are run first and not timed, then the
  mean wall time of ``--steps`` steps. The epoch figure is an EXTRAPOLATION: mean step time x 2,000
  steps (256k / 128), not a timed epoch. CPU time per step (both threads) and the 1-minute load
  average are printed beside it, because a shared machine inflates wall time.
* generation: batched greedy decoding (KV cache) of exactly 15 words per reason (``min_len=15``:
  <eos> is blocked so that every output has 15 words), batches of 256, untrained weights; reasons per
  second over ``--gen-batches`` timed batches after one warm-up. Greedy computes an adaptive-softmax tail
  only for rows whose tail cluster could hold the best word; how often that happens depends on the
  weights, so the table also gives the speed with the full distribution at every step (``fast=False``,
  the worst case).
* memory: every variant runs in its own subprocess; peak RSS is that process's ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import torch

from benchmarks._common import REPO, markdown_table, peak_rss_mb, timed
from recreason.reasons.peter.model import PeterConfig, PeterModel
from recreason.reasons.peter.train import TrainSettings, bf16_supported, optimizers, train_step

N_RECORDS, N_USERS, N_ITEMS, N_WORDS, MAX_WORDS, BATCH = 256_000, 9_765, 6_280, 20_000, 15, 128
VARIANTS = ("adaptive-bf16", "adaptive-fp32", "full-bf16", "full-fp32", "adaptive-bf16-tied")


def synthetic_batch(g: torch.Generator, batch: int = BATCH) -> list[torch.Tensor]:
    """One batch of TripAdvisor-shaped records (ids 0..3 are the special tokens)."""
    zipf = 1.0 / torch.arange(1, N_WORDS - 3, dtype=torch.float)  # Zipf over the real words
    lengths = torch.randint(5, MAX_WORDS + 1, (batch,), generator=g)  # (B,) 5..15 words
    words = torch.multinomial(zipf, batch * MAX_WORDS, replacement=True, generator=g).view(batch, MAX_WORDS) + 4
    seq = torch.zeros(batch, MAX_WORDS + 2, dtype=torch.long)  # (B, L+2) <bos> w.. <eos> <pad>..
    seq[:, 0] = 1
    pos = torch.arange(MAX_WORDS)[None]  # (1, L)
    seq[:, 1:MAX_WORDS + 1] = torch.where(pos < lengths[:, None], words, 0)
    seq[torch.arange(batch), lengths + 1] = 2
    user = torch.randint(1, N_USERS + 1, (batch,), generator=g)
    item = torch.randint(1, N_ITEMS + 1, (batch,), generator=g)
    user_toks = torch.zeros(batch, 0, dtype=torch.long)  # PETER data: ids only for users
    item_toks = (item[:, None] * 7 + torch.arange(4)[None]) % 2000 + 4  # (B, 4) per-item tokens
    feats = torch.zeros(batch, 0, dtype=torch.long)
    rating = torch.randint(1, 6, (batch,), generator=g).float()
    return [user, item, user_toks, item_toks, feats, seq, rating]


def model_for(softmax: str, tied: bool) -> PeterModel:
    return PeterModel(PeterConfig(n_users=N_USERS + 1, n_items=N_ITEMS + 1, n_words=N_WORDS, softmax=softmax,
                                  tie_embeddings=tied))


def run_variant(variant: str, steps: int, warmup: int, gen_batches: int, threads: int) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    softmax, precision, *rest = variant.split("-")
    bf16 = precision == "bf16"
    model = model_for(softmax, tied=rest == ["tied"]).train()
    opts = optimizers(model, 1e-3)
    settings = TrainSettings(bf16=bf16, id_dropout=0.03)
    g = torch.Generator().manual_seed(0)
    batches = [synthetic_batch(g) for _ in range(8)]
    for i in range(warmup):
        train_step(model, opts, batches[i % 8], settings)
    with timed() as train:
        for i in range(steps):
            train_step(model, opts, batches[i % 8], settings)
    step_s, step_cpu = train.wall / steps, train.cpu / steps
    load = os.getloadavg()[0]
    model.eval()
    B = 256
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        model.generate(*synthetic_batch(g, B)[:5], min_len=MAX_WORDS)  # warm-up
        lengths = []
        with timed() as gen:
            for _ in range(gen_batches):
                ids, _, _ = model.generate(*synthetic_batch(g, B)[:5], min_len=MAX_WORDS)
                lengths += [len(x) for x in ids]
        with timed() as full:  # full distribution at every step
            for _ in range(gen_batches):
                model.generate(*synthetic_batch(g, B)[:5], min_len=MAX_WORDS, fast=False)
    return {"variant": variant, "params": sum(p.numel() for p in model.parameters()), "step_s": step_s, "step_cpu_s": step_cpu,
            "epoch_min": step_s * (N_RECORDS // BATCH) / 60, "load_1min": load,
            "reasons_per_s": len(lengths) / gen.wall, "reasons_per_cpu_s": len(lengths) / gen.cpu,
            "full_reasons_per_s": len(lengths) / full.wall, "full_reasons_per_cpu_s": len(lengths) / full.cpu,
            "mean_words": sum(lengths) / len(lengths), "peak_rss_gb": peak_rss_mb() / 1024, "threads": threads}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--gen-batches", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child process: one variant, JSON out
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_variant(args.one, args.steps, args.warmup, args.gen_batches, args.threads)))
        return 0
    print(f"torch {torch.__version__}, {args.threads} threads, bf16 CPU support: {bf16_supported()}, "
          f"{os.cpu_count()} CPUs; {args.steps} timed steps after {args.warmup} warm-up steps", flush=True)
    rows = []
    for variant in args.variants.split(","):
        cmd = [sys.executable, "-m", "benchmarks.peter_speed", "--one", variant, "--steps", str(args.steps),
               "--warmup", str(args.warmup), "--gen-batches", str(args.gen_batches), "--threads", str(args.threads)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=REPO)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"  done {variant}: {rows[-1]['step_s']:.3f} s/step", file=sys.stderr, flush=True)
    header = ["variant", "params", "s/step (wall)", "CPU s/step", "epoch of 256k (wall, extrapolated)", "load (1 min)",
              "greedy reasons/s (wall)", "per CPU-second", "full distribution: reasons/s (wall)", "per CPU-second",
              "words/reason", "peak RSS"]
    print("\n" + markdown_table(header, [
        [r["variant"], f"{r['params'] / 1e6:.1f}M", f"{r['step_s']:.3f}", f"{r['step_cpu_s']:.3f}",
         f"{r['epoch_min']:.1f} min", f"{r['load_1min']:.1f}", f"{r['reasons_per_s']:.0f}",
         f"{r['reasons_per_cpu_s']:.0f}", f"{r['full_reasons_per_s']:.0f}", f"{r['full_reasons_per_cpu_s']:.0f}",
         f"{r['mean_words']:.1f}", f"{r['peak_rss_gb']:.2f} GB"] for r in rows]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Ingest throughput and peak memory for N synthetic interactions (default 1M), per input format.

    .venv/bin/python -m benchmarks.ingest_benchmark --rows 1000000 --formats csv,jsonl,parquet
    .venv/bin/python -m benchmarks.ingest_benchmark --rows 20000      # a quick check that it runs

Each format is ingested in a fresh subprocess so that its peak RSS (ru_maxrss) is its own. The data is
synthetic: 20k users, 5k items, six event types, ratings, some review text (zh and en), ISO timestamps,
context JSON, and 0.1 % bad rows (which must come out as rejects). Throughput = records read / wall time
of ``ingest_to_workspace`` (read + validate + cross-check + write Parquet).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks._common import REPO, markdown_table, peak_rss_mb, timed

EVENTS = np.array(["view", "click", "cart", "purchase", "rate", "review"])
REVIEWS = np.array(["", "", "", "续航很给力，屏幕也清晰", "Battery life is great and the screen is sharp.",
                    "物流快，包装好", "Runs small, order a size up."])


def make_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    users = np.char.add("u", rng.integers(0, 20_000, rows).astype(str))
    items = np.char.add("i", rng.integers(0, 5_000, rows).astype(str))
    events = EVENTS[rng.integers(0, len(EVENTS), rows)]
    rating = np.where(np.isin(events, ["rate", "review"]), rng.integers(1, 6, rows).astype(float), np.nan)
    stamps = pd.to_datetime(1.6e9 + rng.integers(0, 3e7, rows), unit="s", utc=True)
    frame = pd.DataFrame({
        "user_id": users, "item_id": items, "event": events, "rating": rating,
        "review": np.where(events == "review", REVIEWS[rng.integers(0, len(REVIEWS), rows)], ""),
        "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "context": np.where(rng.random(rows) < 0.5, '{"scene": "home_feed", "device": "ios"}', ""),
    })
    bad = rng.choice(rows, size=rows // 1000, replace=False)
    frame.loc[bad, "rating"] = 9.0  # out of range: must be rejected
    return frame


def write(frame: pd.DataFrame, folder: Path, fmt: str) -> Path:
    path = folder / f"interactions.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "jsonl":
        records = frame.replace({"": None}).to_dict("records")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps({k: v for k, v in r.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}, ensure_ascii=False) + "\n" for r in records)
    else:
        pq.write_table(pa.Table.from_pandas(frame.replace({"": None}), preserve_index=False), path)
    return path


def measure(path: str, out: str) -> None:
    from recreason.data.ingest import ingest_to_workspace

    with timed() as t:
        report = ingest_to_workspace(Path(path), Path(out), max_reject_rate=0.01)
    print(json.dumps({"read": report.read, "accepted": report.accepted, "rejected": report.rejected,
                      "seconds": round(t.wall, 2), "records_per_s": round(report.read / t.wall),
                      "peak_rss_mb": round(peak_rss_mb())}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--formats", default="csv,jsonl,parquet")
    ap.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        return measure(*args.measure)
    frame = make_frame(args.rows)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            folder = Path(tmp) / fmt
            folder.mkdir()
            path = write(frame, folder, fmt)
            res = subprocess.run([sys.executable, "-m", "benchmarks.ingest_benchmark", "--measure", str(path),
                                  str(Path(tmp) / f"ws-{fmt}")], capture_output=True, text=True, check=True, cwd=REPO)
            r = json.loads(res.stdout.strip().splitlines()[-1])
            rows.append([fmt, f"{r['read']:,}", f"{r['accepted']:,}", f"{r['rejected']:,}", r["seconds"],
                         f"{r['records_per_s']:,}", f"{r['peak_rss_mb']:,}"])
            print(f"  {fmt}: {r['seconds']} s", file=sys.stderr, flush=True)
    print(markdown_table(["format", "records", "accepted", "rejected", "seconds", "records/s", "peak RSS (MB)"], rows))


if __name__ == "__main__":
    main()

"""Ranking benchmark: every ranker on MovieLens latest-small and on the embedded sample.

    .venv/bin/python -m benchmarks.rank_benchmark                      # both datasets, 3 seeds, all rankers
    .venv/bin/python -m benchmarks.rank_benchmark --data movielens --seeds 0 --rankers popularity itemknn
    .venv/bin/python -m benchmarks.rank_benchmark --tune --data movielens   # the validation grid behind RUNS

Protocol: leave-last-out by time per user (``recreason.rank.leave_last_out``; the test item is each
user's last new item, the validation item the one before it, ties in time broken with the seed).
Rankers that early-stop are trained on train while watching validation NDCG@10, then retrained on
train + validation for the best number of epochs; the others are trained on train + validation.
Metrics rank the test item among the FULL catalog minus the user's training items (no sampled
negatives). Each (dataset, ranker) runs in a fresh process, so its peak RSS is its own: loading the
data, the three seeds' training and evaluation, and the latency run.

MovieLens is read from ``ratings.csv`` and ``movies.csv`` here rather than by the project's ``movielens``
reader: the reader also ingests tags (as review events) and links, and adds a ``genres`` attribute,
which would change the leave-last-out splits and the embedding model's item features, so the figures in
BENCHMARKS.md could no longer be reproduced.

Hyper-parameters (``RUNS``) were chosen with ``--tune`` on the MovieLens validation splits (the
item before each user's last; the test items were never looked at) and are used unchanged on the
sample.

Latency: the seed-0 model is saved, loaded back from the artifact alone, and ``recommend(user, k=10)``
(full catalog, seen items filtered) is timed for 1,000 random known users after 50 warm-up calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._common import machine_note, markdown_table, peak_rss_mb, shared_data, timed
from recreason.data.dataset import Dataset, frame_from_arrow, frame_to_arrow
from recreason.data.schema import dump_json

MOVIELENS = "movielens-latest-small"
METRICS = ("ndcg@10", "hr@10", "recall@10", "mrr", "coverage@10")
#: row label -> (ranker, hyper-parameters); chosen with --tune on the MovieLens validation split
RUNS: dict[str, tuple[str, dict]] = {
    "popularity": ("popularity", {}),
    "itemknn": ("itemknn", {"neighbors": 5, "shrink": 0}),
    "als": ("als", {"factors": 128}),
    "embedding": ("embedding", {"history": 2}),  # MLP (32) + dot term over [user + last 2 items; item]
    "embedding-dot": ("embedding", {"hidden": [], "history": 2}),  # the same without the MLP
}
#: the grid run by --tune (validation splits only)
GRID: dict[str, list[dict]] = {
    "itemknn": [{"neighbors": n, "shrink": s} for n in (5, 10, 20, 50, 100) for s in (0, 10)],
    "als": [{"factors": f, "regularization": r} for f in (32, 64, 128) for r in (0.05, 0.5)],
    "embedding": [{"hidden": [], "history": h} for h in (0, 1, 2, 3, 5, 10, 20)] + [
        {"hidden": [], "history": 3, "loss": "bpr"}, {"hidden": [], "history": 3, "item_dropout": 0.0},
        {"hidden": [], "history": 3, "dim": 32}, {"history": 3}, {"history": 3, "dot": False},
    ],
}


def load_movielens(path: Path) -> Dataset:
    """MovieLens latest-small (CSV files without header rows) as a Dataset: every rating is a "rate"
    event with its rating; genres become the category list and the year in the title an attribute."""
    ratings = pd.read_csv(path / "ratings.csv", header=None, names=["userId", "movieId", "rating", "timestamp"])
    movies = pd.read_csv(path / "movies.csv", header=None, names=["movieId", "title", "genres"])
    years = movies["title"].str.extract(r"\((\d{4})\)\s*$")[0]
    items = pd.DataFrame({
        "item_id": movies["movieId"].astype(str), "title": movies["title"],
        "category": [[] if g == "(no genres listed)" else g.split("|") for g in movies["genres"]],
        "attributes": [dump_json({"year": y}) if isinstance(y, str) else None for y in years],
        "description": None, "price": np.nan, "brand": None, "language": "en"})
    inter = pd.DataFrame({
        "user_id": ratings["userId"].astype(str), "item_id": ratings["movieId"].astype(str), "event": "rate",
        "rating": ratings["rating"].astype(float), "review": None,
        "timestamp": pd.to_datetime(ratings["timestamp"], unit="s", utc=True), "context": None, "split": None})
    users = pd.DataFrame({"user_id": pd.unique(inter["user_id"]), "demographics": None, "profile_text": None,
                          "language": None})
    users["interests"] = [[] for _ in range(len(users))]
    return Dataset(items=frame_from_arrow(frame_to_arrow("items", items)),
                   users=frame_from_arrow(frame_to_arrow("users", users)),
                   interactions=frame_from_arrow(frame_to_arrow("interactions", inter)),
                   name="movielens-latest-small")


def available(name: str) -> bool:
    if name == "movielens":
        return shared_data(MOVIELENS, must_exist=False).is_dir()
    try:
        import recreason.sample  # noqa: F401
    except ImportError:
        return False
    return True


def load(name: str) -> Dataset:
    if name == "movielens":
        return load_movielens(shared_data(MOVIELENS))
    from recreason.sample import build_sample

    return build_sample(seed=0)


def latency(ranker, calls: int, seed: int) -> dict[str, float]:
    """recommend(user, k=10) on a model loaded back from its artifact: wall-clock p50 / p99 in ms,
    and the p99 of the CPU time of the calling thread (what the call costs when no other process
    takes the cores; the wall-clock p99 also holds the waits of a busy machine)."""
    from recreason.rank import Ranker

    with tempfile.TemporaryDirectory() as tmp:
        loaded = Ranker.load(ranker.save(Path(tmp) / "model"))
    users = np.random.default_rng(seed).choice(loaded.user_ids.ids, calls + 50)
    wall, cpu = [], []
    for n, user in enumerate(users):
        start, start_cpu = time.perf_counter(), time.thread_time()
        loaded.recommend(str(user), k=10)
        if n >= 50:
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
    return {"p50_ms": float(np.percentile(wall, 50)), "p99_ms": float(np.percentile(wall, 99)),
            "cpu_p99_ms": float(np.percentile(cpu, 99))}


def run_job(data_name: str, label: str, seeds: list[int], calls: int) -> dict:
    """One (dataset, ranker): every seed's split, training and test metrics, then latency."""
    from recreason.rank import fit_and_test, get_ranker, leave_last_out

    dataset = load(data_name)
    ranker_name, params = RUNS[label]
    out: dict = {"data": data_name, "ranker": label, "params": params, "runs": []}
    for seed in seeds:
        split = leave_last_out(dataset, seed=seed)
        with timed() as fit:
            ranker, result = fit_and_test(get_ranker(ranker_name), split, {**params, "seed": seed})
        run = {"seed": seed, **result, "fit_s": fit.wall}
        if hasattr(ranker, "epoch_seconds"):
            run["epoch_s"] = float(np.mean(ranker.epoch_seconds))
            run["epochs"] = len(ranker.epoch_seconds)
        out["runs"].append(run)
        if seed == seeds[0] and calls:
            out["latency"] = latency(ranker, calls, seed)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def tune_job(data_name: str, ranker_name: str, seeds: list[int]) -> list[dict]:
    """Validation NDCG@10 of each GRID setting, trained on train and evaluated on valid, averaged
    over the seeds' leave-last-out splits (the test parts are never used)."""
    from recreason.rank import evaluate, get_ranker, leave_last_out

    dataset = load(data_name)
    splits = [leave_last_out(dataset, seed=seed) for seed in seeds]
    rows = []
    for params in GRID.get(ranker_name, [{}]):
        scores = [evaluate(get_ranker(ranker_name)(**params, seed=seed).fit(split.train, valid=split.valid),
                           split.valid)["ndcg@10"] for seed, split in zip(seeds, splits, strict=True)]
        rows.append({"ranker": ranker_name, "params": params, "valid_ndcg@10": mean_std(scores)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def in_fresh_process(fn, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def mean_std(values: list[float], digits: int = 4) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def table(results: list[dict]) -> str:
    header = ["data", "ranker", "NDCG@10", "HR@10", "Recall@10", "MRR", "coverage@10", "train s / epoch (epochs)",
              "fit s (total)", "peak RSS MB", "recommend p50 / p99 ms (CPU p99)"]
    lines = []
    for r in results:
        runs = r["runs"]
        cells = [mean_std([run[m] for run in runs]) for m in METRICS]
        epoch = (f"{mean_std([run['epoch_s'] for run in runs], 2)} "
                 f"({'/'.join(str(run['epochs']) for run in runs)})") if "epoch_s" in runs[0] else "—"
        lat = r.get("latency", {})
        lat_cell = f"{lat['p50_ms']:.2f} / {lat['p99_ms']:.2f} ({lat['cpu_p99_ms']:.2f})" if lat else "—"
        lines.append([r["data"], r["ranker"], *cells, epoch, mean_std([run["fit_s"] for run in runs], 1),
                      f"{r['peak_rss_mb']:.0f}", lat_cell])
    return markdown_table(header, lines, left=len(header))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", nargs="+", default=["movielens", "sample"], choices=["movielens", "sample"])
    parser.add_argument("--rankers", nargs="+", default=list(RUNS), choices=list(RUNS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--calls", type=int, default=1000, help="recommend() calls timed (0: skip)")
    parser.add_argument("--tune", action="store_true", help="run the validation grid instead")
    parser.add_argument("--out", type=Path, help="also write the raw results as JSON")
    args = parser.parse_args()
    from recreason.rank import available_rankers

    labels = [label for label in args.rankers if RUNS[label][0] in available_rankers()]
    if args.tune:  # one grid per ranker
        labels = list(dict.fromkeys(RUNS[label][0] for label in labels))
    results = []
    for data_name in args.data:
        if not available(data_name):
            print(f"skipping {data_name}: not available here (../shared/data or recreason.sample)",
                  file=sys.stderr)
            continue
        for label in labels:
            job = (tune_job, data_name, label, args.seeds) if args.tune else \
                (run_job, data_name, label, args.seeds, args.calls)
            results.append(in_fresh_process(*job))
            if not args.tune:
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    if not args.tune:
        print(f"\nleave-last-out, full ranking, seeds {args.seeds}, {machine_note()}\n")
        print(table(results))


if __name__ == "__main__":
    main()

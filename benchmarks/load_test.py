"""Load test of ``recreason serve``: N concurrent clients for T seconds, mixed traffic, only on 127.0.0.1.

    .venv/bin/python -m benchmarks.load_test                  # 64 clients x 60 s on the sample, server started here
    .venv/bin/python -m benchmarks.load_test --clients 4 --duration 30 --events 0     # latency of recommendations only
    .venv/bin/python -m benchmarks.load_test --url http://127.0.0.1:8000 --admin-key K --event-key K

Each client (its own connection; the clients spread over ``--processes`` processes, since one Python
process cannot drive 64 connections fast enough) loops: GET /v1/users/{user}/recommendations?k=10 for a random user (90% the most active users
of the sample, 10% unknown ids = cold start), then, with probability ``--events``, POST the ten impressions
as one batch, and for some of them a click (10%) and a purchase (2% of impressions) with fresh idempotency
keys. It reports, per request kind: count, errors (non-2xx or transport), p50 / p95 / p99 latency, and
overall requests/s; where the reasons came from (cache / generated / fallback / none); and, when it
started the server, the server's peak RSS (VmHWM). The server gets a fresh SQLite file in a temporary
folder (the workspace's own events.db is not touched). Client and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx

from benchmarks._common import (
    ADMIN_KEY,
    DEMO_WORKSPACE,
    EVENT_KEY,
    ensure_sample,
    free_port,
    machine,
    peak_rss_mb,
    start_server,
)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (all its threads) so far, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter = Counter()
        self.sources: Counter = Counter()
        self.variants: Counter = Counter()
        self.server_metrics = ""
        self.client_cpu = 0.0

    def record(self, kind: str, seconds: float, ok: bool, why: str = "") -> None:
        self.latency[kind].append(seconds)
        if not ok:
            self.errors[f"{kind}: {why}"] += 1


async def timed(stats: Stats, kind: str, call) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        r = await call
    except httpx.HTTPError as err:
        stats.record(kind, time.perf_counter() - start, False, type(err).__name__)
        return None
    stats.record(kind, time.perf_counter() - start, r.is_success, str(r.status_code))
    return r if r.is_success else None


def _event(kind: str, rec: dict, item: str) -> dict:
    return {"type": kind, "idempotency_key": uuid.uuid4().hex, "request_id": rec["request_id"],
            "user_id": rec["user_id"], "item_id": item, "experiment": rec["experiment"], "variant": rec["variant"]}


async def client_loop(url: str, users: list[str], deadline: float, stats: Stats, args, rng: random.Random) -> None:
    # One client, one connection: a pool shared by 64 tasks makes httpx itself the bottleneck.
    async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": args.event_key}, timeout=args.timeout,
                                 limits=httpx.Limits(max_connections=1, keepalive_expiry=2.0)) as client:
        while time.monotonic() < deadline:  # keep-alive expiry 2 s < the server's 30 s: no reuse race
            await one_round(client, users, stats, args, rng)


async def one_round(client: httpx.AsyncClient, users: list[str], stats: Stats, args, rng: random.Random) -> None:
    user = rng.choice(users) if rng.random() >= args.cold else f"new_{rng.randrange(10**6)}"
    r = await timed(stats, "recommendations", client.get(f"/v1/users/{user}/recommendations",
                                                         params={"k": args.k}))
    if r is None:
        return
    rec = r.json()
    stats.variants[rec["variant"]] += 1
    for it in rec["items"]:
        stats.sources[it["reason"]["source"] if it["reason"] else "none"] += 1
    if not rec["items"] or rng.random() >= args.events:
        return
    items = [it["item_id"] for it in rec["items"]]
    batch = [_event("impression", rec, i) for i in items]
    if await timed(stats, "events", client.post("/v1/events", json={"events": batch})) is None:
        return
    for i in items:
        if rng.random() < 0.10:
            follow = [_event("click", rec, i)] + ([_event("purchase", rec, i)] if rng.random() < 0.2 else [])
            await timed(stats, "events", client.post("/v1/events", json={"events": follow}))


def worker(url: str, users: list[str], args, first: int, n: int, warm_until: float, stop_at: float) -> dict:
    """One process: ``n`` clients, warm-up until ``warm_until``, measured until ``stop_at`` (monotonic)."""

    async def go() -> Stats:
        warm = Stats()
        await asyncio.gather(*(client_loop(url, users, warm_until, warm, args, random.Random(10_000 + first + c))
                               for c in range(n)))
        stats = Stats()
        await asyncio.gather(*(client_loop(url, users, stop_at, stats, args, random.Random(first + c))
                               for c in range(n)))
        return stats

    stats = asyncio.run(go())
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"latency": dict(stats.latency), "errors": dict(stats.errors), "sources": dict(stats.sources),
            "variants": dict(stats.variants), "cpu": ru.ru_utime + ru.ru_stime}


def run_load(url: str, args, pid: int | None = None) -> tuple[Stats, float, float | None]:
    """Spread ``args.clients`` over ``args.processes`` processes; merge what they measured."""
    r = httpx.get(f"{url}/v1/admin/users", params={"limit": 500}, headers={"X-API-Key": args.admin_key}, timeout=30)
    r.raise_for_status()
    users = r.json()
    procs = max(1, min(args.processes, args.clients))
    shares = [args.clients // procs + (1 if p < args.clients % procs else 0) for p in range(procs)]
    now = time.monotonic()  # CLOCK_MONOTONIC is shared by the processes of one machine
    warm_until, stop_at = now + 2 + args.warmup, now + 2 + args.warmup + args.duration
    cpu0 = None
    with ProcessPoolExecutor(procs) as pool:
        futures = [pool.submit(worker, url, users, args, sum(shares[:p]), shares[p], warm_until, stop_at)
                   for p in range(procs)]
        time.sleep(max(0.0, warm_until - time.monotonic()))
        cpu0 = cpu_seconds(pid) if pid else None
        parts = [f.result() for f in futures]
    elapsed = args.duration
    cpu = cpu_seconds(pid) - cpu0 if cpu0 is not None else None
    stats = Stats()
    for part in parts:
        for kind, lat in part["latency"].items():
            stats.latency[kind].extend(lat)
        stats.errors.update(part["errors"])
        stats.sources.update(part["sources"])
        stats.variants.update(part["variants"])
        stats.client_cpu += part["cpu"]
    stats.server_metrics = httpx.get(f"{url}/metrics", timeout=30).text
    return stats, elapsed, cpu


def server_quantiles(metrics: str, route: str, method: str) -> dict:
    """p50 / p99 upper bounds (bucket edges) of the server-side latency histogram for one route (all statuses;
    warm-up included), in ms: what the server itself measured, without client or network time."""
    buckets: Counter = Counter()
    for line in metrics.splitlines():
        if line.startswith("recreason_request_seconds_bucket{") and f'route="{route}"' in line \
                and f'method="{method}"' in line:
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[float(le)] += float(line.rsplit(" ", 1)[1])
    if not buckets:
        return {}
    edges = sorted(buckets)
    total = buckets[edges[-1]]
    out = {}
    for q in (50, 99):
        edge = next(e for e in edges if buckets[e] >= q / 100 * total)
        out[f"p{q}_ms_at_most"] = edge * 1000 if edge != float("inf") else None
    return out


def report(stats: Stats, elapsed: float, args, rss: float | None, cpu: float | None) -> dict:
    total = sum(len(v) for v in stats.latency.values())
    out = {"clients": args.clients, "duration_s": round(elapsed, 1), "requests": total,
           "requests_per_s": round(total / elapsed, 1), "errors": sum(stats.errors.values()),
           "error_kinds": dict(stats.errors), "reason_sources": dict(stats.sources),
           "variants": dict(stats.variants), "server_peak_rss_mb": round(rss, 1) if rss else None,
           "server_cpu_s": round(cpu, 1) if cpu is not None else None,
           "server_cpu_ms_per_request": round(1000 * cpu / total, 2) if cpu is not None and total else None,
           "machine_at_end": machine(),
           "client_processes": max(1, min(args.processes, args.clients)),
           "client_cpu_s": round(stats.client_cpu, 1), "by_kind": {}}
    for kind, lat in sorted(stats.latency.items()):
        out["by_kind"][kind] = {"count": len(lat), "per_s": round(len(lat) / elapsed, 1),
                                **{f"p{q}_ms": round(percentile(lat, q) * 1000, 1) for q in (50, 95, 99)},
                                "max_ms": round(max(lat) * 1000, 1)}
    out["server_side"] = {
        "recommendations": server_quantiles(stats.server_metrics, "/v1/users/{user_id}/recommendations", "GET"),
        "events": server_quantiles(stats.server_metrics, "/v1/events", "POST")}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", help="a running server on loopback; default: start one here")
    p.add_argument("--workspace", type=Path, default=DEMO_WORKSPACE)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of measured load")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of unmeasured load first")
    p.add_argument("--processes", type=int, default=2, help="client processes the clients are spread over")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--events", type=float, default=1.0, help="share of recommendation lists followed by events")
    p.add_argument("--cold", type=float, default=0.1, help="share of requests for unknown users")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--event-key", default=EVENT_KEY)
    p.add_argument("--admin-key", default=ADMIN_KEY)
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="extra RECREASON_* settings for the started server, e.g. RECREASON_LLM_ONLINE=false")
    p.add_argument("--precompute", type=int, default=0, help="users whose reasons the server precomputes")
    p.add_argument("--json", type=Path, help="also write the report here")
    args = p.parse_args()
    if not 1 <= args.clients <= 512 or not 0 < args.duration <= 600:
        raise SystemExit("--clients must be 1..512 and --duration 0..600 s")

    proc, tmp = None, tempfile.TemporaryDirectory(prefix="recreason-load-")
    url = args.url
    if url:
        if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("this load test only targets loopback addresses")
    else:
        ws = ensure_sample(args.workspace)
        port = free_port()
        env = dict(kv.split("=", 1) for kv in args.server_env)
        if args.precompute:
            env["RECREASON_PRECOMPUTE_USERS"] = str(args.precompute)
        started = time.monotonic()
        proc = start_server(ws, f"sqlite:///{Path(tmp.name) / 'events.db'}", port, env, Path(tmp.name) / "server.log")
        print(f"server ready in {time.monotonic() - started:.1f} s (pid {proc.pid})", file=sys.stderr)
        url = f"http://127.0.0.1:{port}"
    try:
        stats, elapsed, cpu = run_load(url, args, proc.pid if proc else None)
        rss = peak_rss_mb(proc.pid) if proc else None
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        tmp.cleanup()
    out = report(stats, elapsed, args, rss, cpu)
    text = json.dumps(out, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

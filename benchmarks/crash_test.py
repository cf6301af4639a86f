"""Kill the server under load and count: is every acknowledged event stored, and stored once?

    .venv/bin/python -m benchmarks.crash_test                       # 20,000 events, SQLite, sample workspace
    .venv/bin/python -m benchmarks.crash_test --events 50000 --kills 3 --db postgresql+psycopg://postgres@127.0.0.1:55432/x
    .venv/bin/python -m benchmarks.crash_test --events 2000 --clients 8   # a quick check that it runs

``--clients`` concurrent clients post batches of ``--batch`` events with fresh idempotency keys to a server
started here (only on 127.0.0.1). Each time the acknowledged count passes another 1/(kills+1) of the
total, the server gets SIGKILL mid-load and is started again on the same database; clients retry the
batches that got no answer (same keys: the server must store them once). At the end it re-posts every
acknowledged batch once more (all must come back as duplicates) and reads the table directly.
Reports: sent, acknowledged, stored, lost (acknowledged but not stored: must be 0), stored more than
once (must be 0), and how many retried events had been stored before the kill cut their answer off
(the server answered them as duplicates).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from benchmarks._common import DEMO_WORKSPACE, EVENT_KEY, ensure_sample, free_port, start_server

SERVER_ENV = {"RECREASON_LLM_ONLINE": "false", "RECREASON_WARM_LLM": "false"}  # events only: no LLM load


def _batch(n: int) -> list[dict]:
    return [{"type": random.choice(["impression", "impression", "click", "purchase"]),
             "idempotency_key": uuid.uuid4().hex, "request_id": uuid.uuid4().hex[:16], "user_id": "u_seed",
             "item_id": "i_seed_phone", "experiment": "reasons", "variant": "template"} for _ in range(n)]


class Run:
    def __init__(self, args):
        self.args = args
        self.todo = [_batch(args.batch) for _ in range(args.events // args.batch)]
        self.acked: list[str] = []
        self.acked_batches: list[list[dict]] = []
        self.transport_errors = 0
        self.stored_before_ack = 0
        self.server_url = ""
        self.down = asyncio.Event()

    async def client(self, http: httpx.AsyncClient) -> None:
        while self.todo:
            batch = self.todo.pop()
            while True:
                if self.down.is_set():
                    await asyncio.sleep(0.05)
                    continue
                try:
                    r = await http.post(f"{self.server_url}/v1/events", json={"events": batch})
                except httpx.TransportError:
                    self.transport_errors += 1
                    await asyncio.sleep(0.05)
                    continue  # no answer: retry with the same keys
                if r.status_code in (200, 201):
                    self.stored_before_ack += r.json()["duplicates"]  # a retry of a batch stored before the kill
                    self.acked.extend(e["idempotency_key"] for e in batch)
                    self.acked_batches.append(batch)
                    break
                raise SystemExit(f"unexpected answer {r.status_code}: {r.text[:200]}")


async def main_async(args, ws: Path, db_url: str, log: Path) -> dict:
    run = Run(args)
    total = len(run.todo) * args.batch
    port = free_port()
    proc = start_server(ws, db_url, port, SERVER_ENV, log=log)
    run.server_url = f"http://127.0.0.1:{port}"
    kills, restarts_s, acked_at_kill = 0, [], []
    start = time.monotonic()
    async with httpx.AsyncClient(headers={"X-API-Key": EVENT_KEY}, timeout=10,
                                 limits=httpx.Limits(max_connections=args.clients + 4)) as http:
        workers = [asyncio.create_task(run.client(http)) for _ in range(args.clients)]
        while not all(w.done() for w in workers):
            await asyncio.sleep(0.01)
            if time.monotonic() - start > args.max_seconds:
                raise SystemExit(f"gave up after {args.max_seconds} s")
            if kills < args.kills and len(run.acked) >= total * (kills + 1) / (args.kills + 1):
                proc.kill()  # SIGKILL while the clients keep posting
                acked_at_kill.append(len(run.acked))
                proc.wait(10)
                kills += 1
                run.down.set()
                t = time.monotonic()
                port = free_port()
                proc = await asyncio.to_thread(start_server, ws, db_url, port, SERVER_ENV, log)
                restarts_s.append(round(time.monotonic() - t, 1))
                run.server_url = f"http://127.0.0.1:{port}"
                run.down.clear()
        for w in workers:
            w.result()
        again = 0
        for n in range(0, len(run.acked_batches), 20):
            events = [e for b in run.acked_batches[n:n + 20] for e in b]
            r = await http.post(f"{run.server_url}/v1/events", json={"events": events})
            again += r.json()["duplicates"]
    elapsed = time.monotonic() - start
    proc.terminate()
    proc.wait(15)

    from recreason.serve.store import Store

    store = Store(db_url)
    stored_keys, stored_rows = store.event_keys(), store.count_events()
    store.close()
    acked = set(run.acked)
    before = set(run.acked[:acked_at_kill[-1]]) if acked_at_kill else set()
    return {"events_sent": total, "acknowledged": len(run.acked), "kills": kills,
            "acknowledged_before_each_kill": acked_at_kill,
            "lost_of_those_acknowledged_before_the_last_kill": len(before - stored_keys),
            "restart_seconds": restarts_s, "stored_rows": stored_rows, "stored_distinct_keys": len(stored_keys),
            "lost_acknowledged": len(acked - stored_keys), "stored_more_than_once": stored_rows - len(stored_keys),
            "reposted_acknowledged_counted_as_duplicates": again, "transport_errors_retried": run.transport_errors,
            "retried_events_already_stored": run.stored_before_ack,
            "seconds": round(elapsed, 1), "clients": args.clients, "batch": args.batch, "db": db_url.split("://")[0]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workspace", type=Path, default=DEMO_WORKSPACE)
    p.add_argument("--events", type=int, default=20_000)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--kills", type=int, default=1)
    p.add_argument("--db", help="database URL; default: a fresh SQLite file in a temporary folder")
    p.add_argument("--max-seconds", type=float, default=600)
    p.add_argument("--json", type=Path)
    args = p.parse_args()
    if not 0 < args.events <= 1_000_000 or not 1 <= args.clients <= 256:
        raise SystemExit("--events must be 1..1,000,000 and --clients 1..256")
    ws = ensure_sample(args.workspace)
    with tempfile.TemporaryDirectory(prefix="recreason-crash-") as tmp:
        db_url = args.db or f"sqlite:///{Path(tmp) / 'events.db'}"
        out = asyncio.run(main_async(args, ws, db_url, Path(tmp) / "server.log"))
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    sys.exit(0 if out["lost_acknowledged"] == 0 and out["stored_more_than_once"] == 0 else 1)


if __name__ == "__main__":
    main()

"""No acknowledged event is lost: SIGKILL the real server (uvicorn, own process) under load, restart, count.

Threads post event batches with fresh idempotency keys as fast as the server answers and remember every key
the server acknowledged. Mid-load the server gets SIGKILL (no shutdown hook runs). After a restart on the
same database, every acknowledged key must be stored exactly once, and re-posting acknowledged events must
store nothing new. Bounded: a few seconds of load, the whole test well under 30 s.
"""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from recreason.serve.store import Store

from .conftest import EVENT_KEY, PG_URL, free_port, start_server, stop_server, write_workspace

pytestmark = [pytest.mark.slow, pytest.mark.kill]
THREADS, BATCH, LOAD_SECONDS = 8, 5, 2.0


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'events.db'}"
        return
    if not PG_URL:
        pytest.skip("RECREASON_TEST_PG_URL is not set (no PostgreSQL server)")
    name = f"crash_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def _event(n: str) -> dict:
    return {"type": "impression", "idempotency_key": f"crash-{n}", "request_id": "r1", "user_id": "u_zh",
            "item_id": "p2", "experiment": "reasons", "variant": "template"}


def _poster(url: str, acked: list, failures: list, stop: threading.Event) -> None:
    with httpx.Client(base_url=url, headers={"X-API-Key": EVENT_KEY}, timeout=5) as client:
        while not stop.is_set():
            batch = [_event(uuid.uuid4().hex) for _ in range(BATCH)]
            try:
                r = client.post("/v1/events", json={"events": batch})
            except httpx.TransportError:
                failures.append(1)
                if len(failures) > 50:
                    return
                time.sleep(0.01)
                continue
            if r.status_code in (200, 201):
                acked.extend(e["idempotency_key"] for e in batch)


def test_acknowledged_events_survive_sigkill_and_are_stored_once(tmp_path, db_url):
    ws = write_workspace(tmp_path / "ws")
    port = free_port()
    proc = start_server(ws, port, db_url, log=tmp_path / "server.log")
    acked: list[str] = []
    failures: list[int] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_poster, args=(f"http://127.0.0.1:{port}", acked, failures, stop))
               for _ in range(THREADS)]
    try:
        for t in threads:
            t.start()
        time.sleep(LOAD_SECONDS)
        before = len(acked)
        proc.kill()  # SIGKILL, mid-load
        proc.wait(10)
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        stop_server(proc)
    assert before > 50, "the server acknowledged too few events to test anything"
    assert failures, "the kill did not land mid-load (no request failed)"

    port2 = free_port()
    proc2 = start_server(ws, port2, db_url, log=tmp_path / "server.log")
    try:
        retry = [_event(k.removeprefix("crash-")) for k in acked[:100]]
        r = httpx.post(f"http://127.0.0.1:{port2}/v1/events", json={"events": retry},
                       headers={"X-API-Key": EVENT_KEY}, timeout=10)
        assert r.json() == {"stored": 0, "duplicates": len(retry), "unattributed": 0}
    finally:
        stop_server(proc2)

    store = Store(db_url)
    stored = store.event_keys()
    total = store.count_events()
    store.close()
    lost = set(acked) - stored
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged events were lost"
    assert total == len(stored)  # each key once
    assert len(acked) == len(set(acked))

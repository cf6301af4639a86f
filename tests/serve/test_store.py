"""The event store on SQLite (always) and PostgreSQL (when RECREASON_TEST_PG_URL is set)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text

from recreason.data.schema import MAX_ID_CHARS
from recreason.reasons.base import Evidence, Fact, Reason
from recreason.serve.store import Store, StoredEvent

from .conftest import PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'events.db'}")
        yield s
        s.close()
        return
    if not PG_URL:
        pytest.skip("RECREASON_TEST_PG_URL is not set (no PostgreSQL server for the store tests)")
    schema = f"t_{uuid.uuid4().hex[:10]}"  # one schema per test: tests never see each other's rows
    from sqlalchemy import create_engine

    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    s = Store(PG_URL, engine=engine)
    yield s
    s.close()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def event(key: str, kind: str = "impression", variant: str = "template", request: str = "r1", item: str = "p1"):
    return StoredEvent(idempotency_key=key, type=kind, request_id=request, user_id="u1", item_id=item,
                       experiment="reasons", variant=variant)


def test_duplicate_keys_are_stored_once(store):
    assert store.add_events([event("k-000001"), event("k-000002", "click")]) == [True, True]
    assert store.add_events([event("k-000001"), event("k-000003", "purchase")]) == [False, True]
    assert store.add_events([event("k-000004"), event("k-000004")]) == [True, False]  # within one batch
    assert store.count_events() == 4
    assert store.event_keys() == {"k-000001", "k-000002", "k-000003", "k-000004"}


def test_racing_duplicates_from_many_threads_are_stored_once(store):
    keys = [f"race-{n:05d}" for n in range(200)]
    results: list[bool] = []
    lock = threading.Lock()

    def post(offset: int) -> None:
        for n in range(0, len(keys), 20):
            chunk = keys[(n + offset * 20) % len(keys):][:20]
            got = store.add_events([event(k) for k in chunk])
            with lock:
                results.extend(got)

    threads = [threading.Thread(target=post, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_events() == 200
    assert sum(results) == 200  # exactly one writer won each key


def test_counts_are_distinct_request_item_pairs_per_variant(store):
    store.add_events([event("a-00001", request="r1", item="p1"), event("a-00002", request="r1", item="p2"),
                      event("a-00003", request="r2", item="p1"), event("a-00004", "click", request="r1", item="p1"),
                      event("a-00005", "click", request="r1", item="p1"),  # a second click on the same pair
                      event("a-00006", variant="llm", request="r3")])
    assert store.counts("reasons") == {"template": {"impression": 3, "click": 1}, "llm": {"impression": 1}}
    assert store.counts("other") == {}


def test_clicks_on_items_never_shown_are_counted_apart(store):
    """A click for a pair the variant never showed (or showed in another variant) is stored but not counted."""
    store.add_events([event("b-00001", request="r1", item="p1"), event("b-00002", "click", request="r1", item="p1"),
                      event("b-00003", "click", request="r1", item="p9"),  # never shown
                      event("b-00004", "purchase", request="r9", item="p1"),  # no such request
                      event("b-00005", "click", variant="llm", request="r1", item="p1")])  # shown by template
    assert store.counts("reasons") == {
        "template": {"impression": 1, "click": 1, "unattributed_click": 1, "unattributed_purchase": 1},
        "llm": {"unattributed_click": 1}}


def test_reason_cache_upserts_and_loads_newest_first(store):
    r = Reason(text="续航长", language="zh", user_id="u1", item_id="p1", generator="llm",
               evidence=Evidence(item_facts=[Fact(key="电池", value="5500mAh")]))
    assert store.put_reasons([("key1", "u1", "p1", "llm", r)]) == 1
    store.put_reasons([("key1", "u1", "p1", "llm", r.model_copy(update={"text": "屏幕清晰"})),
                       ("key2", "u1", "p2", "llm", r)])
    rows = dict(store.load_reasons(10))
    assert set(rows) == {"key1", "key2"} and rows["key1"]["text"] == "屏幕清晰"
    assert rows["key1"]["evidence"]["item_facts"][0]["value"] == "5500mAh"
    assert len(store.load_reasons(1)) == 1


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'e.db'}")
    with s.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    s.close()


def test_ids_as_long_as_the_data_allows_are_stored(store):
    user, item = "用" * MAX_ID_CHARS, "i" * MAX_ID_CHARS
    stored = StoredEvent(idempotency_key="long-ids-01", type="click", request_id="r1", user_id=user, item_id=item,
                         experiment="reasons", variant="template")
    assert store.add_events([stored]) == [True]
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT user_id, item_id FROM events")).one() == (user, item)


def test_narrow_postgresql_id_columns_of_an_older_store_are_widened():
    """Stores made when API ids had at most 128 characters; PostgreSQL enforces VARCHAR lengths."""
    if not PG_URL:
        pytest.skip("RECREASON_TEST_PG_URL is not set (no PostgreSQL server for the store tests)")
    from sqlalchemy import create_engine, inspect

    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        conn.execute(text(
            f"CREATE TABLE {schema}.events (id SERIAL PRIMARY KEY, idempotency_key VARCHAR(128) NOT NULL UNIQUE, "
            "type VARCHAR(16) NOT NULL, request_id VARCHAR(64) NOT NULL, user_id VARCHAR(128) NOT NULL, "
            "item_id VARCHAR(128) NOT NULL, experiment VARCHAR(64) NOT NULL, variant VARCHAR(64) NOT NULL, "
            "scene VARCHAR(64), client_ts FLOAT, received_at FLOAT NOT NULL)"))
        conn.execute(text(
            f"CREATE TABLE {schema}.reason_cache (key VARCHAR(64) PRIMARY KEY, user_id VARCHAR(128) NOT NULL, "
            "item_id VARCHAR(128) NOT NULL, strategy VARCHAR(64) NOT NULL, reason TEXT NOT NULL, "
            "created_at FLOAT NOT NULL)"))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        s = Store(PG_URL, engine=engine)
        widths = {(t, c["name"]): c["type"].length for t in ("events", "reason_cache")
                  for c in inspect(engine).get_columns(t) if c["name"] in ("user_id", "item_id")}
        assert set(widths.values()) == {MAX_ID_CHARS}, widths
        long = StoredEvent(idempotency_key="long-ids-02", type="click", request_id="r1", user_id="u" * 200,
                           item_id="p1", experiment="reasons", variant="template")
        assert s.add_events([long]) == [True]
        s.close()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_a_store_made_before_event_problems_is_brought_up_to_date(tmp_path):
    """A SQLite events table of an older recreason (no ``problem`` column, no user index) gains both, keeps
    its rows, and counts them as served."""
    import sqlite3

    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, idempotency_key VARCHAR(128) NOT NULL UNIQUE, "
                "type VARCHAR(16) NOT NULL, request_id VARCHAR(64) NOT NULL, user_id VARCHAR(128) NOT NULL, "
                "item_id VARCHAR(128) NOT NULL, experiment VARCHAR(64) NOT NULL, variant VARCHAR(64) NOT NULL, "
                "scene VARCHAR(64), client_ts FLOAT, received_at FLOAT NOT NULL)")
    con.execute("INSERT INTO events VALUES (1, 'k1', 'impression', 'r1', 'u1', 'p1', 'reasons', 'template', NULL, "
                "NULL, 0)")
    con.commit()
    con.close()
    store = Store(f"sqlite:///{path}")
    store.add_events([event("k2", "click"), StoredEvent(idempotency_key="k3", type="impression", request_id="r2",
                                                        user_id="u1", item_id="nope", experiment="reasons",
                                                        variant="template", problem="item")])
    assert store.counts("reasons") == {"template": {"impression": 1, "click": 1, "unattributed_impression": 1}}
    assert store.forget(["u1"]) == {"events": 3, "reason_cache": 0, "profile_reads": 0}
    store.close()

"""The event log and the reason cache, in SQLAlchemy Core: SQLite (WAL, ``synchronous=FULL``) or PostgreSQL.

Durability: ``add_events`` returns only after the transaction has committed, and on SQLite every commit
is fsync'ed (``synchronous=FULL``), so an event the API acknowledged survives a killed process (and a
power cut). One writer thread commits every batch waiting at that moment in one transaction (group
commit): one fsync serves many concurrent requests. The idempotency key is UNIQUE: a retried event is counted as a duplicate and stored once,
whichever of two racing requests wins.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    case,
    create_engine,
    distinct,
    event,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.engine import Engine, make_url

from recreason.data.schema import MAX_ID_CHARS

metadata = MetaData()

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("type", String(16), nullable=False),
    Column("request_id", String(64), nullable=False),
    Column("user_id", String(MAX_ID_CHARS), nullable=False),
    Column("item_id", String(MAX_ID_CHARS), nullable=False),
    Column("experiment", String(64), nullable=False),
    Column("variant", String(64), nullable=False),
    Column("scene", String(64)),
    Column("client_ts", Float),
    Column("received_at", Float, nullable=False),
    # why the event cannot count in the experiment although it is kept: "variant" (not the user's assigned
    # variant), "item" (not in the catalog); NULL when it was served as posted
    Column("problem", String(16)),
    Index("ix_events_experiment", "experiment", "variant", "type"),
    Index("ix_events_user", "user_id"),
)

#: who read whose personal data (a profile, or reasons with the profile signals they cite), for audits
profile_reads = Table(
    "profile_reads", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("caller", String(64), nullable=False),  # a fingerprint of the API key, never the key
    Column("user_id", String(MAX_ID_CHARS), nullable=False),
    Column("route", String(128), nullable=False),
    Index("ix_profile_reads_user", "user_id"),
)

reason_cache = Table(
    "reason_cache", metadata,
    Column("key", String(64), primary_key=True),
    Column("user_id", String(MAX_ID_CHARS), nullable=False),
    Column("item_id", String(MAX_ID_CHARS), nullable=False),
    Column("strategy", String(64), nullable=False),
    Column("reason", Text, nullable=False),  # Reason.model_dump_json()
    Column("created_at", Float, nullable=False),
)

MAX_GROUP = 256  # batches committed together at most


@dataclass(frozen=True)
class StoredEvent:
    idempotency_key: str
    type: str
    request_id: str
    user_id: str
    item_id: str
    experiment: str
    variant: str
    scene: str | None = None
    client_ts: float | None = None
    problem: str | None = None  # derived by the server (see the ``problem`` column), not sent by the client

    def same_as(self, other: StoredEvent) -> bool:
        """The same event: every field but the client's clock (a retry may stamp a new time)."""
        return all(getattr(self, f) == getattr(other, f) for f in
                   ("idempotency_key", "type", "request_id", "user_id", "item_id", "experiment", "variant", "scene"))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=8, max_overflow=8)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


class Store:
    """Events and cached reasons. Thread-safe; one instance per process."""

    def __init__(self, url: str, engine: Engine | None = None):
        self.url = url
        self.engine = engine or make_engine(url)
        self.dialect = self.engine.dialect.name
        # SQLite has one writer at a time; queueing writers here avoids lock-upgrade errors.
        self._write_lock = threading.Lock() if self.dialect == "sqlite" else None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._start_lock = threading.Lock()
        metadata.create_all(self.engine)
        self._migrate()

    def _migrate(self) -> None:
        """Bring a store made by an older recreason up to date (``create_all`` never alters a table): add the
        ``problem`` column and the user index to ``events``; on PostgreSQL widen id columns made when the API
        took ids of at most 128 characters to ``MAX_ID_CHARS`` (only PostgreSQL enforces a VARCHAR length,
        and widening there is a catalog change, no table rewrite)."""
        from sqlalchemy import inspect, text

        with self.engine.begin() as conn:
            inspector = inspect(conn)
            if "problem" not in {c["name"] for c in inspector.get_columns("events")}:
                conn.execute(text("ALTER TABLE events ADD COLUMN problem VARCHAR(16)"))
            if "ix_events_user" not in {i["name"] for i in inspector.get_indexes("events")}:
                conn.execute(text("CREATE INDEX ix_events_user ON events (user_id)"))
            if self.dialect != "postgresql":
                return
            for table in (events, reason_cache):
                for column in inspector.get_columns(table.name):
                    length = getattr(column["type"], "length", None)
                    if column["name"] in ("user_id", "item_id") and length is not None and length < MAX_ID_CHARS:
                        conn.execute(text(f"ALTER TABLE {table.name} ALTER COLUMN {column['name']} "
                                          f"TYPE VARCHAR({MAX_ID_CHARS})"))

    def close(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join(10)
        self.engine.dispose()

    def _insert(self, table: Table):
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        elif self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise ValueError(f"unsupported database {self.dialect!r}; use SQLite or PostgreSQL")
        return insert(table)

    # -- events ---------------------------------------------------------------------------------
    def submit_events(self, batch: Sequence[StoredEvent]) -> Future:
        """Queue a batch for the writer thread; the future's result is, per event, True if it is new and
        False if its key was already stored, set only after the commit (and, on SQLite, the fsync).

        Group commit: the writer takes every batch waiting in the queue into one transaction, so concurrent
        requests share one fsync instead of queueing for one each.
        """
        fut: Future = Future()
        self._queue.put((list(batch), fut))
        if self._writer is None:
            with self._start_lock:
                if self._writer is None:
                    self._writer = threading.Thread(target=self._write_loop, name="event-writer", daemon=True)
                    self._writer.start()
        return fut

    def add_events(self, batch: Sequence[StoredEvent]) -> list[bool]:
        """``submit_events`` and wait: returns once the batch is durably stored."""
        return self.submit_events(batch).result()

    def _write_loop(self) -> None:
        stmt = self._insert(events).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(events.c.id)
        while True:
            first = self._queue.get()
            if first is None:
                return
            group, stop = [first], False
            while len(group) < MAX_GROUP:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                group.append(nxt)
            try:
                now = time.time()
                with self._write_lock or _NoLock(), self.engine.begin() as conn:
                    results = [[conn.execute(stmt, {**e.__dict__, "received_at": now}).first() is not None
                                for e in rows] for rows, _ in group]  # a row back = inserted
            except Exception as err:  # noqa: BLE001 - every waiter hears of it; nothing is acknowledged
                for _, fut in group:
                    fut.set_exception(err)
            else:
                for (_, fut), result in zip(group, results, strict=True):
                    fut.set_result(result)
            if stop:
                return

    def event_keys(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.scalars(select(events.c.idempotency_key)))

    def stored_events(self, keys: Sequence[str]) -> dict[str, StoredEvent]:
        """The stored events with these idempotency keys."""
        cols = [events.c[f] for f in StoredEvent.__dataclass_fields__]
        out: dict[str, StoredEvent] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                q = select(*cols).where(events.c.idempotency_key.in_(list(keys)[start:start + 500]))
                for row in conn.execute(q):
                    out[row.idempotency_key] = StoredEvent(**row._mapping)
        return out

    def count_events(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(events)))

    def counts(self, experiment: str) -> dict[str, dict[str, int]]:
        """variant -> event type -> distinct (request, item) pairs with that event. An event counts only if it
        was served as posted: its variant is the user's assigned one and its item is in the catalog (else the
        server marked a ``problem``), and a click, cart or purchase only on a pair the same variant showed
        (an impression with the same request and item). The others are stored all the same and counted
        apart, as ``unattributed_<type>`` (a click on an item never shown would otherwise give more clicks
        than impressions; a forged variant would move a rate)."""
        pair = events.c.request_id + "|" + events.c.item_id
        shown = events.alias("shown")
        was_shown = exists().where(shown.c.type == "impression", shown.c.experiment == events.c.experiment,
                                   shown.c.variant == events.c.variant, shown.c.request_id == events.c.request_id,
                                   shown.c.item_id == events.c.item_id)
        was_shown = was_shown.where(shown.c.problem.is_(None))
        attributed = case((events.c.problem.is_not(None), literal(0)), (events.c.type == "impression", literal(1)),
                          (was_shown, literal(1)), else_=literal(0))
        q = (select(events.c.variant, events.c.type, attributed.label("attributed"), func.count(distinct(pair)))
             .where(events.c.experiment == experiment)
             .group_by(events.c.variant, events.c.type, attributed))
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for variant, kind, ok, n in conn.execute(q):
                out.setdefault(variant, {})[kind if ok else f"unattributed_{kind}"] = int(n)
        return out

    # -- reason cache -----------------------------------------------------------------------------
    def put_reasons(self, rows: Iterable[tuple[str, str, str, str, Any]]) -> int:
        """Upsert ``(key, user_id, item_id, strategy, reason)`` rows; returns how many."""
        data = [{"key": k, "user_id": u, "item_id": i, "strategy": s, "reason": r.model_dump_json(),
                 "created_at": time.time()} for k, u, i, s, r in rows]
        if not data:
            return 0
        stmt = self._insert(reason_cache)
        stmt = stmt.on_conflict_do_update(index_elements=["key"],
                                          set_={"reason": stmt.excluded.reason,
                                                "created_at": stmt.excluded.created_at})
        lock = self._write_lock or _NoLock()
        with lock, self.engine.begin() as conn:
            conn.execute(stmt, data)
        return len(data)

    def load_reasons(self, limit: int) -> list[tuple[str, dict]]:
        """The newest ``limit`` cached reasons as ``(key, reason dict)``."""
        q = select(reason_cache.c.key, reason_cache.c.reason).order_by(reason_cache.c.created_at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [(k, json.loads(r)) for k, r in conn.execute(q)]

    # -- personal data ----------------------------------------------------------------------------
    def log_read(self, caller: str, user_id: str, route: str) -> None:
        """Record that ``caller`` (a key fingerprint) read ``user_id``'s personal data through ``route``."""
        with self._write_lock or _NoLock(), self.engine.begin() as conn:
            conn.execute(profile_reads.insert().values(at=time.time(), caller=caller, user_id=user_id, route=route))

    def reads(self, user_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The newest profile reads (of one user, or of all), newest first."""
        q = select(profile_reads.c.at, profile_reads.c.caller, profile_reads.c.user_id, profile_reads.c.route)
        if user_id is not None:
            q = q.where(profile_reads.c.user_id == user_id)
        q = q.order_by(profile_reads.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(q)]

    def forget(self, user_ids: Sequence[str], items: Iterable[str] = ()) -> dict[str, int]:
        """Delete the users' events, cached reasons and profile reads, and the cached reasons of ``items`` (the
        items they reviewed: another user's reason may quote what they wrote); rows deleted per table."""
        from sqlalchemy import delete

        users, items = list(user_ids), list(items)
        out = {"events": 0, "reason_cache": 0, "profile_reads": 0}
        with self._write_lock or _NoLock(), self.engine.begin() as conn:
            for start in range(0, max(len(users), 1), 500):
                chunk = users[start:start + 500]
                out["events"] += conn.execute(delete(events).where(events.c.user_id.in_(chunk))).rowcount
                out["profile_reads"] += conn.execute(
                    delete(profile_reads).where(profile_reads.c.user_id.in_(chunk))).rowcount
                out["reason_cache"] += conn.execute(
                    delete(reason_cache).where(reason_cache.c.user_id.in_(chunk))).rowcount
            for start in range(0, len(items), 500):
                out["reason_cache"] += conn.execute(
                    delete(reason_cache).where(reason_cache.c.item_id.in_(items[start:start + 500]))).rowcount
        return out


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

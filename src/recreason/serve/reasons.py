"""The serving side of reasons: cache first, the template as the fast path, slow generators under a timeout.

For one variant and a batch of requests (one user's top-k), ``ReasonService.get``:

1. looks every (variant, user profile, item profile, language, context) up in an in-memory LRU that is
   filled at start-up from the ``reason_cache`` table (where ``precompute`` writes);
2. writes the misses with the template generator inline when the variant is the template (milliseconds);
3. for any other generator (the LLM: a second or more per reason on CPU) runs it in a small pool of
   daemon threads and waits at most ``timeout_s``; on a timeout, an error, a generator that cannot be built, or a full
   queue it serves the template reason instead, marked ``path="fallback"`` with a note saying why. A
   timed-out job still finishes in the background and caches its reasons, so the next request hits.
   With ``online=False`` slow generators never run on the request path: only their precomputed reasons
   are served, and the template on a miss (for small machines where the LLM would starve the server).

Every reason is written by the one pipeline (``recreason.guard.pipeline.write_reasons``) with the guard the
service is given (``build_guard``: the catalog's values, a template fitted on the workspace's references as
the fallback; the same guard the CLI and the benchmarks build). The plain template variant *is* that
fitted fallback generator. This LRU (and the store behind it) is the one reason cache: generators keep none.
Strategy ``none`` gives no reasons (the control arm of "does a reason help at all").
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from recreason.guard.pipeline import Guard, write_reasons
from recreason.reasons.base import Generator, Reason, ReasonRequest
from recreason.serve.experiments import Variant
from recreason.serve.metrics import Metrics

log = logging.getLogger("recreason.serve")

TEMPLATE = Variant(name="template", strategy="template")
NONE = "none"


class Unavailable(Exception):
    """The variant's generator could not be built."""


@dataclass(frozen=True)
class Served:
    reason: Reason
    source: str  # "cache", "generated" or "fallback"


class DaemonPool:
    """A fixed pool of daemon threads: a generation still running at shutdown does not hold the process."""

    def __init__(self, workers: int):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        for n in range(workers):
            threading.Thread(target=self._work, name=f"reasons-{n}", daemon=True).start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fut, fn, args = job
            if fut.set_running_or_notify_cancel():
                try:
                    fut.set_result(fn(*args))
                except BaseException as err:  # noqa: BLE001 - handed to the waiter
                    fut.set_exception(err)

    def submit(self, fn, *args) -> Future:
        fut: Future = Future()
        self._jobs.put((fut, fn, args))
        return fut

    def shutdown(self, workers: int) -> None:
        for _ in range(workers):
            self._jobs.put(None)


class LRU:
    """A thread-safe least-recently-used map."""

    def __init__(self, size: int):
        self.size, self._data, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)

    def drop(self, predicate) -> int:
        """Remove every entry whose value ``predicate`` accepts; how many."""
        with self._lock:
            gone = [k for k, v in self._data.items() if predicate(v)]
            for k in gone:
                del self._data[k]
            return len(gone)


def default_factory(variant: Variant) -> Generator:
    from recreason.reasons import Generator, make_generator

    if variant.model is not None:
        return Generator.load(variant.model)
    return make_generator(variant.strategy, **variant.config)


def cache_key(variant: Variant, request: ReasonRequest, fingerprints: dict | None = None) -> str:
    """What a reason depends on: the variant, both profiles (by content), language, length and context.

    ``fingerprints`` memoises profile fingerprints by object identity within one call (one user, k items).
    """
    memo = fingerprints if fingerprints is not None else {}
    for profile in (request.user, request.item):
        if id(profile) not in memo:
            memo[id(profile)] = profile.fingerprint()
    parts = [variant.key, memo[id(request.user)], memo[id(request.item)], request.lang,
             str(request.max_length), request.feature or "", repr(sorted(request.context.items()))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


class Breaker:
    """A circuit breaker per variant: after ``failures`` timeouts or errors in a row the variant's generator is
    not called for ``cooldown_s`` seconds (its requests get the template at once, cause ``breaker``); then
    calls go through again, and one more failure opens it again, one success closes it."""

    def __init__(self, failures: int = 3, cooldown_s: float = 30.0):
        self.failures, self.cooldown_s = failures, cooldown_s
        self._state: dict[str, tuple[int, float]] = {}  # variant key -> (failures in a row, open until)
        self._lock = threading.Lock()
        self.opened = 0  # times a breaker opened since start

    def is_open(self, key: str) -> bool:
        return time.monotonic() < self._state.get(key, (0, 0.0))[1]

    def record(self, key: str, ok: bool) -> None:
        with self._lock:
            failed, until = self._state.get(key, (0, 0.0))
            if ok:
                self._state[key] = (0, 0.0)
                return
            failed += 1
            if failed >= self.failures and time.monotonic() >= until:
                until = time.monotonic() + self.cooldown_s
                self.opened += 1
                log.warning("circuit breaker open for %s: %d failures in a row; the template is served for %.0f s",
                            key, failed, self.cooldown_s)
            self._state[key] = (failed, until)

    def states(self) -> dict[str, str]:
        return {k: "open" if self.is_open(k) else "closed" for k in self._state}


class ReasonService:
    def __init__(self, metrics: Metrics, guard: Guard, store=None, factory: Callable[[Variant], Generator] | None = None,
                 timeout_s: float = 1.0, workers: int = 1, queue: int = 4, cache_size: int = 200_000,
                 online: bool = True, breaker: Breaker | None = None):
        self.metrics, self.store, self.guard = metrics, store, guard
        self.factory = factory or self._factory
        self.timeout_s, self.max_pending, self.online, self.workers = timeout_s, workers + queue, online, workers
        self.cache = LRU(cache_size)
        self.pool = DaemonPool(workers)
        self._generators: dict[str, tuple[Generator | Exception, float]] = {}
        self.retry_s = 60.0  # a generator that failed to build is tried again after this long
        self._lock = threading.Lock()  # the pending count (held briefly, also on the event loop)
        self._build_lock = threading.Lock()  # building generators (held long, never on the event loop)
        self._pending = 0
        self._persisted: set[str] = set()  # keys in the store (read at start or written since)
        self.breaker = breaker or Breaker()

    def _factory(self, variant: Variant) -> Generator:
        """The plain template variant is the guard's fitted fallback; other variants are built or loaded."""
        if variant.model is None and variant.strategy == TEMPLATE.strategy and not variant.config:
            return self.guard.fallback
        return default_factory(variant)

    def close(self) -> None:
        self.pool.shutdown(self.workers)
        for gen, _ in list(self._generators.values()):
            close = getattr(gen, "close", None)
            if callable(close):
                try:
                    close()
                except Exception as err:  # noqa: BLE001 - closing is best effort
                    log.warning("closing generator %s failed: %s", getattr(gen, "name", "?"), err)

    def warm_from_store(self) -> int:
        if self.store is None:
            return 0
        rows = self.store.load_reasons(self.cache.size)
        for key, data in reversed(rows):  # oldest first, so the newest end up most recent
            self.cache.put(key, Reason.model_validate(data))
            self._persisted.add(key)
        return len(rows)

    def generator(self, variant: Variant) -> Generator:
        """The variant's generator, built once; a build failure is raised again for ``retry_s`` seconds.

        Building may be slow (an LLM loads its model): slow generators are built on a worker thread.
        """
        gen, _ = self._generators.get(variant.key, (None, 0.0))
        if gen is not None and not isinstance(gen, Exception):
            return gen  # built: no lock (a slow build of another generator may be holding it)
        with self._build_lock:
            gen, when = self._generators.get(variant.key, (None, 0.0))
            if gen is None or (isinstance(gen, Exception) and time.monotonic() - when > self.retry_s):
                try:
                    gen = self.factory(variant)
                except Exception as err:  # noqa: BLE001 - any failure means "serve the template"
                    log.warning("generator %s (%s) unavailable: %s", variant.strategy, variant.name, err)
                    gen = err
                self._generators[variant.key] = (gen, time.monotonic())
        if isinstance(gen, Exception):
            raise gen
        return gen

    def _failed_recently(self, variant: Variant) -> bool:
        gen, when = self._generators.get(variant.key, (None, 0.0))
        return isinstance(gen, Exception) and time.monotonic() - when <= self.retry_s

    # -- generation -------------------------------------------------------------------------------
    def _write(self, variant: Variant, requests: Sequence[ReasonRequest], keys: Sequence[str],
               persist: bool) -> list[Reason]:
        """Generate, guard and cache (memory; also the store when ``persist``)."""
        reasons = write_reasons(self.generator(variant), requests, self.guard)
        for key, reason in zip(keys, reasons, strict=True):
            self.cache.put(key, reason)
        if persist and self.store is not None:
            self.store.put_reasons((k, q.user.user_id, q.item.item_id, variant.name, r)
                                   for k, q, r in zip(keys, requests, reasons, strict=True))
            self._persisted.update(keys)
        return reasons

    def _template(self, requests: Sequence[ReasonRequest]) -> list[Reason]:
        memo: dict = {}
        keys = [cache_key(TEMPLATE, r, memo) for r in requests]
        cached = [self.cache.get(k) for k in keys]
        todo = [n for n, c in enumerate(cached) if c is None]
        if todo:
            made = self._write(TEMPLATE, [requests[n] for n in todo], [keys[n] for n in todo], persist=False)
            for n, reason in zip(todo, made, strict=True):
                cached[n] = reason
        return cached

    def warm(self, requests: Sequence[ReasonRequest], variant: Variant = TEMPLATE) -> None:
        """Write (and cache in memory) the variant's reasons for ``requests`` now: loads what loads lazily."""
        if variant.key == TEMPLATE.key:
            self._template(requests)
        else:
            self._write(variant, requests, [cache_key(variant, r) for r in requests], persist=False)

    def _fallback(self, requests: Sequence[ReasonRequest], cause: str, note: str) -> list[Served]:
        self.metrics.fallbacks.labels(cause).inc(len(requests))
        out = []
        for reason in self._template(requests):
            out.append(Served(reason.model_copy(update={"path": "fallback", "notes": [*reason.notes, note]}),
                              "fallback"))
        return out

    def _background(self, variant: Variant, requests, keys) -> list[Reason]:
        try:
            try:
                self.generator(variant)
            except Exception as err:
                raise Unavailable(type(err).__name__) from err
            return self._write(variant, requests, keys, persist=True)
        finally:
            with self._lock:
                self._pending -= 1

    async def _slow(self, variant: Variant, requests: list[ReasonRequest], keys: list[str]) -> list[Served]:
        if not self.online:
            return self._fallback(requests, "not_precomputed", f"{variant.strategy} reason not precomputed")
        if self._failed_recently(variant):
            return self._fallback(requests, "unavailable", f"{variant.strategy} unavailable")
        if self.breaker.is_open(variant.key):
            return self._fallback(requests, "breaker", f"{variant.strategy} paused after repeated failures "
                                                       "(circuit breaker); template served")
        with self._lock:
            if self._pending >= self.max_pending:
                busy = True
            else:
                busy, self._pending = False, self._pending + 1
        if busy:
            return self._fallback(requests, "busy", f"{variant.strategy} busy; template served")
        job = asyncio.wrap_future(self.pool.submit(self._background, variant, requests, keys))
        try:
            reasons = await asyncio.wait_for(asyncio.shield(job), self.timeout_s)
        except TimeoutError:
            job.add_done_callback(_swallow)
            self.breaker.record(variant.key, ok=False)
            return self._fallback(requests, "timeout", f"{variant.strategy} timed out after {self.timeout_s:g} s")
        except Unavailable as err:
            return self._fallback(requests, "unavailable", f"{variant.strategy} unavailable ({err})")
        except Exception as err:  # noqa: BLE001
            log.warning("generator %s failed: %s", variant.strategy, type(err).__name__)
            self.breaker.record(variant.key, ok=False)
            return self._fallback(requests, "error", f"{variant.strategy} failed ({type(err).__name__})")
        self.breaker.record(variant.key, ok=True)
        return [Served(r, "generated") for r in reasons]

    async def get(self, variant: Variant, requests: Sequence[ReasonRequest]) -> list[Served | None]:
        """One served reason per request (None for strategy ``none``); never raises for a generator."""
        if variant.strategy == NONE or not requests:
            return [None] * len(requests)
        start = time.perf_counter()
        memo: dict = {}
        keys = [cache_key(variant, r, memo) for r in requests]
        out: list[Served | None] = [None] * len(requests)
        for n, key in enumerate(keys):
            hit = self.cache.get(key)
            if hit is not None:
                out[n] = Served(hit, "cache")
        todo = [n for n, s in enumerate(out) if s is None]
        self.metrics.cache_lookups(len(keys) - len(todo), len(todo))
        if todo:
            reqs, todo_keys = [requests[n] for n in todo], [keys[n] for n in todo]
            try:
                if variant.key == TEMPLATE.key:
                    made = [Served(r, "generated") for r in self._write(variant, reqs, todo_keys, persist=False)]
                else:
                    made = await self._slow(variant, reqs, todo_keys)
            except Exception as err:  # noqa: BLE001 - even the template failed: items without reasons
                log.error("template generator failed: %s", type(err).__name__)
                self.metrics.fallbacks.labels("no_reason").inc(len(todo))
                made = [None] * len(todo)
            for n, served in zip(todo, made, strict=True):
                out[n] = served
        source = "cache" if not todo else out[todo[0]].source if out[todo[0]] else "none"
        self.metrics.reasons.labels(source).observe(time.perf_counter() - start)
        return out

    def precompute(self, variant: Variant, requests: Sequence[ReasonRequest], batch: int = 16) -> int:
        """Write and store reasons for ``requests`` now, with no timeout; returns how many were new."""
        if variant.strategy == NONE:
            return 0
        keys = [cache_key(variant, r) for r in requests]
        todo = [n for n, k in enumerate(keys) if k not in self._persisted]
        for start in range(0, len(todo), batch):
            part = todo[start:start + batch]
            self._write(variant, [requests[n] for n in part], [keys[n] for n in part], persist=True)
        return len(todo)


def _swallow(fut) -> None:
    """Retrieve a background job's exception so asyncio does not log it as never retrieved."""
    if not fut.cancelled() and fut.exception() is not None:
        log.warning("background generation failed: %s", type(fut.exception()).__name__)

"""API keys, the body size limit, request timing, and logs without personal data.

* Event and admin endpoints need an ``X-API-Key`` header holding one of the configured keys (compared in
  constant time). With no keys configured those endpoints refuse every request.
* ``BodyLimit`` answers 413 before reading a body whose Content-Length is too large, and stops reading a
  chunked body as soon as it passes the limit.
* ``AccessLog`` times every request into the Prometheus histogram under its route *template*
  (``/v1/users/{user_id}/recommendations``), and logs method, template, status and milliseconds. The user
  id appears only as a keyed hash whose key is random per process: lines of one run can be correlated,
  nobody can be identified from them. Query strings and bodies are never logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader

log = logging.getLogger("recreason.serve.access")
_PSEUDONYM_KEY = secrets.token_bytes(16)

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="One of the server's event keys (events) or admin keys (reports).")


def pseudonym(user_id: str) -> str:
    return hmac.new(_PSEUDONYM_KEY, user_id.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def _allowed(key: str | None, allowed: list[str]) -> bool:
    """``key`` is one of ``allowed`` (compared in constant time)."""
    return bool(key) and any(hmac.compare_digest(key.encode(), k.encode()) for k in allowed)


def _check(key: str | None, allowed: list[str], what: str) -> None:
    if not key:
        raise HTTPException(401, f"missing X-API-Key header ({what} key required)")
    if not _allowed(key, allowed):
        raise HTTPException(403, f"this API key may not use {what} endpoints")


async def event_key(request: Request, key: str | None = Security(api_key_header)) -> None:
    s = request.app.state.settings
    _check(key, [*s.event_keys, *s.admin_keys], "event")


async def admin_key(request: Request, key: str | None = Security(api_key_header)) -> None:
    _check(key, request.app.state.settings.admin_keys, "admin")


def caller_key(request: Request) -> None:
    """For data the caller supplies (``POST /v1/reasons`` with interests or item attributes): any configured key
    (read, event or admin), unless the server is open (``open_reasons``). 401 without one, 403 for another."""
    s = request.app.state.settings
    key = request.headers.get("x-api-key")
    if s.open_reasons or _allowed(key, [*s.read_keys, *s.event_keys, *s.admin_keys]):
        return
    if not key:
        raise HTTPException(401, "missing X-API-Key header: interests or item data sent by the caller need a key "
                                 "(or ask with a stored user_id and item_id)")
    raise HTTPException(403, "this API key is not one of the server's keys")


async def may_read_profiles(request: Request, key: str | None = Security(api_key_header)) -> bool:
    """Whether the caller may see what a user's profile holds (the user signals a reason cites, the guard's
    notes that quote them): read keys and admin keys. Anyone else gets the reason without them; every read
    with them is recorded (``GET /v1/admin/access-log``)."""
    s = request.app.state.settings
    return _allowed(key, [*s.read_keys, *s.admin_keys])


async def _send_json(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


class _Refusal:
    """What the body middlewares share: answer with an error once, if the app has not started its response,
    and from then on drop what the app sends (it stops reading, sees a disconnect and may still answer)."""

    def __init__(self, send):
        self._send, self.started, self.refused = send, False, False

    async def refuse(self, status: int, body: dict) -> None:
        if not self.started:
            self.started = self.refused = True
            await _send_json(self._send, status, body)

    async def send(self, msg) -> None:
        if self.refused:
            return
        self.started = self.started or msg["type"] == "http.response.start"
        await self._send(msg)

    async def run(self, app, scope, receive) -> None:
        try:
            await app(scope, receive, self.send)
        except Exception:
            if not self.refused:
                raise


class BodyLimit:
    """Pure ASGI middleware: 413 for a request body over ``limit`` bytes."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = {"detail": f"request body too large (limit {self.limit} bytes)"}
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                return await _send_json(send, 400, {"detail": "invalid Content-Length header"})
            if int(length) > self.limit:
                return await _send_json(send, 413, message)
        seen, refusal = 0, _Refusal(send)

        async def limited_receive():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    await refusal.refuse(413, message)
                    return {"type": "http.disconnect"}  # the app stops reading; its own answer is dropped
            return msg

        await refusal.run(self.app, scope, limited_receive)


class ReadTimeout:
    """Pure ASGI middleware: a request body must arrive within ``seconds`` of asking for each part of it, or
    the request gets 408 and the app stops reading (a client trickling a body a byte a minute cannot hold a
    worker). Once the body is complete, ``receive`` is passed through untouched (it then only waits for a
    disconnect). Headers are bounded earlier, in the protocol (``recreason.serve.protocol``)."""

    def __init__(self, app, seconds: float):
        self.app, self.seconds = app, seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        done, refusal = False, _Refusal(send)

        async def timed_receive():
            nonlocal done
            if done:
                return await receive()
            try:
                msg = await asyncio.wait_for(receive(), self.seconds)
            except TimeoutError:
                await refusal.refuse(408, {"detail": f"request body not received within {self.seconds:g} s"})
                return {"type": "http.disconnect"}
            if msg["type"] != "http.request" or not msg.get("more_body", False):
                done = True
            return msg

        await refusal.run(self.app, scope, timed_receive)


#: the HTTP methods a metric label may name; any other method name a client invents counts as "other", so
#: /metrics cannot be grown without bound ("FOO1", "FOO2" … each a new series)
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))


def route_template(route) -> str | None:
    """The route's path without convertors ("/v1/users/{user_id}/recommendations", not "{user_id:path}")."""
    return getattr(route, "path_format", None) or getattr(route, "path", None)


class AccessLog:
    """Pure ASGI middleware: latency histogram by route template, and a log line without personal data."""

    def __init__(self, app, metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), [500]

        async def recording_send(msg):
            if msg["type"] == "http.response.start":
                status[0] = msg["status"]
            await send(msg)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            seconds = time.perf_counter() - start
            route = scope.get("route")
            template = route_template(route) or ("/console" if scope["path"].startswith("/console")
                                                 else "unmatched")
            method = scope["method"] if scope["method"] in METHODS else "other"  # labels from a fixed set only
            self.metrics.requests.labels(method, template, str(status[0])).observe(seconds)
            user = (scope.get("path_params") or {}).get("user_id")
            log.info("%s %s %d %.1fms%s", method, template, status[0], seconds * 1000,
                     f" user#{pseudonym(user)}" if user else "")


class RateLimit:
    """A token bucket per caller (its API key, else its address): ``per_minute`` requests a minute on average,
    bursts up to ``per_minute``. ``take(who)`` is 0 when the request may run, else the seconds to wait."""

    def __init__(self, per_minute: int):
        self.rate, self.capacity = per_minute / 60.0, float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, who: str) -> float:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(who, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                if len(self._buckets) > 100_000:  # bounded: forget the longest idle callers
                    for k in sorted(self._buckets, key=lambda k: self._buckets[k][1])[:50_000]:
                        del self._buckets[k]
                return 0.0
            self._buckets[who] = (tokens, now)
            return (1.0 - tokens) / self.rate


def caller(request: Request) -> str:
    """Who is asking, for rate limits: a hash of the API key when there is one, else the client's address."""
    key = request.headers.get("x-api-key")
    if key:
        return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return "addr:" + (request.client.host if request.client else "unknown")

"""uvicorn's HTTP/1.1 protocol (h11) with a header-read timeout.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive``, but a client that opens a
connection and sends its request headers a byte at a time (slowloris) holds it, and a slot of
``limit_concurrency``, for as long as it likes: 1,000 such connections were all held for 45 s. Here a timer
starts whenever the connection waits for a request's headers (from the connection's start, and again after
each response) and closes the connection if the headers are not complete within ``header_timeout`` seconds.
Reading a slow *body* is bounded by ``recreason.serve.security.ReadTimeout`` (an ASGI middleware).

Why a subclass: uvicorn (0.54) has no header timeout option, and its protocol class is its documented
extension point (``uvicorn.run(http=…)``). Moving to another server for this one setting would lose the rest.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderTimeoutProtocol(H11Protocol):
    header_timeout: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:  # still waiting for (the rest of) a request's headers
            self._arm()
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request on this keep-alive connection gets its own deadline

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class for ``uvicorn.run(http=…)`` with this header timeout."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": seconds})

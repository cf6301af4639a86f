"""Slow clients cannot hold the server: a header-read timeout closes a connection whose request headers do
not arrive in time (slowloris), and a body-read timeout answers 408 to a trickled body. A real server."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from .conftest import EVENT_KEY, free_port, start_server, stop_server, write_workspace


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = write_workspace(tmp_path_factory.mktemp("slow"))
    port = free_port()
    proc = start_server(folder, port, extra_env={"RECREASON_HEADER_TIMEOUT_S": "1",
                                                 "RECREASON_BODY_TIMEOUT_S": "1"})
    yield port
    stop_server(proc)


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes ``sock`` within ``seconds`` (reading whatever it sends first)."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_partial_headers_are_cut_off_and_others_are_served(server):
    socks = []
    for _ in range(30):
        s = socket.create_connection(("127.0.0.1", server))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # headers never finish
        socks.append(s)
    assert httpx.get(f"http://127.0.0.1:{server}/healthz", timeout=5).status_code == 200
    start = time.monotonic()
    assert all(closed_within(s, 5) for s in socks)
    assert time.monotonic() - start < 5
    idle = socket.create_connection(("127.0.0.1", server))  # connects and says nothing at all
    assert closed_within(idle, 5)
    for s in [*socks, idle]:
        s.close()


def test_the_next_request_on_a_kept_alive_connection_has_a_deadline_too(server):
    s = socket.create_connection(("127.0.0.1", server))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    s.settimeout(5)
    assert s.recv(4096).startswith(b"HTTP/1.1 200")
    s.sendall(b"GET /healthz HTTP/1.1\r\nHo")
    assert closed_within(s, 5)
    s.close()


def test_a_trickled_body_gets_408(server):
    s = socket.create_connection(("127.0.0.1", server))
    s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"X-API-Key: " + EVENT_KEY.encode() + b"\r\nContent-Length: 500\r\n\r\n{\"events\": [")
    s.settimeout(5)
    answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    s.close()

"""A server that is honest about starting (the port answers at once, /healthz says what loads), and a circuit
breaker that stops calling a failing generator for a cool-down."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from recreason.serve.app import create_app
from recreason.serve.reasons import Breaker
from recreason.serve.services import Services
from recreason.serve.settings import Settings

from .conftest import FakeGenerator, make_services, user_with_variant


def wait_ready(client, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = client.get("/healthz")
        if r.status_code == 200:
            return r.json()
        time.sleep(0.05)
    raise AssertionError(f"not ready: {r.json()}")


def test_healthz_says_starting_and_what_loads_until_ready(tmp_path, monkeypatch):
    release, built = threading.Event(), make_services(tmp_path)

    def slow(settings, metrics=None, progress=lambda step: None):
        progress("loading the ranker")
        release.wait(10)
        return built

    monkeypatch.setattr(Services, "from_settings", classmethod(lambda cls, *a, **kw: slow(*a, **kw)))
    with TestClient(create_app(Settings(workspace=tmp_path))) as client:
        r = client.get("/healthz")
        assert r.status_code == 503 and r.json()["status"] == "starting"
        assert r.json()["loading"] == "loading the ranker"
        rec = client.get("/v1/users/u_zh/recommendations")
        assert rec.status_code == 503 and rec.headers["retry-after"] == "1" and "starting" in rec.json()["detail"]
        assert client.get("/metrics").status_code == 200
        release.set()
        health = wait_ready(client)
        assert health["status"] == "ok" and health["users"] > 0
        assert client.get("/v1/users/u_zh/recommendations").status_code == 200
    built.close()


def test_a_failed_start_says_why(tmp_path, monkeypatch):
    def broken(cls, *a, **kw):
        raise ValueError("ranker artifact is damaged")

    monkeypatch.setattr(Services, "from_settings", classmethod(broken))
    with TestClient(create_app(Settings(workspace=tmp_path))) as client:
        deadline = time.monotonic() + 5
        while client.get("/healthz").json()["status"] == "starting" and time.monotonic() < deadline:
            time.sleep(0.05)
        r = client.get("/healthz")
        assert r.status_code == 503 and r.json()["status"] == "failed" and "damaged" in r.json()["error"]
        assert "start-up failed" in client.get("/v1/users/u_zh/recommendations").json()["detail"]


def test_the_breaker_stops_calling_a_failing_generator_for_a_cool_down(tmp_path):
    llm = FakeGenerator("llm", fail=True)
    svc = make_services(tmp_path, generators={"template": FakeGenerator("template"), "llm": llm})
    svc.reasons.breaker = Breaker(failures=2, cooldown_s=0.5)
    user = user_with_variant(svc, "llm")
    with TestClient(create_app(services=svc)) as client:
        def notes():
            items = client.get(f"/v1/users/{user}/recommendations", params={"k": 1}).json()["items"]
            return items[0]["reason"]["path"], " ".join(items[0]["reason"]["notes"])

        assert [notes()[0] for _ in range(2)] == ["fallback", "fallback"] and llm.calls == 2
        path, why = notes()
        assert path == "fallback" and "circuit breaker" in why and llm.calls == 2  # not called while open
        assert list(client.get("/healthz").json()["breakers"].values()) == ["open"]
        time.sleep(0.6)
        notes()
        assert llm.calls == 3  # tried again after the cool-down, failed, open again at once
        assert "circuit breaker" in notes()[1] and llm.calls == 3
        llm.fail = False
        time.sleep(0.6)
        assert notes()[0] != "fallback" and llm.calls == 4  # a success closes it
        assert set(client.get("/healthz").json()["breakers"].values()) == {"closed"}
        assert 'cause="breaker"' in client.get("/metrics").text
    svc.close()


@pytest.mark.parametrize("failures", [1, 3])
def test_breaker_counts_failures_in_a_row(failures):
    b = Breaker(failures=failures, cooldown_s=60)
    for _ in range(failures - 1):
        b.record("v", ok=False)
    assert not b.is_open("v")
    b.record("v", ok=True)
    for _ in range(failures - 1):
        b.record("v", ok=False)
    assert not b.is_open("v")  # the success reset the count
    b.record("v", ok=False)
    assert b.is_open("v") and b.opened == 1

"""Fixtures for the serving tests: a tiny bilingual catalog, fake generators, apps and real server processes."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recreason.data.dataset import Dataset
from recreason.data.schema import Interaction, Item, Reference, User
from recreason.reasons.base import Evidence, Fact, Generator, Reason
from recreason.serve.experiments import ExperimentConfig

EVENT_KEY, ADMIN_KEY = "event-key-for-tests", "admin-key-for-tests"
PG_URL = os.environ.get("RECREASON_TEST_PG_URL")


def tiny_dataset() -> Dataset:
    items = [
        Item(item_id="p1", title="最新款智能手机", category=["数码", "手机"], language="zh", price=4999, brand="星穹",
             attributes={"处理器": "曜芯 S9", "屏幕": "6.7英寸 OLED", "电池": "5500mAh"}),
        Item(item_id="p2", title="降噪耳机", category=["数码", "耳机"], language="zh", price=899, brand="青岚",
             attributes={"降噪": "主动降噪", "续航": "30小时"}),
        Item(item_id="p3", title="轻薄笔记本电脑", category=["数码", "笔记本电脑"], language="zh", price=6999,
             attributes={"内存": "32GB", "重量": "1.1kg"}),
        Item(item_id="e1", title="Trail Tent 3P", category=["Outdoors", "Tents"], language="en", price=199,
             attributes={"Capacity": "3 person", "Waterproof rating": "PU4000mm"}),
        Item(item_id="e2", title="Running Shoe X", category=["Sports", "Shoes"], language="en", price=129,
             attributes={"Cushioning": "high", "Weight": "240g"}),
        Item(item_id="e3", title="Espresso Beans", category=["Food", "Coffee"], language="en", price=19,
             attributes={"Roast": "dark", "Origin": "Colombia"}),
    ]
    users = [User(user_id="u_zh", interests=["喜欢购买电子产品"], language="zh"),
             User(user_id="u_en", language="en"), User(user_id="u_cold", interests=["coffee"])]
    t0 = datetime(2024, 6, 1, tzinfo=UTC)
    rows = [("u_zh", "p1", "purchase", None, None), ("u_zh", "p1", "review", 5, "续航很给力，屏幕也清晰。"),
            ("u_zh", "p3", "click", None, None), ("u_en", "e1", "purchase", None, None),
            ("u_en", "e1", "review", 5, "The tent is roomy and the setup is quick."),
            ("u_en", "e2", "view", None, None), ("u_x", "p2", "purchase", None, None),
            ("u_x", "p1", "view", None, None), ("u_y", "p2", "click", None, None), ("u_y", "e2", "purchase", None, None)]
    inter = [Interaction(user_id=u, item_id=i, event=e, rating=r, review=t, timestamp=t0 + timedelta(hours=n))
             for n, (u, i, e, r, t) in enumerate(rows)]
    refs = [Reference(user_id="u_zh", item_id="p1", text="续航很给力，屏幕也清晰，适合喜欢电子产品的你。", language="zh"),
            Reference(user_id="u_en", item_id="e1", text="Roomy tent with a quick setup for your camping trips.",
                      language="en")]
    return Dataset.from_records(items, users, inter, refs, name="tiny")


class FakeGenerator(Generator):
    """Writes "<label>: <title>" with the title as evidence; can be slow or fail; counts its calls."""

    name = "fake"

    def __init__(self, label: str = "template", delay: float = 0.0, fail: bool = False):
        self.label, self.delay, self.fail, self.calls = label, delay, fail, 0

    def generate(self, requests):
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("backend down")
        return [Reason(text=f"{self.label}: {r.item.title}", language=r.lang, user_id=r.user.user_id,
                       item_id=r.item.item_id, generator=self.label,
                       evidence=Evidence(user_signals=[Fact(key="interest", value=i) for i in r.user.interests[:1]],
                                         item_facts=[Fact(key="title", value=r.item.title or "")]))
                for r in requests]


def experiments(weights=(1, 1, 1)) -> ExperimentConfig:
    return ExperimentConfig.model_validate({"experiments": [{"name": "reasons", "variants": [
        {"name": "no_reason", "strategy": "none", "weight": weights[0]},
        {"name": "template", "strategy": "template", "weight": weights[1]},
        {"name": "llm", "strategy": "llm", "weight": weights[2]}]}]})


class PassGuard:
    """A stand-in for recreason.guard.pipeline.Guard that keeps every reason and counts its calls."""

    def __init__(self, check=None):
        self.calls = 0
        self._check = check

    def check(self, reasons, requests, regenerate=None, more=None):
        assert len(reasons) == len(requests) and callable(regenerate)
        self.calls += 1
        return self._check(reasons, requests, regenerate) if self._check else reasons


def make_services(tmp_path: Path, generators: dict | None = None, db_url: str | None = None, guard=None,
                  **settings):
    from recreason.rank import PopularityRanker
    from recreason.serve.metrics import Metrics
    from recreason.serve.reasons import ReasonService
    from recreason.serve.services import Profiles, Services
    from recreason.serve.settings import Settings
    from recreason.serve.store import Store

    gens = generators if generators is not None else {"template": FakeGenerator("template"),
                                                      "llm": FakeGenerator("llm")}

    def factory(variant):
        if variant.strategy not in gens:
            raise KeyError(f"no generator {variant.strategy!r}")
        return gens[variant.strategy]

    settings = {"open_reasons": True, **settings}  # tests post ad-hoc profiles without a key unless they say
    s = Settings(workspace=tmp_path, event_keys=[EVENT_KEY], admin_keys=[ADMIN_KEY], db=db_url,
                 warm_profiles=False, **settings)
    ds = tiny_dataset()
    metrics = Metrics()
    store = Store(s.db_url)
    reasons = ReasonService(metrics, guard or PassGuard(), store, factory=factory, timeout_s=s.llm_timeout_s,
                            workers=s.llm_workers, queue=s.llm_queue, online=s.llm_online)
    return Services(s, ds, Profiles(ds), PopularityRanker().fit(ds), store, experiments(), reasons, metrics,
                    "popularity (test)")


@pytest.fixture
def services(tmp_path):
    svc = make_services(tmp_path)
    yield svc
    svc.close()


@pytest.fixture
def client(services):
    from fastapi.testclient import TestClient

    from recreason.serve.app import create_app

    with TestClient(create_app(services=services)) as c:
        yield c


def user_with_variant(svc, name: str, prefix: str = "user") -> str:
    """A user id (not in the data) that the default experiment assigns to variant ``name``."""
    exp = svc.experiments.get(None)
    return next(f"{prefix}{n}" for n in range(10_000) if exp.assign(f"{prefix}{n}").name == name)


# -- real server processes --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_workspace(folder: Path) -> Path:
    from recreason.data import workspace

    workspace.save(tiny_dataset(), folder)
    return folder


def start_server(workspace: Path, port: int, db_url: str | None = None, log: Path | None = None,
                 timeout: float = 60.0, extra_env: dict | None = None) -> subprocess.Popen:
    """``python -m recreason.serve`` on 127.0.0.1:port with the test keys; returns once /healthz answers."""
    from recreason.serve.run import spawn

    env = {"RECREASON_EVENT_KEYS": EVENT_KEY, "RECREASON_ADMIN_KEYS": ADMIN_KEY,
           "RECREASON_WARM_PROFILES": "false", "RECREASON_LLM_ONLINE": "false", **(extra_env or {})}
    return spawn(workspace, port, db_url, env, log, timeout)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

"""Forgetting a user (DELETE /v1/users/{id}, ``recreason forget``) leaves nothing of them in any store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from recreason.cli import app as cli
from recreason.data.forget import Forgotten
from recreason.serve.app import create_app

from .conftest import ADMIN_KEY, EVENT_KEY, experiments, make_services, write_workspace

AD, EV = {"X-API-Key": ADMIN_KEY}, {"X-API-Key": EVENT_KEY}
REVIEW = "续航很给力"  # u_zh's review of p1: another user's reason for p1 may quote it


def everything_in(folder: Path) -> str:
    """Every value every store under ``folder`` holds, as text: Parquet tables, JSON and JSONL files, the
    SQLite event store (through SQLite, so the WAL is read too), ranker id maps."""
    out = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".parquet":
            out.append(str(pq.read_table(path).to_pylist()))
        elif path.suffix == ".db":
            con = sqlite3.connect(path)
            out.extend(con.iterdump())
            con.close()
        elif path.is_file() and path.suffix in (".json", ".jsonl", ".env", ".txt"):
            out.append(path.read_text(encoding="utf-8"))
    return "\n".join(out)


def event(kind: str, user: str, item: str, request: str) -> dict:
    variant = experiments().get(None).assign(user).name
    return {"type": kind, "idempotency_key": f"{user}-{kind}-{item}-{request}", "request_id": request,
            "user_id": user, "item_id": item, "experiment": "reasons", "variant": variant}


@pytest.fixture
def served(tmp_path):
    write_workspace(tmp_path)
    (tmp_path / "rejects.jsonl").write_text(
        json.dumps({"file": "raw.csv", "line": 7, "table": "interactions", "field": "rating", "reason": "not a number",
                    "record": {"user_id": "u_zh", "item_id": "p2", "rating": "five"}}, ensure_ascii=False) + "\n"
        + json.dumps({"file": "raw.csv", "line": 9, "table": "interactions", "field": "rating", "reason": "not a "
                      "number", "record": {"user_id": "u_en", "item_id": "e3", "rating": "?"}}) + "\n",
        encoding="utf-8")
    svc = make_services(tmp_path, ranker=tmp_path / "ranker")
    svc.ranker.save(tmp_path / "ranker")
    yield svc, tmp_path
    svc.close()


def test_delete_user_leaves_nothing_in_any_store(served):
    svc, folder = served
    with TestClient(create_app(services=svc)) as client:
        assert client.post("/v1/events", json={"events": [event("impression", "u_zh", "p2", "r1"),
                                                          event("click", "u_zh", "p2", "r1"),
                                                          event("impression", "u_en", "e2", "r2")]},
                           headers=EV).status_code == 201
        assert client.get("/v1/users/u_zh/recommendations", headers=AD).status_code == 200
        assert client.get("/v1/admin/users/u_zh/profile", headers=AD).status_code == 200
        svc.precompute(["u_zh", "u_x"], 3)  # cached reasons in the store, of u_zh and of u_x (who viewed p1)
        before = everything_in(folder)
        assert "u_zh" in before and REVIEW in before
        assert [r["user_id"] for r in client.get("/v1/admin/access-log", headers=AD).json()] == ["u_zh", "u_zh"]

        assert client.delete("/v1/users/u_zh").status_code == 401
        assert client.delete("/v1/users/u_zh", headers=EV).status_code == 403
        r = client.delete("/v1/users/u_zh", headers=AD)
        assert r.status_code == 200, r.text
        removed = r.json()["removed"]
        assert removed["workspace.interactions"] == 3 and removed["workspace.users"] == 1
        assert removed["workspace.references"] == 1 and removed["workspace.rejects"] == 1
        assert removed["events"] == 2 and removed["profile_reads"] == 2 and removed["ranker"] == 1
        assert removed["reason_cache"] > 0 and removed["cached_reasons"] > 0

        after = everything_in(folder)
        assert "u_zh" not in after and REVIEW not in after
        assert "u_en" in after  # nobody else was touched
        assert not [r for r in svc.reasons.cache._data.values() if r.user_id == "u_zh" or REVIEW in r.text]
        recs = client.get("/v1/users/u_zh/recommendations").json()
        assert recs["source"] == "popular"  # served as someone the server has never seen
        assert client.delete("/v1/users/u_zh", headers=AD).json()["removed"]["workspace.interactions"] == 0
    assert "u_zh" in Forgotten(folder) and "u_en" not in Forgotten(folder)


def test_forget_command_cleans_workspace_store_and_ranker(served):
    svc, folder = served
    svc.store.add_events([])  # the store exists at WORKSPACE/events.db
    svc.precompute(["u_en"], 3)
    svc.close()
    r = CliRunner().invoke(cli, ["forget", "u_en", "-w", str(folder), "--ranker", str(folder / "ranker")])
    assert r.exit_code == 0, r.output
    assert "forgot 1 user(s)" in r.output and "keep what they learned" in r.output
    after = everything_in(folder)
    assert "u_en" not in after and "The tent is roomy" not in after and "u_zh" in after


def test_a_wrong_database_url_fails_before_anything_is_removed(served):
    svc, folder = served
    svc.close()
    before = everything_in(folder)
    r = CliRunner().invoke(cli, ["forget", "u_en", "-w", str(folder), "--db", "not-a-url"])
    assert r.exit_code == 4 and "cannot open the event store" in r.output
    assert everything_in(folder) == before and not (folder / "forgotten.json").exists()

"""``recreason users`` / ``recreason items``: what a workspace holds, most active first, searchable (zh + en)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from recreason.cli import app
from recreason.cli.common import BAD_INPUT, USAGE
from recreason.data import workspace
from recreason.data.dataset import Dataset
from recreason.data.schema import Interaction, Item, User

runner = CliRunner()
T0 = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browse")
    items = [Item(item_id="ph1", title="最新款智能手机 Pro", category=["数码", "手机"]),
             Item(item_id="hp2", title="降噪蓝牙耳机", category=["数码", "耳机"]),
             Item(item_id="SH3", title="Trail Running Shoe", category=["Sport", "Shoes"]),
             Item(item_id="gc4", title="Amazon.com Gift Card", category=["Gift Cards"])]
    users = [User(user_id="u1", interests=["喜欢购买电子产品"]), User(user_id="Runner7", interests=["runs every weekend"]),
             User(user_id="quiet", interests=[])]
    events = [Interaction(user_id="u1", item_id="ph1", event="purchase", timestamp=T0),
              Interaction(user_id="u1", item_id="hp2", event="view", timestamp=T0 + timedelta(days=1)),
              Interaction(user_id="u1", item_id="ph1", event="review", rating=5, review="续航好",
                          timestamp=T0 + timedelta(days=2)),
              Interaction(user_id="Runner7", item_id="SH3", event="purchase", timestamp=T0 + timedelta(days=5)),
              Interaction(user_id="Runner7", item_id="ph1", event="view", timestamp=T0 + timedelta(days=6)),
              Interaction(user_id="guest9", item_id="hp2", event="click", timestamp=None)]
    workspace.save(Dataset.from_records(items, users, events, name="browse"), folder)
    return folder


def _run(*args):
    result = runner.invoke(app, [a if isinstance(a, str) else str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def _rows(result) -> list[str]:
    """The table rows: the lines after the column header."""
    lines = result.stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.split()[:2] in (["item_id", "interactions"],
                                                                         ["user_id", "interactions"]))
    return [line for line in lines[start + 1:] if line.strip()]


def test_items_most_active_first_with_titles_and_categories(ws):
    result = _run("items", "-w", ws)
    rows = _rows(result)
    assert [r.split()[0] for r in rows] == ["ph1", "hp2", "SH3", "gc4"]  # 3, 2, 1, 0 interactions
    assert rows[0].split()[1] == "3" and "最新款智能手机 Pro" in rows[0] and "数码 > 手机" in rows[0]
    assert rows[3].split()[1] == "0"
    assert "4 items" in result.stdout


def test_items_search_ids_and_titles_case_insensitive_and_chinese(ws):
    assert [r.split()[0] for r in _rows(_run("items", "-w", ws, "--search", "耳机"))] == ["hp2"]
    assert [r.split()[0] for r in _rows(_run("items", "-w", ws, "--search", "sh3"))] == ["SH3"]
    assert [r.split()[0] for r in _rows(_run("items", "-w", ws, "--search", "running"))] == ["SH3"]
    assert [r.split()[0] for r in _rows(_run("items", "-w", ws, "--search", "ＰＲＯ"))] == ["ph1"]  # fullwidth
    result = _run("items", "-w", ws, "--search", "沙发")
    assert "no items match '沙发'" in result.stdout


def test_items_limit_and_json(ws):
    result = _run("items", "-w", ws, "--limit", "2")
    assert len(_rows(result)) == 2 and "showing 2" in result.stdout and "--limit" in result.stdout
    payload = json.loads(_run("items", "-w", ws, "--limit", "2", "--json", "--search", "数码").stdout)
    assert payload["total"] == 4 and payload["matched"] == 2
    assert payload["items"] == [
        {"item_id": "ph1", "title": "最新款智能手机 Pro", "category": ["数码", "手机"], "interactions": 3},
        {"item_id": "hp2", "title": "降噪蓝牙耳机", "category": ["数码", "耳机"], "interactions": 2}]


def test_users_with_interactions_interests_and_last_activity(ws):
    result = _run("users", "-w", ws)
    rows = _rows(result)
    assert [r.split()[0] for r in rows] == ["u1", "Runner7", "guest9", "quiet"]
    assert rows[0].split()[1] == "3" and "2024-03-03" in rows[0] and "喜欢购买电子产品" in rows[0]
    assert "2024-03-07" in rows[1] and "runs every weekend" in rows[1]
    assert rows[3].split()[1] == "0"  # declared in the users table, no interactions yet
    assert "4 users" in result.stdout
    payload = json.loads(_run("users", "-w", ws, "--json", "--search", "RUNNER").stdout)
    assert payload["matched"] == 1
    assert payload["users"] == [{"user_id": "Runner7", "interactions": 2, "last_activity": "2024-03-07T00:00:00Z",
                                 "interests": ["runs every weekend"]}]
    assert [r.split()[0] for r in _rows(_run("users", "-w", ws, "--search", "电子"))] == ["u1"]  # interests


def test_mistakes_get_exit_codes(ws, tmp_path):
    result = runner.invoke(app, ["items", "-w", str(tmp_path / "nowhere")])
    assert result.exit_code == BAD_INPUT and "not a recreason workspace" in result.output
    result = runner.invoke(app, ["users", "-w", str(ws), "--limit", "0"])
    assert result.exit_code == USAGE


def test_a_large_workspace_stays_readable(tmp_path):
    """100k items, 300k interactions: the listing reads a few columns and prints only --limit rows."""
    n, m = 100_000, 300_000
    rng = np.random.default_rng(0)
    items = pd.DataFrame({"item_id": [f"i{k}" for k in range(n)], "title": [f"Item {k} 商品" for k in range(n)],
                          "category": [["Cat", f"Sub{k % 50}"] for k in range(n)]})
    inter = pd.DataFrame({"user_id": [f"u{k}" for k in rng.integers(0, 20_000, m)],
                          "item_id": [f"i{k}" for k in rng.zipf(1.5, m) % n], "event": "view",
                          "timestamp": pd.Timestamp("2024-01-01", tz="UTC")})
    base = Dataset()
    full = Dataset(items=pd.concat([base.items, items], ignore_index=True),
                   interactions=pd.concat([base.interactions, inter], ignore_index=True))
    workspace.save(full, tmp_path / "big")
    result = _run("items", "-w", tmp_path / "big")
    rows = _rows(result)
    assert len(rows) == 20 and rows[0].split()[0] == "i1"  # the most frequent zipf value
    assert "100,000 items" in result.stdout
    assert len(_rows(_run("users", "-w", tmp_path / "big", "--limit", "5"))) == 5

"""``recreason reasons batch``: top-k reasons for many users through the one pipeline, resumable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recreason.cli import app
from recreason.data import workspace
from recreason.data.dataset import Dataset
from recreason.data.schema import Interaction, Item, Reference, User

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    items = [Item(item_id=f"p{n}", title=f"手机 {n} 号", attributes={"电池": f"{4000 + 100 * n}mAh"},
                  category=["数码", "手机"], language="zh") for n in range(4)]
    items += [Item(item_id=f"s{n}", title=f"Trail shoe {n}", attributes={"weight": f"{200 + n} g"},
                   category=["Running"], language="en") for n in range(4)]
    users = [User(user_id=f"u{n}", interests=["喜欢购买电子产品" if n % 2 else "runs every weekend"]) for n in range(5)]
    events = [Interaction(user_id=f"u{n}", item_id=i, event="purchase")
              for n in range(5) for i in (("p0", "s0") if n % 2 else ("s1", "p1"))]
    refs = [Reference(user_id="u1", item_id="p0", text="电池4000mAh，适合喜欢电子产品的你。", split="train"),
            Reference(user_id="u0", item_id="s1", text="At 201 g it suits your weekend runs.", split="train")]
    workspace.save(Dataset.from_records(items, users, events, refs, name="tiny"), folder)
    return folder


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_writes_k_guarded_reasons_per_user_and_resumes(ws, tmp_path):
    out = tmp_path / "reasons.jsonl"
    res = runner.invoke(app, ["reasons", "batch", "-w", str(ws), "--out", str(out), "-k", "2"])
    assert res.exit_code == 0, res.output
    rows = _rows(out)
    assert len(rows) == 10 and {r["user_id"] for r in rows} == {f"u{n}" for n in range(5)}
    assert all(r["text"] and r["path"] in ("primary", "regenerated", "fallback") for r in rows)
    assert all(r["item_id"] not in (("p0", "s0") if r["user_id"] in ("u1", "u3") else ("s1", "p1")) for r in rows)
    full = out.read_text(encoding="utf-8")
    # a run killed half-way through a user: the cut line and that user's other lines are written again, once
    lines = full.splitlines(keepends=True)
    out.write_text("".join(lines[:5]) + lines[5][:20], encoding="utf-8")
    res = runner.invoke(app, ["reasons", "batch", "-w", str(ws), "--out", str(out), "-k", "2"])
    assert res.exit_code == 0, res.output
    assert "2 users already written" in res.output
    again = _rows(out)
    key = lambda r: (r["user_id"], r["rank"])
    assert sorted(again, key=key) == sorted(rows, key=key)  # no gap, no duplicate, same reasons
    res = runner.invoke(app, ["reasons", "batch", "-w", str(ws), "--out", str(out), "-k", "2"])
    assert "5 users already written; 0 to go" in res.output and _rows(out) == again


def test_batch_user_list_and_mistakes(ws, tmp_path):
    users = tmp_path / "users.txt"
    users.write_text("u2\nu4\n", encoding="utf-8")
    out = tmp_path / "some.jsonl"
    res = runner.invoke(app, ["reasons", "batch", "-w", str(ws), "--out", str(out), "-k", "1", "--users", str(users)])
    assert res.exit_code == 0, res.output
    assert [r["user_id"] for r in _rows(out)] == ["u2", "u4"]
    users.write_text("u2\nnobody\n", encoding="utf-8")
    res = runner.invoke(app, ["reasons", "batch", "-w", str(ws), "--out", str(out), "--users", str(users)])
    assert res.exit_code == 5 and f"{users}:2: unknown user id 'nobody'" in res.output
    res = runner.invoke(app, ["reasons", "batch", "-w", str(ws), "--out", str(out), "--lang", "fr"])
    assert res.exit_code == 2 and "unknown language 'fr'" in res.output


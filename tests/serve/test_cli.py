"""``recreason serve`` and ``recreason serve precompute`` from the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from recreason.cli import app
from recreason.cli.common import BAD_INPUT, UNKNOWN_ID
from recreason.serve.store import Store

from .conftest import write_workspace

runner = CliRunner()


def test_serve_without_a_workspace_is_one_clear_line(tmp_path):
    r = runner.invoke(app, ["serve", "-w", str(tmp_path / "nowhere")])
    assert r.exit_code == BAD_INPUT and "not a recreason workspace" in r.output
    ws = write_workspace(tmp_path / "ws")
    r = runner.invoke(app, ["serve", "-w", str(ws), "--experiments", str(tmp_path / "none.toml")])
    assert r.exit_code == BAD_INPUT and "does not exist" in r.output


def test_precompute_writes_the_reason_cache(tmp_path):
    pytest.importorskip("recreason.reasons.template", reason="the template generator is not installed")
    ws = write_workspace(tmp_path / "ws")
    db = f"sqlite:///{tmp_path / 'events.db'}"
    r = runner.invoke(app, ["serve", "precompute", "-w", str(ws), "--db", db, "--users", "2", "--k", "3",
                            "--variant", "template"])
    assert r.exit_code == 0, r.output
    assert "template  6 new reasons" in r.output
    store = Store(db)
    rows = store.load_reasons(100)
    store.close()
    assert len(rows) == 6 and all(row["generator"] == "template" and row["text"] for _, row in rows)
    again = runner.invoke(app, ["serve", "precompute", "-w", str(ws), "--db", db, "--users", "2", "--k", "3",
                                "--variant", "template"])
    assert "template  0 new reasons" in again.output  # the cache is read back: nothing to redo
    bad = runner.invoke(app, ["serve", "precompute", "-w", str(ws), "--db", db, "--variant", "ghost"])
    assert bad.exit_code == UNKNOWN_ID and "no variant named ghost" in bad.output

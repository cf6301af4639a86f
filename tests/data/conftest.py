"""Fixtures for the data tests: the tiny fixtures beside this file and the shared real data (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def shared_data_dir() -> Path | None:
    """``$RECREASON_SHARED`` (the ``shared`` folder or its ``data`` folder), else ``<repo>/../shared/data``."""
    env = os.environ.get("RECREASON_SHARED")
    candidates = [Path(env) / "data", Path(env)] if env else [Path(__file__).resolve().parents[2].parent / "shared" / "data"]
    return next((p.resolve() for p in candidates if p.is_dir()), None)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``shared/data``; tests using it are skipped when it is not there."""
    path = shared_data_dir()
    if path is None:
        pytest.skip("shared data (../shared/data) not found; set RECREASON_SHARED to run")
    return path


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return HERE


def _reject_at(report, file_name: str, line: int, table: str | None = None):
    found = [r for r in report.rejects
             if Path(r.file).name == file_name and r.line == line and (table is None or r.table == table)]
    assert len(found) == 1, f"expected one reject at {file_name}:{line} ({table}), found {[r.message() for r in found]}"
    return found[0]


def _assert_balanced(report) -> None:
    for table, c in report.counts.items():
        assert c["read"] == c["accepted"] + c["rejected"], (table, c)
        assert c["rejected"] == sum(1 for r in report.rejects if r.table == table), table
        assert c["accepted"] == len(getattr(report.dataset, table)), table


@pytest.fixture
def reject_at():
    """``reject_at(report, file_name, line, table=None)``: the one reject there (fails unless exactly one)."""
    return _reject_at


@pytest.fixture
def balanced():
    """``balanced(report)``: read = accepted + rejected per table, and the rejects list agrees."""
    return _assert_balanced

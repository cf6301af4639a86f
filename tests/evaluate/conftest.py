"""Fixtures for the evaluation tests: where the shared data lives (skip cleanly when it is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path | None:
    """``$RECREASON_SHARED`` (the ``shared`` folder or its ``data`` folder), else ``<repo>/../shared/data``."""
    env = os.environ.get("RECREASON_SHARED")
    if env:
        base = Path(env)
        candidates = [base / "data", base]
    else:
        candidates = [REPO_ROOT / ".." / "shared" / "data"]
    for path in candidates:
        if path.is_dir():
            return path.resolve()
    return None


@pytest.fixture(scope="session")
def xrec_dir() -> Path:
    """``shared/data/xrec``; the test is skipped when the shared data is not there."""
    data = shared_data_dir()
    if data is None or not (data / "xrec").is_dir():
        pytest.skip("shared data (../shared/data/xrec) not found; set RECREASON_SHARED to run")
    return data / "xrec"

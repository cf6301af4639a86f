"""The Parquet workspace: where ingested data lives so later steps never re-parse raw files.

Layout of a workspace folder::

    items.parquet  users.parquet  interactions.parquet  references.parquet
    manifest.json   # schema version, counts, source files with sha256, reject counts, created_at,
                    # pii_masked (personal data masked at ingest, per field and kind; see data/pii.py)
    rejects.jsonl   # every rejected record: file, line, table, field, reason, the raw record (PII masked)
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from recreason import __version__
from recreason.data.dataset import Dataset, frame_from_arrow
from recreason.data.schema import SCHEMA_VERSION, SCHEMAS, TABLES

MANIFEST = "manifest.json"
#: where a workspace keeps its trained models: ``models/ranker`` is the ranker ``train ranker`` writes and
#: ``serve`` / ``recommend`` use by default (``models/fallback-template`` is the guard's fitted fallback)
MODELS = "models"


def ranker_dir(folder: str | Path) -> Path:
    """The workspace's default ranker artifact folder."""
    return Path(folder) / MODELS / "ranker"
REJECTS = "rejects.jsonl"


class WorkspaceError(Exception):
    """A workspace folder is missing, incomplete or from an incompatible schema version."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def save(dataset: Dataset, folder: Path, sources: list[dict[str, Any]] | None = None,
         stats: dict[str, Any] | None = None) -> Path:
    """Write the four tables and the manifest; returns the manifest path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        pq.write_table(dataset.to_arrow(table), folder / f"{table}.parquet", compression="zstd")
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "recreason_version": __version__,
        "name": dataset.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": dataset.counts(),
        "sources": sources or [],
        **(stats or {}),
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise WorkspaceError(f"{folder}: not a recreason workspace (no {MANIFEST}); run `recreason ingest` first")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise WorkspaceError(
            f"{path}: schema version {manifest.get('schema_version')} but this recreason reads "
            f"version {SCHEMA_VERSION}; ingest the data again"
        )
    return manifest


def load(folder: Path) -> Dataset:
    """Read a workspace written by ``save``."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    frames = {}
    for table in TABLES:
        path = folder / f"{table}.parquet"
        if not path.is_file():
            raise WorkspaceError(f"{folder}: missing {path.name}; ingest the data again")
        frames[table] = frame_from_arrow(pq.read_table(path, schema=SCHEMAS[table]))
    return Dataset(**frames, name=manifest.get("name", folder.name))


def load_table(folder: Path, table: str, columns: list[str] | None = None):
    """One table of a workspace, or some of its columns (a title lookup need not read every review)."""
    folder = Path(folder)
    read_manifest(folder)
    path = folder / f"{table}.parquet"
    if table not in SCHEMAS:
        raise KeyError(f"unknown table {table!r}; tables are {', '.join(TABLES)}")
    if not path.is_file():
        raise WorkspaceError(f"{folder}: missing {path.name}; ingest the data again")
    schema = SCHEMAS[table] if columns is None else pa.schema([SCHEMAS[table].field(c) for c in columns])
    return frame_from_arrow(pq.read_table(path, columns=columns, schema=schema))

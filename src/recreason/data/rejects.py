"""Rejected records: where each came from, which field, why, and the record itself.

Nothing is dropped silently: every record a reader or the validator refuses becomes a ``Reject`` and is
written to the workspace's ``rejects.jsonl``; the ingest command prints the counts.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

_MAX_RECORD_CHARS = 2_000  # a rejects file must stay readable even when a field is gigabytes long


class InputError(Exception):
    """A whole input file cannot be read: missing, empty, undecodable, wrong layout or columns.

    The message names the file (and line/field where one applies); the CLI prints it without a trace.
    """


@dataclass
class Reject:
    file: str
    line: int | None
    table: str
    field: str | None
    reason: str
    record: Any = None

    def message(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        field = f" field {self.field!r}:" if self.field else ""
        return f"{where}: {self.table}:{field} {self.reason}"

    def to_json(self) -> str:
        row = asdict(self)
        row["record"] = _clip(row["record"])
        return json.dumps(row, ensure_ascii=False, default=str)


def _clip(record: Any) -> Any:
    """Keep a record JSON-able and bounded; oversized values are cut with a note of their length."""
    if isinstance(record, dict):
        return {str(k): _clip(v) for k, v in record.items()}
    if isinstance(record, (list, tuple)):
        return [_clip(v) for v in record]
    if isinstance(record, str) and len(record) > _MAX_RECORD_CHARS:
        return record[:_MAX_RECORD_CHARS] + f"… [cut, {len(record)} chars in all]"
    if isinstance(record, float) and math.isnan(record):
        return "NaN"
    return record


def write_rejects(rejects: list[Reject], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(r.to_json() + "\n" for r in rejects)
    return path


def read_rejects(path: Path) -> list[Reject]:
    with open(path, encoding="utf-8") as f:
        return [Reject(**json.loads(line)) for line in f if line.strip()]

"""The native schema from CSV, JSON Lines or Parquet files (optionally gzip-compressed text).

A folder is read as one data set: ``items.*``, ``users.*``, ``interactions.*`` and ``references.*``
(any of them may be absent). A single file is read as the table its name starts with, or the table given
by ``--table``, or the table its columns suggest. Column names are those of ``schema.py``.
"""

from __future__ import annotations

from pathlib import Path

from recreason.data.readers.base import (
    RawTable,
    ReadOptions,
    ReadResult,
    read_csv_rows,
    read_jsonl_frame,
    read_parquet_rows,
)
from recreason.data.rejects import InputError
from recreason.data.schema import TABLES

SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".parquet")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return next((s for s in sorted(SUFFIXES, key=len, reverse=True) if name.endswith(s)), "")


def native_files(folder: Path) -> dict[str, Path]:
    """Table name -> file for the native files in a folder."""
    found: dict[str, Path] = {}
    for path in sorted(Path(folder).iterdir()):
        suffix = _suffix(path)
        stem = path.name[: len(path.name) - len(suffix)] if suffix else ""
        if stem in TABLES:
            if stem in found:
                raise InputError(f"{folder}: two files for table {stem}: {found[stem].name} and {path.name}")
            found[stem] = path
    return found


def _table_for(path: Path, columns: list[str] | None, opts: ReadOptions) -> str:
    if opts.table:
        if opts.table not in TABLES:
            raise InputError(f"unknown table {opts.table!r}; tables are {', '.join(TABLES)}")
        return opts.table
    stem = path.name.split(".")[0].lower()
    if stem in TABLES:
        return stem
    cols = set(columns or [])
    if {"item_id", "text"} <= cols and not cols & {"event", "rating", "review"}:
        return "references"
    if {"user_id", "item_id"} <= cols:
        return "interactions"
    if "item_id" in cols:
        return "items"
    if "user_id" in cols:
        return "users"
    found = f"its columns are {', '.join(c for c in columns if not c.startswith('_'))}; " if columns else ""
    raise InputError(f"{path}: cannot tell which table this file holds ({found}a table needs item_id and/or "
                     f"user_id, see the native schema); name it items/users/interactions/references.<ext> or "
                     f"pass --table")


def read_file(path: Path, opts: ReadOptions) -> ReadResult:
    suffix = _suffix(path)
    result = ReadResult(sources=[path])
    if suffix in (".csv", ".csv.gz", ".tsv", ".tsv.gz"):
        table = _table_for(path, None, opts) if opts.table or path.name.split(".")[0] in TABLES else None
        frame, rejects = read_csv_rows(path, table or "?", opts.encoding, delimiter="\t" if "tsv" in suffix else ",")
        if table is None:
            table = _table_for(path, list(frame.columns), opts)
            for r in rejects:
                r.table = table
        result.rejects += rejects
    elif suffix in (".jsonl", ".jsonl.gz", ".ndjson"):
        frame, rejects = read_jsonl_frame(path, opts.table or "?", opts.encoding)
        table = _table_for(path, list(frame.columns), opts)
        for r in rejects:
            r.table = table
        result.rejects += rejects
    elif suffix == ".parquet":
        frame = read_parquet_rows(path)
        table = _table_for(path, list(frame.columns), opts)
    else:
        raise InputError(f"{path}: not a native data file (expected one of {', '.join(SUFFIXES)})")
    result.tables.append(RawTable(table, frame, str(path)))
    return result


def read(path: Path, opts: ReadOptions) -> ReadResult:
    path = Path(path)
    if path.is_dir():
        files = native_files(path)
        if not files:
            raise InputError(f"{path}: no items/users/interactions/references files ({', '.join(SUFFIXES)})")
        result = ReadResult()
        for file in files.values():
            result.extend(read_file(file, ReadOptions(**{**opts.__dict__, "table": None})))
        return result
    return read_file(path, opts)


def detect(path: Path) -> bool:
    path = Path(path)
    if path.is_dir():
        try:
            return bool(native_files(path))
        except InputError:
            return True
    return bool(_suffix(path))

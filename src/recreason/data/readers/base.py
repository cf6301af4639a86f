"""What every reader returns, and the raw file readers (CSV, JSONL, Parquet) they share.

A reader turns source files into ``RawTable``s: the source's records mapped onto the native column
names (``schema.py``), values still raw (strings from CSV, JSON values from JSONL, Python values from
Parquet or pickles), with two bookkeeping columns: ``_file`` and ``_line`` (1-based line of a text file,
or row number of a binary one). ``validate.py`` then checks and converts every column. Records a reader
cannot even parse (a broken JSON line, a CSV row with the wrong number of fields) become ``Reject``s here.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recreason.data.rejects import InputError, Reject
from recreason.text import is_wide

FILE, LINE = "_file", "_line"

csv.field_size_limit(sys.maxsize)  # oversized fields are rejected by the validator, with a message


@dataclass
class ReadOptions:
    """Knobs shared by all readers. ``rating_range`` is inclusive; ``None`` takes the format's own."""

    rating_range: tuple[float, float] | None = None
    max_text_chars: int = 20_000
    encoding: str | None = None  # None: UTF-8 (BOM or not), then GB18030 (covers GBK and GB2312)
    table: str | None = None  # for a single native file whose table the name does not tell
    split: str | None = None  # for formats with several splits (PETER's 1..5 folders)


@dataclass
class RawTable:
    table: str
    frame: pd.DataFrame
    source: str


@dataclass
class ReadResult:
    tables: list[RawTable] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rating_range: tuple[float, float] | None = None

    def extend(self, other: ReadResult) -> ReadResult:
        self.tables += other.tables
        self.rejects += other.rejects
        self.sources += other.sources
        self.notes += other.notes
        self.rating_range = self.rating_range or other.rating_range
        return self


def read_bytes(path: Path) -> bytes:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file")
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise InputError(f"{path}: not a valid gzip file ({e})") from None
    if not data.strip():
        raise InputError(f"{path}: file is empty")
    return data


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding used. Tries UTF-8 (dropping a BOM), then GB18030, unless one is given."""
    for enc in [encoding] if encoding else ["utf-8-sig", "gb18030"]:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "gb18030" and not encoding and not _looks_chinese(text):
            raise InputError(f"{path}: not UTF-8, and as GB18030 it does not read as Chinese text; "
                             "pass --encoding (for example latin-1 or cp1252)")
        return text, enc
    tried = encoding or "UTF-8 and GB18030"
    raise InputError(f"{path}: cannot decode the file as {tried}; pass --encoding")


def _looks_chinese(text: str) -> bool:
    """GB18030 decodes almost any bytes; Latin-1 accents come out as rare CJK characters or symbols.
    Real Chinese text has its non-ASCII characters in the CJK and punctuation blocks (``text.script.WIDE``)."""
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return True
    common = sum(1 for c in wide if is_wide(c))
    return common >= 0.9 * len(wide)


def read_text(path: Path, encoding: str | None = None) -> str:
    return decode(read_bytes(path), path, encoding)[0]


def read_csv_rows(path: Path, table: str, encoding: str | None = None, header: list[str] | None = None,
                  delimiter: str = ",") -> tuple[pd.DataFrame, list[Reject]]:
    """A CSV file as a frame of strings with ``_file`` / ``_line``; bad rows become rejects.

    The fast path parses with pyarrow and derives each record's line from the line breaks; when a
    quoted field spans lines (so records and lines no longer line up) it re-reads with the csv module,
    which tracks the starting line of every record exactly. The rejects file must name the right line.
    """
    text = read_text(path, encoding)
    if header is None:
        fast = _read_csv_fast(text, path, table, delimiter)
        if fast is not None:
            return fast
    return _read_csv_exact(text, path, table, header, delimiter)


def _header(text: str, path: Path, delimiter: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 or None]), delimiter=delimiter), [])
    header = [h.strip() for h in first]
    if len(set(header)) != len(header):
        raise InputError(f"{path}:1: duplicate column names in header {header}")
    return header


def _frame(columns: dict[str, object], name: str, lines) -> pd.DataFrame:
    frame = pd.DataFrame({h: pd.Series(c, dtype="string[pyarrow]") for h, c in columns.items()})
    frame[FILE] = name
    frame[LINE] = np.asarray(lines, dtype=np.int64)
    return frame


def _filled_lines(data: bytes) -> np.ndarray:
    """1-based numbers of the lines that are not empty (a lone carriage return counts as empty)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(data)]))
    width = ends - starts - (raw[np.maximum(ends - 1, 0)] == 13) * (ends > starts)
    return np.flatnonzero(width > 0) + 1


def _read_csv_fast(text: str, path: Path, table: str, delimiter: str) -> tuple[pd.DataFrame, list[Reject]] | None:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    header = _header(text, path, delimiter)
    data = text.encode("utf-8")
    bad: list = []

    def on_bad_row(row) -> str:
        bad.append(row)
        return "skip"

    try:
        tbl = pcsv.read_csv(
            io.BytesIO(data),
            read_options=pcsv.ReadOptions(use_threads=False, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_bad_row),
            convert_options=pcsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    lines = _filled_lines(data)  # pyarrow skips empty lines
    if len(lines) != 1 + tbl.num_rows + len(bad) or any(r.number is None for r in bad):
        return None  # a quoted field spans lines: records and lines do not line up
    name, rejects = str(path), []
    bad_lines = set()
    for r in bad:
        line = int(lines[r.number - 1])  # r.number: 1-based count of non-empty rows, header included
        bad_lines.add(line)
        if r.text.strip(" \t\r" + delimiter):
            rejects.append(Reject(name, line, table, None,
                                  f"expected {len(header)} fields ({', '.join(header)}), found {r.actual_columns}",
                                  r.text))
    good = lines[1:][~np.isin(lines[1:], list(bad_lines))] if bad_lines else lines[1:]
    columns = {h: tbl.column(i).combine_chunks() for i, h in enumerate(header)}
    return _frame(columns, name, good), rejects


def _read_csv_exact(text: str, path: Path, table: str, header: list[str] | None,
                    delimiter: str) -> tuple[pd.DataFrame, list[Reject]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    name = str(path)
    rejects: list[Reject] = []
    try:
        if header is None:
            header = [h.strip() for h in next(reader)]
            if len(set(header)) != len(header):
                raise InputError(f"{path}:1: duplicate column names in header {header}")
        start, rows, lines = reader.line_num + 1, [], []
        width = len(header)
        for row in reader:
            if len(row) == width:
                rows.append(row)
                lines.append(start)
            elif row and any(c.strip() for c in row):
                rejects.append(Reject(name, start, table, None,
                                      f"expected {width} fields ({', '.join(header)}), found {len(row)}",
                                      dict(enumerate(row))))
            start = reader.line_num + 1
    except csv.Error as e:
        raise InputError(f"{path}:{reader.line_num}: malformed CSV ({e})") from None
    columns = list(zip(*rows)) if rows else [()] * len(header)
    return _frame(dict(zip(header, columns, strict=True)), name, lines), rejects


def read_jsonl_rows(path: Path, table: str, encoding: str | None = None) -> tuple[list[dict], list[int], list[Reject]]:
    """JSON Lines: objects with their line numbers; broken lines and non-objects become rejects."""
    return _jsonl_records(read_text(path, encoding), path, table)


def _jsonl_records(text: str, path: Path, table: str) -> tuple[list[dict], list[int], list[Reject]]:
    name = str(path)
    records: list[dict] = []
    lines: list[int] = []
    rejects: list[Reject] = []
    loads = json.loads
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except json.JSONDecodeError as e:
            rejects.append(Reject(name, n, table, None, f"broken JSON ({e.msg} at column {e.colno})", line))
            continue
        if not isinstance(obj, dict):
            rejects.append(Reject(name, n, table, None, f"expected a JSON object, found {type(obj).__name__}", obj))
            continue
        records.append(obj)
        lines.append(n)
    return records, lines, rejects


def read_jsonl_frame(path: Path, table: str, encoding: str | None = None) -> tuple[pd.DataFrame, list[Reject]]:
    """JSON Lines as a raw frame. Fast path: pyarrow's JSON reader when every line parses and every
    column keeps one type; otherwise line by line, so each broken line is named in the rejects."""
    text = read_text(path, encoding)
    fast = _read_jsonl_fast(text, path)
    if fast is not None:
        return fast, []
    records, lines, rejects = _jsonl_records(text, path, table)
    return frame_from_records(records, lines, str(path)), rejects


def _string_keys(text: str) -> list[str]:
    """The keys whose value is a string on the first non-empty line (none when that line is not an object)."""
    for line in text.splitlines():
        if line.strip():
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                return []
            return [k for k, v in obj.items() if isinstance(v, str)] if isinstance(obj, dict) else []
    return []


def _read_jsonl_fast(text: str, path: Path) -> pd.DataFrame | None:
    import pyarrow as pa
    import pyarrow.json as pj

    data = text.encode("utf-8")
    options = pj.ReadOptions(block_size=1 << 24)
    # Text stays text: pyarrow would read an ISO date as a timestamp and its text would be lost to the rejects
    # (which keep the record as written). The keys whose first value is a string are declared strings up front;
    # a date column the first line does not show is read again as text (rare).
    strings = _string_keys(text)
    try:
        tbl = pj.read_json(io.BytesIO(data), read_options=options,
                           parse_options=pj.ParseOptions(explicit_schema=pa.schema([(k, pa.string()) for k in strings])))
        dates = [f.name for f in tbl.schema if pa.types.is_timestamp(f.type)]
        if dates:
            strings += dates
            tbl = pj.read_json(io.BytesIO(data), read_options=options, parse_options=pj.ParseOptions(
                explicit_schema=pa.schema([(k, pa.string()) for k in strings])))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    lines = _filled_lines(data)
    if len(lines) != tbl.num_rows:
        return None
    columns = {}
    for name, col in zip(tbl.column_names, tbl.columns, strict=True):
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            columns[name] = pd.Series(col.combine_chunks(), dtype="string[pyarrow]")
        elif pa.types.is_timestamp(col.type):  # pyarrow read an ISO date itself
            columns[name] = col.to_pandas()
        elif pa.types.is_floating(col.type) or pa.types.is_integer(col.type):  # JSON has no NaN: null = absent
            columns[name] = col.to_pandas(types_mapper={pa.float64(): pd.Float64Dtype(),
                                                        pa.int64(): pd.Int64Dtype()}.get)
        elif pa.types.is_struct(col.type):  # keys absent from a record come back as None: drop them
            columns[name] = pd.Series([None if v is None else {k: x for k, x in v.items() if x is not None}
                                       for v in col.to_pylist()], dtype=object)
        else:
            columns[name] = pd.Series(col.to_pylist(), dtype=object)
    frame = pd.DataFrame(columns)
    frame[FILE] = str(path)
    frame[LINE] = np.asarray(lines, dtype=np.int64)
    return frame


def frame_from_records(records: list[dict[str, Any]], lines: list[int], name: str,
                       columns: dict[str, str] | None = None) -> pd.DataFrame:
    """Records -> raw frame. ``columns`` maps source keys to native names (others are kept as they are)."""
    keys = list(dict.fromkeys(k for r in records[:1000] for k in r))
    seen = set(keys)
    for r in records[1000:]:
        if len(r.keys() - seen):
            keys += [k for k in r if k not in seen]
            seen.update(r)
    # Built column by column so that a missing key is None, unlike a JSON NaN value (from_records
    # would make both NaN and the validator could not tell them apart).
    frame = pd.DataFrame({k: pd.Series([r.get(k) for r in records], dtype=object) for k in keys})
    if columns:
        frame = frame.rename(columns=columns)
    frame[FILE] = name
    frame[LINE] = lines
    return frame


def read_parquet_rows(path: Path) -> pd.DataFrame:
    """A Parquet file as a frame of Python values (``None`` for nulls, NaN kept as NaN); line = row number."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as e:  # noqa: BLE001 -- pyarrow raises several types for a file that is not Parquet
        raise InputError(f"{path}: not a readable Parquet file ({e})") from None
    frame = pd.DataFrame({name: pd.Series(table.column(name).to_pylist(), dtype=object)
                          for name in table.column_names})
    frame[FILE] = str(path)
    frame[LINE] = range(1, len(frame) + 1)
    return frame

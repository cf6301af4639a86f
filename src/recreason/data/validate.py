"""Check and convert raw tables into the native schema, rejecting bad records with a reason.

Validation is done column by column over whole tables (pandas), not record by record, so a million
interactions validate in seconds; the rules are the same as the pydantic models in ``schema.py``.
The first problem found in a record is the one reported (its field is named); the record goes to the
rejects with its file and line. Rules:

- ids: required (item and user ids of their own tables, both ids of an interaction), non-empty after
  trimming, at most 256 characters, no control characters: the id rule of ``schema.py`` (a reference's
  optional user id follows it too when given);
- text fields: at most ``max_text_chars`` (default 20,000) characters, else rejected as oversized;
- numbers (rating, price): a number, not NaN, finite; ratings inside the rating range, prices >= 0;
- event: one of view / click / cart / purchase / rate / review (common synonyms and the API's served
  events accepted, see ``schema.SERVED_AS_BEHAVIOUR``); when
  missing it is ``review`` if there is review text, ``rate`` if there is a rating, else rejected;
- timestamp: ISO 8601, unix seconds or milliseconds (told apart by size), or another common date
  format, mixed freely within one file; times without a zone are UTC;
- maps (attributes, demographics, context): a JSON object; columns named ``attributes.KEY`` or
  ``context.KEY`` (``scene`` and ``device`` too) are folded into the map;
- lists (category, interests): a JSON list, or text split on ``>`` (category) or ``|`` / ``;``;
- duplicates: the second record with an item or user id already seen is rejected;
- unknown ids: interactions and references naming an item (or user) that the given items (users)
  table does not have are rejected.

A rejected record keeps the values the reader gave (``raw_record``): JSON null for a missing value, dates and
numbers as the source wrote them, whichever step rejected it. ``Checked.raw`` holds the raw frames the
accepted rows came from (``_src`` / ``_raw`` columns point back), so the cross-checks after validation
(duplicate and unknown ids) can reject the record as read, not as converted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recreason.data.dataset import frame_from_arrow
from recreason.data.readers.base import FILE, LINE, RawTable
from recreason.data.rejects import InputError, Reject
from recreason.data.schema import (
    CONTROL_RE,
    EVENT_TYPES,
    ID_COLUMNS,
    JSON_COLUMNS,
    LIST_COLUMNS,
    MAX_ID_CHARS,
    NUMERIC_COLUMNS,
    REQUIRED,
    SCHEMAS,
    SERVED_AS_BEHAVIOUR,
    dump_json,
    id_problem,
)

DEFAULT_RATING_RANGE = (0.0, 5.0)
EVENT_SYNONYMS = {
    **{served: event for served, event in SERVED_AS_BEHAVIOUR.items() if served not in EVENT_TYPES},
    "pv": "view", "views": "view", "clicks": "click",
    "add-to-cart": "cart", "addtocart": "cart", "add to cart": "cart", "buy": "purchase", "order": "purchase",
    "purchased": "purchase", "rating": "rate", "rated": "rate", "reviewed": "review", "comment": "review",
}
#: How text is split into a list (column kinds come from ``schema.py``; a category path may use ">")
_LIST_SEPARATORS = {"category": (">", "|", ";")}
_DEFAULT_SEPARATORS = ("|", ";")
_FOLD_ALIASES = {"scene": "context", "device": "context"}


SRC, RAW = "_src", "_raw"  # which raw frame an accepted row came from, and its row there


@dataclass
class Checked:
    """One validated table and what it rejected."""

    table: str
    frame: pd.DataFrame  # native schema columns plus _file, _line, _src and _raw
    rejects: list[Reject]
    read: int
    raw: list[pd.DataFrame] = field(default_factory=list)  # the raw frames, for rejects after validation

    def raw_record(self, row: pd.Series) -> dict:
        """The record of an accepted row as the reader gave it (for a reject made after validation)."""
        if SRC not in row.index or not self.raw:
            return _row_record(row)
        return raw_record(self.raw[int(row[SRC])].iloc[int(row[RAW])])


def merge_checked(parts: list[Checked], table: str) -> Checked:
    """One ``Checked`` from several (one per source file), raw frames and pointers kept in step."""
    if not parts:
        return Checked(table, pd.DataFrame(), [], 0)
    if len(parts) == 1:
        return parts[0]
    frames, raw = [], []
    for part in parts:
        frame = part.frame
        if len(raw) and SRC in frame.columns:
            frame = frame.assign(**{SRC: frame[SRC] + len(raw)})
        frames.append(frame)
        raw += part.raw
    return Checked(table, pd.concat(frames, ignore_index=True), [r for p in parts for r in p.rejects],
                   sum(p.read for p in parts), raw)


def raw_value(v):
    """A raw cell as JSON would hold it: None for a missing value (None, NA, NaT), Python scalars for numpy
    ones, lists for arrays; text exactly as read (a date stays the text the source wrote)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, dict):
        return {str(k): raw_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [raw_value(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if hasattr(v, "isoformat"):  # a binary source (Parquet, pickle) held a date: its ISO form
        return v.isoformat()
    return v


def raw_record(row: pd.Series) -> dict:
    """A raw frame's row as a record: every column the reader gave but the bookkeeping ones."""
    return {str(k): raw_value(v) for k, v in row.items() if k not in (FILE, LINE)}


class _Marks:
    """The first reason each row is rejected for, filled column by column."""

    def __init__(self, frame: pd.DataFrame, table: str):
        self.frame, self.table = frame, table
        self.reason = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        self.field = pd.Series([None] * len(frame), index=frame.index, dtype=object)

    def mark(self, mask: pd.Series, field: str, reason, values: pd.Series | None = None) -> None:
        """Reject rows in ``mask`` (not yet rejected); ``reason`` is text or a function of the value."""
        mask = mask.fillna(False).astype(bool) & self.reason.isna()
        if not mask.any():
            return
        self.reason[mask] = values[mask].map(reason) if callable(reason) else reason
        self.field[mask] = field

    def rejects(self) -> list[Reject]:
        bad = self.reason.notna()
        out = []
        raw = self.frame.loc[bad]
        for idx, row in raw.iterrows():
            out.append(Reject(row[FILE], int(row[LINE]), self.table, self.field[idx], self.reason[idx],
                              raw_record(row)))
        return out


def _omap(col: pd.Series, fn) -> pd.Series:
    """``col.map(fn)`` that keeps Python objects (pandas 3 would turn ``None`` into NaN strings)."""
    return pd.Series([fn(v) for v in col], index=col.index, dtype=object)


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


class _Cells:
    """One raw column, looked at once: its stripped strings, blanks, and non-string values.

    Columns that hold only text (all of a CSV, most of JSON) take a fast path on Arrow string kernels;
    mixed columns (JSON numbers beside strings, Parquet values) go value by value.
    """

    def __init__(self, col: pd.Series):
        self.col = col
        index = col.index
        if isinstance(col.dtype, (pd.Float64Dtype, pd.Int64Dtype)):  # nullable numbers: no text, no NaN
            self.null = col.isna().astype(bool)
            self.is_str = self.nan = pd.Series(False, index=index)
            self.str = pd.Series(pd.NA, index=index, dtype="string[pyarrow]")
            self.other = ~self.null
        elif isinstance(col.dtype, pd.StringDtype) or pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
            strings = col.astype("string[pyarrow]")
            self.null = strings.isna().astype(bool)
            self.is_str = ~self.null
            self.str = strings.str.strip()
            self.nan = pd.Series(False, index=index)
            self.other = pd.Series(False, index=index)
        else:
            kinds = col.map(type)
            self.is_str = kinds.eq(str)
            self.str = col.where(self.is_str).astype("string[pyarrow]").str.strip()
            self.null = col.isna()  # None, NaN
            self.nan = self.null & kinds.eq(float)  # a real NaN value (JSON NaN, Parquet NaN)
            self.other = ~self.is_str & ~self.null  # numbers, bools, lists, dicts ...
        self.blank = self.null | self.str.eq("").fillna(False).astype(bool)

    def text(self) -> pd.Series:
        """Stripped text; non-strings as ``str(v)``; blanks as None."""
        out = self.str
        if self.other.any():
            out = out.copy()
            out[self.other] = self.col[self.other].map(str)
        return out.where(~self.blank)


_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$"


def _numbers(cells: _Cells) -> pd.Series:
    """Each cell as a float (NaN where it is not a number); text is parsed by Arrow, not value by value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(cells.str)
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER, ignore_case=True), False)
    parsed = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64())
    values = pd.Series(parsed.to_numpy(zero_copy_only=False), index=cells.col.index, dtype=float)
    if isinstance(cells.col.dtype, (pd.Float64Dtype, pd.Int64Dtype)):
        return cells.col.astype("float64").where(cells.other, np.nan)
    others = cells.other & ~cells.col.map(type).eq(bool) if cells.other.any() else cells.other
    if others.any():
        values[others] = pd.to_numeric(cells.col[others], errors="coerce").astype(float)
    return values


def _blank_mask(col: pd.Series) -> pd.Series:
    return _Cells(col).blank


def _preview(v) -> str:
    return repr(v if not isinstance(v, str) or len(v) <= 40 else v[:40] + "…")


def _lengths(values: pd.Series) -> pd.Series:
    if not isinstance(values.dtype, pd.StringDtype):
        values = values.astype("string[pyarrow]")
    return values.str.len().fillna(0).astype("int64")


def _text(col: pd.Series, marks: _Marks, name: str, limit: int) -> pd.Series:
    out = _Cells(col).text()
    marks.mark(_lengths(out) > limit, name, lambda v: f"oversized: {len(v)} characters (limit {limit})", out)
    return out


def _ids(col: pd.Series, marks: _Marks, name: str, required: bool = True) -> pd.Series:
    """Trimmed ids checked by the id rule (``schema.id_problem``); blanks are None (rejected if required)."""
    cells = _Cells(col)
    out = cells.text()
    if cells.other.any():  # 12.0 from a float column is the id "12"
        whole = col[cells.other].map(lambda v: isinstance(v, float) and v.is_integer())
        out[whole[whole].index] = col[whole[whole].index].map(lambda v: str(int(v)))
    if required:
        marks.mark(out.isna(), name, "missing required id")
    # Trimming took whitespace off both ends, so what is left of the rule is length and control characters
    # (checked over the whole column; the reason comes from the rule itself).
    text = out.astype("string[pyarrow]")
    bad = (_lengths(text) > MAX_ID_CHARS) | text.str.contains(CONTROL_RE.pattern, regex=True).fillna(False)
    marks.mark(bad.astype(bool), name, id_problem, out)
    return out


def _floats(col: pd.Series, marks: _Marks, name: str, lo: float, hi: float) -> pd.Series:
    cells = _Cells(col)
    present = ~cells.blank | cells.nan  # a NaN value was given, so it is not missing
    values = _numbers(cells)
    nan_like = cells.nan | (cells.is_str & cells.str.str.lower().isin(["nan", "+nan", "-nan"]))
    marks.mark(nan_like, name, "NaN is not a valid value")
    marks.mark(present & values.isna(), name, lambda v: f"wrong type: {_preview(v)} is not a number", col)
    finite = np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    out_of_range = present & values.notna() & (~finite | (values < lo) | (values > hi))
    marks.mark(out_of_range, name, lambda v: f"out of range: {v:g} not in [{lo:g}, {hi:g}]", values)
    return values.where(present, np.nan)


def _events(frame: pd.DataFrame, marks: _Marks) -> pd.Series:
    valid = set(EVENT_TYPES)
    none = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    raw = _Cells(frame["event"]).text().str.lower() if "event" in frame else none
    known = raw.isin(valid)
    out = raw.where(known, None).astype(object)
    other = ~known & raw.notna()
    if other.any():
        out[other] = raw[other].map(lambda v: EVENT_SYNONYMS.get(v, "?"))
    marks.mark(out.eq("?"), "event", lambda v: f"unknown event {v!r}; expected one of {', '.join(sorted(valid))}", raw)
    has_review = ~_blank_mask(frame["review"]) if "review" in frame else False
    has_rating = ~_blank_mask(frame["rating"]) if "rating" in frame else False
    missing = out.isna()
    out = out.mask(missing & has_rating, "rate").mask(missing & has_review, "review")
    marks.mark(out.isna(), "event", "missing event (and no rating or review to infer it from)")
    return out.astype(object).where(out.notna(), None)


def parse_timestamps(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(UTC timestamps, mask of values that could not be parsed). Blank values are null, not errors."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        stamps = col if col.dt.tz is not None else col.dt.tz_localize("UTC")
        return stamps.dt.tz_convert("UTC").dt.as_unit("s"), pd.Series(False, index=col.index)
    out = pd.Series(pd.NaT, index=col.index, dtype="datetime64[s, UTC]")
    cells = _Cells(col)
    stamps = cells.other.copy()
    if stamps.any():
        stamps[stamps] = col[stamps].map(lambda v: hasattr(v, "isoformat") or isinstance(v, np.datetime64))
    if stamps.any():
        out[stamps] = pd.to_datetime(col[stamps], utc=True).dt.as_unit("s")
    rest = ~cells.blank & ~stamps
    nums = _numbers(cells)
    numeric = rest & nums.notna() & ~cells.nan
    if numeric.any():
        n = nums[numeric].astype(float)
        secs = n.where(n.abs() < 1e11, n / 1000.0)  # 1e11 s is year 5138; larger values are milliseconds
        out[numeric] = pd.to_datetime(secs, unit="s", utc=True, errors="coerce").dt.as_unit("s")
    text = rest & ~numeric & cells.is_str
    if text.any():
        s = cells.str[text]
        iso = pd.to_datetime(s, format="ISO8601", utc=True, errors="coerce")
        left = iso.isna()
        if left.any():  # the slow, per-value parser only for what ISO 8601 did not take, once per value
            codes, uniques = pd.factorize(s[left])
            parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format="mixed", utc=True, errors="coerce")
            taken = parsed.take(codes)
            taken.index = iso[left].index
            iso[left] = taken
        out[text] = iso.dt.as_unit("s")
    return out, rest & out.isna()


def _timestamps(col: pd.Series, marks: _Marks) -> pd.Series:
    out, bad = parse_timestamps(col)
    marks.mark(bad, "timestamp", lambda v: f"unparseable timestamp {_preview(v)}", col)
    return out


def _cached(col: pd.Series, convert) -> tuple[list, list]:
    """Apply ``convert`` (value -> result, raising ValueError) once per distinct text value."""
    if isinstance(col.dtype, pd.StringDtype) or pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(col.astype("string[pyarrow]"), use_na_sentinel=True)
        results = [_attempt(convert, v) for v in uniques] + [_attempt(convert, None)]
        picked = [results[c] for c in codes]  # code -1 (null) takes the last entry
        return [p[0] for p in picked], [p[1] for p in picked]
    cache: dict[str, tuple] = {}
    values, errors = [], []
    for v in col:
        hit = cache.get(v) if isinstance(v, str) else None
        if hit is None:
            try:
                hit = (convert(v), None)
            except (ValueError, TypeError) as e:  # JSONDecodeError is a ValueError
                hit = (None, str(e))
            if isinstance(v, str):
                cache[v] = hit
        values.append(hit[0])
        errors.append(hit[1])
    return values, errors


def _attempt(convert, v) -> tuple:
    try:
        return convert(v), None
    except (ValueError, TypeError) as e:
        return None, str(e)


def _to_list(v, seps: tuple[str, ...]) -> list[str]:
    if _blank(v):
        return []
    if isinstance(v, (list, tuple, np.ndarray)):
        items = list(v)
    elif isinstance(v, str) and v.strip().startswith("["):
        items = json.loads(v)
        if not isinstance(items, list):
            raise ValueError("expected a JSON list")  # noqa: TRY004 -- caught as a reject reason
    elif isinstance(v, str):
        sep = next((s for s in seps if s in v), None)
        items = v.split(sep) if sep else [v]
    else:
        raise ValueError(f"expected a list or text, found {type(v).__name__}")
    return [str(x).strip() for x in items if not _blank(x)]


def _lists(col: pd.Series, marks: _Marks, name: str) -> pd.Series:
    values, errors = _cached(col, lambda v: _to_list(v, _LIST_SEPARATORS.get(name, _DEFAULT_SEPARATORS)))
    err = pd.Series(errors, index=col.index, dtype=object)
    marks.mark(err.notna(), name, lambda e: f"bad list: {e}", err)
    return pd.Series([v if v is not None else [] for v in values], index=col.index, dtype=object)


def _map_value(v, name: str):
    if isinstance(v, (list, tuple)):
        return [str(x) for x in v]
    if isinstance(v, dict):
        if name == "attributes":
            return json.dumps(v, ensure_ascii=False)
        raise ValueError("nested objects are not allowed")
    return str(v)


def _to_map(v, name: str) -> dict:
    if _blank(v):
        return {}
    if isinstance(v, str):
        v = json.loads(v)
    if not isinstance(v, dict):
        raise ValueError(f"expected a JSON object, found {type(v).__name__}")  # noqa: TRY004
    out = {}
    for k, x in v.items():
        if _blank(x):
            continue
        x = _map_value(x, name)
        out[str(k).strip()] = x if name == "attributes" or isinstance(x, str) else "|".join(x)
    return out


def _maps(frame: pd.DataFrame, marks: _Marks, name: str, limit: int) -> pd.Series:
    prefix = f"{name}."
    folded = [c for c in frame.columns if c.startswith(prefix) or _FOLD_ALIASES.get(c) == name]
    base = frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if folded:
        maps, errors = _cached(base, lambda v: _to_map(v, name))
        texts = {c: _Cells(frame[c]).text() for c in folded}
        for i, m in enumerate(maps):
            extra = {c.removeprefix(prefix): texts[c].iat[i] for c in folded if pd.notna(texts[c].iat[i])}
            if extra and m is not None:
                maps[i] = {**m, **extra}
        values = [dump_json(m) if m is not None else None for m in maps]
    else:
        values, errors = _cached(base, lambda v: dump_json(_to_map(v, name)))
    err = pd.Series(errors, index=frame.index, dtype=object)
    marks.mark(err.notna(), name, lambda e: f"bad JSON object: {e}", err)
    out = pd.Series(values, index=frame.index, dtype=object)
    marks.mark(_lengths(out) > limit, name, lambda v: f"oversized: {len(v)} characters (limit {limit})", out)
    return out


def _sentiment(col: pd.Series, marks: _Marks) -> pd.Series:
    values = pd.to_numeric(col, errors="coerce")
    bad = ~_blank_mask(col) & ~values.isin([-1, 0, 1])
    marks.mark(bad, "sentiment", lambda v: f"sentiment must be -1, 0 or 1, found {_preview(v)}", col)
    return values.where(~bad & values.notna(), None)


def known_columns(table: str) -> set[str]:
    return set(SCHEMAS[table].names) | {FILE, LINE} | set(_FOLD_ALIASES if table == "interactions" else ())


def check_table(raw: RawTable, rating_range: tuple[float, float] | None = None,
                max_text_chars: int = 20_000) -> Checked:
    """Validate one raw table. Raises ``InputError`` when a required column is missing."""
    table, frame = raw.table, raw.frame.reset_index(drop=True)
    missing = [c for c in REQUIRED[table] if c not in frame.columns]
    if missing:
        found = [c for c in frame.columns if c not in (FILE, LINE)]
        raise InputError(f"{raw.source}: missing required column(s) {', '.join(missing)} for {table}; "
                         f"found {', '.join(found) or 'no columns'}")
    marks = _Marks(frame, table)
    lo, hi = rating_range or DEFAULT_RATING_RANGE
    out: dict[str, pd.Series] = {}
    names = SCHEMAS[table].names
    # The event is inferred from rating and review, so it is checked after them.
    for name in sorted(names, key=lambda n: n == "event"):
        col = frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if name in ID_COLUMNS:
            out[name] = _ids(col, marks, name, required=name in REQUIRED[table])
        elif name in NUMERIC_COLUMNS:
            out[name] = _floats(col, marks, name, *((lo, hi) if name == "rating" else (0.0, math.inf)))
        elif name in LIST_COLUMNS:
            out[name] = _lists(col, marks, name)
        elif name in JSON_COLUMNS:
            out[name] = _maps(frame, marks, name, max_text_chars)
        elif name == "event":
            out[name] = _events(frame, marks)
        elif name == "timestamp":
            out[name] = _timestamps(col, marks)
        elif name == "sentiment":
            out[name] = _sentiment(col, marks)
        else:
            out[name] = _text(col, marks, name, max_text_chars)
    if table == "references":
        marks.mark(out["text"].isna(), "text", "missing reference text")
    result = pd.DataFrame({n: out[n] for n in names})
    result[FILE], result[LINE] = frame[FILE], frame[LINE]
    result[SRC], result[RAW] = np.int32(0), np.arange(len(frame), dtype=np.int64)
    ok = marks.reason.isna()
    return Checked(table, result[ok].reset_index(drop=True), marks.rejects(), len(frame), [frame])


def drop_duplicate_ids(checked: Checked, key: str) -> None:
    """Reject the second and later records of an id; the first one stays."""
    frame = checked.frame
    dup = frame.duplicated(key, keep="first")
    if not dup.any():
        return
    first = frame[~dup].drop_duplicates(key).set_index(key)
    for _, row in frame[dup].iterrows():
        src = first.loc[row[key]]
        checked.rejects.append(Reject(row[FILE], int(row[LINE]), checked.table, key,
                                      f"duplicate {key} {row[key]!r} (first at {src[FILE]}:{src[LINE]})",
                                      checked.raw_record(row)))
    checked.frame = frame[~dup].reset_index(drop=True)


def drop_unknown_ids(checked: Checked, key: str, known: set[str], owner: str) -> None:
    """Reject records whose ``key`` is not among the ids of the ``owner`` table."""
    frame = checked.frame
    col = frame[key]
    unknown = col.notna() & ~col.isin(known)
    if not unknown.any():
        return
    for _, row in frame[unknown].iterrows():
        checked.rejects.append(Reject(row[FILE], int(row[LINE]), checked.table, key,
                                      f"unknown {key} {row[key]!r} (not in the {owner} table)",
                                      checked.raw_record(row)))
    checked.frame = frame[~unknown].reset_index(drop=True)


def _row_record(row: pd.Series) -> dict:
    """A converted row as a record: only for a ``Checked`` built without its raw frames."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()
            if k not in (FILE, LINE, SRC, RAW) and not (isinstance(v, list) and not v) and not _blank(v)
            and v is not pd.NA}


def to_native(checked: Checked) -> pd.DataFrame:
    """Drop bookkeeping columns and give the frame the exact dtypes of the Arrow schema."""
    import pyarrow as pa

    frame = checked.frame[SCHEMAS[checked.table].names]
    return frame_from_arrow(pa.Table.from_pandas(frame, schema=SCHEMAS[checked.table], preserve_index=False))

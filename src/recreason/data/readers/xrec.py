"""XRec (HKUDS/XRec) data folders: test explanations with user and item profiles, and interaction splits.

Layout of one domain folder (``amazon/``, ``google/``, ``yelp/``)::

    tst.jsonl      uid, iid, title, user_summary, item_summary, explanation, xrec_pred (one object a line)
    tst.pkl        the same as a pandas DataFrame (without xrec_pred); read only when tst.jsonl is absent
    total_trn.csv  user,item[,Time]  (total_val.csv, total_tst.csv alike; any may be absent)

Mapping: items (item_id = iid, title, description = item_summary), users (user_id = uid, profile_text =
user_summary), references (uid, iid, text = explanation, split "test"), interactions from the CSVs with
split train / validation / test. XRec's interactions are reviews (Amazon-Books, Google Local and Yelp
reviews, whose text the release does not include), so the event is ``review`` without text; ``Time``
("12 5, 2015", month first) becomes the timestamp (as an ISO date; text in another form is passed on
as it is, for the validator to parse or reject). The ids are XRec's mapped integers, as strings.

Ids seen only in the CSVs get id-only item and user rows, so that the cross-check keeps every
interaction; each id is emitted once (test rows repeat items and users with the same profile text;
differing text for one id is left to the validator, which rejects the second as a duplicate).
XRec's test pairs are not held out of ``total_trn.csv``; a note says how many are. ``xrec_pred``
(XRec's own generated explanation) is not part of the data set: ``load_predictions`` returns it.
``tst.pkl`` is loaded with ``pickles.load``, which allows only the classes a DataFrame needs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from recreason.data.readers import pickles
from recreason.data.readers.base import (
    FILE,
    LINE,
    RawTable,
    ReadOptions,
    ReadResult,
    frame_from_records,
    read_csv_rows,
    read_jsonl_rows,
)
from recreason.data.rejects import InputError

TEST_FILES = ("tst.jsonl", "tst.pkl")
SPLITS = {"total_trn.csv": "train", "total_val.csv": "validation", "total_tst.csv": "test"}
TEST_COLUMNS = ("uid", "iid", "title", "user_summary", "item_summary", "explanation")


def detect(path: Path) -> bool:
    path = Path(path)
    if path.is_file():
        if path.name == TEST_FILES[1]:
            return True
        if path.name != TEST_FILES[0]:
            return False
        with open(path, encoding="utf-8", errors="replace") as f:
            first = f.readline(1_000_000)
        return all(f'"{k}"' in first for k in ("uid", "iid", "explanation"))
    return path.is_dir() and any((path / f).is_file() for f in TEST_FILES + tuple(SPLITS))


def _test_file(folder: Path, result: ReadResult) -> Path | None:
    """tst.jsonl, else tst.pkl, else None."""
    jsonl, pkl = folder / TEST_FILES[0], folder / TEST_FILES[1]
    if jsonl.is_file() and pkl.is_file():
        result.notes.append(f"{pkl}: not read ({jsonl.name} has the same rows)")
    return jsonl if jsonl.is_file() else pkl if pkl.is_file() else None


def _test_rows(path: Path, result: ReadResult) -> tuple[list[dict], list[int], str]:
    result.sources.append(path)
    if path.suffix == ".jsonl":
        records, lines, rejects = read_jsonl_rows(path, "references")
        result.rejects += rejects
        return records, lines, str(path)
    frame = pickles.load(path, pickles.DATAFRAME)
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{path}: expected a pandas DataFrame, found {type(frame).__name__}")
    records = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    return records, list(range(1, len(records) + 1)), str(path)


def _plain(v):
    return v.item() if hasattr(v, "item") and not isinstance(v, (str, bytes)) else v


def _key(v) -> str | None:
    """An id as the validator will spell it, for de-duplicating before validation."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or None


def _first_rows(records: list[dict], lines: list[int], name: str, key: str,
                columns: dict[str, str]) -> list[dict]:
    """One row per distinct (id, profile) in the test rows, in first-seen order."""
    seen: set = set()
    rows = []
    for rec, line in zip(records, lines):
        values = tuple(_hashable(rec.get(src)) for src in columns)
        mark = (_key(rec.get(key)), values)
        if mark[0] is None or mark in seen:
            continue
        seen.add(mark)
        rows.append({**{dst: rec.get(src) for src, dst in columns.items()}, FILE: name, LINE: line})
    return rows


def _hashable(v):
    return json.dumps(v, sort_keys=True, default=str) if isinstance(v, (list, dict)) else v


def _interactions(folder: Path, opts: ReadOptions, result: ReadResult) -> list[pd.DataFrame]:
    frames = []
    for file, split in SPLITS.items():
        path = folder / file
        if not path.is_file():
            continue
        frame, rejects = read_csv_rows(path, "interactions", opts.encoding)
        missing = {"user", "item"} - set(frame.columns)
        if missing:
            raise InputError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}; expected user,item[,Time]")
        frame = frame.rename(columns={"user": "user_id", "item": "item_id", "Time": "timestamp"})
        if "timestamp" in frame:
            frame["timestamp"] = _month_first(frame["timestamp"])
        frame["event"] = "review"
        frame["split"] = split
        result.rejects += rejects
        result.sources.append(path)
        frames.append(frame)
    return frames


def _month_first(col: pd.Series) -> pd.Series:
    """XRec's Time ("12 5, 2015", month first) as ISO dates; other text is left for the validator to judge.

    Done here because the format is known: the validator would guess it value by value, ~10x slower.
    """
    parsed = pd.to_datetime(col, format="%m %d, %Y", errors="coerce")
    iso = parsed.dt.strftime("%Y-%m-%d").astype(object)
    return iso.where(parsed.notna(), col.astype(object))


def _id_only(frames: list[pd.DataFrame], column: str, known: set[str]) -> list[dict]:
    rows, seen = [], set(known)
    for frame in frames:
        ids = frame[column].str.strip()
        first = ~ids.duplicated() & ~ids.isin(seen) & (ids != "")
        for value, file, line in zip(ids[first], frame.loc[first, FILE], frame.loc[first, LINE]):
            rows.append({column: value, FILE: file, LINE: line})
        seen.update(ids[first])
    return rows


def _leakage_note(folder: Path, refs: list[dict], frames: list[pd.DataFrame]) -> str | None:
    train = [f for f in frames if len(f) and f["split"].iat[0] == "train"]
    if not train or not refs:
        return None
    pairs = set(zip(train[0]["user_id"].str.strip(), train[0]["item_id"].str.strip()))
    test = {(_key(r.get("uid")), _key(r.get("iid"))) for r in refs}
    leaked = len(test & pairs)
    return (f"{folder}: {leaked:,} of {len(test):,} test (user, item) pairs also appear in total_trn.csv "
            f"(XRec does not hold them out; drop the target item before building a user history)")


def read(path: Path, opts: ReadOptions) -> ReadResult:
    path = Path(path)
    result = ReadResult()
    if path.is_file():  # tst.jsonl or tst.pkl alone: items, users and references, no interactions
        folder, test_file, frames = path.parent, path, []
    else:
        folder, test_file = path, _test_file(path, result)
        frames = _interactions(folder, opts, result)
    if test_file is None and not frames:
        raise InputError(f"{folder}: no XRec files ({', '.join(TEST_FILES + tuple(SPLITS))})")
    records, lines, name = _test_rows(test_file, result) if test_file else ([], [], "")
    keys = set().union(*(r.keys() for r in records)) if records else set(TEST_COLUMNS)
    missing = [c for c in ("uid", "iid", "explanation") if c not in keys]
    if missing:
        raise InputError(f"{name}: no record has {', '.join(missing)}; expected {', '.join(TEST_COLUMNS)}")
    items = _first_rows(records, lines, name, "iid", {"iid": "item_id", "title": "title",
                                                      "item_summary": "description"})
    users = _first_rows(records, lines, name, "uid", {"uid": "user_id", "user_summary": "profile_text"})
    for row in items:
        row["language"] = "en"
    for row in users:
        row["language"] = "en"
    items += _id_only(frames, "item_id", {_key(r["item_id"]) for r in items})
    users += _id_only(frames, "user_id", {_key(r["user_id"]) for r in users})
    if records:
        refs = frame_from_records(records, lines, name, {"uid": "user_id", "iid": "item_id", "explanation": "text"})
        refs = refs[["user_id", "item_id", "text", FILE, LINE]].assign(split="test", language="en")
        result.tables.append(RawTable("references", refs, name))
        extra = sorted(keys - set(TEST_COLUMNS) - {"xrec_pred"})
        result.notes += [f"{name}: ignored field {k} (not part of the native model)" for k in extra]
        if "xrec_pred" in keys:
            result.notes.append(f"{name}: xrec_pred (XRec's generated explanations) is not ingested; "
                                f"use recreason.data.readers.xrec.load_predictions")
    for table, rows in (("items", items), ("users", users)):
        if rows:
            result.tables.append(RawTable(table, pd.DataFrame(rows, dtype=object), str(folder)))
    for frame in frames:
        result.tables.append(RawTable("interactions", frame, frame[FILE].iat[0] if len(frame) else str(folder)))
    note = _leakage_note(folder, records, frames)
    if note:
        result.notes.append(note)
    return result


def load_predictions(folder: Path) -> list[dict]:
    """XRec's generated explanations from ``tst.jsonl``: ``{uid, iid, xrec_pred}`` per row (ids as text).

    Rows whose prediction is null (not matched back to a reference) are left out. ``InputError`` when
    the file is missing or a line is broken.
    """
    path = Path(folder) / TEST_FILES[0]
    records, _, rejects = read_jsonl_rows(path, "references")
    if rejects:
        raise InputError(rejects[0].message())
    out = []
    for rec in records:
        pred = rec.get("xrec_pred")
        if isinstance(pred, str) and pred.strip():
            out.append({"uid": _key(rec.get("uid")), "iid": _key(rec.get("iid")), "xrec_pred": pred})
    return out


"""Amazon Review Data (McAuley lab, 2018 and 2014): reviews and product metadata, one object a line.

Reviews (``Gift_Cards_5.json.gz``, ``reviews_Books_5.json.gz`` ...) -> interactions, event ``review``:
rating = overall, review = reviewText, timestamp = unixReviewTime (else reviewTime), and context:
``summary`` (the review's headline, kept apart from the text because it is often a stock "Five Stars"),
``verified``, ``vote``, ``helpful`` (2014: "2/3") and the ``style`` entries as ``style.Size`` etc.
Metadata (``meta_*.json.gz``) -> items, see ``amazon_meta.py``. A path is one file (reviews, or
metadata when its name starts with ``meta_``) or a folder of ``*.json`` / ``*.json.gz`` files. When
metadata is given, reviews of products it lacks are rejected by the cross-check.

Lines are JSON; the 2014 metadata (and some 2014 review dumps) are Python dict literals, read with
``ast.literal_eval`` (which evaluates literals only, never code), as the 2014 loaders' ``eval`` did.
A line that is neither is rejected. reviewerName is not ingested (personal data); nor are review
images (URLs) or the duplicate reviewTime.
"""

from __future__ import annotations

import ast
import gzip
import json
from pathlib import Path

import pandas as pd

from recreason.data.readers import amazon_meta
from recreason.data.readers.base import FILE, LINE, RawTable, ReadOptions, ReadResult, read_text
from recreason.data.rejects import InputError, Reject

SUFFIXES = (".json", ".json.gz")
RATING_RANGE = (1.0, 5.0)
MAX_LITERAL_CHARS = 1_000_000  # literal_eval of a giant line is slow and deep; such lines are rejected
REVIEW_KEYS = {"reviewerID", "asin"}
IGNORED = {"reviewerName": "personal data", "image": "review photo URLs", "reviewTime": "same as unixReviewTime"}
MAPPED = {"reviewerID", "asin", "overall", "reviewText", "summary", "unixReviewTime", "verified", "vote",
          "helpful", "style"}


def _parse(line: str) -> dict | str:
    """The object on a line, or why there is none."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        error = f"broken JSON ({e.msg} at column {e.colno})"
        if not line.lstrip().startswith("{") or len(line) > MAX_LITERAL_CHARS:
            return error
        try:
            obj = ast.literal_eval(line.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return f"{error}, and not a Python dict literal either"
    if not isinstance(obj, dict):
        return f"expected an object, found {type(obj).__name__}"
    return obj


def _first_object(path: Path, tries: int = 5) -> dict | None:
    """The first object among the first few lines (one broken first line does not hide a file)."""
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            for _ in range(tries):
                line = f.readline(MAX_LITERAL_CHARS)
                obj = _parse(line) if line.strip() else None
                if isinstance(obj, dict):
                    return obj
    except (OSError, EOFError):
        return None
    return None


def is_meta(path: Path) -> bool:
    return path.name.startswith("meta_")


def _kind(path: Path) -> str | None:
    """'reviews', 'meta' or None for a file that is not Amazon data."""
    if not path.is_file() or not path.name.endswith(SUFFIXES):
        return None
    obj = _first_object(path)
    if not obj or "asin" not in obj:
        return None
    if is_meta(path) or not obj.keys() & {"reviewerID", "overall"}:
        return "meta"
    return "reviews"


def files(path: Path, notes: list[str] | None = None) -> dict[Path, str]:
    """Amazon file -> 'reviews' or 'meta'; other .json files in a folder are named in ``notes``."""
    path = Path(path)
    if path.is_dir():
        found = {p: _kind(p) for p in sorted(path.iterdir()) if p.is_file() and p.name.endswith(SUFFIXES)}
        if notes is not None:
            notes += [f"{p}: skipped (no Amazon review or product object in its first lines)"
                      for p, k in found.items() if not k]
        return {p: k for p, k in found.items() if k}
    kind = _kind(path)
    return {path: kind} if kind else {}


def detect(path: Path) -> bool:
    return bool(files(path))


def read_lines(path: Path, table: str, encoding: str | None) -> tuple[list[dict], list[int], list[Reject]]:
    records, lines, rejects = [], [], []
    name = str(path)
    for n, line in enumerate(read_text(path, encoding).splitlines(), start=1):
        if not line.strip():
            continue
        obj = _parse(line)
        if isinstance(obj, str):
            rejects.append(Reject(name, n, table, None, obj, line))
        else:
            records.append(obj)
            lines.append(n)
    return records, lines, rejects


def _text(v) -> str:
    return v.strip() if isinstance(v, str) else "" if v is None else str(v)


def review_context(rec: dict) -> dict[str, str]:
    ctx = {"summary": _text(rec.get("summary")), "vote": _text(rec.get("vote")).replace(",", "")}
    if isinstance(rec.get("verified"), bool):
        ctx["verified"] = "true" if rec["verified"] else "false"
    helpful = rec.get("helpful")
    if isinstance(helpful, (list, tuple)) and len(helpful) == 2:
        ctx["helpful"] = f"{helpful[0]}/{helpful[1]}"
    style = rec.get("style")
    if isinstance(style, dict):
        for k, v in style.items():
            ctx[f"style.{str(k).strip().rstrip(':').strip()}"] = _text(v)
    return {k: v for k, v in ctx.items() if v}


def _reviews(path: Path, opts: ReadOptions, result: ReadResult) -> pd.DataFrame:
    records, lines, rejects = read_lines(path, "interactions", opts.encoding)
    result.rejects += rejects
    rows = []
    for rec in records:
        stamp = rec.get("unixReviewTime")
        rows.append({"user_id": rec.get("reviewerID"), "item_id": rec.get("asin"), "event": "review",
                     "rating": rec.get("overall"), "review": rec.get("reviewText"),
                     "timestamp": stamp if stamp is not None else rec.get("reviewTime"),
                     "context": review_context(rec)})
    present = {k for r in records for k in r}
    result.notes += [f"{path}: ignored field {k} ({why})" for k, why in IGNORED.items() if k in present]
    result.notes += [f"{path}: ignored field {k} (not mapped)" for k in sorted(present - MAPPED - IGNORED.keys())]
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in
                          ("user_id", "item_id", "event", "rating", "review", "timestamp", "context")})
    frame[FILE], frame[LINE] = str(path), lines
    return frame


def read(path: Path, opts: ReadOptions) -> ReadResult:
    path = Path(path)
    result = ReadResult(rating_range=RATING_RANGE)
    found = files(path, result.notes)
    if not found:
        raise InputError(f"{path}: no Amazon review or metadata files (one JSON object a line with an asin)")
    for file, kind in found.items():
        result.sources.append(file)
        if kind == "reviews":
            frame = _reviews(file, opts, result)
            result.tables.append(RawTable("interactions", frame, str(file)))
        else:
            records, lines, rejects = read_lines(file, "items", opts.encoding)
            result.rejects += rejects
            frame = amazon_meta.items_frame(records, lines, str(file), result.notes)
            result.tables.append(RawTable("items", frame, str(file)))
    return result

"""AdvertiseGen (ADGEN): Chinese clothing attributes and the advertising copy written for them.

One JSON object a line (``train.json``, ``dev.json``)::

    {"content": "类型#上衣*材质#牛仔布*颜色#白色*...", "summary": "简约而不简单的牛仔外套..."}

Each line is a reference (text = summary, no user, language zh) for an item made from ``content``:
attributes key -> value, or a list of values when a key repeats (风格 often does); category = the
类型 value(s). The item id is ``adgen-`` plus the first 16 hex digits of the SHA-1 of the content text,
so it is stable across runs and files, and lines with the same content (the same product written up
more than once) share one item, emitted once. A path may be one file or a folder of them; the split
is the file name: train, dev -> validation, test. A content pair without ``#`` (or with an empty key
or value) rejects its line, naming the pair.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pandas as pd

from recreason.data.readers.base import FILE, LINE, RawTable, ReadOptions, ReadResult, read_jsonl_rows
from recreason.data.rejects import InputError, Reject

SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")
SPLITS = {"train": "train", "dev": "validation", "valid": "validation", "validation": "validation",
          "test": "test"}
TYPE_KEY = "类型"


def _first_object(path: Path) -> dict | None:
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as f:
            line = f.readline(1_000_000)
        obj = json.loads(line)
    except (OSError, ValueError, EOFError):
        return None
    return obj if isinstance(obj, dict) else None


def _is_adgen_file(path: Path) -> bool:
    if not path.is_file() or not path.name.lower().endswith(SUFFIXES):
        return False
    obj = _first_object(path)
    return bool(obj) and isinstance(obj.get("content"), str) and "summary" in obj and "#" in obj["content"]


def files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        return [p for p in sorted(path.iterdir()) if _is_adgen_file(p)]
    return [path] if _is_adgen_file(path) else []


def detect(path: Path) -> bool:
    return bool(files(path))


def item_id(content: str) -> str:
    return "adgen-" + hashlib.sha1(content.strip().encode("utf-8")).hexdigest()[:16]


def parse_content(content) -> tuple[dict[str, str | list[str]], list[str]] | str:
    """(attributes, 类型 values), or the reason the content cannot be parsed."""
    if not isinstance(content, str) or not content.strip():
        return "missing content" if content is None or isinstance(content, str) else \
            f"content must be text, found {type(content).__name__}"
    attrs: dict[str, str | list[str]] = {}
    for pair in content.strip().split("*"):
        key, sep, value = pair.partition("#")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            return f"malformed attribute pair {pair!r} (expected key#value)"
        if key not in attrs:
            attrs[key] = value
        else:
            old = attrs[key]
            values = old if isinstance(old, list) else [old]
            if value not in values:
                attrs[key] = values + [value]
    types = attrs.get(TYPE_KEY, [])
    return attrs, [types] if isinstance(types, str) else list(types)


def _split(path: Path) -> str:
    stem = path.name.split(".")[0].lower()
    return SPLITS.get(stem, stem)


def read(path: Path, opts: ReadOptions) -> ReadResult:
    path = Path(path)
    found = files(path)
    if not found:
        raise InputError(f"{path}: no AdvertiseGen file (JSON lines with content and summary)")
    result = ReadResult(sources=found)
    items: dict[str, dict] = {}
    refs: list[dict] = []
    for file in found:
        name, split = str(file), _split(file)
        records, lines, rejects = read_jsonl_rows(file, "references", opts.encoding)
        result.rejects += rejects
        for rec, line in zip(records, lines):
            parsed = parse_content(rec.get("content"))
            if isinstance(parsed, str):
                result.rejects.append(Reject(name, line, "references", "content", parsed, rec))
                continue
            attrs, category = parsed
            iid = item_id(rec["content"])
            if iid not in items:
                items[iid] = {"item_id": iid, "category": category, "attributes": attrs, "language": "zh",
                              FILE: name, LINE: line}
            refs.append({"user_id": None, "item_id": iid, "text": rec.get("summary"), "split": split,
                         "language": "zh", FILE: name, LINE: line})
        masked = sum(1 for r in records if "BRAND" in str(r.get("summary")))
        if masked:
            result.notes.append(f"{file}: {masked} summaries contain the placeholder BRAND (AdvertiseGen masks "
                                f"brand names)")
        extra = sorted({k for r in records for k in r} - {"content", "summary"})
        result.notes += [f"{file}: ignored field {k} (not part of AdvertiseGen)" for k in extra]
    result.tables.append(RawTable("items", _frame(list(items.values()), ["item_id", "category", "attributes",
                                                                        "language"]), str(path)))
    result.tables.append(RawTable("references", _frame(refs, ["user_id", "item_id", "text", "split", "language"]),
                                  str(path)))
    return result


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    cols = columns + [FILE, LINE]
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in cols})

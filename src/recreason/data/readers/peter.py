"""NETE / PETER / PEPLER data: ``reviews.pickle`` plus split folders ``1/`` ... ``5/``.

Layout (lileipisces/PETER ``utils.DataLoader``)::

    TripAdvisor/reviews.pickle        a pickled list of dicts: user, item, rating,
                                      template = (feature, adjective, sentence, sentiment),
                                      optionally text (the whole review), predicted, ...
    TripAdvisor/1/train.index         one line of space-separated 0-based indices into the list
    TripAdvisor/1/validation.index
    TripAdvisor/1/test.index          (and the same in 2/ ... 5/)

Each record becomes an interaction (event ``rate``: the rating, with the review text, ``text`` when the
record has it, else the template sentence) and a reference (user, item, text = sentence, feature,
opinion = adjective, sentiment). ``split`` is train / validation / test from one split folder: ``1``
unless the path given is a split folder itself (``TripAdvisor/3``) or ``opts.split`` names one;
records in none of its index files get no split. Users and items are implied (no tables).

Rows are numbered 1, 2, ... in the rejects file: row n is list index n - 1 in the index files.
The pickle is loaded with ``pickles.load`` (plain Python containers only, never code).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from recreason.data.readers import pickles
from recreason.data.readers.base import FILE, LINE, RawTable, ReadOptions, ReadResult, read_text
from recreason.data.rejects import InputError, Reject

PICKLE = "reviews.pickle"
SPLIT_FILES = {"train": "train.index", "validation": "validation.index", "test": "test.index"}
RATING_RANGE = (1.0, 5.0)  # TripAdvisor, Amazon Movies & TV and Yelp 2019 are all 1-5 stars


def _is_split_dir(path: Path) -> bool:
    return path.is_dir() and (path / SPLIT_FILES["train"]).is_file() and (path.parent / PICKLE).is_file()


def detect(path: Path) -> bool:
    path = Path(path)
    if path.is_file():
        return path.name == PICKLE
    return path.is_dir() and ((path / PICKLE).is_file() or _is_split_dir(path))


def _locate(path: Path, opts: ReadOptions) -> tuple[Path, Path | None, list[str]]:
    """(reviews.pickle, split folder or None, notes)."""
    if path.is_file():
        path = path.parent
    if _is_split_dir(path):
        return path.parent / PICKLE, path, []
    pickle_path = path / PICKLE
    if not pickle_path.is_file():
        raise InputError(f"{path}: no {PICKLE} (PETER layout: reviews.pickle and split folders 1/ ... 5/)")
    chosen = opts.split
    split_dir = path / str(chosen or "1")
    if split_dir.is_dir():
        return pickle_path, split_dir, []
    if chosen:
        found = sorted(p.name for p in path.iterdir() if (p / SPLIT_FILES["train"]).is_file())
        raise InputError(f"{split_dir}: no such split folder; found {', '.join(found) or 'none'}")
    return pickle_path, None, [f"{path}: no split folder 1/; records have no train/validation/test split"]


def _read_index(path: Path, size: int) -> list[int]:
    text = read_text(path).strip()
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        for token in line.split():
            try:
                i = int(token)
            except ValueError:
                raise InputError(f"{path}:{n}: {token!r} is not an integer index") from None
            if not 0 <= i < size:
                raise InputError(f"{path}:{n}: index {i} out of range ({size} records in {PICKLE})")
            out.append(i)
    return out


def _splits(split_dir: Path, size: int, result: ReadResult) -> list[str | None]:
    labels: list[str | None] = [None] * size
    clashes = 0
    for label, name in SPLIT_FILES.items():
        path = split_dir / name
        if not path.is_file():
            raise InputError(f"{split_dir}: missing {name} (expected {', '.join(SPLIT_FILES.values())})")
        result.sources.append(path)
        for i in _read_index(path, size):
            if labels[i] is not None and labels[i] != label:
                clashes += 1
                continue
            labels[i] = label
    if clashes:
        result.notes.append(f"{split_dir}: {clashes} indices listed in two split files; the first "
                            f"(train, validation, test order) was kept")
    missing = labels.count(None)
    if missing:
        result.notes.append(f"{split_dir}: {missing} of {size} records are in no index file (split left empty)")
    return labels


def _template(value) -> tuple[str, str, str, object] | str:
    """The 4-tuple, or a reason why it is not one."""
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        kind = f"a {len(value)}-tuple" if isinstance(value, (tuple, list)) else type(value).__name__
        return f"template must be (feature, adjective, sentence, sentiment), found {kind}"
    fea, adj, sentence, sentiment = value
    if not isinstance(sentence, str) or not sentence.strip():
        return "template sentence is missing or not text"
    if not all(v is None or isinstance(v, str) for v in (fea, adj)):
        return "template feature and adjective must be text"
    return fea, adj, sentence, sentiment


def _sentiment(value):
    # Sentires writes +1 / -1 as ints; floats such as 1.0 pass through for the validator to check.
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        return int(value)
    return value


def read(path: Path, opts: ReadOptions) -> ReadResult:
    path = Path(path)
    pickle_path, split_dir, notes = _locate(path, opts)
    result = ReadResult(sources=[pickle_path], notes=notes, rating_range=RATING_RANGE)
    reviews = pickles.load(pickle_path)
    if not isinstance(reviews, list):
        raise InputError(f"{pickle_path}: expected a list of review dicts, found {type(reviews).__name__}")
    splits = _splits(split_dir, len(reviews), result) if split_dir else [None] * len(reviews)
    name = str(pickle_path)
    inter, refs = [], []
    extra_keys: set[str] = set()
    for i, rec in enumerate(reviews):
        row = i + 1
        if not isinstance(rec, dict):
            reason = f"record {row} (index {i}) is a {type(rec).__name__}, expected a dict"
            result.rejects += [Reject(name, row, t, None, reason, repr(rec)[:2000])
                               for t in ("interactions", "references")]
            continue
        extra_keys |= rec.keys() - {"user", "item", "rating", "template", "text"}
        tpl = _template(rec.get("template"))
        sentence = tpl[2] if isinstance(tpl, tuple) else None
        review = rec.get("text") if isinstance(rec.get("text"), str) and rec["text"].strip() else sentence
        inter.append({"user_id": rec.get("user"), "item_id": rec.get("item"), "event": "rate",
                      "rating": rec.get("rating"), "review": review, "split": splits[i],
                      FILE: name, LINE: row})
        record = {k: v for k, v in rec.items() if k != "predicted"}
        if isinstance(tpl, str):
            result.rejects.append(Reject(name, row, "references", "template", tpl, record))
        elif rec.get("user") is None or (isinstance(rec["user"], str) and not rec["user"].strip()):
            result.rejects.append(Reject(name, row, "references", "user_id",
                                         "missing user (PETER references are per user and item)", record))
        else:
            fea, adj, sentence, sentiment = tpl
            refs.append({"user_id": rec.get("user"), "item_id": rec.get("item"), "text": sentence,
                         "feature": fea, "opinion": adj, "sentiment": _sentiment(sentiment),
                         "split": splits[i], FILE: name, LINE: row})
    for key in sorted(extra_keys):
        result.notes.append(f"{pickle_path}: ignored field {key} (not part of the native model)")
    for table, rows in (("interactions", inter), ("references", refs)):
        result.tables.append(RawTable(table, pd.DataFrame(rows, dtype=object, columns=_columns(table)), name))
    return result


def _columns(table: str) -> list[str]:
    if table == "interactions":
        return ["user_id", "item_id", "event", "rating", "review", "split", FILE, LINE]
    return ["user_id", "item_id", "text", "feature", "opinion", "sentiment", "split", FILE, LINE]

"""Personal data masked at ingest: which fields are user text, and the counts the manifest keeps.

What is found and the tokens it becomes are ``recreason.text.pii``'s (e-mail, phone, Chinese ID and bank
card numbers, street addresses, zh and en: ``[email]``, ``[phone]``, ``[id]``, ``[card]``, ``[address]``).
This module applies it to the fields a *user* wrote or that describe a user:

- ``interactions.review`` (review text, MovieLens tags);
- ``interactions.context`` values under the free-text keys of ``CONTEXT_TEXT_KEYS`` (Amazon's review
  ``summary``, a review ``title`` ...), not device, scene, vote or product-variant values;
- ``users.profile_text``, each of ``users.interests``, and the values of ``users.demographics``;
- ``references.text`` of references that belong to a user (PETER sentences are cut from the user's own
  review; XRec explanations are written from them); item-only references (AdvertiseGen ad copy) are not.

Item titles, descriptions and attributes are *not* masked: they are the seller's text about a product, not
personal data, and a shop's service number or address in a description is part of what the product is
(the Amazon gift-card metadata has dozens: restaurant addresses, booking lines).

Rejected records are user data too, and ``rejects.jsonl`` sits in the workspace beside the tables, so
every string of a rejected record is masked as well (a reader's unparseable raw line as a whole), except
the ids (``item_id``, ``user_id``), which are kept so the record can still be found in its source; the
file and line of a reject point at the unmasked original. Masking replaces spans and never drops a record
or a field; ``recreason ingest --keep-pii`` (``ingest(..., mask_pii=False)``) turns it off, and the
manifest says which was done.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from recreason.data.rejects import Reject
from recreason.data.schema import ID_COLUMNS, dump_json
from recreason.text.pii import KINDS, could_contain, mask

#: Keys of ``interactions.context`` whose values are text the user wrote (lower-cased before the look-up).
CONTEXT_TEXT_KEYS = frozenset({
    "summary", "title", "review_title", "headline", "comment", "comments", "text", "tag", "tags", "note",
    "notes", "message", "标题", "评论", "评价", "留言", "备注", "追评",
})
#: The user-text fields, for the manifest (``interactions.context.KEY`` stands for each key above).
FIELDS = ("interactions.review", "interactions.context.KEY", "users.profile_text", "users.interests",
          "users.demographics", "references.text (with a user)", "rejects")


@dataclass
class PiiCounts:
    """What masking replaced: spans per field and kind, and how many records changed."""

    by_field: dict[str, Counter[str]] = field(default_factory=dict)
    records: int = 0

    def add(self, name: str, counts: Counter[str]) -> None:
        if counts:
            self.by_field.setdefault(name, Counter()).update(counts)

    @property
    def by_kind(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for counts in self.by_field.values():
            total.update(counts)
        return {k: total[k] for k in KINDS}

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.by_field.values())

    def manifest(self) -> dict[str, Any]:
        """The manifest's ``pii_masked`` entry."""
        return {"enabled": True, "total": self.total, "records": self.records, "by_kind": self.by_kind,
                "by_field": {f: dict(sorted(c.items())) for f, c in sorted(self.by_field.items())},
                "fields": list(FIELDS)}

    def summary(self) -> str:
        """One line for the ingest command."""
        if not self.total:
            return "pii masked: none found"
        kinds = ", ".join(f"{k} {n:,}" for k, n in self.by_kind.items() if n)
        return f"pii masked: {self.total:,} in {self.records:,} records ({kinds})"


#: The manifest entry when masking was turned off.
KEPT = {"enabled": False}
KEPT_SUMMARY = "pii: kept unmasked (--keep-pii)"


def _mask_values(values: pd.Series, rows: np.ndarray | None = None) -> tuple[pd.Series, Counter[str], np.ndarray]:
    """Mask each distinct string once. Returns the new values, the counts (once per record, not per
    distinct value) and a bool array of the records that changed. ``rows`` limits it to some records."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if rows is not None:
        codes = np.where(rows, codes, -1)
    used = codes >= 0
    hits = np.bincount(codes[used], minlength=len(uniques))
    changed_codes = np.zeros(len(uniques), dtype=bool)
    per_value: dict[int, Counter[str]] = {}
    new_uniques = list(uniques)
    for i, value in enumerate(uniques):
        if hits[i] and isinstance(value, str) and could_contain(value):
            masked, counts = mask(value)
            if counts:
                new_uniques[i], per_value[i], changed_codes[i] = masked, counts, True
    changed = np.zeros(len(values), dtype=bool)
    total: Counter[str] = Counter()
    if not per_value:
        return values, total, changed
    changed[used] = changed_codes[codes[used]]
    for i, counts in per_value.items():
        for kind, n in counts.items():
            total[kind] += n * int(hits[i])
    out = values.copy()
    idx = np.flatnonzero(changed)
    out.iloc[idx] = [new_uniques[codes[j]] for j in idx]
    return out, total, changed


def _mask_map(text: str, keys: frozenset[str] | None) -> tuple[str, dict[str, Counter[str]]]:
    """A JSON-text map with the values of ``keys`` (every key when None) masked; counts per key."""
    mapping = json.loads(text)
    per_key: dict[str, Counter[str]] = {}
    for key, value in mapping.items():
        if (keys is None or key.lower() in keys) and isinstance(value, str) and could_contain(value):
            masked, counts = mask(value)
            if counts:
                mapping[key], per_key[key] = masked, counts
    return (dump_json(mapping) if per_key else text), per_key


def _mask_maps(frame: pd.DataFrame, column: str, keys: frozenset[str] | None, name: str,
               report: PiiCounts) -> np.ndarray:
    values = frame[column]
    changed = np.zeros(len(frame), dtype=bool)
    cache: dict[str, tuple[str, dict[str, Counter[str]]]] = {}
    out = []
    for i, text in enumerate(values):
        if not isinstance(text, str) or not could_contain(text):
            out.append(text)
            continue
        if text not in cache:
            cache[text] = _mask_map(text, keys)
        masked, per_key = cache[text]
        out.append(masked)
        if per_key:
            changed[i] = True
            for key, counts in per_key.items():
                report.add(f"{name}.{key}" if keys is not None else name, counts)
    if changed.any():
        frame[column] = pd.Series(out, index=frame.index, dtype=object)
    return changed


def _mask_lists(frame: pd.DataFrame, column: str, name: str, report: PiiCounts) -> np.ndarray:
    changed = np.zeros(len(frame), dtype=bool)
    out = []
    for i, items in enumerate(frame[column]):
        new = list(items) if isinstance(items, (list, tuple, np.ndarray)) else items
        if isinstance(new, list):
            for j, item in enumerate(new):
                if isinstance(item, str) and could_contain(item):
                    masked, counts = mask(item)
                    if counts:
                        new[j], changed[i] = masked, True
                        report.add(name, counts)
        out.append(new)
    if changed.any():
        frame[column] = pd.Series(out, index=frame.index, dtype=object)
    return changed


def _mask_text(frame: pd.DataFrame, column: str, name: str, report: PiiCounts,
               rows: np.ndarray | None = None) -> np.ndarray:
    out, counts, changed = _mask_values(frame[column], rows)
    if changed.any():
        frame[column] = out
        report.add(name, counts)
    return changed


def mask_tables(frames: dict[str, pd.DataFrame]) -> PiiCounts:
    """Mask the user-text fields of the native tables in place; the counts."""
    report = PiiCounts()
    interactions = frames.get("interactions")
    if interactions is not None and len(interactions):
        changed = _mask_text(interactions, "review", "interactions.review", report)
        changed |= _mask_maps(interactions, "context", CONTEXT_TEXT_KEYS, "interactions.context", report)
        report.records += int(changed.sum())
    users = frames.get("users")
    if users is not None and len(users):
        changed = _mask_text(users, "profile_text", "users.profile_text", report)
        changed |= _mask_lists(users, "interests", "users.interests", report)
        changed |= _mask_maps(users, "demographics", None, "users.demographics", report)
        report.records += int(changed.sum())
    references = frames.get("references")
    if references is not None and len(references):
        with_user = references["user_id"].notna().to_numpy()
        report.records += int(_mask_text(references, "text", "references.text", report, with_user).sum())
    return report


def _mask_record(record: Any, counts: Counter[str], key: str | None = None) -> Any:
    if key in ID_COLUMNS:
        return record
    if isinstance(record, str):
        if not could_contain(record):
            return record
        masked, found = mask(record)
        counts.update(found)
        return masked
    if isinstance(record, dict):
        return {k: _mask_record(v, counts, str(k)) for k, v in record.items()}
    if isinstance(record, (list, tuple)):
        return [_mask_record(v, counts) for v in record]
    return record


def mask_rejects(rejects: list[Reject], report: PiiCounts) -> None:
    """Mask every string of each rejected record (ids kept), in place; counted under ``rejects``."""
    for reject in rejects:
        counts: Counter[str] = Counter()
        reject.record = _mask_record(reject.record, counts)
        if counts:
            report.add("rejects", counts)
            report.records += 1

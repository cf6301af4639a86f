"""Forget users: remove everything a workspace holds about them, and keep them out of later ingests.

``forget_users(folder, ids)`` removes the users' rows from every table (``users``, ``interactions`` with their
reviews, ``references``), every rejected record that names them (``rejects.jsonl``: a record any of whose
values equals the id), and records a salted hash of each id in ``forgotten.json``, so that ``ingest`` into
this workspace drops their records again (counted, never silently) and nobody can read the ids back from it.
Files are rewritten atomically (a temporary file renamed over the old one): a crash leaves the old or the new
file, never half of one. ``without_users(dataset, ids)`` is the same removal on a ``Dataset`` in memory (the
server forgets a user without reloading).

The layers above forget what they hold: the event store (``serve.store.Store.forget``), a ranker artifact
(``rank.Ranker.forget``), the server's caches (``serve.services.Services.forget``).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from recreason.data.dataset import Dataset
from recreason.data.schema import TABLES
from recreason.data.workspace import MANIFEST, REJECTS, load, read_manifest

FORGOTTEN = "forgotten.json"


@dataclass
class ForgetReport:
    users: list[str]
    removed: dict[str, int] = field(default_factory=dict)  # table (or "rejects") -> rows removed
    items: set[str] = field(default_factory=set)  # items the users interacted with (their profiles change)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def without_users(dataset: Dataset, ids: Iterable[str]) -> tuple[Dataset, ForgetReport]:
    """``dataset`` without any row of these users, and what was removed."""
    wanted = set(ids)
    report = ForgetReport(users=sorted(wanted))
    frames = {}
    for table in TABLES:
        df = dataset.table(table)
        if "user_id" in df.columns and len(df):
            mine = df["user_id"].isin(wanted)
            report.removed[table] = int(mine.sum())
            if "item_id" in df.columns:
                report.items |= set(df.loc[mine, "item_id"].dropna())
            df = df.loc[~mine].reset_index(drop=True)
        else:
            report.removed[table] = 0
        frames[table] = df
    return Dataset(**frames, name=dataset.name), report


def _names(record: Any, ids: set[str] | Forgotten) -> bool:
    """Whether any value of a raw record (nested dicts and lists included) is one of ``ids``."""
    if isinstance(record, dict):
        return any(_names(v, ids) for v in record.values())
    if isinstance(record, (list, tuple)):
        return any(_names(v, ids) for v in record)
    return isinstance(record, (str, int)) and str(record).strip() in ids


def _replace(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _hash(salt: str, user_id: str) -> str:
    return hashlib.sha256(f"{salt}\x1f{user_id}".encode()).hexdigest()


class Forgotten:
    """The users a workspace was told to forget, as salted hashes (``forgotten.json``)."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / FORGOTTEN
        data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.is_file() else {}
        self.salt: str = data.get("salt") or secrets.token_hex(16)
        self.hashes: set[str] = set(data.get("users", []))

    def __contains__(self, user_id: object) -> bool:
        return isinstance(user_id, str) and _hash(self.salt, user_id) in self.hashes

    def __len__(self) -> int:
        return len(self.hashes)

    def add(self, ids: Iterable[str]) -> None:
        self.hashes |= {_hash(self.salt, u) for u in ids}
        body = json.dumps({"salt": self.salt, "users": sorted(self.hashes)}, indent=1)
        _replace(self.path, lambda p: p.write_text(body, encoding="utf-8"))


def drop_forgotten(dataset: Dataset, rejects: list, folder: str | Path) -> tuple[Dataset, list, ForgetReport]:
    """For ``ingest`` into ``folder``: ``dataset`` and ``rejects`` without the records of users the workspace
    was told to forget (a rejected record is theirs when one of its values is a forgotten id), and what was
    dropped (counted in the manifest, never silently)."""
    forgotten = Forgotten(folder)
    report = ForgetReport(users=[])
    if not len(forgotten):
        return dataset, rejects, report
    ids = set()
    for table in TABLES:
        df = dataset.table(table)
        if "user_id" in df.columns:
            ids.update(u for u in df["user_id"].dropna().unique() if u in forgotten)
    if ids:
        dataset, report = without_users(dataset, ids)
    kept = [r for r in rejects if not _names(r.record, forgotten)]
    report.removed["rejects"] = len(rejects) - len(kept)
    return dataset, kept, report


def forget_users(folder: str | Path, ids: Iterable[str]) -> ForgetReport:
    """Remove the users from the workspace in ``folder`` (tables, rejects) and remember them as forgotten."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    dataset, report = without_users(load(folder), ids)
    for table in TABLES:
        if report.removed.get(table):
            _replace(folder / f"{table}.parquet",
                     lambda p, t=table: pq.write_table(dataset.to_arrow(t), p, compression="zstd"))
    rejects = folder / REJECTS
    report.removed["rejects"] = 0
    if rejects.is_file():
        wanted = set(report.users)
        kept = []
        with open(rejects, encoding="utf-8") as f:
            for line in f:
                if line.strip() and _names(json.loads(line).get("record"), wanted):
                    report.removed["rejects"] += 1
                else:
                    kept.append(line)
        if report.removed["rejects"]:
            _replace(rejects, lambda p: p.write_text("".join(kept), encoding="utf-8"))
    Forgotten(folder).add(report.users)
    manifest["counts"] = dataset.counts()
    manifest["forgotten_users"] = len(Forgotten(folder))
    _replace(folder / MANIFEST,
             lambda p: p.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"))
    return report

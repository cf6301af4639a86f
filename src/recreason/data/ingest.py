"""Ingest: read any supported source, validate, account for every record, write a workspace.

``ingest(paths)`` returns an ``IngestReport`` with the validated ``Dataset``, every ``Reject`` and
the read / accepted / rejected counts per table (read = accepted + rejected, always).
``ingest_to_workspace`` also writes the Parquet workspace and its ``rejects.jsonl``, and raises
``RejectRateExceeded`` (after writing the rejects, before touching the tables) when too much was rejected.

Personal data (e-mail, phone, ID and bank-card numbers, street addresses) in the user-text fields and in
the rejected records is masked unless ``mask_pii=False``; ``IngestReport.pii`` has the counts, which go
into the manifest as ``pii_masked`` (see ``recreason.data.pii`` for the fields and the choices).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from recreason.data import readers, workspace
from recreason.data.dataset import Dataset
from recreason.data.forget import FORGOTTEN, drop_forgotten
from recreason.data.pii import KEPT, PiiCounts, mask_rejects, mask_tables
from recreason.data.readers import archive
from recreason.data.readers.base import ReadOptions
from recreason.data.rejects import Reject, write_rejects
from recreason.data.schema import TABLES
from recreason.data.validate import (
    Checked,
    check_table,
    drop_duplicate_ids,
    drop_unknown_ids,
    merge_checked,
    to_native,
)


class RejectRateExceeded(Exception):
    def __init__(self, rate: float, limit: float, report: IngestReport, rejects_path: Path):
        self.rate, self.limit, self.report, self.rejects_path = rate, limit, report, rejects_path
        super().__init__(f"{report.rejected:,} of {report.read:,} records rejected ({rate:.2%}), above the "
                         f"limit of {limit:.2%}; nothing was written to the workspace; see {rejects_path}")


@dataclass
class IngestReport:
    dataset: Dataset
    rejects: list[Reject]
    counts: dict[str, dict[str, int]]
    formats: list[str]
    sources: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: what was masked; None when masking was turned off (``mask_pii=False``)
    pii: PiiCounts | None = None

    @property
    def read(self) -> int:
        return sum(c["read"] for c in self.counts.values())

    @property
    def accepted(self) -> int:
        return sum(c["accepted"] for c in self.counts.values())

    @property
    def rejected(self) -> int:
        return sum(c["rejected"] for c in self.counts.values())

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.read if self.read else 0.0


def _source_info(path: Path, fmt: str) -> dict:
    info = {"path": str(path), "format": fmt, "bytes": path.stat().st_size, "sha256": workspace.sha256_file(path)}
    if archive.is_archive(path):  # the archive is the source; its members are named
        info["members"] = archive.member_names(path)
    return info


def ingest(paths: list[Path] | Path, fmt: str | None = None, opts: ReadOptions | None = None,
           name: str | None = None, progress: bool = False, mask_pii: bool = True) -> IngestReport:
    """Read, validate and cross-check every path. ``InputError`` for a file that cannot be read at all.

    With ``mask_pii`` (the default) personal data in user text and in rejected records is masked."""
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    opts = opts or ReadOptions()
    parts: dict[str, list[Checked]] = defaultdict(list)
    parse_rejects: list[Reject] = []
    formats, sources, notes = [], [], []
    bar = tqdm(total=len(paths) * 2 + 1, desc="ingest", unit="step", disable=not progress, leave=False)
    for path in paths:
        bar.set_postfix_str(f"reading {path.name}")
        try:
            used, result = readers.read(path, fmt, opts)
        except BaseException:
            bar.close()  # the bar's line is cleared, so the error is printed on a line of its own
            raise
        bar.update()
        bar.set_postfix_str("validating")
        formats.append(used)
        sources += [_source_info(p, used) for p in result.sources]
        notes += result.notes
        parse_rejects += result.rejects
        rating_range = opts.rating_range or result.rating_range
        try:
            for raw in result.tables:
                parts[raw.table].append(check_table(raw, rating_range, opts.max_text_chars))
        except BaseException:
            bar.close()
            raise
        bar.update()
    bar.set_postfix_str("cross-checking ids")
    checked = {t: merge_checked(parts[t], t) for t in TABLES}
    for table, key in (("items", "item_id"), ("users", "user_id")):
        if len(checked[table].frame):
            drop_duplicate_ids(checked[table], key)
    for child in ("interactions", "references"):
        if not len(checked[child].frame):
            continue
        if len(checked["items"].frame):
            drop_unknown_ids(checked[child], "item_id", set(checked["items"].frame["item_id"]), "items")
        if len(checked["users"].frame):
            drop_unknown_ids(checked[child], "user_id", set(checked["users"].frame["user_id"]), "users")
    for c in checked.values():
        c.raw = []  # the raw frames were kept for the cross-checks' rejects only
    counts = {}
    for t in TABLES:
        c = checked[t]
        early = sum(1 for r in parse_rejects if r.table == t)
        counts[t] = {"read": c.read + early, "accepted": len(c.frame), "rejected": len(c.rejects) + early}
    frames = {t: to_native(checked[t]) if parts[t] else Dataset().table(t) for t in TABLES}
    pii = mask_tables(frames) if mask_pii else None
    dataset = Dataset(**frames, name=name or (paths[0].stem if paths else "dataset"))
    bar.update()
    bar.close()
    rejects = sorted(parse_rejects + [r for t in TABLES for r in checked[t].rejects],
                     key=lambda r: (r.file, r.line or 0))
    if pii is not None:
        mask_rejects(rejects, pii)
    return IngestReport(dataset, rejects, counts, formats, sources, notes, pii)


def ingest_to_workspace(paths: list[Path] | Path, folder: Path, fmt: str | None = None,
                        opts: ReadOptions | None = None, max_reject_rate: float = 0.05,
                        name: str | None = None, progress: bool = False, mask_pii: bool = True) -> IngestReport:
    report = ingest(paths, fmt, opts, name, progress, mask_pii)
    folder = Path(folder)
    report.dataset, report.rejects, gone = drop_forgotten(report.dataset, report.rejects, folder)
    if gone.total:
        report.notes.append(f"dropped {gone.total:,} records of {len(gone.users):,} user(s) this workspace was "
                            f"told to forget ({FORGOTTEN}): " + ", ".join(f"{t} {n:,}" for t, n in
                                                                             gone.removed.items() if n))
    rejects_path = write_rejects(report.rejects, folder / workspace.REJECTS)
    if report.reject_rate > max_reject_rate:
        raise RejectRateExceeded(report.reject_rate, max_reject_rate, report, rejects_path)
    stats = {"formats": report.formats, "ingest": report.counts, "notes": report.notes,
             "rejects_file": workspace.REJECTS, "max_reject_rate": max_reject_rate,
             "pii_masked": report.pii.manifest() if report.pii is not None else KEPT,
             "forgotten": {"users": len(gone.users), "records": gone.removed}}
    workspace.save(report.dataset, folder, report.sources, stats)
    return report

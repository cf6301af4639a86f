"""Readers: the native schema and adapters for the formats people have, found by name or by looking.

Each reader module has ``read(path, opts) -> ReadResult`` and ``detect(path) -> bool``. ``FORMATS``
lists them in the order auto-detection tries them; the native schema comes last. A ``.zip`` archive of
files in any of these formats is unpacked and read as its content would be (``archive.py``).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from recreason.data.readers import archive
from recreason.data.readers.base import RawTable, ReadOptions, ReadResult
from recreason.data.rejects import InputError

#: format name -> module (under recreason.data.readers), in detection order.
FORMATS: dict[str, str] = {
    "peter": "peter",
    "xrec": "xrec",
    "movielens": "movielens",
    "amazon": "amazon",
    "advertisegen": "advertisegen",
    "native": "native",
}


def reader(fmt: str):
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")
    return importlib.import_module(f"recreason.data.readers.{FORMATS[fmt]}")


def available_formats() -> list[str]:
    out = []
    for fmt in FORMATS:
        try:
            reader(fmt)
        except ModuleNotFoundError:
            continue
        out.append(fmt)
    return out


def detect(path: Path) -> str:
    """The format of a file or folder (or of a zip archive's content), or ``InputError`` naming what was looked for."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if archive.is_archive(path):
        with archive.unpacked(path) as box, archive.errors_named(box):
            return detect(box.inner)
    for fmt in available_formats():
        mod = reader(fmt)
        if mod.detect(path):
            return fmt
    zips = sorted(p.name for p in path.iterdir() if archive.is_archive(p)) if path.is_dir() else []
    hint = f"; it holds the zip archive(s) {', '.join(zips)}: pass the archive itself" if zips else ""
    raise InputError(f"{path}: cannot tell the format{hint}; pass --format ({', '.join(available_formats())})")


def read(path: Path, fmt: str | None = None, opts: ReadOptions | None = None) -> tuple[str, ReadResult]:
    """The format used and what it read. A zip archive is unpacked and its content read in its place."""
    if fmt is not None:
        reader(fmt)  # an unknown format is named before an archive is unpacked
    if archive.is_archive(Path(path)):
        with archive.unpacked(Path(path)) as box, archive.errors_named(box):
            used, result = read(box.inner, fmt, opts)
            return used, box.rename(result)
    fmt = fmt or detect(path)
    return fmt, reader(fmt).read(Path(path), opts or ReadOptions())


__all__ = ["FORMATS", "RawTable", "ReadOptions", "ReadResult", "available_formats", "detect", "read", "reader"]

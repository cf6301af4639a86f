"""Zip archives: a ``.zip`` holding files of a supported format is read as those files would be.

The archive is unpacked into a temporary folder and its content detected and read like any path: one file
(or one folder) at the top is read as that file (folder), several as a folder. Every name the readers give
(``_file`` of each record, rejects, notes, errors) is written back as ``ARCHIVE.zip/MEMBER``, so a reject or
an error names the archive and the member; the source recorded in the manifest is the archive itself (its
sha256) with its members. Folders and files a zip tool adds by itself (``__MACOSX/``, ``._*``,
``.DS_Store``) are left out. A member whose name would leave the folder, an encrypted member or a damaged
archive is an ``InputError``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from recreason.data.readers.base import FILE, ReadResult
from recreason.data.rejects import InputError

SUFFIX = ".zip"
_JUNK_FOLDERS = ("__MACOSX",)
_JUNK_FILES = (".DS_Store", "Thumbs.db")


def is_archive(path: Path) -> bool:
    path = Path(path)
    return path.is_file() and path.name.lower().endswith(SUFFIX)


def _junk(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and (parts[0] in _JUNK_FOLDERS or parts[-1] in _JUNK_FILES or parts[-1].startswith("._"))


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"{path}: not a readable zip archive ({e})") from None


def _members(path: Path, zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = [i for i in zf.infolist() if not i.is_dir() and not _junk(i.filename)]
    if not members:
        raise InputError(f"{path}: the zip archive holds no files")
    for info in members:
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise InputError(f"{path}/{info.filename}: a member whose path leaves the archive's folder; not read")
        if info.flag_bits & 0x1:
            raise InputError(f"{path}/{info.filename}: encrypted; unpack the archive first")
    return members


def member_names(path: Path) -> list[str]:
    """The names of the files in the archive that are read (what the manifest records)."""
    with _open(path) as zf:
        return [i.filename for i in _members(path, zf)]


@dataclass
class Unpacked:
    archive: Path
    root: Path  # the temporary folder
    inner: Path  # what to read: the one file or folder at the top, else the root
    members: list[str]

    def name(self, text: str) -> str:
        """``text`` with every temporary path written as ``ARCHIVE/MEMBER``."""
        for base in {str(self.root), str(self.root.resolve())}:
            if base in text:
                text = text.replace(base + os.sep, f"{self.archive}/").replace(base, str(self.archive))
        return text

    def rename(self, result: ReadResult) -> ReadResult:
        for table in result.tables:
            table.source = self.name(table.source)
            if FILE in table.frame.columns:
                names = {v: self.name(str(v)) for v in table.frame[FILE].unique()}
                table.frame[FILE] = table.frame[FILE].map(names)
        for reject in result.rejects:
            reject.file = self.name(reject.file)
        result.notes = [self.name(n) for n in result.notes]
        result.sources = [self.archive]
        return result


@contextmanager
def unpacked(path: Path) -> Iterator[Unpacked]:
    """The archive unpacked into a temporary folder (removed afterwards); errors name archive and member."""
    path = Path(path)
    with _open(path) as zf:
        members = _members(path, zf)
        size = sum(i.file_size for i in members)
        with tempfile.TemporaryDirectory(prefix="recreason-zip-") as tmp:
            root = Path(tmp)
            free = shutil.disk_usage(root).free
            if size > free:
                raise InputError(f"{path}: unpacks to {size / 1e9:.1f} GB but the temporary folder ({root.parent}) "
                                 f"has {free / 1e9:.1f} GB free; unpack it elsewhere or set TMPDIR")
            for info in members:
                target = root.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with zf.open(info) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as e:
                    raise InputError(f"{path}/{info.filename}: cannot unpack this member ({e})") from None
            entries = list(root.iterdir())
            inner = entries[0] if len(entries) == 1 else root
            yield Unpacked(path, root, inner, [i.filename for i in members])


@contextmanager
def errors_named(box: Unpacked) -> Iterator[None]:
    """Re-raise an ``InputError`` from reading the unpacked files with the archive's names in it."""
    try:
        yield
    except InputError as e:
        raise InputError(box.name(str(e))) from None

"""Zip archives: read as their content would be; rejects, errors and the manifest name the archive and member."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recreason.cli import app
from recreason.cli.common import BAD_INPUT
from recreason.data import readers
from recreason.data.ingest import ingest, ingest_to_workspace
from recreason.data.rejects import InputError, read_rejects
from recreason.data.workspace import load, read_manifest, sha256_file

HERE = Path(__file__).resolve().parent
INTERACTIONS = ("user_id,item_id,event,rating,review,timestamp\n"
                "u1,i1,review,5,很好看，面料舒服,2024-01-01\n"
                "u2,i1,review,9,out of range,2024-01-02\n"
                "u2,i2,click,,,2024-01-03\n")


def _zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_one_csv_in_a_zip_is_read_and_named_archive_slash_member(tmp_path):
    archive = _zip(tmp_path / "shop.zip", {"interactions.csv": INTERACTIONS})
    assert readers.detect(archive) == "native"
    ws = tmp_path / "ws"
    report = ingest_to_workspace(archive, ws, max_reject_rate=1.0)
    assert report.counts["interactions"] == {"read": 3, "accepted": 2, "rejected": 1}
    [reject] = read_rejects(ws / "rejects.jsonl")
    assert reject.file == f"{archive}/interactions.csv" and reject.line == 3 and reject.field == "rating"
    [source] = read_manifest(ws)["sources"]
    assert source["path"] == str(archive) and source["sha256"] == sha256_file(archive)
    assert source["members"] == ["interactions.csv"] and source["format"] == "native"
    assert sorted(load(ws).interactions["review"].dropna()) == ["很好看，面料舒服"]


def test_a_folder_in_a_zip_and_junk_a_zip_tool_adds(tmp_path):
    members = {f"amazon_tiny/{p.name}": p.read_bytes() for p in sorted((HERE / "amazon_tiny").iterdir())}
    members |= {"__MACOSX/amazon_tiny/._Tiny_5.json": b"\x00\x05junk", "amazon_tiny/.DS_Store": b"\x00"}
    archive = _zip(tmp_path / "amazon.zip", members)
    direct, zipped = ingest(HERE / "amazon_tiny", fmt="amazon"), ingest(archive)
    assert zipped.formats == ["amazon"]
    assert zipped.counts == direct.counts
    assert len(zipped.dataset.items) == len(direct.dataset.items) > 0
    assert {Path(r.file).name for r in zipped.rejects} == {Path(r.file).name for r in direct.rejects}
    assert all(r.file.startswith(f"{archive}/amazon_tiny/") for r in zipped.rejects)


def test_several_files_at_the_top_are_read_as_a_folder(tmp_path):
    archive = _zip(tmp_path / "ml.zip", {p.name: p.read_bytes() for p in (HERE / "movielens_tiny").iterdir()})
    report = ingest(archive)
    assert report.formats == ["movielens"] and len(report.dataset.interactions) > 0


def test_errors_name_the_archive_and_the_member(tmp_path):
    empty = _zip(tmp_path / "empty-member.zip", {"items.csv": ""})
    with pytest.raises(InputError, match=rf"^{empty}/items\.csv: file is empty"):
        ingest(empty)
    odd = _zip(tmp_path / "odd.zip", {"reviews.csv": "cat,label,review\n书籍,1,好书\n"})
    with pytest.raises(InputError) as info:
        ingest(odd)
    assert str(info.value).startswith(f"{odd}/reviews.csv: cannot tell which table") and "cat, label, review" in \
        str(info.value)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=rf"^{bad}: not a readable zip archive"):
        ingest(bad)
    nothing = _zip(tmp_path / "nothing.zip", {"__MACOSX/._x": b""})
    with pytest.raises(InputError, match="holds no files"):
        ingest(nothing)
    escape = _zip(tmp_path / "escape.zip", {"../../items.csv": "item_id\ni1\n"})
    with pytest.raises(InputError, match="leaves the archive's folder"):
        ingest(escape)


def test_the_cli_reads_a_zip(tmp_path):
    archive = _zip(tmp_path / "shop.zip", {"interactions.csv": INTERACTIONS})
    res = CliRunner().invoke(app, ["ingest", str(archive), "-w", str(tmp_path / "ws"), "--max-reject-rate", "0.5"])
    assert res.exit_code == 0, res.output
    assert f"{archive}/interactions.csv:3" in res.output  # the printed reject names archive and member
    res = CliRunner().invoke(app, ["ingest", str(_zip(tmp_path / "e.zip", {"items.csv": ""})), "-w",
                                   str(tmp_path / "ws2")])
    assert res.exit_code == BAD_INPUT and "e.zip/items.csv: file is empty" in res.output
    assert json.loads((tmp_path / "ws" / "manifest.json").read_text())["sources"][0]["members"] == ["interactions.csv"]


def test_a_folder_holding_a_zip_says_to_pass_the_archive(tmp_path):
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "SOURCE.md").write_text("where it came from\n")
    _zip(folder / "reviews.zip", {"interactions.csv": INTERACTIONS})
    with pytest.raises(InputError, match=r"holds the zip archive\(s\) reviews\.zip: pass the archive itself"):
        ingest(folder)

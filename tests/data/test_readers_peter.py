"""PETER / NETE / PEPLER reader: reviews.pickle + split folders, on the tiny fixture in the exact layout."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest

from recreason.data import readers
from recreason.data.ingest import ingest
from recreason.data.readers import peter
from recreason.data.readers.base import ReadOptions
from recreason.data.rejects import InputError

TINY = Path(__file__).resolve().parent / "peter_tiny"


@pytest.fixture(scope="module")
def report():
    return ingest(TINY, fmt="peter")


def test_fixture_is_what_the_script_writes():
    from . import make_peter_tiny

    with open(TINY / "reviews.pickle", "rb") as f:
        stored = pickle.load(f)  # our own fixture, so plain pickle is fine here
    expected = make_peter_tiny.good_records() + [make_peter_tiny.BAD[i] for i in sorted(make_peter_tiny.BAD)]
    assert stored == expected


def test_detect(tmp_path):
    assert readers.detect(TINY) == "peter"
    assert readers.detect(TINY / "2") == "peter"
    assert readers.detect(TINY / "reviews.pickle") == "peter"
    assert not peter.detect(tmp_path)


def test_counts_and_balance(report, balanced):
    balanced(report)
    assert report.formats == ["peter"]
    assert report.counts["interactions"] == {"read": 34, "accepted": 31, "rejected": 3}
    assert report.counts["references"] == {"read": 34, "accepted": 31, "rejected": 3}
    assert report.counts["items"]["read"] == report.counts["users"]["read"] == 0


def test_mapping(report):
    inter, refs = report.dataset.interactions, report.dataset.references
    first = inter.iloc[0]
    assert (first.user_id, first.item_id, first.event, first.rating) == ("u0", "hotel0", "rate", 1.0)
    assert first.review.startswith("we stayed two nights")  # the full text when the record has one
    ref = refs.iloc[3]
    assert (ref.user_id, ref.item_id, ref.text, ref.feature, ref.opinion, ref.sentiment) == \
        ("u3", "hotel3", "the breakfast was cold", "breakfast", "cold", -1)
    assert sorted(str(p) for p in (TINY / "1").iterdir()) == sorted(
        s["path"] for s in report.sources if s["path"].endswith(".index"))


def test_split_one_by_default(report):
    split = report.dataset.interactions["split"].tolist()
    # accepted rows are records 0-29 and 32 (its template is bad, the interaction is fine)
    assert split[:20] == ["train"] * 20
    assert split[20:25] == ["validation"] * 5
    assert split[25:29] == ["test"] * 4
    assert pd.isna(split[29])  # record 29 is in no index file of split 1
    assert split[30] == "train"
    assert any("1 of 34 records are in no index file" in n for n in report.notes)


def test_split_folder_as_path():
    report = ingest(TINY / "2")
    split = report.dataset.references["split"].tolist()
    assert split[:5] == ["validation"] * 5 and split[5:10] == ["test"] * 5 and split[10:30] == ["train"] * 20


def test_split_option(tmp_path):
    opts = ReadOptions()
    opts.split = "2"  # read via getattr, so the option works once ReadOptions grows a field for it
    assert ingest(TINY, opts=opts).dataset.interactions["split"].iloc[0] == "validation"
    opts.split = "7"
    with pytest.raises(InputError, match="no such split folder; found 1, 2"):
        ingest(TINY, opts=opts)


def test_bad_records_name_file_row_and_reason(report, reject_at):
    # rows are 1-based: row n is index n - 1
    assert "missing user" in reject_at(report, "reviews.pickle", 31, "references").reason
    assert reject_at(report, "reviews.pickle", 31, "interactions").field == "user_id"
    out = reject_at(report, "reviews.pickle", 32, "interactions")
    assert out.field == "rating" and "out of range: 9 not in [1, 5]" in out.reason
    tpl = reject_at(report, "reviews.pickle", 33, "references")
    assert tpl.field == "template" and "found a 3-tuple" in tpl.reason and tpl.record["user"] == "u2"
    assert "is a list, expected a dict" in reject_at(report, "reviews.pickle", 34, "interactions").reason
    assert all(r.file == str(TINY / "reviews.pickle") for r in report.rejects)


def test_pickle_that_runs_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("this must never run",))

    folder = tmp_path / "evil"
    folder.mkdir()
    (folder / "reviews.pickle").write_bytes(pickle.dumps([Evil()]))
    with pytest.raises(InputError, match="builtins.print.*not plain data"):
        ingest(folder, fmt="peter")


def test_bad_index_file(tmp_path):
    folder = tmp_path / "p"
    shutil.copytree(TINY, folder)
    (folder / "1" / "test.index").write_text("25 26 99\n")
    with pytest.raises(InputError, match=r"test.index:1: index 99 out of range \(34 records"):
        ingest(folder, fmt="peter")
    (folder / "1" / "test.index").write_text("25 x\n")
    with pytest.raises(InputError, match="'x' is not an integer index"):
        ingest(folder, fmt="peter")


def test_no_split_folder(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    shutil.copy(TINY / "reviews.pickle", folder)
    report = ingest(folder)
    assert report.dataset.interactions["split"].isna().all()
    assert any("no split folder" in n for n in report.notes)

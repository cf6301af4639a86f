"""XRec reader: tst.jsonl / tst.pkl + total_{trn,val,tst}.csv, the tiny fixture and the real amazon/google folders."""

from __future__ import annotations

import pickle
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from recreason.data import readers
from recreason.data.ingest import ingest
from recreason.data.readers import xrec
from recreason.data.rejects import InputError

TINY = Path(__file__).resolve().parent / "xrec_tiny"


@pytest.fixture(scope="module")
def report():
    return ingest(TINY, fmt="xrec")


def test_detect(tmp_path):
    assert readers.detect(TINY) == "xrec"
    assert readers.detect(TINY / "tst.jsonl") == "xrec"
    (tmp_path / "tst.jsonl").write_text('{"a": 1}\n')
    assert not xrec.detect(tmp_path / "tst.jsonl")


def test_counts_and_balance(report, balanced):
    balanced(report)
    # items: 10, 11, 12 from tst.jsonl, 11 again with another title (a duplicate), 20, 21, 22 from the CSVs
    assert report.counts["items"] == {"read": 7, "accepted": 6, "rejected": 1}
    assert report.counts["users"] == {"read": 6, "accepted": 6, "rejected": 0}  # 1-5 from tst.jsonl, 7 from total_tst
    assert report.counts["interactions"] == {"read": 9, "accepted": 7, "rejected": 2}
    assert report.counts["references"] == {"read": 7, "accepted": 5, "rejected": 2}


def test_mapping(report):
    items = report.dataset.items.set_index("item_id")
    assert (items.loc["10"].title, items.loc["10"].description) == ("Taco Place", "Taco fans would enjoy it.")
    assert pd.isna(items.loc["20"].title)  # seen only in total_trn.csv: an id-only item
    users = report.dataset.users.set_index("user_id")
    assert users.loc["1"].profile_text == "Likes tacos." and pd.isna(users.loc["7"].profile_text)
    refs = report.dataset.references
    assert refs.iloc[0][["user_id", "item_id", "text", "split", "language"]].tolist() == \
        ["1", "10", "The user would enjoy the tacos.", "test", "en"]
    inter = report.dataset.interactions
    assert set(inter.event) == {"review"} and inter.rating.isna().all()
    assert inter.groupby("split").size().to_dict() == {"train": 4, "validation": 2, "test": 1}
    assert inter.set_index("split").loc["validation"].timestamp.astype(str).tolist() == \
        ["2015-12-05 00:00:00+00:00", "2015-05-15 00:00:00+00:00"]  # Time is month first


def test_rejects(report, reject_at):
    assert reject_at(report, "tst.jsonl", 4).reason == "missing reference text"
    assert "broken JSON" in reject_at(report, "tst.jsonl", 5).reason
    dup = reject_at(report, "tst.jsonl", 7, "items")
    assert "duplicate item_id '11'" in dup.reason and dup.record["title"] == "Noodle Bar (renamed)"
    assert "expected 2 fields" in reject_at(report, "total_trn.csv", 6).reason
    assert "unparseable timestamp 'not a date'" in reject_at(report, "total_tst.csv", 3).reason


def test_leakage_note(report):
    assert any("2 of 6 test (user, item) pairs also appear in total_trn.csv" in n for n in report.notes)


def test_predictions(tmp_path):
    with pytest.raises(InputError, match="tst.jsonl:5: references: broken JSON"):
        xrec.load_predictions(TINY)  # a broken line fails the helper: it has no rejects file to put it in
    lines = (TINY / "tst.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "tst.jsonl").write_text("".join(lines[:4] + lines[5:]), encoding="utf-8")
    preds = xrec.load_predictions(tmp_path)
    assert preds[0] == {"uid": "1", "iid": "10", "xrec_pred": "You will like the tacos."}
    assert [p["iid"] for p in preds] == ["10", "11", "12", "11", "11"]  # uid 2's null prediction is left out
    with pytest.raises(InputError, match="no such file"):
        xrec.load_predictions(TINY.parent)


def test_pickle_when_no_jsonl(tmp_path, report):
    rows = [{"uid": 1, "iid": 10, "title": "Taco Place", "user_summary": "Likes tacos.",
             "item_summary": "Taco fans would enjoy it.", "explanation": "The user would enjoy the tacos."}]
    pd.DataFrame(rows).to_pickle(tmp_path / "tst.pkl")
    shutil.copy(TINY / "total_val.csv", tmp_path)
    out = ingest(tmp_path)
    assert out.dataset.references.text.tolist() == ["The user would enjoy the tacos."]
    assert out.counts["interactions"]["accepted"] == 2


def test_pickle_that_runs_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("this must never run",))

    (tmp_path / "tst.pkl").write_bytes(pickle.dumps(Evil()))
    with pytest.raises(InputError, match="builtins.print"):
        ingest(tmp_path, fmt="xrec")


@pytest.fixture(scope="module")
def real(shared_data):
    folder = shared_data / "xrec"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    return folder


@pytest.mark.shared
def test_real_google(real, balanced):
    assert readers.detect(real / "google") == "xrec"
    start = time.perf_counter()
    report = ingest(real / "google")
    assert time.perf_counter() - start < 20
    balanced(report)
    # SOURCE.md: 3,000 test rows, trn 329,472 (22,582 users, 16,557 items), val and tst 41,184 each
    assert report.counts["references"] == {"read": 3000, "accepted": 3000, "rejected": 0}
    assert report.counts["interactions"] == {"read": 411_840, "accepted": 411_840, "rejected": 0}
    inter = report.dataset.interactions
    assert inter.groupby("split").size().to_dict() == {"train": 329_472, "validation": 41_184, "test": 41_184}
    train = inter[inter.split == "train"]
    assert (train.user_id.nunique(), train.item_id.nunique()) == (22_582, 16_557)
    refs = report.dataset.references
    assert (refs.user_id.nunique(), refs.item_id.nunique()) == (2479, 2531)
    assert report.counts["items"]["rejected"] == report.counts["users"]["rejected"] == 0
    assert any("2,367 of 3,000 test (user, item) pairs" in n for n in report.notes)
    assert len(xrec.load_predictions(real / "google")) == 3000


@pytest.mark.shared
def test_real_amazon_jsonl_and_pickle_agree(real, tmp_path, balanced):
    report = ingest(real / "amazon")
    balanced(report)
    assert report.counts["references"] == {"read": 3000, "accepted": 3000, "rejected": 0}
    inter = report.dataset.interactions
    assert inter.groupby("split").size().to_dict() == {"validation": 36_084, "test": 36_084}
    assert inter.timestamp.notna().all()
    refs = report.dataset.references
    assert (refs.user_id.nunique(), refs.item_id.nunique()) == (1830, 2545)
    from_pickle = ingest(real / "amazon" / "tst.pkl")
    pd.testing.assert_frame_equal(from_pickle.dataset.references, ingest(real / "amazon" / "tst.jsonl").dataset.references)
    assert from_pickle.counts["items"]["accepted"] == 2545

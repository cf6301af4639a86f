"""Amazon Review Data reader: reviews + metadata (2018 JSON, 2014 dict literals), tiny fixture and Gift Cards."""

from __future__ import annotations

import gzip
import json
import shutil
import time
from pathlib import Path

import pytest

from recreason.data import readers
from recreason.data.ingest import ingest
from recreason.data.readers import amazon
from recreason.data.readers.amazon_meta import parse_price
from recreason.data.schema import load_json

TINY = Path(__file__).resolve().parent / "amazon_tiny"


@pytest.fixture(scope="module")
def report():
    return ingest(TINY, fmt="amazon")


def _item(report, asin):
    items = report.dataset.items.set_index("item_id")
    return items.loc[asin]


def test_detect(tmp_path):
    assert readers.detect(TINY) == "amazon"
    assert readers.detect(TINY / "meta_Tiny.json") == "amazon"
    assert readers.detect(TINY / "Tiny_5.json") == "amazon"  # its first line is fine; a broken one is skipped
    (tmp_path / "other.json").write_text('{"content": "类型#裤", "summary": "x"}\n')
    assert not amazon.detect(tmp_path)


def test_counts_and_balance(report, balanced):
    balanced(report)
    assert report.counts["items"] == {"read": 7, "accepted": 5, "rejected": 2}
    assert report.counts["interactions"] == {"read": 10, "accepted": 5, "rejected": 5}


def test_bad_lines_are_rejected_with_file_line_and_reason(report, reject_at):
    assert "broken JSON" in reject_at(report, "Tiny_5.json", 4).reason
    assert "not a Python dict literal" in reject_at(report, "Tiny_5.json", 4).reason
    rating = reject_at(report, "Tiny_5.json", 6)
    assert rating.field == "rating" and "6 not in [1, 5]" in rating.reason
    orphan = reject_at(report, "Tiny_5.json", 7)
    assert orphan.field == "item_id" and "unknown item_id 'NOTINMETA'" in orphan.reason
    assert reject_at(report, "Tiny_5.json", 8).reason == "missing required id"
    assert "found list" in reject_at(report, "Tiny_5.json", 9).reason
    assert reject_at(report, "meta_Tiny.json", 4, "items").record.startswith('{"category"')
    dup = reject_at(report, "meta_Tiny.json", 6, "items")
    assert "duplicate item_id 'A004'" in dup.reason and "meta_Tiny.json:3" in dup.reason


def test_reviews(report):
    inter = report.dataset.interactions.set_index(["user_id", "item_id"])
    first = inter.loc[("U1", "A001")]
    assert first.event == "review" and first.rating == 5.0 and first.review == "Another great gift."
    assert str(first.timestamp) == "2018-06-17 00:00:00+00:00"
    assert load_json(first.context) == {"summary": "Five Stars", "verified": "true", "style.Gift Amount": "50"}
    assert load_json(inter.loc[("U2", "A001")].context)["vote"] == "1024"
    old = inter.loc[("U3", "A003")]  # a 2014-style Python dict literal line
    assert old.review.startswith("A Python dict literal") and load_json(old.context)["helpful"] == "2/3"
    assert "ignored field reviewerName (personal data)" in " ".join(report.notes)
    assert "john s" not in report.dataset.interactions.to_string()


def test_metadata(report):
    a1 = _item(report, "A001")
    assert a1.price == 1299.99 and a1.brand == "Serendipity 3" and a1.language == "en"
    assert a1.category == ["Gift Cards"]  # repeated path entries collapse
    assert a1.description == "Gift card for Serendipity 3 & friends.\nNot valid online."
    attrs = load_json(a1.attributes)
    assert attrs["Product Dimensions"] == "3.4 x 2.1 inches ; 1.44 ounces" and "ASIN" not in attrs
    assert attrs["Shipping Weight"] == "1.8 pounds" and attrs["rank"] == ["1,786 in Gift Cards"]
    a2 = load_json(_item(report, "A002").attributes)
    assert a2["price_range"] == "$10.00 - $50.00" and a2["main_cat"] == "AMAZON FASHION"
    assert a2["feature"] == ["Never expires", "No fees"] and a2["Item Weight"] == "0.8 ounces"
    assert a2["rank"] == ["2,893,775 in Toys & Games", "1,019 in Gift Cards > Kids"]
    a3 = _item(report, "A003")  # 2014 metadata
    assert a3.price == 12.5 and a3.category == ["Books", "Literature & Fiction"]
    assert load_json(a3.attributes)["categories"] == ["Books > Literature & Fiction", "Gift Cards"]
    assert _item(report, "A004").title == "Duplicate asin, first copy"
    notes = " ".join(report.notes)
    assert "1 price fields are ranges" in notes and "1 price fields hold no price" in notes


@pytest.mark.parametrize("text, expected", [
    ("$25.00", ("25.00", "ok")), ("$1,299.99", ("1299.99", "ok")), (12.5, (12.5, "ok")),
    ("$10.00 - $50.00", (None, "range")), ("", (None, "empty")), ("\n\t  \r\n", (None, "empty")),
    (".a-box-inner{background-color:#fff}", (None, "other")), ("<span>$7.50</span>", ("7.50", "ok")),
])
def test_parse_price(text, expected):
    assert parse_price(text) == expected


def test_reviews_alone_are_not_cross_checked(tmp_path):
    report = ingest(TINY / "Tiny_5.json")
    assert report.counts["interactions"] == {"read": 10, "accepted": 6, "rejected": 4}  # NOTINMETA is kept


def test_gzip_and_non_amazon_file_in_folder(tmp_path):
    with gzip.open(tmp_path / "Tiny_5.json.gz", "wb") as f:
        f.write((TINY / "Tiny_5.json").read_bytes())
    shutil.copy(TINY / "meta_Tiny.json", tmp_path)
    (tmp_path / "notes.json").write_text(json.dumps({"hello": 1}) + "\n")
    report = ingest(tmp_path)
    assert report.formats == ["amazon"] and report.counts["interactions"]["accepted"] == 5
    assert any("notes.json: skipped" in n for n in report.notes)


@pytest.mark.shared
def test_gift_cards(shared_data, balanced):
    folder = shared_data / "amazon-giftcards-2018"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    assert readers.detect(folder) == "amazon"
    start = time.perf_counter()
    report = ingest(folder)
    assert time.perf_counter() - start < 10
    balanced(report)
    # SOURCE.md: 2,972 reviews, 458 users, 148 items; 1,547 metadata rows (no duplicate asins in this category)
    assert report.counts["interactions"] == {"read": 2972, "accepted": 2972, "rejected": 0}
    assert report.counts["items"] == {"read": 1547, "accepted": 1547, "rejected": 0}
    inter, items = report.dataset.interactions, report.dataset.items
    assert inter.user_id.nunique() == 458 and inter.item_id.nunique() == 148
    assert inter.review.notna().sum() == 2966
    assert inter.rating.value_counts().to_dict() == {5.0: 2752, 4.0: 154, 3.0: 33, 1.0: 22, 2.0: 11}
    reviewed = items[items.item_id.isin(set(inter.item_id))]
    assert (reviewed.brand.notna().sum(), reviewed.price.notna().sum(), reviewed.description.notna().sum()) == \
        (119, 107, 145)

"""Every bad-record kind the ingest must catch: each is rejected with file, line and field, and counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recreason.data.ingest import RejectRateExceeded, ingest, ingest_to_workspace
from recreason.data.readers.base import ReadOptions
from recreason.data.rejects import InputError, read_rejects
from recreason.data.workspace import load, read_manifest

ITEMS = "item_id,title,price\ni1,Phone,2999\ni2,Shoe,399\n"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def only_reject(report, field: str | None):
    assert report.rejected == 1, [r.message() for r in report.rejects]
    reject = report.rejects[0]
    assert reject.field == field
    return reject


def test_unknown_item_and_user_ids(tmp_path):
    write(tmp_path, "items.csv", ITEMS)
    write(tmp_path, "users.csv", "user_id\nu1\n")
    write(tmp_path, "interactions.csv",
          "user_id,item_id,event\nu1,i1,click\nu1,i404,click\nu9,i1,view\n")
    report = ingest(tmp_path)
    assert report.counts["interactions"] == {"read": 3, "accepted": 1, "rejected": 2}
    lines = {r.line: r for r in report.rejects}
    assert lines[3].field == "item_id" and "unknown item_id 'i404'" in lines[3].reason
    assert lines[4].field == "user_id" and "unknown user_id 'u9'" in lines[4].reason
    assert lines[3].file.endswith("interactions.csv")


def test_duplicate_ids_keep_the_first(tmp_path):
    write(tmp_path, "items.csv", ITEMS + "i1,Other phone,1\n")
    report = ingest(tmp_path)
    reject = only_reject(report, "item_id")
    assert reject.line == 4 and "first at" in reject.reason and "items.csv:2" in reject.reason
    assert report.dataset.item("i1").title == "Phone"


@pytest.mark.parametrize(("row", "field", "words"), [
    ("i3,Bag,cheap", "price", "'cheap' is not a number"),
    ("i3,Bag,-1", "price", "out of range"),
])
def test_wrong_types(tmp_path, row, field, words):
    write(tmp_path, "items.csv", ITEMS + row + "\n")
    reject = only_reject(ingest(tmp_path), field)
    assert words in reject.reason and reject.line == 4


def test_wrong_type_in_json_lines(tmp_path):
    write(tmp_path, "interactions.jsonl",
          '{"user_id": "u1", "item_id": "i1", "rating": "five"}\n'
          '{"user_id": "u1", "item_id": "i2", "rating": 5, "context": ["not", "a", "map"]}\n'
          '{"user_id": "u1", "item_id": "i3", "rating": true}\n')
    report = ingest(tmp_path)
    assert [(r.line, r.field) for r in report.rejects] == [(1, "rating"), (2, "context"), (3, "rating")]


def test_broken_json_lines(tmp_path):
    write(tmp_path, "interactions.jsonl",
          '{"user_id": "u1", "item_id": "i1", "event": "view"}\n'
          '{"user_id": "u1", "item_id": \n'
          '\n'
          '["a list"]\n'
          '{"user_id": "u2", "item_id": "i1", "event": "click"}\n')
    report = ingest(tmp_path)
    assert report.counts["interactions"] == {"read": 4, "accepted": 2, "rejected": 2}
    assert [r.line for r in report.rejects] == [2, 4]
    assert "broken JSON" in report.rejects[0].reason
    assert "expected a JSON object" in report.rejects[1].reason


def test_mixed_timestamp_formats(tmp_path):
    write(tmp_path, "interactions.csv", "\n".join([  # noqa: FLY002
        "user_id,item_id,event,timestamp",
        "u1,i1,view,2024-01-02T03:04:05Z",
        "u1,i1,view,2024-01-02 03:04:05",
        "u1,i1,view,1704164645",
        "u1,i1,view,1704164645000",
        "u1,i1,view,2024-01-02T11:04:05+08:00",
        "u1,i1,view,\"Jan 2, 2024 3:04:05\"",
        "u1,i1,view,",
        "u1,i1,view,the day before yesterday",
    ]) + "\n")
    report = ingest(tmp_path)
    reject = only_reject(report, "timestamp")
    assert reject.line == 9 and "unparseable timestamp" in reject.reason
    stamps = report.dataset.interactions["timestamp"]
    assert stamps.iloc[:6].astype(str).unique().tolist() == ["2024-01-02 03:04:05+00:00"]
    assert stamps.iloc[6] is None or str(stamps.iloc[6]) == "NaT"


@pytest.mark.parametrize(("value", "words"), [
    ("NaN", "NaN"), ("nan", "NaN"), ("7", "out of range: 7 not in [0, 5]"), ("-0.5", "out of range"),
    ("inf", "out of range"),
])
def test_nan_and_out_of_range_ratings(tmp_path, value, words):
    write(tmp_path, "interactions.csv", f"user_id,item_id,rating\nu1,i1,4.5\nu1,i2,{value}\n")
    reject = only_reject(ingest(tmp_path), "rating")
    assert words in reject.reason and reject.line == 3


def test_rating_range_is_configurable(tmp_path):
    write(tmp_path, "interactions.csv", "user_id,item_id,rating\nu1,i1,7\nu1,i2,11\n")
    report = ingest(tmp_path, opts=ReadOptions(rating_range=(1, 10)))
    assert only_reject(report, "rating").line == 3


@pytest.mark.parametrize("content", [b"", b"   \n\n"])
def test_empty_file_is_an_input_error(tmp_path, content):
    (tmp_path / "interactions.csv").write_bytes(content)
    with pytest.raises(InputError, match=r"interactions\.csv: file is empty"):
        ingest(tmp_path)


def test_header_only_file_reads_zero_records(tmp_path):
    write(tmp_path, "items.csv", "item_id,title\n")
    assert ingest(tmp_path).counts["items"] == {"read": 0, "accepted": 0, "rejected": 0}


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_and_gb18030_chinese_csv(tmp_path, encoding):
    write(tmp_path, "items.csv", "item_id,title,brand\ni1,最新款智能手机,华星\ni2,轻量跑鞋,𠀀牌\n"
          if encoding == "gb18030" else "item_id,title,brand\ni1,最新款智能手机,华星\ni2,轻量跑鞋,远足\n",
          encoding=encoding)
    report = ingest(tmp_path)
    assert report.rejected == 0
    assert report.dataset.item("i1").title == "最新款智能手机"


def test_utf8_bom_is_not_part_of_the_first_column(tmp_path):
    write(tmp_path, "items.csv", "\ufeff" + ITEMS)
    report = ingest(tmp_path)
    assert report.rejected == 0 and report.dataset.item("i1").price == 2999


def test_oversized_fields(tmp_path):
    long = "很" * 50
    write(tmp_path, "interactions.csv", f"user_id,item_id,review\nu1,i1,ok\nu1,i2,{long}\n{'u' * 300},i1,ok\n")
    report = ingest(tmp_path, opts=ReadOptions(max_text_chars=40))
    assert [(r.line, r.field) for r in report.rejects] == [(3, "review"), (4, "user_id")]
    assert "oversized: 50 characters (limit 40)" in report.rejects[0].reason


def test_missing_required_columns(tmp_path):
    write(tmp_path, "interactions.csv", "user_id,rating\nu1,4\n")
    with pytest.raises(InputError, match=r"interactions\.csv: missing required column\(s\) item_id"):
        ingest(tmp_path)


def test_csv_row_with_wrong_field_count(tmp_path):
    write(tmp_path, "items.csv", ITEMS + "i3,Bag,1,extra\n\"i4\",\"multi\nline title\",5\ni5,Hat,\n")
    report = ingest(tmp_path)
    reject = only_reject(report, None)
    assert reject.line == 4 and "expected 3 fields" in reject.reason
    assert report.dataset.item("i4").title == "multi\nline title"
    assert report.dataset.has_item("i5")


def test_rejects_file_accounts_for_every_bad_line(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write(src, "items.csv", ITEMS + "i1,dup,1\ni3,Bag,cheap\n")
    write(src, "interactions.jsonl", "\n".join([  # noqa: FLY002
        '{"user_id": "u1", "item_id": "i1", "rating": 5}', '{broken', '{"user_id": "u1", "item_id": "i2", "rating": "NaN"}',
        '{"user_id": "u1", "item_id": "i404", "event": "view"}', '{"user_id": "u1", "item_id": "i2", "event": "view"}',
    ]) + "\n")
    ws = tmp_path / "ws"
    report = ingest_to_workspace(src, ws, max_reject_rate=1.0)
    rejects = read_rejects(ws / "rejects.jsonl")
    assert report.read == report.accepted + report.rejected == 9
    assert sorted((Path(r.file).name, r.line) for r in rejects) == [
        ("interactions.jsonl", 2), ("interactions.jsonl", 3), ("interactions.jsonl", 4),
        ("items.csv", 4), ("items.csv", 5)]
    assert all(r.record for r in rejects)
    manifest = read_manifest(ws)
    assert manifest["ingest"]["interactions"] == {"read": 5, "accepted": 2, "rejected": 3}
    assert manifest["sources"][0]["sha256"] and manifest["schema_version"] == 1
    assert load(ws).counts()["interactions"] == 2


def test_reject_rate_above_threshold_fails_and_writes_no_tables(tmp_path):
    write(tmp_path, "items.csv", ITEMS + "i3,Bag,cheap\n")
    ws = tmp_path / "ws"
    with pytest.raises(RejectRateExceeded) as info:
        ingest_to_workspace(tmp_path / "items.csv", ws, max_reject_rate=0.2)
    assert "1 of 3 records rejected" in str(info.value)
    assert (ws / "rejects.jsonl").is_file() and not (ws / "manifest.json").exists()
    ingest_to_workspace(tmp_path / "items.csv", ws, max_reject_rate=0.5)
    assert (ws / "manifest.json").is_file()


def test_maps_lists_and_folded_columns(tmp_path):
    write(tmp_path, "items.csv", 'item_id,category,attributes,attributes.color\n'
          'i1,数码 > 手机,"{""屏幕"": ""6.7英寸"", ""颜色"": [""黑"", ""白""]}",蓝\n'
          'i2,a|b,{bad json,\n')
    write(tmp_path, "interactions.csv", "user_id,item_id,event,scene,device\nu1,i1,add_to_cart,feed,ios\n")
    report = ingest(tmp_path)
    assert only_reject(report, "attributes").line == 3
    item = report.dataset.item("i1")
    assert item.category == ["数码", "手机"]
    assert item.attributes == {"屏幕": "6.7英寸", "颜色": ["黑", "白"], "color": "蓝"}
    row = report.dataset.interactions.iloc[0]
    assert row["event"] == "cart" and json.loads(row["context"]) == {"device": "ios", "scene": "feed"}


def test_folded_column_with_blank_cells(tmp_path):
    write(tmp_path, "interactions.csv", "user_id,item_id,event,context.summary,device\nu1,i1,view,Nice,\nu1,i2,view,,ios\n")
    report = ingest(tmp_path)
    assert report.rejected == 0
    assert [json.loads(c) for c in report.dataset.interactions["context"]] == [{"summary": "Nice"}, {"device": "ios"}]


def test_parquet_native_round_trip(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"user_id": ["u1", "u2", None], "item_id": ["i1", "i1", "i1"],
                             "rating": [4.0, float("nan"), 3.0]}), tmp_path / "interactions.parquet")
    report = ingest(tmp_path)
    assert [(r.line, r.field) for r in report.rejects] == [(2, "rating"), (3, "user_id")]


def test_clean_json_lines_take_the_fast_path_with_the_same_result(tmp_path):
    rows = [{"item_id": "i1", "title": "Phone", "category": ["数码", "手机"], "attributes": {"屏幕": "6.7英寸"},
             "price": 2999},
            {"item_id": "i2", "title": "Shoe", "attributes": {"color": ["red", "blue"]}, "price": 399.5},
            {"item_id": "i3", "price": -1}]
    fast = tmp_path / "fast"
    fast.mkdir()
    write(fast, "items.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n")
    slow = tmp_path / "slow"  # the same records plus a broken line: line-by-line path
    slow.mkdir()
    write(slow, "items.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{oops\n")
    a, b = ingest(fast), ingest(slow)
    assert [(r.line, r.field) for r in a.rejects] == [(3, "price")]
    assert [(r.line, r.field) for r in b.rejects] == [(3, "price"), (4, None)]
    assert a.dataset.items.equals(b.dataset.items)
    assert a.dataset.item("i2").attributes == {"color": ["red", "blue"]}


def test_csv_fast_and_exact_paths_agree(tmp_path):
    body = "item_id,title,price\ni1,Phone,2999\n\ni2,Shoe,abc\ni3,Bag,1,extra\ni4,Hat,5\n"
    plain = tmp_path / "plain"
    plain.mkdir()
    write(plain, "items.csv", body)
    quoted = tmp_path / "quoted"  # a quoted line break forces the exact, csv-module path
    quoted.mkdir()
    write(quoted, "items.csv", body + 'i5,"two\nlines",7\n')
    a, b = ingest(plain), ingest(quoted)
    assert [(r.line, r.field) for r in a.rejects] == [(4, "price"), (5, None)]
    assert [(r.line, r.field) for r in b.rejects] == [(4, "price"), (5, None)]
    assert a.dataset.items.equals(b.dataset.items.iloc[:2])
    assert b.dataset.item("i5").title == "two\nlines"


def test_latin1_csv_is_not_silently_read_as_chinese(tmp_path):
    write(tmp_path, "items.csv", "item_id,title\ni1,Amélie\ni2,Café crème\n", encoding="latin-1")
    with pytest.raises(InputError, match="--encoding"):
        ingest(tmp_path)
    assert ingest(tmp_path, opts=ReadOptions(encoding="latin-1")).dataset.item("i1").title == "Amélie"


def test_ids_follow_the_one_id_rule(tmp_path):
    """Any script and up to 256 characters; trimmed; no control characters (the rule of data/schema.py)."""
    long = "长" * 200
    rows = [{"user_id": "用户_01", "item_id": "B000123", "event": "view"},
            {"user_id": long, "item_id": "a/b 1", "event": "click"},
            {"user_id": "  pad  ", "item_id": "i1", "event": "view"},
            {"user_id": "bad\u0007id", "item_id": "i1", "event": "view"},
            {"user_id": "u1", "item_id": "tab\there", "event": "view"},
            {"user_id": "u1", "item_id": "x" * 257, "event": "view"}]
    write(tmp_path, "interactions.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    reference = {"user_id": "c\u00851", "item_id": "i1", "text": "ok"}
    write(tmp_path, "references.jsonl", json.dumps(reference) + "\n")
    report = ingest(tmp_path)
    assert list(report.dataset.interactions["user_id"]) == ["用户_01", long, "pad"]
    assert list(report.dataset.interactions["item_id"]) == ["B000123", "a/b 1", "i1"]
    got = [(r.file.rsplit("/", 1)[-1], r.line, r.field, r.reason) for r in report.rejects]
    assert got == [
        ("interactions.jsonl", 4, "user_id", "id contains a control character (U+0007 at index 3)"),
        ("interactions.jsonl", 5, "item_id", "id contains a control character (U+0009 at index 3)"),
        ("interactions.jsonl", 6, "item_id", "oversized id: 257 characters (limit 256)"),
        ("references.jsonl", 1, "user_id", "id contains a control character (U+0085 at index 1)"),
    ]

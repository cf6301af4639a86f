"""``rejects.jsonl`` keeps each rejected record as it was read (README: "the raw record"): JSON null for a
missing value (never ``"<NA>"``), dates and numbers as the source wrote them (never re-formatted), whichever
step rejected it (a field check, a duplicate id, an unknown id); its text is still PII-masked."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from recreason.data.ingest import ingest_to_workspace

ITEMS = "item_id,title\ni1,Hat\n"


def _rejects(ws: Path) -> dict[int, dict]:
    rows = [json.loads(line) for line in (ws / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["line"]: r for r in rows}


def test_jsonl_rejects_keep_null_and_the_date_text(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "items.csv").write_text(ITEMS, encoding="utf-8")
    (src / "interactions.jsonl").write_text("\n".join([  # noqa: FLY002
        # unknown item: rejected by the cross-check, after the values were converted
        '{"user_id": "u2", "item_id": "i9", "rating": 4, "review": null, "timestamp": "2024-01-02 10:00:00"}',
        # out of range: rejected by the field check
        '{"user_id": "u2", "item_id": "i1", "rating": 7, "review": null, "timestamp": "Jan 3, 2024"}',
        '{"user_id": "u2", "item_id": "i1", "rating": 5, "review": "ok", "timestamp": "2024-01-04"}',
    ]) + "\n", encoding="utf-8")
    ws = tmp_path / "ws"
    ingest_to_workspace(src, ws, max_reject_rate=1.0)
    rejects = _rejects(ws)
    assert set(rejects) == {1, 2}
    unknown, out_of_range = rejects[1]["record"], rejects[2]["record"]
    assert unknown == {"user_id": "u2", "item_id": "i9", "rating": 4, "review": None,
                       "timestamp": "2024-01-02 10:00:00"}
    assert out_of_range == {"user_id": "u2", "item_id": "i1", "rating": 7, "review": None,
                            "timestamp": "Jan 3, 2024"}
    assert "<NA>" not in (ws / "rejects.jsonl").read_text(encoding="utf-8")
    # the accepted record's date was still read as a date
    from recreason.data.workspace import load
    assert str(load(ws).interactions["timestamp"].iloc[0].date()) == "2024-01-04"


def test_csv_rejects_keep_the_cells_as_written(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "items.csv").write_text(ITEMS + "i1,Hat again\n", encoding="utf-8")
    (src / "interactions.csv").write_text(
        "user_id,item_id,event,rating,review,timestamp\n"
        "u1,i9,,4,,01/02/2024\n"          # unknown item; event inferred, rating read as 4.0 -- not in the record
        "u1,i1,review,5,fine,2024-01-03\n", encoding="utf-8")
    ws = tmp_path / "ws"
    ingest_to_workspace(src, ws, max_reject_rate=1.0)
    rejects = _rejects(ws)
    assert rejects[2]["table"] == "interactions"
    assert rejects[2]["record"] == {"user_id": "u1", "item_id": "i9", "event": "", "rating": "4", "review": "",
                                    "timestamp": "01/02/2024"}
    dup = next(r for r in rejects.values() if r["table"] == "items")
    assert dup["record"] == {"item_id": "i1", "title": "Hat again"}  # the duplicate as written, not the first


def test_parquet_nulls_are_json_null(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "items.csv").write_text(ITEMS, encoding="utf-8")
    pq.write_table(pa.table({"user_id": ["u1", "u1"], "item_id": ["i9", "i1"], "rating": [4.0, None],
                             "review": [None, "ok"]}), src / "interactions.parquet")
    ws = tmp_path / "ws"
    ingest_to_workspace(src, ws, max_reject_rate=1.0)
    assert _rejects(ws)[1]["record"] == {"user_id": "u1", "item_id": "i9", "rating": 4.0, "review": None}


def test_raw_records_are_still_masked(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "items.csv").write_text(ITEMS, encoding="utf-8")
    (src / "interactions.jsonl").write_text(
        '{"user_id": "u3", "item_id": "i9", "review": "call 13800138000", "timestamp": "2024-02-01 08:00:00"}\n',
        encoding="utf-8")
    ws = tmp_path / "ws"
    ingest_to_workspace(src, ws, max_reject_rate=1.0)
    record = _rejects(ws)[1]["record"]
    assert record == {"user_id": "u3", "item_id": "i9", "review": "call [phone]", "timestamp": "2024-02-01 08:00:00"}

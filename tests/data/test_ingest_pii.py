"""Personal data is masked at ingest in user text and rejects, counted in the manifest, and kept on request."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from recreason.cli import app
from recreason.data.ingest import ingest, ingest_to_workspace
from recreason.data.rejects import read_rejects
from recreason.data.workspace import load, read_manifest

PHONE = "13800138000"
ID = "11010519491231002X"


def _source(folder: Path) -> Path:
    folder.mkdir()
    (folder / "items.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"item_id": "p1", "title": "Gift card", "description": "Questions? Call 1-888-532-6092 or visit 12 Main Street"},
        {"item_id": "p2", "title": "耳机 B00ABC1234", "description": "客服电话 400-820-8820"},
    ]) + "\n", encoding="utf-8")
    (folder / "users.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"user_id": "u1", "profile_text": f"住在北京市朝阳区建国路88号，手机{PHONE}", "interests": ["跑步", "mail me a@b.com"],
         "demographics": {"age": "25", "zip": "55117", "phone": "(415) 555-0134"}},
        {"user_id": "u2", "profile_text": "Size 8, 5'4\", loves $25 gift cards"},
    ]) + "\n", encoding="utf-8")
    (folder / "interactions.csv").write_text(
        "user_id,item_id,event,rating,review,context.summary,device,timestamp\n"
        f"u1,p1,review,5,卡号6222021234567890128被盗刷了，身份证{ID}也泄露了,Call me {PHONE},ios,2024-01-01\n"
        "u1,p2,review,4,\"Ship to 42 Baker St, Apt 5B; the 36B fits, $1,299.99 well spent\",Five Stars,android,2024-01-02\n"
        f"u2,p2,review,3,\"same text, phone {PHONE}\",,,2024-01-03\n"
        f"u2,p2,review,3,\"same text, phone {PHONE}\",,,2024-01-04\n"
        f"u2,p9,review,1,reach me at someone@example.com or {PHONE},,,2024-01-05\n", encoding="utf-8")
    (folder / "references.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"user_id": "u1", "item_id": "p1", "text": "email me: u1@example.org"},
        {"item_id": "p2", "text": "品牌热线 010-62345678"},
    ]) + "\n", encoding="utf-8")
    return folder


def test_user_text_is_masked_and_counted(tmp_path):
    src, ws = _source(tmp_path / "src"), tmp_path / "ws"
    report = ingest_to_workspace(src, ws, max_reject_rate=1.0)
    data = load(ws)
    reviews = list(data.interactions.sort_values("timestamp")["review"])
    assert reviews == ["卡号[card]被盗刷了，身份证[id]也泄露了", "Ship to [address]; the 36B fits, $1,299.99 well spent",
                       "same text, phone [phone]", "same text, phone [phone]"]
    contexts = [json.loads(c) if isinstance(c, str) else {} for c in data.interactions.sort_values("timestamp")["context"]]
    assert contexts[0] == {"device": "ios", "summary": "Call me [phone]"} and contexts[1]["summary"] == "Five Stars"
    u1, u2 = data.user("u1"), data.user("u2")
    assert u1.profile_text == "住在[address]，手机[phone]"
    assert u1.interests == ["跑步", "mail me [email]"]
    assert u1.demographics == {"age": "25", "zip": "55117", "phone": "[phone]"}
    assert u2.profile_text == "Size 8, 5'4\", loves $25 gift cards"
    # a user's reference is user text; an item-only reference and item descriptions are the seller's
    refs = dict(zip(data.references["item_id"], data.references["text"], strict=True))
    assert refs == {"p1": "email me: [email]", "p2": "品牌热线 010-62345678"}
    assert data.item("p1").description == "Questions? Call 1-888-532-6092 or visit 12 Main Street"
    assert data.item("p2").description == "客服电话 400-820-8820"

    # the rejected record (unknown item p9) is masked too, its ids kept
    [reject] = read_rejects(ws / "rejects.jsonl")
    assert reject.record["review"] == "reach me at [email] or [phone]"
    assert reject.record["user_id"] == "u2" and reject.record["item_id"] == "p9"
    assert PHONE not in (ws / "rejects.jsonl").read_text(encoding="utf-8")

    pii = read_manifest(ws)["pii_masked"]
    assert pii["enabled"] is True
    assert pii["by_field"] == {
        "interactions.context.summary": {"phone": 1},
        "interactions.review": {"address": 1, "bank_card": 1, "id_card": 1, "phone": 2},
        "references.text": {"email": 1},
        "rejects": {"email": 1, "phone": 1},
        "users.demographics": {"phone": 1},
        "users.interests": {"email": 1},
        "users.profile_text": {"address": 1, "phone": 1},
    }
    assert pii["by_kind"] == {"email": 3, "id_card": 1, "bank_card": 1, "phone": 6, "address": 2}
    assert pii["total"] == 13 == report.pii.total
    assert pii["records"] == 4 + 1 + 1 + 1  # interactions, users, references, rejects
    assert report.read == report.accepted + report.rejected  # masking drops nothing


def test_keep_pii_leaves_text_and_says_so(tmp_path):
    src, ws = _source(tmp_path / "src"), tmp_path / "ws"
    report = ingest_to_workspace(src, ws, max_reject_rate=1.0, mask_pii=False)
    assert report.pii is None
    assert read_manifest(ws)["pii_masked"] == {"enabled": False}
    data = load(ws)
    assert data.user("u1").profile_text == f"住在北京市朝阳区建国路88号，手机{PHONE}"
    assert PHONE in (ws / "rejects.jsonl").read_text(encoding="utf-8")


def test_masked_data_ingests_again_unchanged(tmp_path):
    src, ws = _source(tmp_path / "src"), tmp_path / "ws"
    ingest_to_workspace(src, ws, max_reject_rate=1.0)
    again = ingest([ws / "users.parquet", ws / "interactions.parquet"])
    assert again.pii.total == 0
    assert list(again.dataset.interactions["review"]) == list(load(ws).interactions["review"])


def test_cli_prints_the_totals_and_keeps_on_request(tmp_path):
    runner = CliRunner()
    src = _source(tmp_path / "src")
    result = runner.invoke(app, ["ingest", str(src), "-w", str(tmp_path / "ws"), "--max-reject-rate", "0.5"])
    assert result.exit_code == 0, result.output
    assert "pii masked: 13 in 7 records (email 3, id_card 1, bank_card 1, phone 6, address 2)" in result.output
    kept = runner.invoke(app, ["ingest", str(src), "-w", str(tmp_path / "kept"), "--max-reject-rate", "0.5",
                               "--keep-pii"])
    assert kept.exit_code == 0, kept.output
    assert "pii: kept unmasked (--keep-pii)" in kept.output
    assert read_manifest(tmp_path / "kept")["pii_masked"] == {"enabled": False}

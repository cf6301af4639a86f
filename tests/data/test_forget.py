"""Forgetting users in a workspace: rows and rejects go, and a later ingest into it drops them again."""

from __future__ import annotations

import json

from recreason.data import workspace
from recreason.data.forget import FORGOTTEN, Forgotten, forget_users
from recreason.data.ingest import ingest_to_workspace


def source(folder):
    folder.mkdir()
    items = [{"item_id": "i1", "title": "Tent", "language": "en"}, {"item_id": "i2", "title": "Stove", "language": "en"}]
    rows = [{"user_id": "ann", "item_id": "i1", "event": "review", "rating": 5, "review": "Roomy and dry."},
            {"user_id": "ann", "item_id": "i2", "event": "purchase"},
            {"user_id": "bob", "item_id": "i1", "event": "review", "rating": 4, "review": "Quick to pitch."},
            {"user_id": "ann", "item_id": "i1", "event": "review", "rating": "five", "review": "bad rating"}]
    (folder / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in items))
    (folder / "interactions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def test_forget_then_ingest_again_keeps_the_user_out(tmp_path):
    src, ws = source(tmp_path / "src"), tmp_path / "ws"
    ingest_to_workspace([src], ws, max_reject_rate=0.5)
    assert "ann" in (ws / "rejects.jsonl").read_text()
    report = forget_users(ws, ["ann"])
    assert report.removed["interactions"] == 2 and report.removed["rejects"] == 1 and report.items == {"i1", "i2"}
    ds = workspace.load(ws)
    assert set(ds.interactions["user_id"]) == {"bob"} and "ann" not in (ws / "rejects.jsonl").read_text()
    assert workspace.read_manifest(ws)["counts"]["interactions"] == 1
    assert "ann" in Forgotten(ws) and "ann" not in (ws / FORGOTTEN).read_text()  # a salted hash, not the id

    again = ingest_to_workspace([src], ws, max_reject_rate=0.5)
    assert set(workspace.load(ws).interactions["user_id"]) == {"bob"}
    assert "ann" not in (ws / "rejects.jsonl").read_text()
    assert any("told to forget" in n for n in again.notes)
    assert workspace.read_manifest(ws)["forgotten"] == {"users": 1, "records": {
        "items": 0, "users": 0, "interactions": 2, "references": 0, "rejects": 1}}
    assert forget_users(ws, ["ann"]).total == 0  # forgetting again finds nothing

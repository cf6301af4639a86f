"""``recreason evaluate``: predictions JSONL in, table / JSON / HTML out, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recreason.cli import app
from recreason.data import workspace
from recreason.data.dataset import Dataset
from recreason.data.schema import Interaction, Item, Reference, User

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    items = [
        Item(item_id="bk", title="Burger Barn", description="Classic burgers, fries and shakes.", language="en"),
        Item(item_id="ph", title="Nova X", attributes={"weight": "0.9 kg", "battery": "5000mAh"},
             description="A light phone with a long battery life.", language="en"),
    ]
    users = [User(user_id="u1", profile_text="Enjoys traditional Thai dishes and spicy curries.", language="en"),
             User(user_id="u2", interests=["battery life", "photography"], language="en")]
    events = [Interaction(user_id=u, item_id=i, event="purchase") for u in ("u1", "u2") for i in ("bk", "ph")]
    refs = [Reference(user_id="u1", item_id="bk", text="the fries are great", feature="fries"),
            Reference(user_id="u2", item_id="bk", text="burgers and shakes hit the spot", feature="burgers"),
            Reference(user_id="u1", item_id="ph", text="it is light and the battery lasts", feature="battery"),
            Reference(user_id="u2", item_id="ph", text="the battery lasts two days", feature="battery")]
    workspace.save(Dataset.from_records(items, users, events, refs, name="tiny"), folder)
    return folder


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


PREDICTIONS = [
    {"generator": "template", "user_id": u, "item_id": i, "text": "The user would enjoy this item."}
    for u, i in (("u1", "bk"), ("u2", "bk"), ("u1", "ph"), ("u2", "ph"))
] + [
    {"generator": "model", "user_id": "u1", "item_id": "bk", "text": "It offers authentic Thai cuisine and fries."},
    {"generator": "model", "user_id": "u2", "item_id": "bk", "text": "Great burgers and shakes."},
    {"generator": "model", "user_id": "u1", "item_id": "ph", "text": "It weighs 1.9 kg."},
    {"generator": "model", "user_id": "u2", "item_id": "ph", "text": "Its battery life lasts two days."},
]


def test_scores_generators_side_by_side_with_workspace(ws, tmp_path):
    preds = write_jsonl(tmp_path / "p.jsonl", PREDICTIONS)
    out_json, out_html = tmp_path / "m.json", tmp_path / "r.html"
    result = runner.invoke(app, ["evaluate", str(preds), "--workspace", str(ws), "--no-semantic",
                                 "--json", str(out_json), "--html", str(out_html)])
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split()
    assert {"BLEU-4", "R-L", "USR", "SemSim", "Unsup", "IntHit", "FMR"} <= set(header)
    assert "template" in result.output and "model" in result.output
    data = json.loads(out_json.read_text(encoding="utf-8"))["generators"]
    assert data["model"]["unsupported_rate"] == pytest.approx(0.5)  # Thai cuisine, 1.9 kg
    assert data["template"]["unsupported_rate"] is None  # "would enjoy this item" states nothing to check
    assert data["model"]["claim_precision"] < 1 and "Shown" in header
    assert data["template"]["usr"] == pytest.approx(0.25)
    assert data["model"]["n_references"] == 4  # references came from the workspace
    assert data["model"]["interest_hit_rate"] == 0.5  # Thai (u1 on bk), battery life (u2 on ph)
    assert data["template"]["interest_hit_rate"] == 0.0
    assert data["template"]["distinct_per_item"] == 0.5
    page = out_html.read_text(encoding="utf-8")
    assert "template" in page and "model" in page and "https://" not in page and "http://" not in page


def test_references_file_and_no_workspace(tmp_path):
    preds = write_jsonl(tmp_path / "p.jsonl", [{k: v for k, v in p.items() if k != "generator"}
                                               for p in PREDICTIONS[4:]])
    refs = write_jsonl(tmp_path / "r.jsonl", [{"user_id": "u1", "item_id": "bk", "reference": "thai food"},
                                              {"user_id": "u2", "item_id": "bk", "text": "great burgers"}])
    result = runner.invoke(app, ["evaluate", str(preds), "-r", str(refs), "--no-semantic"])
    assert result.exit_code == 0, result.output
    assert "predictions" in result.output  # the default generator name
    assert "no --workspace" in result.output


def test_no_references_at_all_is_said(tmp_path):
    preds = write_jsonl(tmp_path / "p.jsonl", PREDICTIONS[4:])
    result = runner.invoke(app, ["evaluate", str(preds), "--no-semantic", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "no references found" in result.output


@pytest.mark.parametrize("content, message", [
    ('{"user_id": "u1", "item_id": "bk", "text": "ok"}\n{not json}\n', "p.jsonl:2: not valid JSON"),
    ('{"user_id": "u1", "text": "ok"}\n', "p.jsonl:1: missing field 'item_id'"),
    ('{"user_id": "u1", "item_id": "bk", "text": 3}\n', "p.jsonl:1: field 'text' must be a string"),
    ('[1, 2]\n', "p.jsonl:1: expected a JSON object"),
    ("\n\n", "no predictions in the file"),
])
def test_bad_lines_give_one_clear_error(tmp_path, content, message):
    path = tmp_path / "p.jsonl"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(path), "--no-semantic"])
    assert result.exit_code == 4
    assert message in result.output and "Traceback" not in result.output


def test_missing_files_and_bad_options(ws, tmp_path):
    result = runner.invoke(app, ["evaluate", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 4 and "no such predictions file" in result.output
    preds = write_jsonl(tmp_path / "p.jsonl", PREDICTIONS[:1])
    result = runner.invoke(app, ["evaluate", str(preds), "-r", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 4 and "no such references file" in result.output
    result = runner.invoke(app, ["evaluate", str(preds), "--workspace", str(tmp_path / "nows")])
    assert result.exit_code == 4 and "not a recreason workspace" in result.output
    result = runner.invoke(app, ["evaluate", str(preds), "--lang", "fr"])
    assert result.exit_code == 4 and "--lang must be en or zh" in result.output


def test_unknown_ids_in_the_workspace(ws, tmp_path):
    preds = write_jsonl(tmp_path / "p.jsonl", [{"user_id": "ghost", "item_id": "bk", "text": "hi"}])
    result = runner.invoke(app, ["evaluate", str(preds), "--workspace", str(ws), "--no-semantic"])
    assert result.exit_code == 5
    assert "p.jsonl:1: unknown user id 'ghost'" in result.output and "Traceback" not in result.output

"""The ingest and profile commands: counts, rejects, documented exit codes, no stack traces."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from recreason.cli import app
from recreason.cli.common import BAD_INPUT, TOO_MANY_REJECTS, UNKNOWN_ID

runner = CliRunner()


def _data(folder):
    folder.mkdir()
    (folder / "items.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"item_id": "p1", "title": "最新款智能手机", "category": ["数码", "手机"], "language": "zh",
         "attributes": {"处理器": "骁龙8", "屏幕": "6.7英寸 OLED", "续航": "5000mAh", "相机": "5000万像素"}},
        {"item_id": "p2", "title": "降噪耳机", "category": ["数码", "耳机"], "language": "zh"},
    ]) + "\n", encoding="utf-8")
    (folder / "users.csv").write_text("user_id,interests\nu1,喜欢购买电子产品\nu2,\n", encoding="utf-8")
    (folder / "interactions.csv").write_text(
        "user_id,item_id,event,rating,review,timestamp\n"
        "u1,p1,purchase,,,2024-01-01T00:00:00Z\n"
        "u1,p1,review,5,续航很给力，屏幕也清晰。,2024-01-02T00:00:00Z\n"
        "u2,p2,click,,,1704153600\n"
        "u2,p9,click,,,1704153600\n", encoding="utf-8")
    return folder


def test_ingest_prints_counts_and_profiles_read_back(tmp_path):
    src, ws = _data(tmp_path / "src"), tmp_path / "ws"
    result = runner.invoke(app, ["ingest", str(src), "-w", str(ws), "--max-reject-rate", "0.5"])
    assert result.exit_code == 0, result.output
    assert "interactions" in result.output and "4         3         1" in result.output
    assert "unknown item_id 'p9'" in result.output
    assert (ws / "rejects.jsonl").read_text(encoding="utf-8").count("\n") == 1
    user = runner.invoke(app, ["profile", "user", "u1", "-w", str(ws)])
    assert user.exit_code == 0 and "喜欢购买电子产品" in user.output and "续航" in user.output
    item = runner.invoke(app, ["profile", "item", "p1", "-w", str(ws), "--json"])
    assert json.loads(item.output)["attributes"]["续航"] == "5000mAh"


def test_too_many_rejects_exit_code(tmp_path):
    src, ws = _data(tmp_path / "src"), tmp_path / "ws"
    result = runner.invoke(app, ["ingest", str(src), "-w", str(ws)])  # 1 of 8 rejected > 5 %
    assert result.exit_code == TOO_MANY_REJECTS
    assert "above the limit" in result.output and not (ws / "manifest.json").exists()


def test_bad_input_exit_codes_without_traceback(tmp_path):
    empty = tmp_path / "items.csv"
    empty.write_text("")
    for args in (["ingest", str(tmp_path / "missing")], ["ingest", str(empty)],
                 ["profile", "user", "u1", "-w", str(tmp_path / "nowhere")],
                 ["ingest", str(empty), "--rating-range", "five"]):
        result = runner.invoke(app, args)
        assert result.exit_code == BAD_INPUT, (args, result.output)
        assert "Traceback" not in result.output and "error:" in result.output


def test_unknown_id_exit_code(tmp_path):
    src, ws = _data(tmp_path / "src"), tmp_path / "ws"
    runner.invoke(app, ["ingest", str(src), "-w", str(ws), "--max-reject-rate", "0.5"])
    result = runner.invoke(app, ["profile", "item", "nope", "-w", str(ws)])
    assert result.exit_code == UNKNOWN_ID and "unknown item id 'nope'" in result.output


def test_every_command_has_help():
    for args in (["--help"], ["ingest", "--help"], ["profile", "user", "--help"], ["profile", "item", "--help"],
                 ["demo", "--help"], ["train", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)


def _split_data(folder):
    folder.mkdir()
    (folder / "items.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [
        {"item_id": "p1", "title": "最新款智能手机", "language": "zh"}, {"item_id": "p2", "title": "耳机"}]),
        encoding="utf-8")
    (folder / "interactions.csv").write_text(
        "user_id,item_id,event,rating,review,timestamp,split\n"
        "u1,p1,review,5,续航很给力。,2024-01-01,train\n"
        "u2,p1,review,5,续航真给力。,2024-01-02,\n"
        "u1,p1,review,4,屏幕很清晰。,2024-01-03,test\n"
        "u4,p2,click,,,2024-01-04,test\n", encoding="utf-8")
    return folder


def test_profile_leaves_out_held_out_reviews_and_says_so(tmp_path):
    """A test-split review is what a reason for it is scored against: the profile shows what reasons see (the
    history), says how many held-out interactions it left out, and --all-splits shows them marked."""
    src, ws = _split_data(tmp_path / "src"), tmp_path / "ws"
    assert runner.invoke(app, ["ingest", str(src), "-w", str(ws)]).exit_code == 0
    item = runner.invoke(app, ["profile", "item", "p1", "-w", str(ws)])
    assert item.exit_code == 0, item.output
    assert "续航" in item.output and "屏幕" not in item.output and "interactions 2" in item.output
    assert "left out 1 held-out interaction (test 1)" in item.output and "--all-splits" in item.output
    every = runner.invoke(app, ["profile", "item", "p1", "-w", str(ws), "--all-splits"])
    assert every.exit_code == 0, every.output
    assert "interactions 3" in every.output and "includes 1 held-out interaction (test 1)" in every.output
    [screen] = [line for line in every.output.splitlines() if "屏幕" in line and "aspect" in line]
    [battery] = [line for line in every.output.splitlines() if "续航" in line and "aspect" in line]
    assert '[test] "屏幕很清晰。"' in screen and "[test]" not in battery
    payload = json.loads(runner.invoke(app, ["profile", "item", "p1", "-w", str(ws), "--json"]).output)
    assert payload["n_interactions"] == 2
    assert payload["held_out"] == {"interactions": 1, "splits": {"test": 1}, "included": False}
    user = runner.invoke(app, ["profile", "user", "u1", "-w", str(ws)])
    assert user.exit_code == 0 and "events 1" in user.output and "屏幕" not in user.output
    assert "left out 1 held-out interaction (test 1)" in user.output
    nothing_held = runner.invoke(app, ["profile", "user", "u2", "-w", str(ws)])
    assert "held-out" not in nothing_held.output
    nowhere = runner.invoke(app, ["profile", "user", "u3", "-w", str(ws)])
    assert nowhere.exit_code == UNKNOWN_ID
    test_only = runner.invoke(app, ["profile", "user", "u4", "-w", str(ws)])  # only a test interaction
    assert test_only.exit_code == 0 and "events 0" in test_only.output
    assert "left out 1 held-out interaction (test 1)" in test_only.output

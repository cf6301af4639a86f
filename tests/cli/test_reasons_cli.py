"""``recreason train reasons`` and ``recreason explain``: train, save, explain from the saved folder."""

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

TINY_PETER = {"d_model": 32, "d_ff": 64, "n_layers": 1, "epochs": 2, "batch_size": 8, "progress": False,
              "bf16": False, "threads": 1, "max_words": 12}


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    items = [
        Item(item_id="ph", title="最新款智能手机", attributes={"续航": "重度使用约1.5天", "屏幕": "6.7英寸 AMOLED"},
             category=["数码", "手机"], language="zh"),
        Item(item_id="sh", title="Trail runner", attributes={"weight": "about 220 g", "upper": "breathable mesh"},
             category=["Running"], language="en"),
    ]
    users = [User(user_id="u1", interests=["喜欢购买电子产品"], language="zh"),
             User(user_id="u2", interests=["runs every weekend"], language="en")]
    events = [Interaction(user_id=u, item_id=i, event="purchase") for u in ("u1", "u2") for i in ("ph", "sh")]
    refs = [Reference(user_id="u1", item_id="ph", text="续航重度使用约1.5天，适合喜欢电子产品的你。", split="train"),
            Reference(user_id="u2", item_id="sh", text="At about 220 g it suits your weekend runs.", split="train"),
            Reference(user_id="u2", item_id="ph", text="屏幕6.7英寸，看视频很清楚。", split="train"),
            Reference(user_id="u1", item_id="sh", text="The breathable mesh upper keeps you cool.", split="train")]
    workspace.save(Dataset.from_records(items, users, events, refs, name="tiny"), folder)
    return folder


@pytest.mark.parametrize(("generator", "config"), [("template", {}), ("peter", TINY_PETER)])
def test_train_then_explain_from_the_saved_folder(ws, tmp_path, generator, config):
    out = tmp_path / generator
    res = runner.invoke(app, ["train", "reasons", "-w", str(ws), "--generator", generator,
                              "--config", json.dumps(config), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "fitting" in res.output and out.is_dir()
    res = runner.invoke(app, ["explain", "-w", str(ws), "--user", "u1", "--item", "ph", "--model", str(out),
                              "--json"])
    assert res.exit_code == 0, res.output
    reason = json.loads(res.output)
    assert reason["text"].strip() and reason["language"] == "zh"
    assert reason["generator"] in (generator, "template")  # the guard may fall back to the template
    assert reason["path"] in ("primary", "regenerated", "fallback")


def test_user_mistakes_get_exit_codes_not_tracebacks(ws, tmp_path):
    res = runner.invoke(app, ["train", "reasons", "-w", str(ws), "--generator", "template", "--base",
                              "gemma-3-270m", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--base is for --generator llm" in res.output
    res = runner.invoke(app, ["train", "reasons", "-w", str(ws), "--generator", "nope", "--out", str(tmp_path / "y")])
    assert res.exit_code != 0 and "Traceback" not in res.output
    res = runner.invoke(app, ["explain", "-w", str(ws), "--user", "nobody", "--item", "ph", "--generator", "template"])
    assert res.exit_code == 5 and "nobody" in res.output
    res = runner.invoke(app, ["train", "reasons", "-w", str(ws), "--split", "test", "--generator", "peter",
                              "--out", str(tmp_path / "z")])
    assert res.exit_code == 4 and "no references" in res.output and "the template and the few-shot llm need none" \
        in res.output


def test_template_trains_on_a_workspace_without_references(ws, tmp_path):
    """A gift-card workspace has reviews and no references: the template still trains, saves and explains."""
    out = tmp_path / "tpl"
    res = runner.invoke(app, ["train", "reasons", "-w", str(ws), "--split", "test", "--out", str(out)])
    assert res.exit_code == 0 and "writes with its built-in phrasing" in res.output, res.output
    res = runner.invoke(app, ["explain", "-w", str(ws), "--user", "u2", "--item", "sh", "--model", str(out), "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["text"].strip(), res.output


def test_a_finetuning_run_stopped_at_its_time_budget_exits_6_and_says_how_to_go_on(ws, tmp_path, monkeypatch):
    from recreason.reasons.llm import finetune

    seen = {}

    def stopped(examples, cfg, log=print):
        seen["n"], seen["sentences"] = len(examples), cfg.max_sentences
        return finetune.FinetuneResult(None, None, len(examples), 3, 1.0, [2.0] * 3, total=10, max_sentences=1)

    monkeypatch.setattr(finetune, "finetune_lora", stopped)
    res = runner.invoke(app, ["train", "reasons", "-w", str(ws), "--generator", "llm", "--base", "gemma-3-270m",
                              "--out", str(tmp_path / "lora")])
    assert res.exit_code == 6, res.output
    assert "stopped at step 3 of 10" in res.output and "run the same command again" in res.output
    assert "fine-tuning on" in res.output and seen["n"] >= 1 and seen["sentences"] == 1
    assert "Traceback" not in res.output


def test_explain_without_a_model_writes_with_the_workspaces_fitted_template(ws, monkeypatch):
    """No --model, no --generator: the workspace's fitted template (what `reasons batch` uses), never an LLM or an
    unfitted generator; --help says so."""
    from recreason import reasons

    asked = []
    real = reasons.make_generator
    monkeypatch.setattr(reasons, "make_generator", lambda name, **kw: asked.append(name) or real(name, **kw))
    res = runner.invoke(app, ["explain", "-w", str(ws), "--user", "u1", "--item", "ph", "--json"])
    assert res.exit_code == 0, res.output
    reason = json.loads(res.output)
    assert reason["generator"] == "template" and reason["path"] == "primary"
    assert "llm" not in asked
    assert (ws / "models" / "fallback-template").is_dir()  # the fitted template, kept in the workspace
    help_text = " ".join(runner.invoke(app, ["explain", "--help"]).output.split())
    assert "fitted template" in help_text and "reasons batch" in help_text


def test_explain_refuses_a_generator_that_needs_training_without_a_model(ws):
    res = runner.invoke(app, ["explain", "-w", str(ws), "--user", "u1", "--item", "ph", "--generator", "peter"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "recreason train reasons --generator peter" in res.output and "--model" in res.output

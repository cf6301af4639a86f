"""``recreason train ranker`` and ``recreason recommend`` through typer's test runner."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from recreason.cli.common import BAD_INPUT, UNKNOWN_ID, USAGE
from recreason.cli.rank import parse_params, register, split_interests
from recreason.data import workspace
from recreason.rank import EmbeddingRanker

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    train_app = typer.Typer()
    app.add_typer(train_app, name="train")
    register(app, train_app)
    return app


@pytest.fixture(scope="module")
def trained(app, small_dataset, tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    workspace.save(small_dataset, root / "ws")
    result = runner.invoke(app, ["train", "ranker", "--workspace", str(root / "ws"), "--model", "itemknn",
                                 "--out", str(root / "model"), "--split", "leave-last-out", "--seed", "1",
                                 "-p", "neighbors=5"])
    assert result.exit_code == 0, result.output
    return root, result.output


def test_train_prints_metrics_and_saves(trained):
    root, output = trained
    assert "ndcg@10" in output and "hr@10" in output and "recall@10" in output and "mrr" in output
    assert (root / "model" / "weights.safetensors").is_file()
    config = json.loads((root / "model" / "config.json").read_text())
    assert config["ranker"] == "itemknn" and config["params"]["neighbors"] == 5 and config["params"]["seed"] == 1


def test_train_embedding_with_epochs(app, trained):
    root, _ = trained
    result = runner.invoke(app, ["train", "ranker", "--workspace", str(root / "ws"), "--model", "embedding",
                                 "--out", str(root / "emb"), "--split", "none", "--epochs", "2",
                                 "-p", "dim=8", "-p", "hidden=[8]"])
    assert result.exit_code == 0, result.output
    loaded = EmbeddingRanker.load(root / "emb")
    assert loaded.config.epochs == 2 and loaded.config.dim == 8 and loaded.config.hidden == (8,)


def test_recommend_lists_items_with_scores(app, trained):
    root, _ = trained
    result = runner.invoke(app, ["recommend", "--model", str(root / "model"), "--user", "u3", "-k", "4"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4 and lines[0].split()[0] == "1"
    result = runner.invoke(app, ["recommend", "--model", str(root / "model"), "--user", "u3", "-k", "4", "--json"])
    payload = json.loads(result.stdout)
    assert payload["source"] == "model" and len(payload["items"]) == 4
    assert {"item_id", "score", "title"} == set(payload["items"][0])


def test_recommend_prints_titles_from_the_workspace(app, trained):
    root, _ = trained
    result = runner.invoke(app, ["recommend", "-m", str(root / "model"), "-u", "u3", "-k", "3", "-w", str(root / "ws")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3 and all("film number" in line for line in lines)
    rank, item, score, title = lines[0].split(maxsplit=3)
    assert rank == "1" and item.startswith("i") and float(score) >= 0 and title.startswith("A ")
    assert result.stderr == ""
    result = runner.invoke(app, ["recommend", "-m", str(root / "model"), "-u", "u3", "-k", "3", "-w", str(root / "ws"),
                                 "--json"])
    payload = json.loads(result.stdout)
    assert payload["workspace"] == str(root / "ws")
    assert all(i["title"].endswith(f"film number {i['item_id'][1:]}") for i in payload["items"])


def test_recommend_without_a_workspace_works_from_the_model_and_says_so(app, trained, tmp_path):
    root, _ = trained
    args = ["recommend", "-m", str(root / "model"), "-u", "u3", "-k", "3", "-w", str(tmp_path / "none")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert [len(line.split()) for line in result.stdout.strip().splitlines()] == [3, 3, 3]  # rank, id, score
    assert "no workspace" in result.stderr and "ids only" in result.stderr and str(tmp_path / "none") in result.stderr
    payload = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert payload["workspace"] is None and all(i["title"] is None for i in payload["items"])


def test_recommend_cold_start(app, trained):
    root, _ = trained
    result = runner.invoke(app, ["recommend", "--model", str(root / "model"), "--user", "nobody", "-k", "3",
                                 "--interests", "horror, drama", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == "interests"
    result = runner.invoke(app, ["recommend", "--model", str(root / "model"), "--user", "nobody",
                                 "--on-unknown", "popular", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["source"] == "popular"


@pytest.mark.parametrize("args, code, message", [
    (["recommend", "--model", "{root}/model", "--user", "nobody"], UNKNOWN_ID, "unknown user id 'nobody'"),
    (["recommend", "--model", "{root}/missing", "--user", "u1"], BAD_INPUT, "not a ranker artifact"),
    (["recommend", "--model", "{root}/model", "--user", "u1", "-k", "0"], USAGE, "-k must be at least 1"),
    (["recommend", "--model", "{root}/model", "--user", "u1", "--on-unknown", "maybe"], USAGE, "--on-unknown"),
    (["train", "ranker", "--workspace", "{root}/nope", "--out", "{root}/x"], BAD_INPUT, "not a recreason workspace"),
    (["train", "ranker", "--workspace", "{root}/ws", "--out", "{root}/x", "--model", "svd"], USAGE, "unknown model"),
    (["train", "ranker", "--workspace", "{root}/ws", "--out", "{root}/x", "--split", "weekly"], USAGE,
     "unknown split"),
    (["train", "ranker", "--workspace", "{root}/ws", "--out", "{root}/x", "--model", "popularity", "-p", "dim=3"],
     USAGE, "unknown hyper-parameter 'dim'"),
])
def test_user_mistakes_end_in_one_line(app, trained, args, code, message):
    root, _ = trained
    result = runner.invoke(app, [a.format(root=root) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_helpers():
    assert split_interests("科幻，喜剧; horror , ") == ["科幻", "喜剧", "horror"]
    assert parse_params(["dim=16", "loss=bpr", "hidden=[32, 16]"], EmbeddingRanker.Config) == \
        {"dim": 16, "loss": "bpr", "hidden": [32, 16]}


def test_the_workspace_keeps_its_ranker_where_recommend_and_serve_find_it(app, small_dataset, tmp_path):
    from recreason.serve.services import load_ranker
    from recreason.serve.settings import Settings

    ws = tmp_path / "ws"
    workspace.save(small_dataset, ws)
    settings = Settings(workspace=ws)
    assert "trained at start-up: no trained ranker in" in load_ranker(settings, small_dataset)[1]
    missing = runner.invoke(app, ["recommend", "-w", str(ws), "--user", "u3"])
    assert missing.exit_code == BAD_INPUT and "train ranker" in missing.output
    trained = runner.invoke(app, ["train", "ranker", "-w", str(ws), "--model", "popularity", "--split", "none"])
    assert trained.exit_code == 0, trained.output
    assert (workspace.ranker_dir(ws) / "config.json").is_file()
    result = runner.invoke(app, ["recommend", "-w", str(ws), "--user", "u3", "-k", "2"])
    assert result.exit_code == 0 and "film number" in result.output, result.output
    ranker, name = load_ranker(settings, small_dataset)
    assert ranker.name == "popularity" and str(workspace.ranker_dir(ws)) in name

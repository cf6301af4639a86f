"""``recreason train ranker`` and ``recreason recommend``: train, evaluate and query a ranker."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from recreason.cli.common import (
    BAD_INPUT,
    DEFAULT_WORKSPACE,
    UNKNOWN_ID,
    USAGE,
    WorkspaceOpt,
    fail,
    user_errors,
)

SPLIT_CHOICES = ("leave-last-out", "random", "none")


def parse_params(pairs: list[str], config_type: type) -> dict[str, Any]:
    """``KEY=VALUE`` strings -> hyper-parameters of ``config_type``; values are read as JSON when
    they parse (numbers, true/false, lists), else kept as text."""
    fields = {f.name for f in dataclasses.fields(config_type)}
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise fail(f"--param wants KEY=VALUE, got {pair!r}", USAGE)
        if key not in fields:
            raise fail(f"unknown hyper-parameter {key!r}; this ranker takes {', '.join(sorted(fields))}", USAGE)
        try:
            out[key] = json.loads(text)
        except json.JSONDecodeError:
            out[key] = text
    return out


def split_interests(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"[,，;；]", text or "") if p.strip()]


def _rank_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Ranking mistakes (bad artifact, bad data, missing optional package) end in one line too."""
    from recreason.rank import ArtifactError

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ArtifactError, ImportError, ValueError) as e:
            raise fail(str(e), BAD_INPUT) from None

    return wrapper


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    @train_app.command("ranker")
    @user_errors
    @_rank_errors
    def train_ranker(
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write the ranker artifact to; "
                                                 "default WORKSPACE/models/ranker, where serve and recommend "
                                                 "look.")] = None,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        model: Annotated[str, typer.Option("--model", help="embedding, popularity, itemknn or als.")] = "embedding",
        split: Annotated[str, typer.Option(
            "--split", help="leave-last-out or random (train, report test metrics, save the model "
                            "trained on train+valid), or none (train on everything, no metrics; "
                            "the embedding model first finds its epochs on leave-last-out).")] = "leave-last-out",
        seed: Annotated[int, typer.Option(help="Seed of the split and of the model.")] = 0,
        epochs: Annotated[int | None, typer.Option(help="Most training epochs (embedding).")] = None,
        k: Annotated[int, typer.Option("--k", "-k", help="Cut-off of the ranking metrics.")] = 10,
        param: Annotated[list[str] | None, typer.Option(
            "--param", "-p", help="Hyper-parameter KEY=VALUE, repeatable (e.g. -p dim=128).")] = None,
    ) -> None:
        """Train a ranker on a workspace, print its held-out metrics and save the artifact."""
        from recreason.data import workspace as ws
        from recreason.rank import RANKERS, fit_and_test, get_ranker, make_split

        if model not in RANKERS:
            raise fail(f"unknown model {model!r}; choose one of {', '.join(RANKERS)}", USAGE)
        if split not in SPLIT_CHOICES:
            raise fail(f"unknown split {split!r}; choose one of {', '.join(SPLIT_CHOICES)}", USAGE)
        ranker_class = get_ranker(model)
        params = {**parse_params(param or [], ranker_class.Config), "seed": seed}
        if epochs is not None:
            params.update(parse_params([f"epochs={epochs}"], ranker_class.Config))
        dataset = ws.load(workspace)
        start = time.perf_counter()
        if split == "none":
            if ranker_class.uses_validation and epochs is None:  # find the epoch count first
                parts = make_split(dataset, "leave-last-out", seed)
                params["epochs"] = ranker_class(**params).fit(parts.train, valid=parts.valid).best_epoch
            ranker = ranker_class(**params).fit(dataset)
            results = None
        else:
            parts = make_split(dataset, split, seed)
            ranker, results = fit_and_test(ranker_class, parts, params, k=k, seed=seed)
        seconds = time.perf_counter() - start
        folder = ranker.save(out or ws.ranker_dir(workspace))
        typer.echo(f"{model}: {len(ranker.user_ids):,} users, {len(ranker.item_ids):,} items, "
                   f"trained in {seconds:.1f} s")
        if results is not None:
            typer.echo(f"test ({split}, seed {seed}, full ranking, {results['users']:,} users):")
            for name in (f"ndcg@{k}", f"hr@{k}", f"recall@{k}", "mrr", f"coverage@{k}"):
                typer.echo(f"  {name:<12} {results[name]:.4f}")
            if results.get("skipped_users"):
                typer.echo(f"  ({results['skipped_users']} test users skipped: nothing new held out)")
        typer.echo(f"saved {folder}")

    @app.command("recommend")
    @user_errors
    @_rank_errors
    def recommend(
        user: Annotated[str, typer.Option("--user", "-u", help="User id.")],
        model: Annotated[Path | None, typer.Option("--model", "-m", help="Ranker artifact folder; default "
                                                   "WORKSPACE/models/ranker.")] = None,
        workspace: Annotated[Path, typer.Option(
            "--workspace", "-w", help="Workspace for item titles (env RECREASON_WORKSPACE); without one, the "
                                      "model alone gives ids only.")] = DEFAULT_WORKSPACE,
        k: Annotated[int, typer.Option("--k", "-k", help="How many items.")] = 10,
        interests: Annotated[str | None, typer.Option(
            help="Declared interests for a user the model does not know, comma-separated.")] = None,
        include_seen: Annotated[bool, typer.Option(help="Keep items the user already interacted with.")] = False,
        on_unknown: Annotated[str, typer.Option(
            help="An unknown user without interests: 'error' or 'popular' (popular items).")] = "error",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Top-k items for a user, with scores, from a saved ranker; titles from the workspace's items table.

        With no workspace (none at -w, or ./workspace) it works from the ranker alone and prints ids only."""
        from recreason.cli.common import clip, display_width, item_titles, pad
        from recreason.rank import Ranker, UnknownIdError

        if on_unknown not in ("error", "popular"):
            raise fail(f"--on-unknown must be 'error' or 'popular', got {on_unknown!r}", USAGE)
        if k < 1:
            raise fail(f"-k must be at least 1, got {k}", USAGE)
        if model is None:
            from recreason.data.workspace import ranker_dir

            model = ranker_dir(workspace)
            if not (model / "config.json").is_file():
                raise fail(f"no trained ranker at {model}: run `recreason train ranker -w {workspace}`, or pass "
                           "--model DIR", BAD_INPUT)
        ranker = Ranker.load(model)
        try:
            recs = ranker.recommend(user, k=k, exclude_seen=not include_seen,
                                    interests=split_interests(interests), on_unknown=on_unknown)
        except UnknownIdError as e:
            raise fail(f"{e}; pass --interests, or --on-unknown popular for popular items", UNKNOWN_ID) from None
        titles, note = item_titles(workspace, [i for i, _ in recs])
        if as_json:
            typer.echo(json.dumps({"user": user, "source": recs.source,
                                   "workspace": str(workspace) if titles is not None else None,
                                   "items": [{"item_id": i, "score": s, "title": (titles or {}).get(i)}
                                             for i, s in recs]}, ensure_ascii=False))
            if note:
                typer.echo(note, err=True)
            return
        if recs.source != "model":
            typer.echo(f"user {user!r} is new to the model: items from {recs.source}", err=True)
        if note:
            typer.echo(note, err=True)
        width = max((display_width(i) for i, _ in recs), default=0)
        for rank, (item, score) in enumerate(recs, start=1):
            line = f"{rank:>3}  {pad(item, width)}  {score:.4f}"
            if titles is not None:
                line += "  " + (clip(titles[item], 80) if titles.get(item) else
                                "(no title)" if item in titles else "(not in the workspace)")
            typer.echo(line.rstrip())

"""``recreason serve``: the HTTP API and operator console (uvicorn); ``recreason serve precompute``: cache reasons.

Options left out come from ``RECREASON_*`` environment variables (see ``recreason.serve.settings``). When no
API keys are configured, ``serve`` makes one event key and one admin key for this run and prints them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from recreason.cli.common import user_errors

serve_app = typer.Typer(help="Serve recommendations with reasons over HTTP (API + operator console).",
                        invoke_without_command=True)

Workspace = Annotated[Path | None, typer.Option("--workspace", "-w", help="Workspace folder (env RECREASON_WORKSPACE).")]
Ranker = Annotated[Path | None, typer.Option(help="Ranker artifact folder; default: WORKSPACE/models/ranker "
                                                  "(`train ranker` writes it), else a popularity ranker trained "
                                                  "now (the log and /healthz say so).")]
Experiments = Annotated[Path | None, typer.Option(help="Experiments file (TOML or JSON); default: built-in.")]
Db = Annotated[str | None, typer.Option(help="Database URL; default sqlite:///WORKSPACE/events.db.")]


def _settings(**overrides):
    from recreason.serve.settings import Settings

    if overrides.get("workspace") is None and "RECREASON_WORKSPACE" not in os.environ:
        from recreason.cli.common import DEFAULT_WORKSPACE

        overrides["workspace"] = DEFAULT_WORKSPACE
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@serve_app.callback()
@user_errors
def serve(
    ctx: typer.Context,
    workspace: Workspace = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    ranker: Ranker = None,
    experiments: Experiments = None,
    db: Db = None,
    llm_timeout: Annotated[float | None, typer.Option(help="Seconds to wait for the LLM before the template.")] = None,
    llm_online: Annotated[bool | None, typer.Option("--llm-online/--llm-cache-only",
                                                    help="Run the LLM on a cache miss, or serve only its "
                                                         "precomputed reasons (template on a miss).")] = None,
    precompute_users: Annotated[int | None, typer.Option(help="Precompute the top-k reasons of this many "
                                                               "most active users at start-up.")] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Run the API and the console at http://HOST:PORT/ (console /console/, OpenAPI schema /openapi.json)."""
    if ctx.invoked_subcommand is not None:
        return
    from recreason.serve.run import run

    settings = _settings(workspace=workspace, ranker=ranker, experiments=experiments, db=db,
                         llm_timeout_s=llm_timeout, llm_online=llm_online, precompute_users=precompute_users)
    run(settings, host, port, log_level, echo=typer.echo)


@serve_app.command("precompute")
@user_errors
def precompute(
    workspace: Workspace = None,
    ranker: Ranker = None,
    experiments: Experiments = None,
    db: Db = None,
    users: Annotated[int, typer.Option(help="How many of the most active users.", min=1)] = 200,
    k: Annotated[int, typer.Option(help="Items per user.", min=1)] = 10,
    variant: Annotated[list[str] | None, typer.Option(help="Only these variants (repeatable); default all.")] = None,
    lang: Annotated[str | None, typer.Option(help="zh or en; default: each item's language.")] = None,
) -> None:
    """Write the reasons of the most active users' top-k items into the reason cache (the server reads it at
    start-up). Slow generators (the LLM) run here without the serving timeout."""
    from recreason.serve.services import Services

    settings = _settings(workspace=workspace, ranker=ranker, experiments=experiments, db=db)
    svc = Services.from_settings(settings)
    try:
        chosen = svc.experiments.variants()
        if variant:
            chosen = [v for v in chosen if v.name in variant]
            if not chosen:
                raise LookupError(f"no variant named {', '.join(variant)} in the experiments")
        made = svc.precompute(svc.active_users(users), k, chosen, lang)
    finally:
        svc.close()
    for name, n in made.items():
        typer.echo(f"{name:>16}  {n:,} new reasons" if isinstance(n, int) else f"{name:>16}  {n}")
    typer.echo(f"cache: {settings.db_url}")


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    app.add_typer(serve_app, name="serve")


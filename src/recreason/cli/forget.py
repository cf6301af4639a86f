"""``recreason forget USER …``: delete everything a workspace, its event store and ranker artifacts hold
about users (the CLI twin of ``DELETE /v1/users/{id}``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recreason.cli.common import BAD_INPUT, DEFAULT_WORKSPACE, WorkspaceOpt, fail, user_errors


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    @app.command("forget")
    @user_errors
    def forget(
        users: Annotated[list[str], typer.Argument(help="User ids to forget.")],
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        db: Annotated[str | None, typer.Option(help="Event store URL; default: WORKSPACE/events.db when it "
                                                    "exists (the server's default).")] = None,
        ranker: Annotated[list[Path] | None, typer.Option(
            help="Another ranker artifact folder to unlink the users from (repeatable); WORKSPACE/models/ranker "
                 "is always done.")] = None,
    ) -> None:
        """Remove the users' interactions, reviews, references and rejected records from the workspace (later
        ingests into it drop them again), their events, cached reasons and profile reads from the event store,
        and their ids and seen items from ranker artifacts; cached reasons of the items they reviewed go too.
        A running server keeps what it loaded: use DELETE /v1/users/{id} on it, or restart it."""
        from sqlalchemy.exc import SQLAlchemyError

        from recreason.data.forget import forget_users
        from recreason.data.workspace import read_manifest
        from recreason.rank import Ranker
        from recreason.serve.store import Store

        read_manifest(workspace)  # a wrong workspace or database fails before anything is removed
        url = db or (f"sqlite:///{workspace / 'events.db'}" if (workspace / "events.db").is_file() else None)
        try:
            store = Store(url) if url else None
        except SQLAlchemyError as err:
            raise fail(f"cannot open the event store {url!r}: {type(err).__name__}: {str(err).splitlines()[0]}",
                       BAD_INPUT) from None
        try:
            report = forget_users(workspace, users)
            removed = {f"workspace.{t}": n for t, n in report.removed.items()}
            if store is not None:
                removed.update(store.forget(report.users, report.items))
        finally:
            if store is not None:
                store.close()
        from recreason.data.workspace import ranker_dir

        folders = list(ranker or [])
        if (ranker_dir(workspace) / "config.json").is_file() and ranker_dir(workspace) not in folders:
            folders.append(ranker_dir(workspace))  # the workspace's own ranker, always
        for folder in folders:
            model = Ranker.load(folder)
            unlinked = model.forget(report.users)
            if unlinked:
                model.save(folder)
            removed[f"ranker {folder}"] = len(unlinked)
        for name, n in removed.items():
            typer.echo(f"  {name:<28} {n:>7,} removed")
        total = sum(removed.values())
        typer.echo(f"forgot {len(report.users)} user(s): {total:,} rows removed"
                   + ("" if url else "; no event store found (pass --db for a server's database)")
                   + ". Models trained before this (rankers, PETER, LoRA adapters) keep what they learned until "
                     "trained again on this workspace.")

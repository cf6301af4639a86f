"""``recreason demo``: the main job on the embedded synthetic sample, with no data at hand."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recreason.cli.common import user_errors

DEMO_DIR = Path(".recreason/demo")
SHOW_USERS = ("u_seed",)


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    @app.command()
    @user_errors
    def demo(
        folder: Annotated[Path, typer.Option(help="Where the sample and its workspace are written.")] = DEMO_DIR,
        seed: Annotated[int, typer.Option(help="Seed of the synthetic sample.")] = 0,
        users: Annotated[int, typer.Option(help="How many users to show.", min=1)] = 3,
    ) -> None:
        """Build the synthetic bilingual sample, ingest it, and show profiles (the seed's case first)."""
        from recreason.cli.ingest import print_report
        from recreason.cli.profile import show_item, show_user
        from recreason.data.ingest import ingest_to_workspace
        from recreason.profiles import ProfileBuilder
        from recreason.sample import write_sample

        raw, ws = folder / "raw", folder / "workspace"
        typer.secho(f"1. synthetic sample -> {raw}", bold=True)
        write_sample(raw, seed=seed)
        typer.secho(f"2. ingest -> {ws}", bold=True)
        report = ingest_to_workspace(raw, ws, progress=True, name="sample")
        print_report(report, ws / "rejects.jsonl")
        typer.secho("3. profiles", bold=True)
        builder = ProfileBuilder(report.dataset)
        active = report.dataset.interactions["user_id"].value_counts()
        shown = [u for u in SHOW_USERS if report.dataset.has_user(u)]
        shown += [u for u in active.index[:: max(1, len(active) // 7)] if u not in shown][: users - len(shown)]
        for user_id in shown:
            show_user(builder.user(user_id))
        for item_id in dict.fromkeys(("i_seed_phone", *report.dataset.items["item_id"].iloc[[0, -1]])):
            if report.dataset.has_item(item_id):
                show_item(builder.item(item_id))

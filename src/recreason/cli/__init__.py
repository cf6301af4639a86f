"""The ``recreason`` command line. Each command group lives in its own module with ``register(app)``."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="recreason",
    help="Short, true, personal recommendation reasons: ingest data, build profiles, rank, explain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Train a ranker or a reason generator.", no_args_is_help=True)
app.add_typer(train_app, name="train")

# Modules that add commands; each has register(app, train_app). Optional ones may be absent.
_COMMANDS = ("ingest", "profile", "browse", "rank", "reasons", "batch", "evaluate", "demo", "serve", "forget")
for _name in _COMMANDS:
    try:
        _mod = importlib.import_module(f"recreason.cli.{_name}")
    except ModuleNotFoundError as _e:
        if _e.name != f"recreason.cli.{_name}":
            raise
        continue
    _mod.register(app, train_app)


def main() -> None:
    app()

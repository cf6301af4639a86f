"""What every command shares: exit codes, turning user mistakes into one clear line, options."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from recreason.data.rejects import InputError
from recreason.data.workspace import WorkspaceError

# Exit codes (documented in the README; tests pin them).
OK = 0
USAGE = 2  # click/typer's own code for a bad option or argument
TOO_MANY_REJECTS = 3
BAD_INPUT = 4
UNKNOWN_ID = 5
INCOMPLETE = 6  # a long job stopped at its time budget; its checkpoint waits for the same command again

DEFAULT_WORKSPACE = Path(os.environ.get("RECREASON_WORKSPACE", "workspace"))

WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace folder (env RECREASON_WORKSPACE).")
]


class UnknownId(KeyError):
    """A user or item id that the data or model does not know."""

    def __str__(self) -> str:  # KeyError quotes its message; a user wants it plain
        return str(self.args[0]) if self.args else ""


def fail(message: str, code: int) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for commands: known user mistakes end in one line on stderr and a documented code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (InputError, WorkspaceError, FileNotFoundError) as e:
            raise fail(str(e), BAD_INPUT) from None
        except (UnknownId, LookupError) as e:
            raise fail(str(e.args[0]) if e.args else str(e), UNKNOWN_ID) from None
        except RuntimeError as e:
            from recreason.reasons.llm.finetune import FinetuneIncomplete  # light: torch is imported on use

            if not isinstance(e, FinetuneIncomplete):
                raise
            raise fail(str(e), INCOMPLETE) from None

    return wrapper

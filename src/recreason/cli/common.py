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


# -- what the listing commands share: titles from a workspace, and columns that line up in zh and en ----------

def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK, fullwidth) characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in text)


def clip(text: str | None, width: int) -> str:
    """``text`` on one line, cut to ``width`` terminal columns with an ellipsis."""
    text = " ".join(str(text or "").split())
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = display_width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def item_titles(workspace: Path, ids: list[str]) -> tuple[dict[str, str | None] | None, str | None]:
    """Titles of ``ids`` from the workspace's items table (only two columns are read), and a note for the user
    when some or all cannot be shown: ``(None, note)`` when there is no usable workspace."""
    from recreason.data.workspace import load_table

    if not (Path(workspace) / "manifest.json").is_file():
        return None, f"no workspace at {workspace} (pass -w WORKSPACE for titles): ids only, from the model alone"
    try:
        items = load_table(workspace, "items", ["item_id", "title"])
    except WorkspaceError as e:
        return None, f"{e}: ids only, from the model alone"
    if not len(items):
        return None, f"workspace {workspace} has no items table (no titles): ids only"
    wanted = set(ids)
    found = items[items["item_id"].isin(wanted)]
    titles = {i: (t if isinstance(t, str) and t.strip() else None) for i, t in zip(found["item_id"], found["title"],
                                                                                  strict=True)}
    missing = [i for i in ids if i not in titles]
    note = None
    if missing:
        note = (f"{len(missing)} of {len(ids)} items are not in workspace {workspace} (was the model trained on "
                f"another workspace?)")
    return titles, note

"""``recreason users`` and ``recreason items``: list and search what a workspace holds.

Both read only the columns they show (a 100k-item workspace lists in about a second), sort by activity (number
of interactions, then the latest one) and print ``--limit`` rows. ``--search`` keeps the rows whose id, title or
category (items) or id or declared interests (users) contain the text, case-insensitive and after NFKC
(fullwidth ``ＰＲＯ`` finds ``Pro``; Chinese is matched as written).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from recreason.cli.common import DEFAULT_WORKSPACE, WorkspaceOpt, clip, display_width, pad, user_errors

SearchOpt = Annotated[str | None, typer.Option("--search", "-s", help="Text to look for in ids and titles "
                                               "(items: and categories; users: and interests); "
                                               "case-insensitive, zh or en.")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, help="Most rows to show.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _fold(text) -> str:
    return unicodedata.normalize("NFKC", text).casefold() if isinstance(text, str) else ""


def matches(columns: list[pd.Series], query: str | None) -> pd.Series:
    """Rows where any of ``columns`` (text, or lists of text) contains ``query``, folded (NFKC, casefold)."""
    index = columns[0].index
    if not query or not query.strip():
        return pd.Series(True, index=index)
    q = _fold(query.strip())
    hit = pd.Series(False, index=index)
    for col in columns:
        text = [_fold(" ".join(v) if isinstance(v, (list, tuple)) else v) for v in col]
        hit |= pd.Series(text, index=index, dtype="string[pyarrow]").str.contains(q, regex=False).fillna(False)
    return hit.astype(bool)


def _counts(workspace: Path, key: str, latest: bool = False) -> pd.DataFrame:
    """Interactions per ``key`` (and the latest timestamp): one row per id seen in interactions."""
    from recreason.data.workspace import load_table

    inter = load_table(workspace, "interactions", [key, "timestamp"] if latest else [key])
    grouped = inter.groupby(key, sort=False)
    out = grouped.size().rename("interactions").to_frame()
    if latest:
        out["last"] = grouped["timestamp"].max()
    return out


def item_table(workspace: Path) -> pd.DataFrame:
    """Every item (items table, and ids only interactions name): id, title, category, interactions."""
    from recreason.data.workspace import load_table

    items = load_table(workspace, "items", ["item_id", "title", "category"]).set_index("item_id")
    counts = _counts(workspace, "item_id")
    extra = counts.index.difference(items.index)
    if len(extra):  # items only the interactions name (a workspace with no items table)
        items = pd.concat([items, pd.DataFrame({"title": None, "category": [[] for _ in extra]}, index=extra)])
    items["interactions"] = counts["interactions"].reindex(items.index).fillna(0).astype(int)
    items.index.name = "item_id"
    items = items.reset_index()
    return items.sort_values(["interactions", "item_id"], ascending=[False, True], kind="stable")


def user_table(workspace: Path) -> pd.DataFrame:
    """Every user (users table, and ids only interactions name): id, interactions, last activity, interests."""
    from recreason.data.workspace import load_table

    users = load_table(workspace, "users", ["user_id", "interests"]).set_index("user_id")
    counts = _counts(workspace, "user_id", latest=True)
    extra = counts.index.difference(users.index)
    if len(extra):
        users = pd.concat([users, pd.DataFrame({"interests": [[] for _ in extra]}, index=extra)])
    users["interactions"] = counts["interactions"].reindex(users.index).fillna(0).astype(int)
    users["last"] = counts["last"].reindex(users.index)
    users.index.name = "user_id"
    users = users.reset_index()
    return users.sort_values(["interactions", "last", "user_id"], ascending=[False, False, True],
                             na_position="last", kind="stable")


def _header(kind: str, workspace: Path, total: int, matched: int, shown: int, search: str | None) -> str:
    text = f"{total:,} {kind} in workspace {workspace}"
    if search:
        text += f"; {matched:,} match {search!r}"
    if shown < matched:
        text += f"; showing {shown:,}, the most active (--limit for more)"
    return text


def _path(parts, width: int) -> str:
    """A category path in ``width`` columns, its leaf kept: the first levels give way first."""
    parts = [clip(p, width) for p in parts]
    if not parts:
        return "-"
    text = " > ".join(parts)
    while display_width(text) > width and len(parts) > 1:
        parts = parts[1:]
        text = "… > " + " > ".join(parts)
    return clip(text, width)


def _when(stamp) -> str | None:
    return None if pd.isna(stamp) else stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _print_table(header: list[str], rows: list[list[str]], right: set[int], last_width: int = 60) -> None:
    widths = [max([display_width(h), *(display_width(r[n]) for r in rows)]) for n, h in enumerate(header)]
    for row in [header, *rows]:
        cells = []
        for n, cell in enumerate(row):
            if n == len(row) - 1:
                cells.append(clip(cell, last_width))
            elif n in right:
                cells.append(" " * (widths[n] - display_width(cell)) + cell)
            else:
                cells.append(pad(cell, widths[n]))
        typer.echo("  ".join(cells).rstrip())


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    @app.command("items")
    @user_errors
    def items(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, search: SearchOpt = None, limit: LimitOpt = 20,
              as_json: JsonOpt = False) -> None:
        """List the workspace's items, the most interacted-with first: id, interactions, category, title.

        --search keeps items whose id, title or category contains the text (case-insensitive, zh or en)."""
        table = item_table(workspace)
        hits = table[matches([table["item_id"], table["title"], table["category"]], search)]
        shown = hits.head(limit)
        if as_json:
            typer.echo(json.dumps({"workspace": str(workspace), "total": len(table), "matched": len(hits), "items": [
                {"item_id": r.item_id, "title": r.title if isinstance(r.title, str) else None,
                 "category": list(r.category), "interactions": int(r.interactions)}
                for r in shown.itertuples()]}, ensure_ascii=False))
            return
        typer.echo(_header("items", workspace, len(table), len(hits), len(shown), search))
        if not len(hits):
            typer.echo(f"no items match {search!r}" if search else "no items")
            return
        rows = [[clip(r.item_id, 40), f"{r.interactions:,}", _path(r.category, 28),
                 r.title if isinstance(r.title, str) and r.title.strip() else "-"] for r in shown.itertuples()]
        _print_table(["item_id", "interactions", "category", "title"], rows, right={1})

    @app.command("users")
    @user_errors
    def users(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, search: SearchOpt = None, limit: LimitOpt = 20,
              as_json: JsonOpt = False) -> None:
        """List the workspace's users, the most active first: id, interactions, last activity, declared interests.

        --search keeps users whose id or declared interests contain the text (case-insensitive, zh or en)."""
        table = user_table(workspace)
        hits = table[matches([table["user_id"], table["interests"]], search)]
        shown = hits.head(limit)
        if as_json:
            typer.echo(json.dumps({"workspace": str(workspace), "total": len(table), "matched": len(hits), "users": [
                {"user_id": r.user_id, "interactions": int(r.interactions), "last_activity": _when(r.last),
                 "interests": list(r.interests)} for r in shown.itertuples()]}, ensure_ascii=False))
            return
        typer.echo(_header("users", workspace, len(table), len(hits), len(shown), search))
        if not len(hits):
            typer.echo(f"no users match {search!r}" if search else "no users")
            return
        rows = [[clip(r.user_id, 40), f"{r.interactions:,}", "-" if pd.isna(r.last) else f"{r.last:%Y-%m-%d}",
                 ", ".join(r.interests) or "-"] for r in shown.itertuples()]
        header = ["user_id", "interactions", "last activity", "declared interests"]
        if all(row[-1] == "-" for row in rows):  # no one declared anything: no empty column
            header, rows = header[:-1], [row[:-1] for row in rows]
        _print_table(header, rows, right={1})

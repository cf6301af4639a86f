"""``recreason reasons batch``: top-k items and their reasons for many users, through the one pipeline.

Ranks each user's top-k with a saved ranker (default: the workspace's ``models/ranker``; else a popularity
ranker fitted on the workspace), builds the
requests, writes reasons with ``recreason.guard.pipeline.write_reasons`` (the guard every caller shares) and
appends one JSON line per (user, item) to the output file. A run that is stopped resumes where it stopped:
users whose k lines are already in the file are skipped, and a user whose lines were cut off half-way is
written again whole (the partial lines are dropped when the file is read back).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from recreason.cli.common import DEFAULT_WORKSPACE, USAGE, UnknownId, WorkspaceOpt, fail, user_errors

reasons_app = typer.Typer(help="Write reasons for many users at once.", no_args_is_help=True)


def _done_users(out: Path, k_by_user: dict[str, int]) -> set[str]:
    """Users whose lines are all in ``out``; the file is rewritten without the lines of unfinished users."""
    if not out.is_file():
        return set()
    lines: list[tuple[str, str]] = []
    for line in out.read_text(encoding="utf-8").splitlines():
        try:
            lines.append((json.loads(line)["user_id"], line))
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # a line cut off by a kill
    counts = Counter(u for u, _ in lines)
    done = {u for u, n in counts.items() if n >= k_by_user.get(u, 0) > 0}
    out.write_text("".join(line + "\n" for u, line in lines if u in done), encoding="utf-8")
    return done


def _users(dataset, users_file: Path | None, limit: int | None) -> list[str]:
    if users_file is not None:
        if not users_file.is_file():
            raise FileNotFoundError(f"users file {users_file} does not exist")
        wanted = [u.strip() for u in users_file.read_text(encoding="utf-8").splitlines() if u.strip()]
        known = set(dataset.users["user_id"]) | set(dataset.interactions["user_id"])
        for number, u in enumerate(wanted, start=1):
            if u not in known:
                raise UnknownId(f"{users_file}:{number}: unknown user id {u!r} in the workspace")
    else:
        wanted = list(dataset.interactions["user_id"].value_counts().index)  # the most active first
        seen = set(wanted)
        wanted += [u for u in dataset.users["user_id"] if u not in seen]
    return wanted[:limit] if limit else wanted


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    app.add_typer(reasons_app, name="reasons")

    @reasons_app.command("batch")
    @user_errors
    def batch(
        out: Annotated[Path, typer.Option(help="JSON Lines output; an existing file is resumed.")],
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        ranker: Annotated[Path | None, typer.Option(help="A ranker saved by `train ranker`; default: "
                                                    "WORKSPACE/models/ranker, else popularity.")] = None,
        model: Annotated[Path | None, typer.Option(help="A generator saved by `train reasons`.")] = None,
        generator: Annotated[str, typer.Option(help="Generator by name when no --model.")] = "template",
        k: Annotated[int, typer.Option("-k", help="Items per user.", min=1)] = 10,
        users: Annotated[Path | None, typer.Option(help="File with one user id a line; default: every user.")] = None,
        limit: Annotated[int | None, typer.Option(help="At most this many users.", min=1)] = None,
        lang: Annotated[str | None, typer.Option(help="zh or en; default: each item's language.")] = None,
        chunk: Annotated[int, typer.Option(help="Users written per pipeline call.", min=1)] = 16,
    ) -> None:
        """Rank every user's top-k and write a guarded reason for each item (resumable)."""
        from tqdm import tqdm

        from recreason.cli.reasons import generator_and_guard
        from recreason.data import workspace as ws
        from recreason.guard.pipeline import write_reasons
        from recreason.rank import Ranker, get_ranker
        from recreason.reasons.examples import RequestBuilder, history
        from recreason.text import language

        try:
            lang = language(lang, default=None) if lang else None
        except ValueError as e:
            raise fail(f"--lang: {e}", USAGE) from None
        dataset = ws.load(workspace)
        from recreason.data.workspace import ranker_dir

        if ranker is None and (ranker_dir(workspace) / "config.json").is_file():
            ranker = ranker_dir(workspace)
        if ranker is None:
            typer.echo(f"no trained ranker in {ranker_dir(workspace)}: ranking by popularity", err=True)
        model_ranker = Ranker.load(ranker) if ranker else get_ranker("popularity")().fit(history(dataset))
        gen, guard = generator_and_guard(workspace, dataset, model, generator)
        builder = RequestBuilder(dataset)
        todo = _users(dataset, users, limit)
        recs = dict(zip(todo, model_ranker.recommend_batch(todo, k), strict=True))
        recs = {u: [(i, s) for i, s in r if dataset.has_item(i)] for u, r in recs.items()}
        done = _done_users(out, {u: len(r) for u, r in recs.items()})
        todo = [u for u in todo if u not in done and recs[u]]
        typer.echo(f"{len(done):,} users already written; {len(todo):,} to go ({gen.name}, k={k}) -> {out}")
        out.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with out.open("a", encoding="utf-8") as f, tqdm(total=len(todo), unit="user") as bar:
            for start in range(0, len(todo), chunk):
                part = todo[start:start + chunk]
                pairs = [(u, rank, i, s) for u in part for rank, (i, s) in enumerate(recs[u], start=1)]
                requests = [builder.request(u, i, language=lang) for u, _, i, _ in pairs]
                for (u, rank, i, s), r in zip(pairs, write_reasons(gen, requests, guard), strict=True):
                    row = {"user_id": u, "rank": rank, "item_id": i, "score": round(float(s), 6), "text": r.text,
                           "language": r.language, "generator": r.generator, "path": r.path,
                           "evidence": r.evidence.model_dump(), "notes": r.notes}
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
                f.flush()
                written += len(pairs)
                bar.update(len(part))
        s = guard.stats
        typer.echo(f"wrote {written:,} reasons: {s.primary_ok:,} primary, {s.regenerated:,} regenerated, "
                   f"{s.fallback:,} fallback")

"""``recreason ingest``: read any supported format, validate, write the Parquet workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recreason.cli.common import DEFAULT_WORKSPACE, TOO_MANY_REJECTS, WorkspaceOpt, fail, user_errors
from recreason.data.pii import KEPT_SUMMARY
from recreason.data.readers import FORMATS
from recreason.data.readers.base import ReadOptions
from recreason.data.rejects import InputError


def _rating_range(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    try:
        lo, hi = (float(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"--rating-range must be two numbers like 1,5; got {text!r}") from None
    if lo > hi:
        raise InputError(f"--rating-range: {lo:g} is above {hi:g}")
    return lo, hi


def print_report(report, rejects_path: Path | None) -> None:
    typer.echo(f"{'table':<13}{'read':>10}{'accepted':>10}{'rejected':>10}")
    for table, c in report.counts.items():
        if c["read"]:
            typer.echo(f"{table:<13}{c['read']:>10,}{c['accepted']:>10,}{c['rejected']:>10,}")
    typer.echo(f"{'total':<13}{report.read:>10,}{report.accepted:>10,}{report.rejected:>10,}"
               f"   reject rate {report.reject_rate:.2%}")
    for note in report.notes:
        typer.echo(f"note: {note}")
    for r in report.rejects[:5]:
        typer.echo(f"rejected {r.message()}", err=True)
    if report.rejected > 5:
        typer.echo(f"... and {report.rejected - 5:,} more", err=True)
    if rejects_path is not None and report.rejected:
        typer.echo(f"rejects: {rejects_path}")
    typer.echo(report.pii.summary() if report.pii is not None else KEPT_SUMMARY)


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    @app.command()
    @user_errors
    def ingest(
        paths: Annotated[list[Path], typer.Argument(help="Files or folders to read (one data set).")],
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        fmt: Annotated[str | None, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}; "
                                                "detected when omitted.")] = None,
        table: Annotated[str | None, typer.Option(help="Table of a single native file "
                                                  "(items, users, interactions, references).")] = None,
        rating_range: Annotated[str | None, typer.Option(help="Valid ratings, inclusive, e.g. 1,5.")] = None,
        encoding: Annotated[str | None, typer.Option(help="Text encoding; default UTF-8, then GB18030.")] = None,
        max_reject_rate: Annotated[float, typer.Option(help="Fail (exit 3) above this share of rejected "
                                                       "records.", min=0.0, max=1.0)] = 0.05,
        max_text_chars: Annotated[int, typer.Option(help="Longest accepted text field.", min=1)] = 20_000,
        name: Annotated[str | None, typer.Option(help="Data set name in the manifest.")] = None,
        keep_pii: Annotated[bool, typer.Option("--keep-pii", help="Do not mask personal data (e-mail, phone, "
                                               "ID and card numbers, addresses) in review and user text; "
                                               "the manifest records the choice.")] = False,
    ) -> None:
        """Read data in any supported format, validate every record, and write the Parquet workspace.

        Personal data in review and user text (and in rejects.jsonl) is masked with [email], [phone],
        [id], [card] or [address]; the counts are printed and kept in the manifest (pii_masked).

        Exit codes: 0 done; 3 too many rejects (see rejects.jsonl; the tables are not written);
        4 an input file cannot be read (missing, empty, undecodable, missing columns).
        """
        from recreason.data.ingest import RejectRateExceeded, ingest_to_workspace

        opts = ReadOptions(rating_range=_rating_range(rating_range), encoding=encoding, table=table,
                           max_text_chars=max_text_chars)
        try:
            report = ingest_to_workspace(paths, workspace, fmt, opts, max_reject_rate, name, progress=True,
                                         mask_pii=not keep_pii)
        except RejectRateExceeded as e:
            print_report(e.report, e.rejects_path)
            raise fail(str(e), TOO_MANY_REJECTS) from None
        print_report(report, workspace / "rejects.jsonl")
        typer.echo(f"workspace: {workspace} ({', '.join(sorted(set(report.formats)))})")

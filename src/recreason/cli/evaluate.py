"""``recreason evaluate PRED.jsonl``: score generated reasons; several generators side by side.

A predictions file is JSON Lines, one reason a line, with at least ``user_id``, ``item_id`` and
``text``; optional ``generator`` (rows of different generators are scored side by side) and
``reference``. References for lines without one come from ``--references`` (JSONL with ``user_id``,
``item_id`` and ``text`` or ``reference``), else from the workspace's ``references`` table for the
same (user, item). With ``--workspace`` the profiles come from the workspace, which enables the
unsupported-claim rate and the interest hit rate; without it only text metrics and distinct reasons
per item are computed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from recreason.cli.common import UnknownId, user_errors
from recreason.data.rejects import InputError
from recreason.text import language

DEFAULT_GENERATOR = "predictions"


def read_jsonl(path: Path, required: tuple[str, ...], what: str, text_alias: str | None = None) -> list[tuple[int, dict]]:
    """(line number, record) for every non-blank line; ``InputError`` naming file and line otherwise.
    ``text_alias`` is a field that may stand in for a missing ``text``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such {what} file")
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{path}:{number}: not valid JSON ({e.msg})") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
        for key in required:
            if key == "text" and "text" not in record and text_alias in record:
                record["text"] = record[text_alias]
            if key not in record or record[key] is None:
                raise InputError(f"{path}:{number}: missing field {key!r}")
            if key == "text" and not isinstance(record[key], str):
                raise InputError(f"{path}:{number}: field 'text' must be a string")
            record[key] = record[key] if key == "text" else str(record[key])
        out.append((number, record))
    if not out:
        raise InputError(f"{path}: no {what} in the file")
    return out


def _workspace_tables(workspace: Path):
    from recreason.data import workspace as ws
    from recreason.profiles import ProfileBuilder

    dataset = ws.load(workspace)
    refs: dict[tuple[str, str], dict] = {}
    for row in dataset.references.itertuples(index=False):
        if not isinstance(row.user_id, str) or (row.user_id, row.item_id) in refs:
            continue
        refs[(row.user_id, row.item_id)] = {"text": row.text, "feature": row.feature}
    features = {f for f in dataset.references["feature"].dropna() if f}
    return ProfileBuilder(dataset), refs, features


class _Profiles:
    """Profiles per id, built once; bare profiles when there is no workspace."""

    def __init__(self, builder, pred_path: Path):
        self.builder, self.path, self.users, self.items = builder, pred_path, {}, {}

    def user(self, user_id: str, line: int):
        if user_id not in self.users:
            if self.builder is None:
                from recreason.profiles.models import UserProfile

                self.users[user_id] = UserProfile(user_id=user_id)
            else:
                try:
                    self.users[user_id] = self.builder.user(user_id)
                except KeyError:
                    raise UnknownId(f"{self.path}:{line}: unknown user id {user_id!r} in the workspace") from None
        return self.users[user_id]

    def item(self, item_id: str, line: int):
        if item_id not in self.items:
            if self.builder is None:
                from recreason.profiles.models import ItemProfile

                self.items[item_id] = ItemProfile(item_id=item_id)
            else:
                try:
                    self.items[item_id] = self.builder.item(item_id)
                except KeyError:
                    raise UnknownId(f"{self.path}:{line}: unknown item id {item_id!r} in the workspace") from None
        return self.items[item_id]


def evaluate_file(predictions: Path, references: Path | None = None, workspace: Path | None = None,
                  lang: str | None = None, semantic: bool = True, tokenization: str | None = None) -> dict[str, dict]:
    """Metric rows per generator for a predictions file (module docstring)."""
    from recreason.evaluate.faithfulness import reason_language
    from recreason.evaluate.suite import evaluate_reasons

    preds = read_jsonl(predictions, ("user_id", "item_id", "text"), "predictions")
    ref_file = {}
    if references is not None:
        ref_file = {(r["user_id"], r["item_id"]): r["text"]
                    for _, r in read_jsonl(references, ("user_id", "item_id", "text"), "references", "reference")}
    builder, ws_refs, feature_set = (_workspace_tables(workspace) if workspace is not None else (None, {}, set()))
    profiles = _Profiles(builder, predictions)
    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, record in preds:
        groups.setdefault(str(record.get("generator") or DEFAULT_GENERATOR), []).append((number, record))
    lang = lang or reason_language([r["text"] for _, r in preds])
    rows = {}
    for name, records in groups.items():
        keys = [(r["user_id"], r["item_id"]) for _, r in records]
        refs = [r.get("reference") or ref_file.get(k) or ws_refs.get(k, {}).get("text")
                for (_, r), k in zip(records, keys, strict=True)]
        feats = [ws_refs.get(k, {}).get("feature") for k in keys]
        rows[name] = evaluate_reasons(
            [r["text"] for _, r in records],
            refs if any(refs) else None,
            [profiles.user(r["user_id"], n) for n, r in records],
            [profiles.item(r["item_id"], n) for n, r in records],
            lang=lang, tokenization=tokenization, semantic=semantic,
            features=feats if feature_set and all(feats) else None,
            feature_set=feature_set or None, faithfulness=builder is not None,
        )
    return rows


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    @app.command()
    @user_errors
    def evaluate(
        predictions: Annotated[Path, typer.Argument(help="JSONL: user_id, item_id, text [, generator, reference].")],
        references: Annotated[Path | None, typer.Option("--references", "-r", help="JSONL of references: "
                                                         "user_id, item_id, text.")] = None,
        workspace: Annotated[Path | None, typer.Option("--workspace", "-w", help="Workspace with the users and "
                                                        "items (enables faithfulness and interest hits).")] = None,
        lang: Annotated[str | None, typer.Option("--lang", help="en or zh; detected when omitted.")] = None,
        tokenization: Annotated[str | None, typer.Option("--tokenization", help="Score as this data set's "
                                                          "papers do: xrec, peter, adgen, kobe ...")] = None,
        html_out: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML report.")] = None,
        json_out: Annotated[Path | None, typer.Option("--json", help="Write all metrics as JSON.")] = None,
        semantic: Annotated[bool, typer.Option("--semantic/--no-semantic", help="Semantic similarity "
                                               "(slow: about 100 texts a second).")] = True,
    ) -> None:
        """Score reasons: BLEU/ROUGE with USR and semantic similarity, unsupported claims, personalization."""
        from recreason.evaluate.report import html_report, terminal_table, to_json

        if lang is not None:
            try:
                lang = language(lang, default=None)
            except ValueError:
                raise InputError(f"--lang must be en or zh, not {lang!r}") from None
        rows = evaluate_file(predictions, references, workspace, lang, semantic, tokenization)
        typer.echo(terminal_table(rows))
        if not any(r.get("n_references") for r in rows.values()):
            typer.echo("note: no references found, so BLEU, ROUGE and semantic similarity were not computed")
        if workspace is None:
            typer.echo("note: no --workspace, so unsupported claims and interest hits were not computed")
        if json_out is not None:
            to_json(rows, json_out)
            typer.echo(f"json: {json_out}")
        if html_out is not None:
            html_report(rows, html_out, title=f"recreason evaluation: {predictions.name}")
            typer.echo(f"html: {html_out}")

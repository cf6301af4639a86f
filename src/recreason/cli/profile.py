"""``recreason profile user ID`` / ``recreason profile item ID``: readable profiles from a workspace.

A profile is shown as reasons see it: built from the history (interactions with no split or split ``train``,
``recreason.reasons.examples.history``), so a held-out (test, validation) review, which a reason is scored
against, is not in it; the output says how many were left out. ``--all-splits`` builds it from every
interaction and marks the aspect examples taken from held-out reviews with their split (``[test]``).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from recreason.cli.common import DEFAULT_WORKSPACE, UnknownId, WorkspaceOpt, user_errors

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh or en; default: the data's language.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the profile as JSON.")]
AllSplitsOpt = Annotated[bool, typer.Option(
    "--all-splits", help="Build it from every interaction, held-out (test, validation) ones too, and mark "
                         "examples taken from them; default: the history only, as reasons see it.")]


class HeldOut:
    """The held-out interactions of one user or item: how many per split, and whether the profile has them."""

    def __init__(self, rows, included: bool):
        self.rows, self.included = rows, included
        self.splits = {str(k): int(v) for k, v in rows["split"].value_counts().sort_index().items()}

    def __len__(self) -> int:
        return len(self.rows)

    def as_json(self) -> dict:
        return {"interactions": len(self), "splits": self.splits, "included": self.included}

    def line(self) -> str:
        n = len(self)
        what = f"{n} held-out interaction{'s' if n != 1 else ''} (" + ", ".join(
            f"{k} {v}" for k, v in self.splits.items()) + ")"
        if self.included:
            return f"includes {what}; aspect examples from them are marked with their split"
        return f"left out {what}, as reasons see it; --all-splits to include them"

    def split_of(self, sentence: str | None, kept_reviews) -> str | None:
        """The split of the held-out review an example sentence comes from (None: a history review has it)."""
        if not sentence or any(sentence in r for r in kept_reviews):
            return None
        for split, review in zip(self.rows["split"], self.rows["review"], strict=True):
            if isinstance(review, str) and sentence in review:
                return str(split)
        return None


def _builder(workspace, all_splits: bool):
    """The profile builder (on the history, or on everything) and the full dataset."""
    from recreason.data import workspace as ws
    from recreason.profiles import ProfileBuilder
    from recreason.reasons.examples import history

    dataset = ws.load(workspace)
    return ProfileBuilder(dataset if all_splits else history(dataset)), dataset


def _held_out(dataset, key: str, value: str, included: bool) -> HeldOut:
    inter = dataset.interactions
    mine = inter[inter[key] == value]
    return HeldOut(mine[mine["split"].notna() & (mine["split"] != "train")], included)


def show_user(profile, lang: str | None = None) -> None:
    typer.secho(f"user {profile.user_id}", bold=True)
    typer.echo(f"  summary     {profile.summary(lang)}")
    typer.echo(f"  language    {profile.language}   events {profile.n_events}"
               + (f"   last {profile.last_event:%Y-%m-%d}" if profile.last_event else ""))
    if profile.interests:
        typer.echo(f"  declared    {', '.join(profile.interests)}")
    if profile.categories:
        typer.echo("  categories  " + ", ".join(f"{c.name} ({c.weight:.2f})" for c in profile.categories))
    if profile.attributes:
        typer.echo("  attributes  " + ", ".join(f"{a.key}={a.value} ({a.weight:.2f})" for a in profile.attributes[:6]))
    if profile.price_band:
        typer.echo(f"  price band  {profile.price_band}")
    if profile.aspects:
        typer.echo("  aspects     " + ", ".join(f"{a.feature} ({a.mentions}×, {a.sentiment:+.2f})" for a in profile.aspects))
    if profile.profile_text:
        typer.echo(f"  given text  {profile.profile_text[:200]}")


def show_item(profile, lang: str | None = None, marks: dict[str, str] | None = None) -> None:
    """``marks``: feature -> the split of the held-out review its example was taken from."""
    typer.secho(f"item {profile.item_id}", bold=True)
    typer.echo(f"  summary     {profile.summary(lang)}")
    typer.echo(f"  language    {profile.language}   interactions {profile.n_interactions}"
               + (f"   mean rating {profile.mean_rating:.2f}" if profile.mean_rating is not None else ""))
    for a in profile.aspects[:6]:
        mark = f"[{marks[a.feature]}] " if marks and a.feature in marks else ""
        example = f'   e.g. {mark}"{a.example[:80]}"' if a.example else ""
        typer.echo(f"  aspect      {a.feature}: {a.mentions}× (+{a.positive} / -{a.negative}) "
                   f"{', '.join(a.opinions)}{example}")


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    profile_app = typer.Typer(help="Show the interest profile of a user or the attribute profile of an item.",
                              no_args_is_help=True)
    app.add_typer(profile_app, name="profile")

    @profile_app.command("user")
    @user_errors
    def user(user_id: str, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = None,
             as_json: JsonOpt = False, all_splits: AllSplitsOpt = False) -> None:
        """The interest profile U_i of one user: categories, attributes, aspects, declared interests.

        Built from the user's history as reasons see it (held-out test/validation interactions left out and counted); --all-splits builds it from every interaction."""
        from recreason.profiles import UserProfile

        builder, dataset = _builder(workspace, all_splits)
        held = _held_out(dataset, "user_id", user_id, all_splits)
        try:
            profile = builder.user(user_id)
        except KeyError:
            if not len(held):
                raise UnknownId(f"unknown user id {user_id!r} in workspace {workspace}") from None
            # every interaction of theirs is held out: an empty history, as reasons see it
            profile = UserProfile(user_id=user_id, language=builder.default_language)
        if as_json:
            typer.echo(json.dumps({**profile.model_dump(mode="json"), "held_out": held.as_json()},
                                  ensure_ascii=False, indent=2))
            return
        show_user(profile, lang)
        if len(held):
            typer.echo(f"  held out    {held.line()}")

    @profile_app.command("item")
    @user_errors
    def item(item_id: str, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = None,
             as_json: JsonOpt = False, all_splits: AllSplitsOpt = False) -> None:
        """The attribute profile C_j of one item: attributes plus aspects mined from its reviews.

        Built from the item's history as reasons see it: reviews of held-out (test, validation) interactions are left out and counted; --all-splits includes them and marks aspect examples taken from them."""
        builder, dataset = _builder(workspace, all_splits)
        try:
            profile = builder.item(item_id)
        except KeyError:
            raise UnknownId(f"unknown item id {item_id!r} in workspace {workspace}") from None
        held = _held_out(dataset, "item_id", item_id, all_splits)
        marks = {}
        if all_splits and len(held):
            mine = dataset.interactions[dataset.interactions["item_id"] == item_id]
            kept = [r for r in mine.drop(held.rows.index)["review"] if isinstance(r, str)]
            marks = {a.feature: split for a in profile.aspects if (split := held.split_of(a.example, kept))}
        if as_json:
            out = {**profile.model_dump(mode="json"), "held_out": held.as_json()}
            if marks:
                out["held_out"]["examples"] = marks
            typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
            return
        show_item(profile, lang, marks)
        if len(held):
            typer.echo(f"  held out    {held.line()}")

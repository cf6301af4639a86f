"""``recreason profile user ID`` / ``recreason profile item ID``: readable profiles from a workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from recreason.cli.common import DEFAULT_WORKSPACE, UnknownId, WorkspaceOpt, user_errors

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh or en; default: the data's language.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the profile as JSON.")]


def _builder(workspace):
    from recreason.data import workspace as ws
    from recreason.profiles import ProfileBuilder

    return ProfileBuilder(ws.load(workspace))


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


def show_item(profile, lang: str | None = None) -> None:
    typer.secho(f"item {profile.item_id}", bold=True)
    typer.echo(f"  summary     {profile.summary(lang)}")
    typer.echo(f"  language    {profile.language}   interactions {profile.n_interactions}"
               + (f"   mean rating {profile.mean_rating:.2f}" if profile.mean_rating is not None else ""))
    for a in profile.aspects[:6]:
        example = f'   e.g. "{a.example[:80]}"' if a.example else ""
        typer.echo(f"  aspect      {a.feature}: {a.mentions}× (+{a.positive} / -{a.negative}) "
                   f"{', '.join(a.opinions)}{example}")


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    profile_app = typer.Typer(help="Show the interest profile of a user or the attribute profile of an item.",
                              no_args_is_help=True)
    app.add_typer(profile_app, name="profile")

    @profile_app.command("user")
    @user_errors
    def user(user_id: str, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = None,
             as_json: JsonOpt = False) -> None:
        """The interest profile U_i of one user: categories, attributes, aspects, declared interests."""
        builder = _builder(workspace)
        try:
            profile = builder.user(user_id)
        except KeyError:
            raise UnknownId(f"unknown user id {user_id!r} in workspace {workspace}") from None
        typer.echo(profile.model_dump_json(indent=2)) if as_json else show_user(profile, lang)

    @profile_app.command("item")
    @user_errors
    def item(item_id: str, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = None,
             as_json: JsonOpt = False) -> None:
        """The attribute profile C_j of one item: attributes plus aspects mined from its reviews."""
        builder = _builder(workspace)
        try:
            profile = builder.item(item_id)
        except KeyError:
            raise UnknownId(f"unknown item id {item_id!r} in workspace {workspace}") from None
        typer.echo(profile.model_dump_json(indent=2)) if as_json else show_item(profile, lang)

"""``recreason train reasons`` and ``recreason explain``: fit any registered generator, write one reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from recreason.cli.common import (
    BAD_INPUT,
    DEFAULT_WORKSPACE,
    USAGE,
    UnknownId,
    WorkspaceOpt,
    fail,
    user_errors,
)

DEFAULT_GENERATOR = "template"


def _config(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise fail(f"--config is not valid JSON ({e.msg} at column {e.colno})", BAD_INPUT) from None
    if not isinstance(value, dict):
        raise fail("--config must be a JSON object", BAD_INPUT)
    return value


def load_generator(model: Path | None, generator: str | None, config: dict | None = None):
    """A saved generator folder, or a fresh generator by name (falling back to the template one)."""
    from recreason.reasons import Generator, make_generator

    if model is not None:
        return Generator.load(model)
    name = generator or DEFAULT_GENERATOR
    try:
        return make_generator(name, **(config or {}))
    except KeyError:
        if generator:  # asked for by name: say it is not there
            raise
        return make_generator("template")


def generator_and_guard(workspace: Path, dataset, model: Path | None, generator: str | None,
                        config: dict | None = None, require_trained: bool = True):
    """The generator to write with and the guard every caller shares (``workspace_guard``). A saved folder is
    used as it is; a generator asked for by name learns what is quick from the workspace's references: the
    template *is* the guard's fitted fallback, the LLM takes them as its few-shot pool. One that needs
    training (peter) is refused by name (exit 2) unless ``require_trained`` is off (the demo trains it)."""
    from recreason.guard.pipeline import FALLBACK_FIT_ROWS, workspace_guard
    from recreason.reasons.examples import RequestBuilder

    gen = load_generator(model, generator, config)
    if model is None and gen.name not in ("template", "llm") and require_trained:
        raise fail(f"the {gen.name} generator learns from the workspace's references before it writes: train it with "
                   f"`recreason train reasons --generator {gen.name} --out DIR` and pass --model DIR", USAGE)
    guard = workspace_guard(workspace, dataset)
    if model is None and gen.name == "template" and not config:
        return guard.fallback, guard
    if model is None and gen.name == "llm" and len(dataset.references):
        gen.fit(RequestBuilder(dataset).examples(["train"], limit=FALLBACK_FIT_ROWS))
    return gen, guard


def _true_targets(examples, dataset, settings: dict):
    """The references a fine-tuned model may learn from (``recreason.guard.targets``), with a count of the rest."""
    from recreason.guard.pipeline import catalog_values
    from recreason.guard.targets import true_targets
    from recreason.reasons.llm.finetune import sentence_budget

    budget = (settings.get("finetune_config") or {}).get("max_sentences") or sentence_budget(examples)
    kept, dropped = true_targets(examples, budget, catalog_values(dataset))
    left = ", ".join(f"{n:,} {why}" for why, n in dropped.most_common())
    typer.echo(f"fine-tuning on {len(kept):,} of {len(examples):,} references (targets of at most {budget} "
               f"sentence(s)); left out: {left or 'none'}")
    if not kept:
        raise fail("no reference is true to its item's data: nothing to fine-tune on", BAD_INPUT)
    return kept, budget


def show_reason(reason, request=None) -> None:
    if reason.path == "withheld":
        typer.secho("(no reason shown: neither the reason nor the fallback passed the guard)", bold=True)
    else:
        typer.secho(reason.text, bold=True)
    typer.echo(f"  generator {reason.generator} ({reason.path}), {reason.language}, {reason.seconds * 1000:.0f} ms")
    for f in reason.evidence.user_signals:
        typer.echo(f"  user   {f.key}: {f.value}")
    for f in reason.evidence.item_facts:
        typer.echo(f"  item   {f.key}: {f.value}")
    for note in reason.notes:
        typer.echo(f"  note   {note}")


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    @train_app.command("reasons")
    @user_errors
    def train_reasons(
        out: Annotated[Path, typer.Option(help="Folder to save the trained generator in.")],
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        generator: Annotated[str, typer.Option(help="template, peter or llm.")] = "template",
        config: Annotated[str | None, typer.Option(help="Generator settings as JSON, e.g. '{\"epochs\": 5}'.")] = None,
        base: Annotated[str | None, typer.Option(
            help="llm only: fine-tune a LoRA adapter on the references on top of this base model "
                 "(e.g. gemma-3-270m, qwen2.5-coder-0.5b) and serve base + adapter. Without it the "
                 "llm generator is few-shot (references become the example pool).")] = None,
        split: Annotated[str, typer.Option(help="Reference split to learn from.")] = "train",
    ) -> None:
        """Fit a reason generator on the workspace's reference reasons and save it."""
        from recreason.data import workspace as ws
        from recreason.reasons import make_generator
        from recreason.reasons.examples import RequestBuilder

        settings = _config(config)
        if base:
            if generator != "llm":
                raise fail("--base is for --generator llm", USAGE)
            settings["model"] = base
            settings.setdefault("finetune", True)
        dataset = ws.load(workspace)
        examples = RequestBuilder(dataset).examples([split])
        gen = make_generator(generator, **settings)
        if not examples and (generator == "template" or (generator == "llm" and not settings.get("finetune"))):
            # nothing to learn from is no error for these two: the template writes with its own phrasing, the
            # LLM with its prompt's default examples (both grounded in the item's data by the guard)
            what = "its built-in phrasing" if generator == "template" else "the prompt's default examples"
            typer.echo(f"workspace {workspace} has no references in split {split!r}: the {generator} generator "
                       f"writes with {what}")
        elif not examples:
            raise fail(f"workspace {workspace} has no references in split {split!r} to learn from: the {generator} "
                       "generator learns from references (the template and the few-shot llm need none)", BAD_INPUT)
        elif settings.get("finetune"):
            examples, budget = _true_targets(examples, dataset, settings)
            gen.finetune_config.setdefault("max_sentences", budget)  # the length the targets were checked at
        else:
            typer.echo(f"fitting {generator} on {len(examples):,} examples")
        gen.fit(examples)
        gen.save(out)
        typer.echo(f"saved: {out}")

    @app.command()
    @user_errors
    def explain(
        user: Annotated[str, typer.Option("--user", help="User id.")],
        item: Annotated[str, typer.Option("--item", help="Item id.")],
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        model: Annotated[Path | None, typer.Option(help="A generator saved by `train reasons`.")] = None,
        generator: Annotated[str, typer.Option(
            help="Generator by name when no --model: template (the workspace's fitted template, as `reasons "
                 "batch` uses) or llm (few-shot from the workspace's references).")] = "template",
        lang: Annotated[str | None, typer.Option(help="zh or en; default: the item's language.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the reason as JSON.")] = False,
    ) -> None:
        """Write one reason why USER would like ITEM, with its evidence.

        Without --model it writes with the workspace's fitted template (fitted on its references, kept in WORKSPACE/models/fallback-template): the same generator `reasons batch` uses and the guard falls back to. --generator llm asks the LLM instead. Every reason passes the guard."""
        from recreason.data import workspace as ws
        from recreason.guard.pipeline import write_reasons
        from recreason.reasons.examples import RequestBuilder

        builder = RequestBuilder(ws.load(workspace))
        if not builder.dataset.has_item(item):
            raise UnknownId(f"unknown item id {item!r} in workspace {workspace}")
        if not builder.dataset.has_user(user) and user not in set(builder.dataset.interactions["user_id"]):
            raise UnknownId(f"unknown user id {user!r} in workspace {workspace}")
        request = builder.request(user, item, language=lang)
        gen, guard = generator_and_guard(workspace, builder.dataset, model, generator)
        reason = write_reasons(gen, [request], guard)[0]
        typer.echo(reason.model_dump_json(indent=2)) if as_json else show_reason(reason, request)

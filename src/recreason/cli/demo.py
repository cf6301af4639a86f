"""``recreason demo``: the main job on the embedded synthetic sample, with no data at hand.

sample -> ingest -> profiles -> train the seed's embedding ranker -> for a few users (the seed's
"喜欢购买电子产品" user first, then Chinese and English ones) their top-k items, each with a reason
written by the embedded LLM (Qwen2.5-Coder-0.5B through llama.cpp, few-shot from the sample's
reference reasons), checked by the guard (grounding, compliance, template fallback), with its evidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recreason.cli.common import user_errors
from recreason.text import LANGUAGES

DEMO_DIR = Path(".recreason/demo")
SEED_USER = "u_seed"


def _pick_users(dataset, n: int) -> list[str]:
    """The seed's user, then the most active users alternating between Chinese and English."""
    users = dataset.users.set_index("user_id")
    counts = dataset.interactions["user_id"].value_counts()
    by_lang: dict[str, list[str]] = {code: [] for code in LANGUAGES}  # zh first, then en
    for user_id in counts.index[:200]:
        lang = users["language"].get(user_id)
        if lang in by_lang and user_id != SEED_USER:
            by_lang[lang].append(user_id)
    picked = [SEED_USER] if dataset.has_user(SEED_USER) else []
    while len(picked) < n and any(by_lang.values()):
        for queue in by_lang.values():
            if queue and len(picked) < n:
                picked.append(queue.pop(0))
    return picked


def _train_ranker(dataset, folder: Path, name: str, seed: int):
    from recreason.rank import get_ranker
    from recreason.reasons.examples import history

    ranker = get_ranker(name)(seed=seed) if name == "embedding" else get_ranker(name)()
    ranker.fit(history(dataset))
    ranker.save(folder)
    return ranker


def _generator(name: str, workspace: Path, dataset, builder):
    """The demo's generator and the shared guard; a generator that needs training (peter) is trained here."""
    from recreason.cli.reasons import generator_and_guard

    try:
        gen, guard = generator_and_guard(workspace, dataset, None, name, require_trained=False)
    except KeyError as e:
        typer.secho(f"   generator {name!r} unavailable ({e}); using the template generator", fg=typer.colors.YELLOW)
        gen, guard = generator_and_guard(workspace, dataset, None, "template")
    if gen.name not in ("template", "llm"):
        gen.fit(builder.examples(["train"]))
    return gen, guard


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    @app.command()
    @user_errors
    def demo(
        folder: Annotated[Path, typer.Option(help="Where the sample, its workspace and models are written.")] = DEMO_DIR,
        seed: Annotated[int, typer.Option(help="Seed of the synthetic sample and the ranker.")] = 0,
        users: Annotated[int, typer.Option(help="How many users to show.", min=1)] = 4,
        k: Annotated[int, typer.Option("-k", help="Items per user.", min=1)] = 5,
        ranker: Annotated[str, typer.Option(help="embedding, popularity, itemknn or als.")] = "embedding",
        generator: Annotated[str, typer.Option(help="llm, template or peter.")] = "llm",
    ) -> None:
        """Build the synthetic bilingual sample and show top-k items with LLM-written reasons and evidence."""
        from recreason.cli.ingest import print_report
        from recreason.cli.profile import show_user
        from recreason.cli.reasons import show_reason
        from recreason.data.ingest import ingest_to_workspace
        from recreason.data.workspace import ranker_dir
        from recreason.guard.pipeline import write_reasons
        from recreason.reasons.examples import RequestBuilder
        from recreason.sample import write_sample

        raw, ws = folder / "raw", folder / "workspace"
        typer.secho(f"1. synthetic sample (clearly labelled as such) -> {raw}", bold=True)
        write_sample(raw, seed=seed)
        typer.secho(f"2. ingest -> {ws}", bold=True)
        report = ingest_to_workspace(raw, ws, progress=True, name="sample")
        print_report(report, ws / "rejects.jsonl")
        dataset = report.dataset
        typer.secho(f"3. train the {ranker} ranker -> {ranker_dir(ws)} (where serve finds it)", bold=True)
        model = _train_ranker(dataset, ranker_dir(ws), ranker, seed)
        builder = RequestBuilder(dataset)
        typer.secho(f"4. reason generator: {generator}", bold=True)
        gen, guard = _generator(generator, ws, dataset, builder)
        for user_id in _pick_users(dataset, users):
            typer.echo("")
            show_user(builder.user(user_id))
            recs = model.recommend(user_id, k=k)
            requests = [builder.request(user_id, item_id) for item_id, _ in recs]
            for (item_id, score), request, reason in zip(recs, requests, write_reasons(gen, requests, guard),
                                                           strict=True):
                typer.secho(f"  -> {item_id}  {request.item.title}  (score {score:.3f})", fg=typer.colors.CYAN)
                show_reason(reason)

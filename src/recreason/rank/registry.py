"""Ranker names -> classes, for the CLI and for loading an artifact of any kind."""

from __future__ import annotations

from pathlib import Path

from recreason.rank.als import ALSRanker, has_implicit
from recreason.rank.base import Ranker
from recreason.rank.embedding_mlp import EmbeddingRanker
from recreason.rank.itemknn import ItemKNNRanker
from recreason.rank.popularity import PopularityRanker

RANKERS: dict[str, type[Ranker]] = {
    "embedding": EmbeddingRanker,
    "popularity": PopularityRanker,
    "itemknn": ItemKNNRanker,
    "als": ALSRanker,
}


def get_ranker(name: str) -> type[Ranker]:
    try:
        return RANKERS[name]
    except KeyError:
        raise ValueError(f"unknown ranker {name!r}; choose one of {', '.join(RANKERS)}") from None


def available_rankers() -> list[str]:
    """Names of the rankers that can be trained here (``als`` needs the optional ``implicit``)."""
    return [name for name in RANKERS if name != "als" or has_implicit()]


def load_ranker(folder: str | Path) -> Ranker:
    """Load an artifact written by ``Ranker.save``, whatever its ranker."""
    return Ranker.load(folder)

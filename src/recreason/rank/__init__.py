"""Ranking: one interface (``fit / score / recommend / save / load``), several rankers, seeded
splits, full-catalog metrics and the train-then-test protocol. Layer: imports ``recreason.data``
only (never profiles, reasons or anything above)."""

from recreason.data.schema import RANKER_EVENT_WEIGHTS
from recreason.rank.als import ALSRanker
from recreason.rank.base import (
    ArtifactError,
    IdMap,
    NotFittedError,
    Ranker,
    RankerConfig,
    Recommendations,
    UnknownIdError,
)
from recreason.rank.embedding_mlp import EmbeddingRanker
from recreason.rank.evaluate import evaluate, evaluate_ratings, fit_and_test
from recreason.rank.itemknn import ItemKNNRanker
from recreason.rank.popularity import PopularityRanker
from recreason.rank.registry import RANKERS, available_rankers, get_ranker, load_ranker
from recreason.rank.split import Split, leave_last_out, make_split, random_split

__all__ = [
    "RANKERS",
    "RANKER_EVENT_WEIGHTS",
    "ALSRanker",
    "ArtifactError",
    "EmbeddingRanker",
    "IdMap",
    "ItemKNNRanker",
    "NotFittedError",
    "PopularityRanker",
    "Ranker",
    "RankerConfig",
    "Recommendations",
    "Split",
    "UnknownIdError",
    "available_rankers",
    "evaluate",
    "evaluate_ratings",
    "fit_and_test",
    "get_ranker",
    "leave_last_out",
    "load_ranker",
    "make_split",
    "random_split",
]

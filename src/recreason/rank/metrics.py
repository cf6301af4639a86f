"""Ranking and rating metrics.

Ranking metrics take, for each evaluated user, the 1-based ranks of that user's relevant (held-out)
items in the FULL ranking of the catalog (items the user saw in training left out): no sampled
negatives, so the numbers are comparable across models and with full-ranking papers. Each metric is
the mean over users; binary relevance throughout.

* HR@K: share of users with at least one relevant item in the top K.
* Recall@K: relevant items in the top K / relevant items (per user, then averaged).
* NDCG@K: DCG = sum over relevant items ranked r <= K of 1 / log2(r + 1), divided by the DCG of the
  ideal ranking (all relevant items first, at most K of them).
* MRR: 1 / rank of the first relevant item, with no cut-off.
* Catalog coverage: share of the catalog that appears in at least one user's top-K list.
* RMSE / MAE: predictions are clipped to the rating range first (PETER's protocol).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

Ranks = Sequence[np.ndarray]


def _check(ranks: Ranks, k: int | None = None) -> None:
    if len(ranks) == 0:
        raise ValueError("no users to evaluate")
    if k is not None and k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if any(len(r) == 0 for r in ranks):
        raise ValueError("every user needs at least one relevant item")


def hit_rate(ranks: Ranks, k: int) -> float:
    _check(ranks, k)
    return float(np.mean([np.min(r) <= k for r in ranks]))


def recall(ranks: Ranks, k: int) -> float:
    _check(ranks, k)
    return float(np.mean([np.count_nonzero(np.asarray(r) <= k) / len(r) for r in ranks]))


def ndcg(ranks: Ranks, k: int) -> float:
    _check(ranks, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))  # discount of rank 1..k
    out = []
    for r in ranks:
        r = np.asarray(r)
        dcg = discounts[r[r <= k] - 1].sum()
        ideal = discounts[: min(len(r), k)].sum()
        out.append(dcg / ideal)
    return float(np.mean(out))


def mrr(ranks: Ranks) -> float:
    _check(ranks)
    return float(np.mean([1.0 / np.min(r) for r in ranks]))


def catalog_coverage(top_lists: Iterable[Iterable[int | str]], n_items: int) -> float:
    """Share of the ``n_items`` catalog items present in at least one list."""
    if n_items < 1:
        raise ValueError("the catalog is empty")
    shown: set = set()
    for items in top_lists:
        shown.update(items)
    return len(shown) / n_items


def _clipped(predicted, actual, low: float | None, high: float | None) -> tuple[np.ndarray, np.ndarray]:
    predicted = np.asarray(predicted, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    if predicted.shape != actual.shape or predicted.size == 0:
        raise ValueError(f"need two non-empty arrays of one shape, got {predicted.shape} and {actual.shape}")
    return np.clip(predicted, low, high), actual


def rmse(predicted, actual, low: float | None = None, high: float | None = None) -> float:
    """Root mean squared error after clipping predictions to [low, high] (None: no bound)."""
    p, a = _clipped(predicted, actual, low, high)
    return float(np.sqrt(np.mean((p - a) ** 2)))


def mae(predicted, actual, low: float | None = None, high: float | None = None) -> float:
    """Mean absolute error after clipping predictions to [low, high] (None: no bound)."""
    p, a = _clipped(predicted, actual, low, high)
    return float(np.mean(np.abs(p - a)))


def full_ranks(scores: np.ndarray, targets: np.ndarray, tie_order: np.ndarray) -> np.ndarray:
    """1-based ranks of the catalog rows ``targets`` in one user's ``scores``.

    Higher scores rank first; items scored ``-inf`` (left out) rank after every finite score; equal
    scores are ordered by ``tie_order`` (a fixed random permutation of the catalog in evaluation, so
    ties cost neither the target nor item-id order anything on average).
    """
    target_scores = scores[targets][:, None]
    higher = (scores[None, :] > target_scores).sum(axis=1)
    tied_before = ((scores[None, :] == target_scores)
                   & (tie_order[None, :] < tie_order[targets][:, None])).sum(axis=1)
    return 1 + higher + tied_before


def top_k_rows(scores: np.ndarray, k: int, tie_order: np.ndarray) -> np.ndarray:
    """Catalog rows of the ``k`` best items of one user's ``scores``, ties ordered by ``tie_order``
    (consistent with ``full_ranks``); left-out (-inf) items are dropped."""
    k = min(k, scores.shape[0])
    part = np.argpartition(-scores, k - 1)[:k]
    threshold = scores[part].min()
    candidates = np.flatnonzero(scores >= threshold)  # all items tied at the boundary, too
    order = candidates[np.lexsort((tie_order[candidates], -scores[candidates]))][:k]
    return order[np.isfinite(scores[order])]

"""Ranking and rating metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recreason.rank import metrics

ONE_EACH = [np.array([1]), np.array([3]), np.array([20])]  # one held-out item per user


def test_single_relevant_item_per_user():
    assert metrics.hit_rate(ONE_EACH, 10) == pytest.approx(2 / 3)
    assert metrics.recall(ONE_EACH, 10) == pytest.approx(2 / 3)
    # DCG: rank 1 -> 1, rank 3 -> 1/log2(4) = 0.5, rank 20 -> 0 (past K); ideal DCG is 1 for each user
    assert metrics.ndcg(ONE_EACH, 10) == pytest.approx((1 + 0.5 + 0) / 3)
    # MRR has no cut-off: the rank-20 user still counts
    assert metrics.mrr(ONE_EACH) == pytest.approx((1 + 1 / 3 + 1 / 20) / 3)
    assert metrics.hit_rate(ONE_EACH, 20) == 1.0
    assert metrics.hit_rate(ONE_EACH, 1) == pytest.approx(1 / 3)


def test_several_relevant_items():
    ranks = [np.array([2, 5, 30])]
    assert metrics.hit_rate(ranks, 10) == 1.0
    assert metrics.recall(ranks, 10) == pytest.approx(2 / 3)
    dcg = 1 / math.log2(3) + 1 / math.log2(6)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert metrics.ndcg(ranks, 10) == pytest.approx(dcg / ideal)
    assert metrics.mrr(ranks) == pytest.approx(1 / 2)
    # the ideal DCG holds at most K items: two relevant items, K = 1 -> ideal = 1
    assert metrics.ndcg([np.array([1, 2])], 1) == pytest.approx(1.0)


def test_catalog_coverage():
    assert metrics.catalog_coverage([[0, 1], [1, 2]], 10) == pytest.approx(0.3)
    assert metrics.catalog_coverage([["a"], ["a"]], 4) == pytest.approx(0.25)
    with pytest.raises(ValueError):
        metrics.catalog_coverage([[0]], 0)


def test_rating_errors_clip_to_the_rating_range():
    predicted, actual = [6.0, 0.0, 3.0], [5.0, 1.0, 3.0]
    assert metrics.rmse(predicted, actual, 1, 5) == 0.0
    assert metrics.mae(predicted, actual, 1, 5) == 0.0
    assert metrics.rmse(predicted, actual) == pytest.approx(math.sqrt(2 / 3))
    assert metrics.mae(predicted, actual) == pytest.approx(2 / 3)
    assert metrics.rmse([4.5, 2.0], [4.0, 4.0], 1, 5) == pytest.approx(math.sqrt((0.25 + 4) / 2))
    with pytest.raises(ValueError):
        metrics.rmse([1.0], [1.0, 2.0])


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="no users"):
        metrics.ndcg([], 10)
    with pytest.raises(ValueError, match="k must be"):
        metrics.hit_rate(ONE_EACH, 0)
    with pytest.raises(ValueError, match="relevant"):
        metrics.recall([np.array([], dtype=int)], 5)


def test_full_ranks_break_ties_by_the_given_order_and_skip_excluded():
    scores = np.array([3.0, 1.0, 1.0, 1.0, -np.inf, 2.0])
    order = np.arange(6)
    # item 2: beaten by 3.0 and 2.0, tied with items 1 and 3; only item 1 comes first in the order
    assert metrics.full_ranks(scores, np.array([2]), order).tolist() == [4]
    assert metrics.full_ranks(scores, np.array([2]), order[::-1].copy()).tolist() == [4]
    assert metrics.full_ranks(scores, np.array([1, 3, 0]), order).tolist() == [3, 5, 1]
    assert metrics.top_k_rows(scores, 4, order).tolist() == [0, 5, 1, 2]
    assert metrics.top_k_rows(scores, 4, order[::-1].copy()).tolist() == [0, 5, 3, 2]
    assert metrics.top_k_rows(scores, 10, order).tolist() == [0, 5, 1, 2, 3]  # -inf dropped


@given(st.lists(st.lists(st.integers(1, 50), min_size=1, max_size=5, unique=True), min_size=1, max_size=20),
       st.integers(1, 20))
def test_metric_bounds_and_orderings(rank_lists, k):
    ranks = [np.array(r) for r in rank_lists]
    values = [metrics.hit_rate(ranks, k), metrics.recall(ranks, k), metrics.ndcg(ranks, k), metrics.mrr(ranks)]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert metrics.recall(ranks, k) <= metrics.hit_rate(ranks, k) + 1e-12
    assert metrics.hit_rate(ranks, k) <= metrics.hit_rate(ranks, k + 1)
    better = [r - (r.min() - 1) for r in ranks]  # moving a user's items up never lowers a metric
    assert metrics.ndcg(better, k) >= metrics.ndcg(ranks, k) - 1e-12

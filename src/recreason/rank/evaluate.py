"""Evaluate a fitted ranker on held-out interactions, and the train-then-test protocol.

Protocol (``fit_and_test``): a ranker that early-stops (``uses_validation``) is first trained on the
training part while watching NDCG on the validation part; it is then trained again, for the number of
epochs that was best, on training + validation; every other ranker is trained on training +
validation directly. The test part is only ever used for the final numbers.

Evaluation (``evaluate``): for each test user the ranker scores the whole catalog, the items the
user had in the ranker's training data are left out, and the held-out items are ranked among all the
others (no sampled negatives). Held-out items the user already had in training can never be hit
and are dropped; users left with no held-out item, or unknown to the ranker, are counted as skipped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recreason.data.dataset import Dataset
from recreason.rank import metrics
from recreason.rank.base import Ranker
from recreason.rank.split import Split


def evaluate(ranker: Ranker, test: Dataset | pd.DataFrame, k: int = 10, seed: int = 0,
             batch_size: int = 256) -> dict[str, float]:
    """HR@k, NDCG@k, Recall@k, MRR and catalog coverage@k of ``ranker`` on ``test`` interactions.

    Ties in scores are broken by a random order of the catalog drawn with ``seed``.
    """
    frame = test.interactions if isinstance(test, Dataset) else test
    users, targets = _targets(ranker, frame)
    n_items = len(ranker.item_ids)
    tie_order = np.random.default_rng(seed).permutation(n_items)
    ranks, tops, skipped = [], [], len(pd.unique(frame["user_id"])) - len(users)
    for start in range(0, len(users), batch_size):
        rows = users[start:start + batch_size]
        scores = ranker._score(rows)
        for row, user, wanted in zip(scores, rows, targets[start:start + batch_size], strict=True):
            seen = ranker._seen_indices[ranker._seen_indptr[user]:ranker._seen_indptr[user + 1]]
            row[seen] = -np.inf
            wanted = np.setdiff1d(wanted, seen)
            if len(wanted) == 0:
                skipped += 1
                continue
            ranks.append(metrics.full_ranks(row, wanted, tie_order))
            tops.append(metrics.top_k_rows(row, k, tie_order))
    if not ranks:
        raise ValueError("no test user is known to the ranker with a held-out item it has not seen")
    return {
        f"ndcg@{k}": metrics.ndcg(ranks, k), f"hr@{k}": metrics.hit_rate(ranks, k),
        f"recall@{k}": metrics.recall(ranks, k), "mrr": metrics.mrr(ranks),
        f"coverage@{k}": metrics.catalog_coverage((t.tolist() for t in tops), n_items),
        "users": len(ranks), "skipped_users": skipped,
    }


def evaluate_ratings(ranker: Ranker, test: Dataset | pd.DataFrame) -> dict[str, float]:
    """RMSE and MAE of a ranker with a rating head on the rated test pairs it knows, predictions
    clipped to the training rating range."""
    predict = getattr(ranker, "predict_rating", None)
    if predict is None:
        raise TypeError(f"the {ranker.name!r} ranker has no rating head")
    frame = test.interactions if isinstance(test, Dataset) else test
    frame = frame[frame["rating"].notna()
                  & frame["user_id"].isin(ranker.user_ids.ids) & frame["item_id"].isin(ranker.item_ids.ids)]
    if len(frame) == 0:
        raise ValueError("no rated test pair with a user and an item known to the ranker")
    predicted = predict(frame["user_id"].tolist(), frame["item_id"].tolist())
    low, high = ranker.rating_range
    actual = frame["rating"].to_numpy()
    return {"rmse": metrics.rmse(predicted, actual, low, high),
            "mae": metrics.mae(predicted, actual, low, high), "pairs": len(frame)}


def fit_and_test(ranker_class: type[Ranker], split: Split, params: dict[str, Any] | None = None,
                 k: int = 10, seed: int = 0) -> tuple[Ranker, dict[str, float]]:
    """Train by the protocol above and evaluate on ``split.test``; returns the final ranker too."""
    params = dict(params or {})
    if ranker_class.uses_validation:
        tuned = ranker_class(**params).fit(split.train, valid=split.valid)
        params["epochs"] = tuned.best_epoch
    ranker = ranker_class(**params).fit(split.train_valid())
    return ranker, evaluate(ranker, split.test, k=k, seed=seed)


def _targets(ranker: Ranker, frame: pd.DataFrame) -> tuple[np.ndarray, list[np.ndarray]]:
    """Known test users (catalog rows) and each one's held-out catalog rows."""
    item_rows = frame["item_id"].map(ranker.item_ids._index)
    user_rows = frame["user_id"].map(ranker.user_ids._index)
    ok = (item_rows.notna() & user_rows.notna()).to_numpy()
    pairs = pd.DataFrame({"u": user_rows[ok].astype(np.int64), "i": item_rows[ok].astype(np.int64)})
    grouped = pairs.groupby("u", sort=True)["i"].unique()
    return grouped.index.to_numpy(np.int64), [np.asarray(v, dtype=np.int64) for v in grouped]

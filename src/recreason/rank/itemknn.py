"""Item-kNN over co-occurrence: a user's score for an item sums the item's cosine similarity to the
items the user interacted with, keeping each item's ``neighbors`` most similar items.

Similarity: ``sim(i, j) = <x_i, x_j> / (|x_i| |x_j| + shrink)`` over the weighted user x item matrix
(Sarwar et al., WWW 2001, with the shrinkage of Koren, KDD 2008). It is computed for a block of
items at a time, so memory stays ``n_items x block_items`` floats whatever the catalog size.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recreason.rank.base import Ranker, RankerConfig
from recreason.rank.training_data import TrainingData


@dataclasses.dataclass
class ItemKNNConfig(RankerConfig):
    #: similar items kept per item
    neighbors: int = 100
    #: added to the cosine denominator; damps similarities built on few co-occurrences
    shrink: float = 10.0
    #: items whose similarities are computed at once (memory: n_items x block_items floats)
    block_items: int = 2048


class ItemKNNRanker(Ranker):
    """Item-based collaborative filtering with cosine similarity and shrinkage."""

    name = "itemknn"
    Config = ItemKNNConfig

    def _fit(self, data: TrainingData, valid: pd.DataFrame | None) -> None:
        self._sim = item_similarity(data.matrix, self.config.neighbors, self.config.shrink,
                                    self.config.block_items)
        self._users = self.seen_matrix()

    def _score(self, users: np.ndarray) -> np.ndarray:
        return (self._users[users] @ self._sim).toarray().astype(np.float32, copy=False)

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"sim_indptr": self._sim.indptr.astype(np.int64), "sim_indices": self._sim.indices,
                "sim_data": self._sim.data}

    def _restore(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        n = len(self.item_ids)
        self._sim = sp.csr_matrix((arrays["sim_data"], arrays["sim_indices"], arrays["sim_indptr"]),
                                  shape=(n, n))
        self._users = self.seen_matrix()


def item_similarity(matrix: sp.csr_matrix, neighbors: int, shrink: float, block: int) -> sp.csr_matrix:
    """csr (n_items, n_items) float32: row j, column i holds sim(j, i) when j is among the
    ``neighbors`` items most similar to i (never i itself)."""
    import torch

    n_items = matrix.shape[1]
    by_item = matrix.T.tocsr()  # (n_items, n_users)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel()).astype(np.float32)
    keep = min(neighbors, max(n_items - 1, 1))
    rows, cols, vals = [], [], []
    for start in range(0, n_items, block):
        stop = min(start + block, n_items)
        sim = (by_item[start:stop] @ matrix).toarray()  # (stop - start, n_items) co-occurrence
        sim /= np.outer(norms[start:stop], norms) + np.float32(shrink + 1e-12)
        sim[np.arange(stop - start), np.arange(start, stop)] = 0.0
        top_vals, top = torch.topk(torch.from_numpy(sim), keep, dim=1)  # ~10x numpy's argpartition
        top_vals, top = top_vals.numpy(), top.numpy()  # (stop - start, keep)
        nonzero = top_vals > 0
        rows.append(top[nonzero])  # the neighbour j ...
        cols.append(np.broadcast_to(np.arange(start, stop)[:, None], top.shape)[nonzero])  # ... of item i
        vals.append(top_vals[nonzero])
    sim = sp.csr_matrix((np.concatenate(vals).astype(np.float32),
                         (np.concatenate(rows), np.concatenate(cols))), shape=(n_items, n_items))
    sim.sort_indices()
    return sim

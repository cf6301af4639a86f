"""Alternating least squares for implicit feedback, trained by the optional ``implicit`` package.

Hu, Koren and Volinsky, Collaborative Filtering for Implicit Feedback Datasets, ICDM 2008. Only
``fit`` needs ``implicit`` (``pip install implicit``); a saved model scores with numpy alone.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from recreason.rank.base import Ranker, RankerConfig
from recreason.rank.training_data import TrainingData


def has_implicit() -> bool:
    try:
        import implicit.cpu.als  # noqa: F401
    except ImportError:
        return False
    return True


@dataclasses.dataclass
class ALSConfig(RankerConfig):
    factors: int = 64
    regularization: float = 0.05
    #: confidence = 1 + alpha * weight
    alpha: float = 2.0
    iterations: int = 15
    #: 0 = all cores
    threads: int = 0


class ALSRanker(Ranker):
    """Matrix factorisation by weighted ALS (``implicit.cpu.als``); scores are dot products."""

    name = "als"
    Config = ALSConfig

    def _fit(self, data: TrainingData, valid: pd.DataFrame | None) -> None:
        try:
            from implicit.cpu.als import AlternatingLeastSquares
            from threadpoolctl import threadpool_limits
        except ImportError:
            raise ImportError("the 'als' ranker needs the optional package implicit "
                              "(pip install implicit)") from None
        cfg = self.config
        with threadpool_limits(1, "blas"):  # implicit runs its own threads; nested BLAS ones slow it
            model = AlternatingLeastSquares(
                factors=cfg.factors, regularization=cfg.regularization, alpha=cfg.alpha,
                iterations=cfg.iterations, num_threads=cfg.threads, random_state=cfg.seed)
            model.fit(data.matrix, show_progress=False)
        self._user_factors = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self._item_factors = np.ascontiguousarray(model.item_factors, dtype=np.float32)

    def _score(self, users: np.ndarray) -> np.ndarray:
        return self._user_factors[users] @ self._item_factors.T

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"user_factors": self._user_factors, "item_factors": self._item_factors}

    def _restore(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        self._user_factors, self._item_factors = arrays["user_factors"], arrays["item_factors"]

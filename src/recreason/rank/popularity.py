"""Most-popular baseline: every user gets the items with the largest summed implicit-feedback weight."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recreason.rank.base import Ranker
from recreason.rank.training_data import TrainingData


class PopularityRanker(Ranker):
    """Scores each item by its popularity in the training data (the same list for everyone,
    minus what each user has already seen)."""

    name = "popularity"

    def _fit(self, data: TrainingData, valid: pd.DataFrame | None) -> None:
        pass  # the base class already keeps the popularity vector

    def _score(self, users: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self._popularity, (len(users), len(self._popularity))).copy()

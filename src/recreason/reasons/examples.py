"""Requests and training examples from a Dataset: the bridge between the data and the generators.

Profiles are built from the history only (interactions whose ``split`` is empty or ``train``), so a
held-out review can never leak into the profile that a reason for it is written from.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from recreason.data.dataset import Dataset
from recreason.profiles import ProfileBuilder, UserProfile
from recreason.reasons.base import ReasonRequest, TrainingExample

ANONYMOUS = "anonymous"


def history(dataset: Dataset, splits: tuple[str, ...] = ("train",)) -> Dataset:
    """The dataset with only the interactions a model may learn from (no split, or one of ``splits``)."""
    inter = dataset.interactions
    keep = inter["split"].isna() | inter["split"].isin(splits)
    if keep.all():
        return dataset
    return Dataset(dataset.items, dataset.users, inter[keep].reset_index(drop=True), dataset.references,
                   name=dataset.name)


class RequestBuilder:
    """ReasonRequests for (user, item) pairs, with profiles from the dataset's history."""

    def __init__(self, dataset: Dataset, builder: ProfileBuilder | None = None):
        self.dataset = dataset
        self.profiles = builder or ProfileBuilder(history(dataset))
        self._users: dict[str, UserProfile] = {}
        self._items: dict = {}

    def user(self, user_id: str | None) -> UserProfile:
        if user_id is None or (isinstance(user_id, float) and pd.isna(user_id)):
            return UserProfile(user_id=ANONYMOUS, language=self.profiles.default_language)
        if user_id not in self._users:
            try:
                self._users[user_id] = self.profiles.user(user_id)
            except KeyError:  # a user only the references know: no history, no interests
                self._users[user_id] = UserProfile(user_id=user_id, language=self.profiles.default_language)
        return self._users[user_id]

    def item(self, item_id: str):
        if item_id not in self._items:
            self._items[item_id] = self.profiles.item(item_id)
        return self._items[item_id]

    def request(self, user_id: str | None, item_id: str, **kwargs) -> ReasonRequest:
        return ReasonRequest(user=self.user(user_id), item=self.item(item_id), **kwargs)

    def examples(self, splits: Iterable[str] | None = ("train",), limit: int | None = None,
                 seed: int = 0) -> list[TrainingExample]:
        """One example per reference row in ``splits`` (all rows when ``splits`` is None; rows without a
        split count as train); at most ``limit`` of them, a seeded sample when there are more."""
        refs = self.dataset.references
        if splits is not None:
            splits = list(splits)
            refs = refs[refs["split"].isin(splits) | (refs["split"].isna() if "train" in splits else False)]
        if limit is not None and len(refs) > limit:
            refs = refs.sample(limit, random_state=seed).sort_index()
        out = []
        for row in refs.itertuples(index=False):
            feature = row.feature if isinstance(row.feature, str) else None
            lang = row.language if isinstance(row.language, str) else None
            req = self.request(row.user_id, row.item_id, feature=feature, language=lang)
            out.append(TrainingExample(request=req, text=row.text))
        return out

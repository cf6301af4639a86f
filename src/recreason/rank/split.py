"""Seeded train / validation / test splits of a Dataset's interactions.

Both splits work on user-item *pairs*: every interaction of a pair lands in the same part, so a test
item is never already in the user's training history (full-ranking evaluation leaves seen items out,
so such an item could never be hit).

* ``leave_last_out``: per user, pairs are ordered by the first time the user touched the item; the
  last pair is the test, the one before it the validation, the rest is training. Users with fewer
  than 3 pairs (2 without validation) stay wholly in training. Pairs with the same time (MovieLens
  users often rate many films within one second) are ordered at random with the seed, and pairs
  without a timestamp count as older than any timestamped one.
* ``random_split``: pairs are shuffled with the seed and cut 8:1:1 (the protocol of the explanation
  benchmarks: NETE, PETER, PEPLER); then, as there, every user and item gets at least one training
  pair (one of its validation / test pairs moves to training when it has none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recreason.data.dataset import Dataset

SPLITS = ("leave-last-out", "random")


@dataclass
class Split:
    """Three Datasets sharing the items and users tables; ``interactions`` differ (column ``split``
    says which part a row is in)."""

    train: Dataset
    valid: Dataset
    test: Dataset

    def train_valid(self) -> Dataset:
        """Training and validation interactions together (to refit before testing)."""
        inter = pd.concat([self.train.interactions, self.valid.interactions], ignore_index=True)
        return _part(self.train, inter, "train+valid")


def make_split(dataset: Dataset, method: str, seed: int = 0) -> Split:
    """``method`` is "leave-last-out" or "random"."""
    if method == "leave-last-out":
        return leave_last_out(dataset, seed)
    if method == "random":
        return random_split(dataset, seed)
    raise ValueError(f"unknown split {method!r}; choose one of {', '.join(SPLITS)}")


def leave_last_out(dataset: Dataset, seed: int = 0, validation: bool = True) -> Split:
    pairs = _pairs(dataset.interactions)
    rng = np.random.default_rng(seed)
    pairs["tie"] = rng.random(len(pairs))
    pairs = pairs.sort_values(["user_id", "time", "tie"], kind="stable")
    from_end = pairs.groupby("user_id", sort=False).cumcount(ascending=False).to_numpy()
    size = pairs.groupby("user_id", sort=False)["item_id"].transform("size").to_numpy()
    need = 3 if validation else 2
    part = np.full(len(pairs), "train", dtype=object)
    part[(from_end == 0) & (size >= need)] = "test"
    if validation:
        part[(from_end == 1) & (size >= need)] = "valid"
    pairs["part"] = part
    return _assemble(dataset, pairs)


def random_split(dataset: Dataset, seed: int = 0, ratios: tuple[float, float, float] = (0.8, 0.1, 0.1)) -> Split:
    if len(ratios) != 3 or min(ratios) < 0 or sum(ratios) <= 0:
        raise ValueError(f"ratios must be three non-negative numbers, got {ratios}")
    pairs = _pairs(dataset.interactions)
    rng = np.random.default_rng(seed)
    pairs = pairs.iloc[rng.permutation(len(pairs))].reset_index(drop=True)
    cuts = np.cumsum(ratios) / sum(ratios) * len(pairs)
    position = np.arange(len(pairs))
    pairs["part"] = np.where(position < round(cuts[0]), "train",
                             np.where(position < round(cuts[1]), "valid", "test"))
    for key in ("user_id", "item_id"):  # every user and item keeps a training pair
        in_train = set(pairs.loc[pairs["part"] == "train", key])
        rest = pairs[(pairs["part"] != "train") & ~pairs[key].isin(in_train)]
        pairs.loc[rest.drop_duplicates(key).index, "part"] = "train"
    return _assemble(dataset, pairs)


def _pairs(inter: pd.DataFrame) -> pd.DataFrame:
    """One row per user-item pair with the first time it happened (NaT -> oldest)."""
    if len(inter) == 0:
        raise ValueError("cannot split a dataset without interactions")
    times = pd.to_datetime(inter["timestamp"], utc=True).array.asi8  # NaT is the smallest int64
    frame = pd.DataFrame({"user_id": inter["user_id"].to_numpy(), "item_id": inter["item_id"].to_numpy(),
                          "time": times})
    return frame.groupby(["user_id", "item_id"], sort=True, as_index=False)["time"].min()


def _assemble(dataset: Dataset, pairs: pd.DataFrame) -> Split:
    inter = dataset.interactions
    keys = pd.MultiIndex.from_frame(inter[["user_id", "item_id"]])
    lookup = pd.Series(pairs["part"].to_numpy(),
                       index=pd.MultiIndex.from_frame(pairs[["user_id", "item_id"]]))
    part = lookup.reindex(keys).to_numpy()
    parts = {}
    for name in ("train", "valid", "test"):
        rows = inter[part == name].copy()
        rows["split"] = name
        parts[name] = _part(dataset, rows.reset_index(drop=True), name)
    return Split(**parts)


def _part(dataset: Dataset, inter: pd.DataFrame, name: str) -> Dataset:
    refs = dataset.references
    if len(refs):  # keep references of this part's pairs, and those about an item alone
        pairs = set(zip(inter["user_id"], inter["item_id"], strict=True))
        keep = [pd.isna(u) or (u, i) in pairs for u, i in zip(refs["user_id"], refs["item_id"], strict=True)]
        refs = refs[keep].reset_index(drop=True)
    return Dataset(items=dataset.items, users=dataset.users, interactions=inter, references=refs,
                   name=f"{dataset.name}:{name}")

"""Seeded splits: leave-last-out by time per user and random 8:1:1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from recreason.data.dataset import Dataset
from recreason.data.schema import Interaction, Item
from recreason.rank import leave_last_out, make_split, random_split

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def _events(rows) -> Dataset:
    """rows: (user, item, event, hours after T0 or None)."""
    return Dataset.from_records(
        items=[Item(item_id=i) for i in sorted({r[1] for r in rows})],
        interactions=[Interaction(user_id=u, item_id=i, event=e,
                                  timestamp=None if h is None else T0 + timedelta(hours=h))
                      for u, i, e, h in rows])


def _pairs(ds: Dataset) -> set[tuple[str, str]]:
    return set(zip(ds.interactions["user_id"], ds.interactions["item_id"], strict=True))


def test_leave_last_out_holds_out_the_latest_new_items():
    ds = _events([
        ("a", "x", "view", 0), ("a", "y", "view", 1), ("a", "z", "view", 2), ("a", "w", "view", 3),
        ("a", "x", "purchase", 9),  # a late event on an old pair does not make x the last item
        ("b", "x", "view", 0), ("b", "y", "click", 1),  # too short: all training
    ])
    split = leave_last_out(ds, seed=0)
    assert _pairs(split.test) == {("a", "w")}
    assert _pairs(split.valid) == {("a", "z")}
    assert _pairs(split.train) == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    assert len(split.train.interactions) == 5  # both events of (a, x) stay together
    assert set(split.test.interactions["split"]) == {"test"}
    assert split.train.items is ds.items
    together = split.train_valid()
    assert _pairs(together) == _pairs(split.train) | {("a", "z")}


def test_leave_last_out_without_validation():
    ds = _events([("a", "x", "view", 0), ("a", "y", "view", 1), ("b", "x", "view", 0)])
    split = leave_last_out(ds, seed=0, validation=False)
    assert _pairs(split.test) == {("a", "y")} and len(split.valid.interactions) == 0


def test_ties_in_time_are_broken_by_the_seed():
    rows = [("a", f"i{n}", "rate", 5) for n in range(12)] + [("a", "old", "rate", 0)]
    ds = _events(rows)
    held_out = {tuple(sorted(_pairs(leave_last_out(ds, seed=s).test))) for s in range(8)}
    assert len(held_out) > 1  # different seeds pick different items among the tied ones
    assert _pairs(leave_last_out(ds, seed=3).test) == _pairs(leave_last_out(ds, seed=3).test)
    assert all(("a", "old") not in p for p in held_out)


def test_missing_timestamps_count_as_oldest():
    ds = _events([("a", "x", "view", None), ("a", "y", "view", 1), ("a", "z", "view", 2)])
    split = leave_last_out(ds, seed=0)
    assert _pairs(split.test) == {("a", "z")} and _pairs(split.train) == {("a", "x")}


def test_random_split_is_8_1_1_with_every_user_and_item_in_training(planted):
    split = random_split(planted, seed=0)
    sizes = [len(_pairs(p)) for p in (split.train, split.valid, split.test)]
    total = sum(sizes)
    assert total == len(_pairs(planted))
    assert sizes[0] / total == pytest.approx(0.8, abs=0.02)
    assert sizes[1] / total == pytest.approx(0.1, abs=0.02)
    train = split.train.interactions
    assert set(train["user_id"]) == set(planted.interactions["user_id"])
    assert set(train["item_id"]) == set(planted.interactions["item_id"])
    parts = [_pairs(p) for p in (split.train, split.valid, split.test)]
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
    again = random_split(planted, seed=0)
    assert _pairs(again.test) == parts[2]
    assert _pairs(random_split(planted, seed=1).test) != parts[2]


def test_every_interaction_lands_in_exactly_one_part(planted):
    for split in (leave_last_out(planted, seed=2), random_split(planted, seed=2)):
        frames = [split.train.interactions, split.valid.interactions, split.test.interactions]
        assert sum(len(f) for f in frames) == len(planted.interactions)
        merged = pd.concat(frames).sort_values(["user_id", "item_id", "timestamp", "event"])
        original = planted.interactions.sort_values(["user_id", "item_id", "timestamp", "event"])
        assert merged[["user_id", "item_id", "event"]].values.tolist() == \
            original[["user_id", "item_id", "event"]].values.tolist()


def test_make_split_names():
    ds = _events([("a", "x", "view", 0), ("a", "y", "view", 1), ("a", "z", "view", 2)])
    assert _pairs(make_split(ds, "leave-last-out").test) == {("a", "z")}
    with pytest.raises(ValueError, match="unknown split 'weekly'"):
        make_split(ds, "weekly")
    with pytest.raises(ValueError, match="without interactions"):
        leave_last_out(Dataset())

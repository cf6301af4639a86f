"""Small synthetic datasets for the ranking tests, built directly from records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recreason.data.dataset import Dataset
from recreason.data.schema import Interaction, Item, User

GENRES = ("comedy", "drama", "horror", "sci-fi")
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def planted_dataset(n_users: int = 200, n_items: int = 200, per_user: int = 15, noise: float = 0.1,
                    seed: int = 0, cold_items: int = 4) -> Dataset:
    """Each user likes one genre and mostly interacts with its items, in random order over time.

    Every genre has the same number of items and users, so popularity carries little signal while
    the genre structure carries a lot. Ratings are 5 for the user's genre and 2 for the others. The
    last ``cold_items`` items have no interactions at all.
    """
    rng = np.random.default_rng(seed)
    items = [Item(item_id=f"i{n}", title=f"A {GENRES[n % 4]} film number {n}", category=[GENRES[n % 4]],
                  attributes={"year": str(1990 + n % 7)}, brand=f"studio{n % 3}")
             for n in range(n_items)]
    active = n_items - cold_items
    by_genre = {g: [n for n in range(active) if n % 4 == k] for k, g in enumerate(GENRES)}
    interactions = []
    for u in range(n_users):
        liked = by_genre[GENRES[u % 4]]
        picks = set()
        while len(picks) < per_user:
            pool = range(active) if rng.random() < noise else liked
            picks.add(int(rng.choice(list(pool))))
        for step, item in enumerate(rng.permutation(sorted(picks))):
            event = ("view", "click", "purchase", "rate")[step % 4]
            interactions.append(Interaction(
                user_id=f"u{u}", item_id=f"i{item}", event=event,
                rating=(5.0 if item % 4 == u % 4 else 2.0) if event == "rate" else None,
                timestamp=T0 + timedelta(hours=int(step) + u)))
    users = [User(user_id=f"u{u}") for u in range(n_users)]
    users.append(User(user_id="newcomer", interests=["horror"]))
    return Dataset.from_records(items=items, users=users, interactions=interactions, name="planted")


@pytest.fixture(scope="session")
def small_dataset() -> Dataset:
    return planted_dataset(n_users=40, n_items=40, per_user=8, seed=1)


@pytest.fixture(scope="session")
def planted() -> Dataset:
    return planted_dataset()

"""Synthetic behaviour: sessions of views -> clicks -> cart -> purchase, then ratings and reviews.

Vectorised with numpy. A user's sessions pick a category from their hidden mixture; within it, items
are viewed in proportion to exp(match + popularity), with a strong pull to the user's own language.
Each funnel step is more likely the better the item matches (aspects the user cares about, price
against their price sensitivity). Ratings follow the same match plus noise; reviews are written by
``reviews`` so their opinions agree with both the rating and the item's attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from recreason.sample.catalog import CATEGORIES
from recreason.sample.items import ItemInfo
from recreason.sample.users import UserInfo

#: The window: 180 days, 2024-01-03 to 2024-06-30 UTC (fixed so that builds are reproducible).
DAYS = 180
START = int(datetime(2024, 1, 3, tzinfo=UTC).timestamp())
END = START + DAYS * 86400 - 1
#: Temporal split: train before day 150, valid days 150-164, test from day 165.
VALID_FROM, TEST_FROM = START + 150 * 86400, START + 165 * 86400

EVENTS = ("view", "click", "cart", "purchase", "rate", "review")
SCENES = ("home_feed", "search", "detail_page", "cart")
UTC_OFFSET_H = (8, -5)  # zh users live around UTC+8, en users around UTC-5
#: Share of sessions by local hour: quiet at night, peaks at lunch and in the evening.
HOUR_SHARE = np.array([1, .5, .3, .2, .2, .3, .8, 1.5, 2.5, 3, 3, 3.5, 5, 4, 3, 3, 3, 3.5, 4, 5, 6.5, 7, 6, 3])
#: The seed user's hand-placed sessions: (category id, day) ending in a purchase.
SEED_SESSIONS = (("phone", 12), ("laptop", 41), ("headphones", 73), ("camera", 104))


@dataclass
class Behaviour:
    """Event rows (parallel arrays, sorted by user and time) and the purchases that were rated."""

    user: np.ndarray
    item: np.ndarray
    event: np.ndarray      # index into EVENTS
    ts: np.ndarray         # unix seconds
    scene: np.ndarray      # index into SCENES
    device: np.ndarray
    rating: np.ndarray     # NaN except on rate / review rows
    review_row: np.ndarray  # rows (indices into these arrays) that are reviews
    match: np.ndarray      # users x items standardised match score


def match_scores(users: UserInfo, items: ItemInfo) -> np.ndarray:
    """Standardised users x items match: cared-about aspect quality and price against sensitivity."""
    centred = np.nan_to_num(items.quality - 0.5, nan=0.0)
    aspect_match = users.care @ centred.T
    s = users.sensitivity[:, None]
    price_fit = -s * items.price_pos[None, :] + (1 - s) * (items.core[None, :] - 0.5)
    m = 2.0 * aspect_match + 1.5 * price_fit
    return (m - m.mean()) / m.std()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _sessions(rng: np.random.Generator, users: UserInfo):
    n = len(users.ids)
    counts = users.sessions.copy()
    seed_u = n - 1
    counts[seed_u] = max(int(counts[seed_u]), len(SEED_SESSIONS))
    s_user = np.repeat(np.arange(n), counts)
    cum = users.mix.cumsum(axis=1)[s_user]
    s_cat = np.minimum((rng.random(len(s_user))[:, None] > cum).sum(axis=1), len(CATEGORIES) - 1)
    day = rng.integers(0, DAYS, len(s_user))
    hour = rng.choice(24, size=len(s_user), p=HOUR_SHARE / HOUR_SHARE.sum())
    offset = np.array(UTC_OFFSET_H)[users.lang[s_user]]
    start = START + day * 86400 + (hour - offset) * 3600 + rng.integers(0, 3600, len(s_user))
    forced = np.zeros(len(s_user), dtype=bool)
    first = int(np.searchsorted(s_user, seed_u))
    cat_ids = [c.id for c in CATEGORIES]
    for k, (cat_id, d) in enumerate(SEED_SESSIONS):
        s_cat[first + k] = cat_ids.index(cat_id)
        start[first + k] = START + d * 86400 + 12 * 3600  # 20:00 in Beijing
        forced[first + k] = True
    start = np.clip(start, START, END - 4 * 3600)
    device = np.where(rng.random(len(s_user)) < 0.85, users.device[s_user], rng.integers(0, 3, len(s_user)))
    return s_user, s_cat, start, device, forced


def _pick_items(rng, v_user, v_cat, score, items: ItemInfo) -> np.ndarray:
    picked = np.empty(len(v_user), dtype=np.int64)
    for c in range(len(CATEGORIES)):
        rows = np.flatnonzero(v_cat == c)
        cand = np.flatnonzero(items.cat == c)
        logits = score[v_user[rows]][:, cand] + rng.gumbel(size=(len(rows), len(cand)))
        picked[rows] = cand[np.argmax(logits, axis=1)]
    return picked


def simulate(rng: np.random.Generator, users: UserInfo, items: ItemInfo) -> Behaviour:
    z = match_scores(users, items)
    same_lang = users.lang[:, None] == items.lang[None, :]
    score = z + items.popularity[None, :] + np.where(same_lang, 0.0, -3.0)
    score[len(users.ids) - 1, len(items.ids) - 1] = -np.inf  # the seed user has not met the seed phone yet

    s_user, s_cat, s_start, s_device, s_forced = _sessions(rng, users)
    n_views = 1 + rng.poisson(2.0, len(s_user))
    v_sess = np.repeat(np.arange(len(s_user)), n_views)
    v_user, v_cat = s_user[v_sess], s_cat[v_sess]
    v_item = _pick_items(rng, v_user, v_cat, score, items)
    gaps = rng.exponential(45.0, len(v_sess))
    cum = np.cumsum(gaps)
    first_of = np.concatenate([[0], np.cumsum(n_views)[:-1]])
    v_ts = s_start[v_sess] + (cum - (cum[first_of] - gaps[first_of])[v_sess]).astype(np.int64)
    v_scene = rng.choice(3, size=len(v_sess), p=(0.5, 0.3, 0.2))

    forced = np.zeros(len(v_sess), dtype=bool)
    forced[first_of[s_forced]] = True
    for row in np.flatnonzero(forced):  # the seed user buys the best match in each hand-placed session
        cand = np.flatnonzero(items.cat == v_cat[row])
        v_item[row] = cand[np.argmax(score[v_user[row], cand])]
    zv = z[v_user, v_item]
    clicked = (rng.random(len(zv)) < _sigmoid(-1.8 + 0.9 * zv)) | forced
    carted = clicked & (rng.random(len(zv)) < _sigmoid(-1.6 + 0.9 * zv)) | forced
    bought = carted & (rng.random(len(zv)) < _sigmoid(-0.8 + 0.7 * zv)) | forced
    c_ts = v_ts + rng.integers(3, 40, len(zv))
    k_ts = c_ts + rng.integers(20, 300, len(zv))
    b_ts = k_ts + rng.integers(60, 1800, len(zv))

    # Ratings: only a user's first purchase of an item, 70 % of the time, if it lands inside the window.
    order = np.lexsort((b_ts, ~bought))
    key = v_user.astype(np.int64) * len(items.ids) + v_item
    first_buy = np.zeros(len(zv), dtype=bool)
    ob = order[bought[order]]
    _, first_idx = np.unique(key[ob], return_index=True)
    first_buy[ob[first_idx]] = True
    r_ts = b_ts + rng.integers(86400, 12 * 86400, len(zv))
    rated = first_buy & ((rng.random(len(zv)) < 0.7) | forced) & (r_ts <= END)
    written = rated & ((rng.random(len(zv)) < 0.65) | forced)
    raw = 2.6 + 0.7 * zv + rng.normal(0.0, 1.0, len(zv))
    stars = np.clip(np.rint(raw), 1, 5)

    parts = [
        (np.ones(len(zv), bool), 0, v_ts, v_scene),
        (clicked, 1, c_ts, v_scene),
        (carted, 2, k_ts, np.full(len(zv), 2)),
        (bought, 3, b_ts, np.full(len(zv), 3)),
        (rated & ~written, 4, r_ts, np.full(len(zv), 2)),
        (written, 5, r_ts, np.full(len(zv), 2)),
    ]
    cols = {k: [] for k in ("user", "item", "event", "ts", "scene", "device", "rating")}
    for mask, ev, ts, scene in parts:
        cols["user"].append(v_user[mask])
        cols["item"].append(v_item[mask])
        cols["event"].append(np.full(int(mask.sum()), ev))
        cols["ts"].append(ts[mask])
        cols["scene"].append(scene[mask])
        cols["device"].append(s_device[v_sess][mask])
        cols["rating"].append(stars[mask] if ev >= 4 else np.full(int(mask.sum()), np.nan))
    arr = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.lexsort((arr["item"], arr["event"], arr["ts"], arr["user"]))
    arr = {k: v[order] for k, v in arr.items()}
    return Behaviour(**arr, review_row=np.flatnonzero(arr["event"] == 5), match=z)


def split_of(ts: np.ndarray) -> np.ndarray:
    return np.where(ts >= TEST_FROM, "test", np.where(ts >= VALID_FROM, "valid", "train"))

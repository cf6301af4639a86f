"""Synthetic users with hidden tastes, a few of which they also state.

Each user has a persona (tech, outdoor, style, home-and-books, creator, generalist) from which a mixture
over categories is drawn, two or three aspects they care about (taken from their favourite categories),
a price sensitivity, a preferred language and an activity level. About a fifth declare interests in
words consistent with those tastes; some give an age band and city tier; a few are cold-start users
(declared interests, no behaviour at all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recreason.sample.catalog import ASPECT_IDS, BY_ID, CATEGORIES, LANGS, VOCAB

SEED_USER_ID = "u_seed"
SEED_INTEREST = "喜欢购买电子产品"

_CAT_IDS = [c.id for c in CATEGORIES]
PERSONAS: dict[str, dict[str, float]] = {
    "tech": {"phone": 3, "laptop": 2.5, "headphones": 2.5, "camera": 1.5, "coffee": 0.4, "books": 0.5},
    "outdoor": {"shoes": 3, "tent": 3, "headphones": 0.8, "camera": 0.8, "coffee": 0.4, "phone": 0.4},
    "style": {"dress": 3, "skincare": 3, "coffee": 0.6, "phone": 0.5, "shoes": 0.5, "headphones": 0.4},
    "home": {"coffee": 3, "books": 3, "laptop": 0.8, "headphones": 0.5, "skincare": 0.3},
    "creator": {"camera": 3, "laptop": 2, "coffee": 1.5, "phone": 0.8, "tent": 0.6, "books": 0.6},
    "generalist": {c: 1.0 for c in _CAT_IDS},
}
PERSONA_SHARE = (0.22, 0.17, 0.2, 0.17, 0.09, 0.15)
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")
AGE_SHARE = (0.18, 0.36, 0.26, 0.13, 0.07)
CITY_TIERS = ("一线", "新一线", "二线", "三线及以下")
AREAS = ("urban", "suburban", "rural")
DEVICES = ("ios", "android", "web")
DEVICE_SHARE = ((0.35, 0.55, 0.10), (0.5, 0.3, 0.2))  # zh, en


@dataclass
class UserInfo:
    """Hidden tastes, row-aligned with the users table."""

    ids: list[str]
    lang: np.ndarray        # 0 = zh, 1 = en
    mix: np.ndarray         # users x categories, rows sum to 1
    care: np.ndarray        # users x ASPECT_IDS, rows sum to 1
    sensitivity: np.ndarray  # price sensitivity 0..1
    sessions: np.ndarray    # number of shopping sessions over the window
    device: np.ndarray      # main device index into DEVICES
    declared: list[list[str]]
    cold: np.ndarray        # bool: declared interests only, no behaviour

    def cared(self, u: int) -> dict[str, float]:
        return {a: float(w) for a, w in zip(ASPECT_IDS, self.care[u], strict=True) if w > 0}


def _persona_matrix() -> np.ndarray:
    return np.array([[PERSONAS[p].get(c, 0.1) for c in _CAT_IDS] for p in PERSONAS])


def _pick_care(rng: np.random.Generator, mix_row: np.ndarray, sensitivity: float) -> np.ndarray:
    top = np.argsort(-mix_row, kind="stable")[:2]
    pool = list(dict.fromkeys(a for ci in top for a in CATEGORIES[ci].aspects if a != "value"))
    first = [a for a in CATEGORIES[top[0]].aspects if a != "value"]
    k = min(len(pool), int(rng.integers(2, 4)))
    chosen = [first[int(rng.integers(len(first)))]]
    rest = [a for a in pool if a not in chosen]
    chosen += [rest[i] for i in rng.choice(len(rest), size=k - 1, replace=False)]
    care = np.zeros(len(ASPECT_IDS))
    for w, a in zip((1.0, 0.7, 0.5), chosen, strict=False):
        care[ASPECT_IDS.index(a)] = w
    if sensitivity > 0.55:
        care[ASPECT_IDS.index("value")] = sensitivity
    return care / care.sum()


def _declare(rng: np.random.Generator, li: int, mix_row: np.ndarray, care_row: np.ndarray) -> list[str]:
    """One to three interest phrases, all true of the user's hidden tastes."""
    top = np.argsort(-mix_row, kind="stable")
    fans = CATEGORIES[top[0]].fans[li]
    out = [fans[int(rng.integers(len(fans)))]]
    if rng.random() < 0.4 and mix_row[top[1]] > 0.15:
        second = CATEGORIES[top[1]].fans[li]
        out.append(second[int(rng.integers(len(second)))])
    if rng.random() < 0.5:
        aspect = ASPECT_IDS[int(np.argmax(care_row))]
        out.append(VOCAB[LANGS[li]][aspect]["care"])
    return list(dict.fromkeys(out))


def _profile(li: int, mix_row: np.ndarray, care_row: np.ndarray) -> str:
    fan = CATEGORIES[int(np.argmax(mix_row))].fans[li][0]
    care = VOCAB[LANGS[li]][ASPECT_IDS[int(np.argmax(care_row))]]["care"]
    return f"{fan}，{care}。" if li == 0 else f"{fan[0].upper()}{fan[1:]}; {care}."


def build_users(rng: np.random.Generator, n_users: int) -> tuple[list[dict], UserInfo]:
    """``n_users`` users; the seed-case user is the last one."""
    if n_users < 10:
        raise ValueError("n_users must be at least 10")
    n = n_users
    lang = (rng.random(n) >= 0.5).astype(int)
    persona = rng.choice(len(PERSONAS), size=n, p=PERSONA_SHARE)
    alpha = _persona_matrix()[persona] + 0.05
    mix = rng.gamma(alpha)
    mix /= mix.sum(axis=1, keepdims=True)
    sensitivity = rng.beta(2.0, 2.5, n)
    care = np.stack([_pick_care(rng, mix[u], sensitivity[u]) for u in range(n)])
    sessions = np.maximum(1, rng.poisson(np.exp(rng.normal(np.log(6.0), 0.6, n))))
    cold = rng.random(n) < 0.02
    sessions[cold] = 0
    declares = cold | (rng.random(n) < 0.2)
    has_profile = rng.random(n) < 0.1
    has_demo = rng.random(n) < 0.4
    ages = rng.choice(len(AGE_BANDS), size=n, p=AGE_SHARE)
    places = rng.integers(0, 4, n)
    device = np.array([rng.choice(3, p=DEVICE_SHARE[li]) for li in lang])

    u = n - 1  # the seed case: a Chinese electronics fan with a purchase history
    lang[u], cold[u], declares[u], has_profile[u], has_demo[u] = 0, False, True, True, True
    mix[u] = [0.35, 0.25, 0.2, 0.15] + [0.05 / 6] * 6
    care[u] = 0
    for a, w in (("performance", 1.0), ("screen", 0.8), ("battery", 0.7), ("camera", 0.5)):
        care[u, ASPECT_IDS.index(a)] = w
    care[u] /= care[u].sum()
    sensitivity[u], sessions[u], ages[u], places[u], device[u] = 0.3, 14, 1, 0, 1

    ids = [f"u_{k + 1:04d}" for k in range(n - 1)] + [SEED_USER_ID]
    rows, declared = [], []
    for k in range(n):
        li = int(lang[k])
        interests = _declare(rng, li, mix[k], care[k]) if declares[k] else []
        if k == u:
            interests = [SEED_INTEREST]
        demographics = {}
        if has_demo[k]:
            demographics["age"] = AGE_BANDS[ages[k]]
            if li == 0:
                demographics["city_tier"] = CITY_TIERS[places[k]]
            else:
                demographics["area"] = AREAS[min(places[k], 2)]
        profile = _profile(li, mix[k], care[k]) if has_profile[k] else None
        declared.append(interests)
        rows.append({"user_id": ids[k], "interests": interests, "demographics": demographics,
                     "profile_text": profile, "language": LANGS[li]})
    info = UserInfo(ids=ids, lang=lang, mix=mix, care=care, sensitivity=sensitivity, sessions=sessions,
                    device=device, declared=declared, cold=cold)
    return rows, info


def category_rank(info: UserInfo, u: int, cat_id: str) -> int:
    """0 for the user's favourite category, 1 for the next, ..."""
    order = list(np.argsort(-info.mix[u], kind="stable"))
    return order.index(_CAT_IDS.index(BY_ID[cat_id].id))

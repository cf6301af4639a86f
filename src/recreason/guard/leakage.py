"""Cross-user leakage: does a reason quote what *another* user wrote?

A reason for user A may use what reviewers say about an item ("praised for its battery"), but must never
quote more than a few words of user B's review: B's text is B's personal data, and it may carry details of
B's life ("bought it for my daughter's wedding in June"). A reason *quotes another user* when it holds a run
of ``LIMITS[lang]`` units (English words; Chinese characters, since Chinese has no spaces) that occurs in a
review by another user and occurs neither in the item's own data (title, brand, category, attributes,
description: a review naming the product is not the source of the product's name) nor in the user's own
reviews (theirs to see). The limits: 6 English words, 10 Chinese characters (about five Chinese words), of
which at least 2 words / 5 characters are neither stop words nor the item's own words, unless the run is
long (10 words, 16 characters: a review sentence copied whole is a quote whatever its words). A run that ``COMMON``
(3) or more users wrote is common phrasing, not anyone's own words. Both rules come from reading what the
first rule flagged in the LLM's reasons: "easy to wear and has a", "[Wendy's] Gift Card is a gift card".

``ReviewIndex`` holds every such run of every review as a 64-bit hash with how many users wrote it and one
of them (numpy arrays, sorted: about 16 bytes a run, 64 MB for four million), so the guard can check every reason it sees
(``Guard(reviews=…)``: the problem kind ``quote``), and ``foreign_quotes`` measures it
(``benchmarks.leakage``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from recreason.data.dataset import Dataset
from recreason.profiles.models import ItemProfile
from recreason.reasons.base import Reason, ReasonRequest
from recreason.text.language import EN

LIMITS = {"en": 6, "zh": 10}
#: a run this many users wrote is common phrasing ("easy to wear and has a"), nobody's own words
COMMON = 3
#: a run quotes only if this many of its units are neither stop words nor the item's own words
CONTENT = {"en": 2, "zh": 5}
#: a run this long is a quote whatever its words ("the design of the card and gift box are so nice and pretty")
LONG = {"en": 10, "zh": 16}


def _runs(starts: list[int]) -> list[tuple[int, int]]:
    """Consecutive window starts grouped: [3, 4, 5, 9] -> [(3, 6), (9, 10)] (end exclusive)."""
    out: list[tuple[int, int]] = []
    for i in starts:
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out
_UNIT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def units(text: str | None) -> list[str]:
    """Chinese characters one by one, other words whole, lower-cased; punctuation and spaces dropped."""
    return [u.lower() for u in _UNIT.findall(text or "")]


def _hashes(seq: Sequence[str], n: int) -> list[int]:
    """A 64-bit hash of each run of ``n`` units. Python's own tuple hash: salted per process, which is all an
    index that lives in one process needs, and many times faster than a cryptographic one."""
    return [hash(tuple(seq[i:i + n])) for i in range(len(seq) - n + 1)]


class ReviewIndex:
    """Every run of ``LIMITS[lang]`` units of every review in a data set: how many users wrote it, and one of
    them."""

    def __init__(self, dataset: Dataset, limits: dict[str, int] = LIMITS):
        self.limits = limits
        frame = dataset.interactions
        frame = frame[frame["review"].notna()]
        users = {u: k for k, u in enumerate(dict.fromkeys(frame["user_id"]))}
        # each user's own reviews, looked up per checked reason (not a scan of every interaction)
        self._texts = frame["review"].astype(str).to_numpy()
        self._rows = frame.reset_index(drop=True).groupby("user_id", sort=False).indices
        self._tables: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for n in sorted(set(limits.values())):
            keys, who = [], []
            for user_id, text in zip(frame["user_id"], frame["review"], strict=True):
                h = _hashes(units(str(text)), n)
                keys += h
                who += [users[user_id]] * len(h)
            pairs = np.unique(np.rec.fromarrays([np.asarray(keys, np.int64), np.asarray(who, np.int32)]))
            run_keys, first, writers = np.unique(pairs.f0, return_index=True, return_counts=True)
            self._tables[n] = (run_keys, pairs.f1[first].astype(np.int32), writers.astype(np.int32))
        self._users = users

    def _writers(self, n: int, hashes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Per hash: how many users wrote the run (0: nobody), and one of them (-2 when nobody)."""
        keys, who, count = self._tables[n]
        h = np.asarray(hashes, np.int64)
        if not len(keys) or not len(h):
            return np.zeros(len(h), np.int32), np.full(len(h), -2, np.int32)
        pos = np.clip(np.searchsorted(keys, h), 0, len(keys) - 1)
        hit = keys[pos] == h
        return np.where(hit, count[pos], 0), np.where(hit, who[pos], -2)

    def longest_quote(self, text: str, lang: str, user_id: str, item_text: str) -> tuple[int, str]:
        """The longest run of ``text`` (in units; 0 when none reaches the limit) quoted from another user's
        review, and that run."""
        n = self.limits.get(lang, 6)
        seq = units(text)
        if len(seq) < n:
            return 0, ""
        hashes = _hashes(seq, n)
        count, writer = self._writers(n, hashes)
        if not count.any():
            return 0, ""
        me = self._users.get(user_id, -3)
        own = set(_hashes(units(item_text), n))
        for row in self._rows.get(user_id, ()):
            own.update(_hashes(units(self._texts[row]), n))
        # the item's own words and stop words are nobody's: "X Gift Card is a gift card" quotes no one ...
        plain = (EN.stop_words if lang == "en" else frozenset()) | set(units(item_text))
        least = CONTENT.get(lang, 2)
        foreign = [i for i in range(len(hashes))
                   if 0 < count[i] < COMMON and not (count[i] == 1 and writer[i] == me) and hashes[i] not in own]
        best, best_start = 0, 0
        for start, end in _runs(foreign):  # windows start..end-1 in a row make one run of end - 1 + n - start
            length = end - 1 + n - start
            # ... unless the run is long: a sentence of a review copied whole is a quote whatever its words
            quotes = length >= LONG.get(lang, 10) or any(sum(u not in plain for u in seq[i:i + n]) >= least
                                                         for i in range(start, end))
            if quotes and length > best:
                best, best_start = length, start
        return best, (" " if lang == "en" else "").join(seq[best_start:best_start + best])

    def check(self, text: str, request: ReasonRequest) -> list[str]:
        """The guard's problem for a reason that quotes another user's review (an empty list: none)."""
        length, run = self.longest_quote(text, str(request.lang), request.user.user_id, own_text(request.item))
        if not length:
            return []
        unit = "words" if request.lang.spaced else "characters"
        return [f"quote: {length} {unit} of another user's review ('{run[:60]}')"]


@dataclass
class Quote:
    user_id: str
    item_id: str
    length: int  # units in the longest run quoted from another user's review (0: none reaches the limit)
    text: str  # that run

    @property
    def leaks(self) -> bool:
        return self.length > 0


def own_text(item: ItemProfile) -> str:
    """What the item's own data says (title, category, attributes, brand, description): its words are the
    item's, not a reviewer's. Aspect names are left out: they are mined from the reviews themselves."""
    return " ".join([*(value for key, value in item.facts() if key != "aspect"), item.description or ""])


def foreign_quotes(reasons: Sequence[Reason], requests: Sequence[ReasonRequest], index: ReviewIndex) -> list[Quote]:
    """For each reason (written for the request beside it), the longest run it quotes from another user's
    review, as the guard counts it (see the module docstring)."""
    out = []
    for r, q in zip(reasons, requests, strict=True):
        length, run = index.longest_quote(r.text, r.language, q.user.user_id, own_text(q.item))
        out.append(Quote(r.user_id, r.item_id, length, run))
    return out


def leak_rate(quotes: Sequence[Quote]) -> float:
    return sum(q.leaks for q in quotes) / len(quotes) if quotes else 0.0

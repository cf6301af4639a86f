"""Cross-user leakage: does a reason quote what *another* user wrote?

A reason for user A may use what reviewers say about an item ("praised for its battery"), but must never
quote more than a few words of user B's review: B's text is B's personal data, and it may carry details of
B's life ("bought it for my daughter's wedding in June"). A reason *quotes another user* when it holds a run
of ``LIMITS[lang]`` units (English words; Chinese characters, since Chinese has no spaces) that occurs in a
review by another user and occurs neither in the item's own data (title, brand, category, attributes,
description: a review naming the product is not the source of the product's name) nor in the user's own
reviews (theirs to see). The limits: 6 English words, 10 Chinese characters (about five Chinese words).

``ReviewIndex`` holds every such run of every review as a 64-bit hash with its writer (numpy arrays, sorted:
about 12 bytes a run, 50 MB for four million), so the guard can check every reason it sees
(``Guard(reviews=…)``: the problem kind ``quote``), and ``foreign_quotes`` measures it
(``benchmarks.leakage``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from recreason.data.dataset import Dataset
from recreason.reasons.base import Reason, ReasonRequest

LIMITS = {"en": 6, "zh": 10}
_UNIT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
MANY = -1  # a run more than one user wrote


def units(text: str | None) -> list[str]:
    """Chinese characters one by one, other words whole, lower-cased; punctuation and spaces dropped."""
    return [u.lower() for u in _UNIT.findall(text or "")]


def _hashes(seq: Sequence[str], n: int) -> list[int]:
    """A 64-bit hash of each run of ``n`` units. Python's own tuple hash: salted per process, which is all an
    index that lives in one process needs, and many times faster than a cryptographic one."""
    return [hash(tuple(seq[i:i + n])) for i in range(len(seq) - n + 1)]


class ReviewIndex:
    """Every run of ``LIMITS[lang]`` units of every review in a data set, and who wrote it."""

    def __init__(self, dataset: Dataset, limits: dict[str, int] = LIMITS):
        self.dataset, self.limits = dataset, limits
        frame = dataset.interactions
        frame = frame[frame["review"].notna()]
        users = {u: k for k, u in enumerate(dict.fromkeys(frame["user_id"]))}
        self._tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for n in sorted(set(limits.values())):
            keys, who = [], []
            for user_id, text in zip(frame["user_id"], frame["review"], strict=True):
                h = _hashes(units(str(text)), n)
                keys += h
                who += [users[user_id]] * len(h)
            keys_a, who_a = np.asarray(keys, np.int64), np.asarray(who, np.int32)
            order = np.argsort(keys_a, kind="stable")
            keys_a, who_a = keys_a[order], who_a[order]
            first = np.ones(len(keys_a), bool)
            first[1:] = keys_a[1:] != keys_a[:-1]
            starts = np.flatnonzero(first)
            # one writer per run; MANY where the writers of a run differ
            lo, hi = np.minimum.reduceat(who_a, starts) if len(starts) else who_a, \
                np.maximum.reduceat(who_a, starts) if len(starts) else who_a
            self._tables[n] = (keys_a[starts], np.where(lo == hi, lo, MANY).astype(np.int32))
        self._users = users

    def _writers(self, n: int, hashes: list[int]) -> np.ndarray:
        """Per hash: the writer's number, MANY, or -2 (nobody wrote it)."""
        keys, who = self._tables[n]
        h = np.asarray(hashes, np.int64)
        if not len(keys) or not len(h):
            return np.full(len(h), -2, np.int32)
        pos = np.clip(np.searchsorted(keys, h), 0, len(keys) - 1)
        return np.where(keys[pos] == h, who[pos], -2)

    def longest_quote(self, text: str, lang: str, user_id: str, item_text: str) -> tuple[int, str]:
        """The longest run of ``text`` (in units; 0 when none reaches the limit) quoted from another user's
        review, and that run."""
        n = self.limits.get(lang, 6)
        seq = units(text)
        if len(seq) < n:
            return 0, ""
        writers = self._writers(n, _hashes(seq, n))
        if not (writers != -2).any():
            return 0, ""
        me = self._users.get(user_id, -3)
        own = set(_hashes(units(item_text), n))
        if me != -3:
            for review in self.dataset.user_interactions(user_id)["review"].dropna():
                own.update(_hashes(units(str(review)), n))
        hashes = _hashes(seq, n)
        foreign = [i for i, w in enumerate(writers) if w not in (-2, me) and hashes[i] not in own]
        best, best_start, run_start = 0, 0, 0
        for k, i in enumerate(foreign):  # consecutive starts make one longer run
            if k == 0 or i != foreign[k - 1] + 1:
                run_start = i
            if i + n - run_start > best:
                best, best_start = i + n - run_start, run_start
        return best, (" " if lang == "en" else "").join(seq[best_start:best_start + best])

    def check(self, text: str, request: ReasonRequest) -> list[str]:
        """The guard's problem for a reason that quotes another user's review (an empty list: none)."""
        item_text = " ".join(value for _, value in request.item.facts())
        length, run = self.longest_quote(text, str(request.lang), request.user.user_id, item_text)
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


def _item_text(dataset: Dataset, item_id: str) -> str:
    if not dataset.has_item(item_id):
        return ""
    item = dataset.item(item_id)
    parts = [item.title, item.brand, item.description, *(item.category or []),
             *(f"{k} {v}" for k, v in (item.attributes or {}).items())]
    return " ".join(str(p) for p in parts if p)


def foreign_quotes(reasons: Iterable[Reason], dataset: Dataset, index: ReviewIndex | None = None) -> list[Quote]:
    """For each reason, the longest run it quotes from another user's review (see the module docstring)."""
    index = index or ReviewIndex(dataset)
    out = []
    for r in reasons:
        length, run = index.longest_quote(r.text, r.language, r.user_id, _item_text(dataset, r.item_id))
        out.append(Quote(r.user_id, r.item_id, length, run))
    return out


def leak_rate(quotes: Sequence[Quote]) -> float:
    return sum(q.leaks for q in quotes) / len(quotes) if quotes else 0.0

"""Loading the aspect lexicons (text files in ``lexicons/``) and the sentiment rule they share.

File formats (UTF-8, ``#`` starts a comment line, blank lines ignored):

* ``*_opinion.txt``: ``word <TAB> polarity [<TAB> direction]``; polarity is 1, 0 or -1, direction is
  ``up`` (high, big, fast, 高, 大) or ``down`` (low, small, cheap, 低, 小).
* ``*_features.txt``: ``word [<TAB> mark]``; mark ``+`` = more is better (screen, battery life,
  房间), ``-`` = less is better (price, noise, 价格).
* ``*_nonfeatures.txt``, ``*_stopwords.txt``: one word a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Opinion:
    polarity: int
    direction: str | None = None  # "up", "down" or None


def split_words(text: str) -> frozenset[str]:
    """A closed word class written inline as one space-separated string."""
    return frozenset(text.split())


def _lines(name: str) -> list[list[str]]:
    text = resources.files("recreason.aspects").joinpath("lexicons", name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rows.append([part.strip() for part in line.split("\t")])
    return rows


@cache
def words(name: str) -> frozenset[str]:
    return frozenset(row[0].lower() for row in _lines(name))


@cache
def opinions(name: str) -> dict[str, Opinion]:
    table: dict[str, Opinion] = {}
    for row in _lines(name):
        if len(row) < 2 or row[1] not in {"1", "0", "-1"}:
            raise ValueError(f"lexicons/{name}: bad line {row!r} (want word<TAB>1|0|-1[<TAB>up|down])")
        direction = row[2] if len(row) > 2 and row[2] else None
        if direction not in {None, "up", "down"}:
            raise ValueError(f"lexicons/{name}: bad direction in {row!r}")
        table.setdefault(row[0].lower(), Opinion(int(row[1]), direction))
    return table


@cache
def features(name: str) -> dict[str, str]:
    """feature -> mark ("+", "-" or "")."""
    table: dict[str, str] = {}
    for row in _lines(name):
        mark = row[1] if len(row) > 1 else ""
        if mark not in {"", "+", "-"}:
            raise ValueError(f"lexicons/{name}: bad mark in {row!r} (want + or -)")
        table.setdefault(row[0].lower(), mark)
    return table


def sentiment(opinion: Opinion, mark: str, negated: bool, excess: bool) -> int:
    """Sign of one (feature, opinion) pair.

    ``mark`` is the feature's "+" / "-" / "" from the feature lexicon; a directional opinion word takes
    its sign from it ("low price" +1, "high price" -1, "大屏幕" +1). ``excess`` is a "too" / "太" /
    "有点" before a neutral or negative word ("too small", "有点大"): that reads as a complaint.
    ``negated`` flips the result ("not soft", "不耐用"); "not too small" comes out +1.
    """
    value = opinion.polarity
    if opinion.direction and mark:
        up = opinion.direction == "up"
        value = 1 if up == (mark == "+") else -1
    if excess and value <= 0:
        value = -1
    if negated:
        value = -value if value else (1 if excess else -1)
    return value

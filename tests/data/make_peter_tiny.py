"""Writes tests/data/peter_tiny/: a tiny data set in the exact NETE/PETER/PEPLER layout.

``reviews.pickle`` is a pickled list of dicts (user, item, rating, template = (feature, adjective,
sentence, sentiment), text); ``1/`` and ``2/`` hold ``train.index``, ``validation.index`` and
``test.index``, one line of space-separated 0-based indices each. Records 0-29 are good; 30-33 are
bad on purpose (see BAD). Record 29 is in no index file of split 1. Run: python tests/data/make_peter_tiny.py
"""

from __future__ import annotations

import pickle
from pathlib import Path

HERE = Path(__file__).resolve().parent / "peter_tiny"

FEATURES = [("room", "clean"), ("staff", "friendly"), ("location", "great"), ("breakfast", "cold"),
            ("bed", "comfortable"), ("price", "high")]


def good_records() -> list[dict]:
    out = []
    for i in range(30):
        fea, adj = FEATURES[i % len(FEATURES)]
        sentiment = -1 if adj in ("cold", "high") else 1
        sentence = f"the {fea} was {adj}"
        out.append({"user": f"u{i % 7}", "item": f"hotel{i % 5}", "rating": 1 + i % 5,
                    "template": (fea, adj, sentence, sentiment),
                    "text": f"we stayed two nights . {sentence} and we would come back ."})
    return out


#: index -> what is wrong with it (the tests look these up).
BAD = {
    30: {"item": "hotel1", "rating": 4, "template": ("room", "small", "the room was small", -1)},  # no user
    31: {"user": "u1", "item": "hotel2", "rating": 9, "template": ("view", "nice", "the view was nice", 1)},
    32: {"user": "u2", "item": "hotel3", "rating": 3, "template": ("pool", "the pool was warm", 1)},
    33: ["not", "a", "dict"],
}


def main() -> None:
    records = good_records() + [BAD[i] for i in sorted(BAD)]
    HERE.mkdir(exist_ok=True)
    with open(HERE / "reviews.pickle", "wb") as f:
        pickle.dump(records, f, protocol=4)
    splits = {
        "1": (list(range(20)) + [30, 31, 32, 33], list(range(20, 25)), list(range(25, 29))),
        "2": (list(range(10, 30)), list(range(5)), list(range(5, 10)) + [30, 31, 32, 33]),
    }
    for name, (train, valid, test) in splits.items():
        folder = HERE / name
        folder.mkdir(exist_ok=True)
        for file, idx in (("train.index", train), ("validation.index", valid), ("test.index", test)):
            (folder / file).write_text(" ".join(map(str, idx)) + "\n")


if __name__ == "__main__":
    main()

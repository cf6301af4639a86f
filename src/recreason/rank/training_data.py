"""What ``Ranker.fit`` builds from a Dataset before any model sees it.

* the catalog (every item of the items table, then items only seen in interactions) and the users
  with at least one training interaction, each in a fixed order;
* the weighted user x item matrix (a pair keeps its strongest event, see ``schema.RANKER_EVENT_WEIGHTS``);
* ratings for rating heads; declared interests of users without interactions (cold start);
* item features for models (``feature_index``): category levels, attribute values, brand, price band;
* ``InterestIndex``: the words of each item's title, category, attribute values and brand, to match
  the declared interests of a cold-start user (tokenized with ``recreason.text.tokenize``, so
  Chinese and English both work).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recreason.data.dataset import Dataset
from recreason.data.schema import load_json
from recreason.text import tokenize


@dataclass
class TrainingData:
    """The training interactions as arrays, in catalog order."""

    dataset: Dataset
    user_ids: list[str]
    item_ids: list[str]
    #: csr (n_users, n_items) float32: the strongest event weight of each user-item pair
    matrix: sp.csr_matrix
    #: each user's item rows in the order the user first touched them (time, then row order):
    #: user u's are ``sequence_items[sequence_indptr[u]:sequence_indptr[u + 1]]``
    sequence_indptr: np.ndarray
    sequence_items: np.ndarray
    #: user row, item row and rating of each rated pair (its last rating)
    ratings: tuple[np.ndarray, np.ndarray, np.ndarray]
    #: the items table in catalog order (items only seen in interactions have empty rows)
    item_table: pd.DataFrame
    interests: InterestIndex
    #: declared interests of users in the users table who have no training interaction
    cold_users: dict[str, list[str]]

    @property
    def popularity(self) -> np.ndarray:
        """float32 (n_items,): summed pair weights of each item."""
        return np.asarray(self.matrix.sum(axis=0)).ravel().astype(np.float32)

    @classmethod
    def from_dataset(cls, dataset: Dataset, event_weights: Mapping[str, float]) -> TrainingData:
        inter = dataset.interactions
        unknown = set(inter["event"].dropna().unique()) - set(event_weights)
        if unknown:
            raise ValueError(f"no implicit-feedback weight for events {sorted(unknown)}; "
                             f"known: {sorted(event_weights)}")
        item_ids = [str(i) for i in pd.unique(pd.concat([dataset.items["item_id"], inter["item_id"]]))]
        user_ids = [str(u) for u in pd.unique(inter["user_id"])]
        users = inter["user_id"].map({u: n for n, u in enumerate(user_ids)}).to_numpy(np.int64)
        items = inter["item_id"].map({v: n for n, v in enumerate(item_ids)}).to_numpy(np.int64)
        weights = inter["event"].map(event_weights).fillna(1.0).to_numpy(np.float32)
        pairs = pd.DataFrame({"u": users, "i": items, "w": weights}).groupby(["u", "i"])["w"].max()
        matrix = sp.csr_matrix(
            (pairs.to_numpy(np.float32), (pairs.index.get_level_values(0), pairs.index.get_level_values(1))),
            shape=(len(user_ids), len(item_ids)), dtype=np.float32)
        matrix.sort_indices()
        table = dataset.items.drop_duplicates("item_id").set_index("item_id").reindex(item_ids)
        known_users = set(user_ids)
        cold = {str(r.user_id): [str(i) for i in r.interests] for r in dataset.users.itertuples()
                if r.user_id not in known_users and isinstance(r.interests, list | np.ndarray)
                and len(r.interests)}
        indptr, sequence = _sequences(inter, users, items, len(user_ids))
        return cls(dataset=dataset, user_ids=user_ids, item_ids=item_ids, matrix=matrix,
                   sequence_indptr=indptr, sequence_items=sequence, ratings=_ratings(inter, users, items), item_table=table,
                   interests=InterestIndex.from_items(table), cold_users=cold)

    def rows(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(user row, item row) of the pairs in ``frame`` whose user and item are both known."""
        users = frame["user_id"].map({u: n for n, u in enumerate(self.user_ids)})
        items = frame["item_id"].map({v: n for n, v in enumerate(self.item_ids)})
        ok = (users.notna() & items.notna()).to_numpy()
        return users[ok].to_numpy(np.int64), items[ok].to_numpy(np.int64)


def _sequences(inter: pd.DataFrame, users: np.ndarray, items: np.ndarray,
               n_users: int) -> tuple[np.ndarray, np.ndarray]:
    times = pd.to_datetime(inter["timestamp"], utc=True).array.asi8  # NaT: the smallest int64
    frame = pd.DataFrame({"u": users, "i": items, "t": times, "row": np.arange(len(users))})
    frame = frame.sort_values(["u", "t", "row"]).drop_duplicates(["u", "i"], keep="first")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(frame["u"], minlength=n_users))])
    return indptr.astype(np.int64), frame["i"].to_numpy(np.int32)


def _ratings(inter: pd.DataFrame, users: np.ndarray, items: np.ndarray):
    rated = inter["rating"].notna().to_numpy()
    times = pd.to_datetime(inter["timestamp"], utc=True).array.asi8  # NaT: the smallest int64
    frame = pd.DataFrame({"u": users[rated], "i": items[rated], "r": inter["rating"].to_numpy()[rated],
                          "t": times[rated]})
    frame = frame.sort_values("t", kind="stable").drop_duplicates(["u", "i"], keep="last")
    return (frame["u"].to_numpy(np.int64), frame["i"].to_numpy(np.int64),
            frame["r"].to_numpy(np.float32))


def item_texts(row) -> list[str]:
    """The short texts that describe an item: title, category levels, attribute values, brand."""
    texts = [row.title, row.brand] if isinstance(row.title, str) else [row.brand]
    if isinstance(row.category, list | np.ndarray):
        texts.extend(row.category)
    attrs = load_json(row.attributes) if isinstance(row.attributes, str) else {}
    for value in attrs.values():
        texts.extend(value if isinstance(value, list) else [value])
    return [t for t in texts if isinstance(t, str) and t.strip()]


def text_tokens(texts: Iterable[str]) -> set[str]:
    """Lower-cased word tokens of ``texts`` (punctuation dropped)."""
    out = set()
    for text in texts:
        out.update(t.lower() for t in tokenize(str(text)) if any(c.isalnum() for c in t))
    return out


def item_features(row) -> list[str]:
    """Categorical features of an item: category levels, attribute values, brand, price band."""
    out = [f"category={c}" for c in (row.category if isinstance(row.category, list | np.ndarray) else [])]
    attrs = load_json(row.attributes) if isinstance(row.attributes, str) else {}
    for key, value in attrs.items():
        values = value if isinstance(value, list) else [value]
        out += [f"{key}={str(v).strip().lower()}" for v in values if len(str(v)) <= 60]
    if isinstance(row.brand, str) and row.brand.strip():
        out.append(f"brand={row.brand.strip().lower()}")
    if isinstance(row.price, float) and row.price == row.price and row.price >= 0:
        out.append(f"price={int(math.log2(1 + row.price))}")
    return out


def feature_index(table: pd.DataFrame, min_count: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Feature vocabulary and the features of each catalog item as CSR arrays."""
    per_item = [sorted(set(item_features(row))) for row in table.itertuples(index=False)]
    counts = pd.Series([f for feats in per_item for f in feats], dtype=object).value_counts()
    vocab = sorted(counts[counts >= min_count].index)
    index = {f: n for n, f in enumerate(vocab)}
    rows = [[index[f] for f in feats if f in index] for feats in per_item]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.array([f for r in rows for f in r], dtype=np.int32)
    return vocab, indptr, indices


class InterestIndex:
    """token -> items posting lists with idf weights, for matching declared interests."""

    def __init__(self, tokens: list[str], indptr: np.ndarray, items: np.ndarray, idf: np.ndarray,
                 n_items: int):
        self.tokens = tokens
        self._token_index = {t: n for n, t in enumerate(tokens)}
        self.indptr, self.items, self.idf, self.n_items = indptr, items, idf, n_items

    @classmethod
    def from_items(cls, table: pd.DataFrame) -> InterestIndex:
        postings: dict[str, list[int]] = {}
        for n, row in enumerate(table.itertuples(index=False)):
            for token in text_tokens(item_texts(row)):
                postings.setdefault(token, []).append(n)
        tokens = sorted(postings)
        lengths = np.array([len(postings[t]) for t in tokens], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        items = np.array([i for t in tokens for i in postings[t]], dtype=np.int32)
        idf = np.log1p(len(table) / np.maximum(lengths, 1)).astype(np.float32)
        return cls(tokens, indptr, items, idf, len(table))

    @classmethod
    def from_arrays(cls, tokens: list[str], arrays: Mapping[str, np.ndarray], n_items: int) -> InterestIndex:
        return cls(tokens, arrays["token_indptr"], arrays["token_items"], arrays["token_idf"], n_items)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"token_indptr": self.indptr, "token_items": self.items, "token_idf": self.idf}

    def match(self, interests: Sequence[str]) -> np.ndarray:
        """float32 (n_items,) in [0, 1]: idf-weighted share of the interest words an item has."""
        out = np.zeros(self.n_items, dtype=np.float32)
        known = [self._token_index[t] for t in text_tokens(interests) if t in self._token_index]
        for t in known:
            out[self.items[self.indptr[t]:self.indptr[t + 1]]] += self.idf[t]
        total = float(sum(self.idf[t] for t in known))
        return out / total if total > 0 else out

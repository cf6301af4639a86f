"""Seeded (user, item) requests from the real data sets the project was not tuned on, shared by the judgement
pool (``benchmarks.judgement_pool``, seed 0) and the LLM measurements on real data (``benchmarks.llm_real``).

Each builder returns a ``Source``: the data set (for the guard's catalog and fallback), the requests, the
training examples a generator may learn from (none where the data has no references) and the references of
the requests (None where there are none).

* ``giftcards``: Amazon gift cards 2018 (reviews + metadata). It has no references: each user's last
  interaction is held out and the request, the rest is their history.
* ``clothing``: women's clothing reviews. The data has no user ids: each reviewer is one user whose history is
  their one review, and the request is another item of the same class.
* ``zh_shopping``: the Chinese online-shopping reviews (10 categories, no users, no products): one item per
  category (its aspects mined from that category's reviews) and pseudo-users of three reviews each from
  random categories. A labelled synthetic grouping of real text.
"""

from __future__ import annotations

import json
import random
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from benchmarks._common import load_dataset, shared_data
from recreason.data.dataset import Dataset
from recreason.reasons.base import ReasonRequest, TrainingExample
from recreason.reasons.examples import RequestBuilder


@dataclass
class Source:
    name: str
    dataset: Dataset
    requests: list[ReasonRequest]
    train: list[TrainingExample] = field(default_factory=list)
    references: list[str] | None = None


def dataset_source(name: str, dataset: Dataset, n: int, seed: int = 0, lang: str | None = None) -> Source:
    """Requests of a data set with references (a seeded share held out), or, without references, each
    user's last interaction held out (a seeded sample of them)."""
    builder = RequestBuilder(dataset)
    examples = builder.examples(None)
    if lang:
        examples = [e for e in examples if str(e.request.lang) == lang]
    random.Random(seed).shuffle(examples)
    test, train = examples[:n], examples[n:]
    if test:
        return Source(name, dataset, [e.request for e in test], train, [e.text for e in test])
    inter = dataset.interactions.sort_values("timestamp", kind="stable").copy()
    last = inter[inter["user_id"].duplicated(keep="first")].drop_duplicates("user_id", keep="last")
    inter.loc[last.index, "split"] = "test"
    held = Dataset(dataset.items, dataset.users, inter.sort_index(), dataset.references, name=dataset.name)
    builder = RequestBuilder(held)
    rows = last.sample(min(n, len(last)), random_state=seed)
    return Source(name, held, [builder.request(u, i) for u, i in zip(rows["user_id"], rows["item_id"])])


def giftcards(n: int, seed: int = 0) -> Source:
    return dataset_source("giftcards", load_dataset(shared_data("amazon-giftcards-2018")), n, seed)


def clothing(n: int, folder: Path, seed: int = 0) -> Source:
    raw = pd.read_parquet(shared_data("womens-clothing-reviews", "WomensClothingE-CommerceReviews.parquet.brotli"))
    raw = raw.dropna(subset=["Review Text", "Class Name"])
    raw["item"] = raw["Clothing ID"].astype(str)
    items = raw.groupby("item").agg(cls=("Class Name", "first"), dept=("Department Name", "first"),
                                    div=("Division Name", "first"), n=("Review Text", "size")).reset_index()
    items = items[items["n"] >= 5]
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"item_id": items["item"], "title": items["cls"] + " " + items["item"],
                  "category": [[d, c] for d, c in zip(items["dept"], items["cls"])],
                  "attributes": [json.dumps({"division": v, "department": d, "class": c})
                                 for v, d, c in zip(items["div"], items["dept"], items["cls"])],
                  "language": "en"}).to_json(folder / "items.jsonl", orient="records", lines=True)
    known = set(items["item"])
    rev = raw[raw["item"].isin(known)].reset_index(drop=True)
    pd.DataFrame({"user_id": "r" + rev.index.astype(str), "item_id": rev["item"], "event": "review",
                  "rating": rev["Rating"].astype(float), "review": rev["Title"].fillna("") + ". " + rev["Review Text"],
                  "split": "train"}).to_json(folder / "interactions.jsonl", orient="records", lines=True)
    dataset = load_dataset(folder)
    builder = RequestBuilder(dataset)
    rng = random.Random(seed)
    by_class = defaultdict(list)
    for iid, c in zip(items["item"], items["cls"]):
        by_class[c].append(iid)
    reqs = []
    for j in rng.sample(range(len(rev)), n * 3):
        others = [i for i in by_class[rev["Class Name"].iat[j]] if i != rev["item"].iat[j]]
        if others and len(reqs) < n:
            reqs.append(builder.request("r" + str(j), rng.choice(others), language="en"))
    return Source("clothing", dataset, reqs)


def zh_shopping(n: int, folder: Path, seed: int = 0) -> Source:
    with zipfile.ZipFile(shared_data("zh-online-shopping-10cats", "online_shopping_10_cats.zip")) as z, \
            z.open("online_shopping_10_cats.csv") as f:
        raw = pd.read_csv(f).dropna(subset=["review"])
    rng = random.Random(seed)
    raw = raw.sample(frac=1.0, random_state=0).groupby("cat").head(400).reset_index(drop=True)
    cats = sorted(raw["cat"].unique())
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"item_id": [f"cat-{c}" for c in cats], "title": cats, "category": [[c] for c in cats],
                  "language": "zh"}).to_json(folder / "items.jsonl", orient="records", lines=True, force_ascii=False)
    users = [f"u{k}" for k in range(len(raw) // 3)]
    inter = pd.DataFrame({"user_id": [users[k // 3] for k in range(len(users) * 3)],
                          "item_id": [f"cat-{c}" for c in raw["cat"].iloc[: len(users) * 3]],
                          "event": "review", "rating": [5.0 if v else 2.0 for v in raw["label"].iloc[: len(users) * 3]],
                          "review": raw["review"].iloc[: len(users) * 3].str.slice(0, 400), "split": "train"})
    inter.to_json(folder / "interactions.jsonl", orient="records", lines=True, force_ascii=False)
    dataset = load_dataset(folder)
    builder = RequestBuilder(dataset)
    reqs = [builder.request(rng.choice(users), f"cat-{rng.choice(cats)}", language="zh") for _ in range(n)]
    return Source("zh-shopping", dataset, reqs)

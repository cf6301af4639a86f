"""The synthetic sample: deterministic, well-formed, and true to its own items and users."""

from __future__ import annotations

import csv
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recreason.data.schema import TABLES, load_json
from recreason.sample import (
    SEED_INTEREST,
    SEED_ITEM_ID,
    SEED_USER_ID,
    build_sample,
    catalog,
    reviews,
    write_sample,
)
from recreason.sample.catalog import CATEGORIES, LANGS, VOCAB, category_of, polarity
from recreason.sample.review_frames import FRAMES
from recreason.text import detect

SMALL = {"n_users": 300, "n_items": 100}


@pytest.fixture(scope="module")
def small():
    return build_sample(seed=7, **SMALL)


@pytest.fixture(scope="module")
def full():
    start = time.perf_counter()
    ds = build_sample()
    return ds, time.perf_counter() - start


def _items_by_id(ds):
    return {r.item_id: r for r in ds.items.itertuples(index=False)}


def _qualities(item) -> dict[str, float]:
    cat = category_of(item.category)
    return catalog.aspect_qualities(cat, item.language, load_json(item.attributes), item.price)


# -- determinism and size ----------------------------------------------------------------------------

def test_same_seed_gives_identical_tables_and_other_seed_differs(small):
    again = build_sample(seed=7, **SMALL)
    for t in TABLES:
        pd.testing.assert_frame_equal(small.table(t), again.table(t))
    other = build_sample(seed=8, **SMALL)
    assert not small.interactions.equals(other.interactions)


def test_write_sample_is_byte_for_byte_reproducible(tmp_path):
    a = write_sample(tmp_path / "a", seed=3, **SMALL)
    b = write_sample(tmp_path / "b", seed=3, **SMALL)
    assert set(a) == set(TABLES)
    for t in TABLES:
        assert a[t].read_bytes() == b[t].read_bytes(), t
    assert (tmp_path / "a" / "README.md").read_bytes() == (tmp_path / "b" / "README.md").read_bytes()


def test_default_size_counts_and_speed(full):
    ds, seconds = full
    c = ds.counts()
    assert ds.name == "sample"
    assert c["users"] == 3000 and c["items"] == 600
    assert 60_000 <= c["interactions"] <= 150_000
    assert 1_000 <= c["references"] <= 10_000
    assert {category_of(p).id for p in ds.items["category"]} == {cat.id for cat in CATEGORIES}
    events = ds.interactions["event"].value_counts()
    assert events["view"] > events["click"] > events["cart"] > events["purchase"] > events["review"] > 0
    assert seconds < 5.0, f"default sample took {seconds:.1f} s"


def test_small_sizes_are_honoured(small):
    assert len(small.users) == 300 and len(small.items) == 100
    with pytest.raises(ValueError):
        build_sample(n_items=5)


# -- integrity -------------------------------------------------------------------------------------------

def test_every_row_refers_to_existing_users_and_items(small):
    users, items = set(small.users["user_id"]), set(small.items["item_id"])
    assert small.users["user_id"].is_unique and small.items["item_id"].is_unique
    for df in (small.interactions, small.references):
        assert set(df["user_id"]) <= users
        assert set(df["item_id"]) <= items


def test_funnel_order_ratings_and_splits(small):
    df = small.interactions
    assert set(df["event"]) <= {"view", "click", "cart", "purchase", "rate", "review"}
    rated = df["rating"].notna()
    assert (rated == df["event"].isin(["rate", "review"])).all()
    assert set(df.loc[rated, "rating"]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert (df["review"].notna() == (df["event"] == "review")).all()
    ts = df["timestamp"]
    assert ts.min() >= pd.Timestamp("2024-01-03", tz="UTC") and ts.max() <= pd.Timestamp("2024-07-01", tz="UTC")
    first = df.groupby(["user_id", "item_id", "event"])["timestamp"].min().unstack()
    bought = first["purchase"].notna()
    assert (first.loc[bought, "cart"] < first.loc[bought, "purchase"]).all()
    assert (first.loc[bought, "click"] < first.loc[bought, "cart"]).all()
    for ev in ("rate", "review"):
        has = first[ev].notna()
        assert (first.loc[has, "purchase"] < first.loc[has, ev]).all()
    split_by_time = np.where(ts >= pd.Timestamp("2024-06-16", tz="UTC"), "test",
                             np.where(ts >= pd.Timestamp("2024-06-01", tz="UTC"), "valid", "train"))
    assert (df["split"].to_numpy() == split_by_time).all()
    contexts = {json.dumps(load_json(c), sort_keys=True) for c in df["context"].unique()}
    for c in map(json.loads, contexts):
        assert c["scene"] in {"home_feed", "search", "detail_page", "cart"} and c["device"] in {"ios", "android", "web"}


def test_records_validate_against_the_native_models(small):
    assert small.item(SEED_ITEM_ID).language == "zh"
    assert small.user(SEED_USER_ID).interests == [SEED_INTEREST]
    for item_id in small.items["item_id"][:20]:
        assert small.item(item_id).price > 0


# -- content ------------------------------------------------------------------------------------------------

def test_seed_case_is_present(small):
    item = small.item(SEED_ITEM_ID)
    assert item.title == "最新款智能手机" and item.category == ["数码", "手机"]
    for key in ("处理器", "屏幕", "续航", "相机", "电池"):
        assert re.search(r"\d", item.attributes[key]), key
    user = small.user(SEED_USER_ID)
    assert SEED_INTEREST in user.interests and user.language == "zh"
    mine = small.user_interactions(SEED_USER_ID)
    bought = mine.loc[mine["event"] == "purchase", "item_id"]
    cats = {small.item(i).category[0] for i in bought}
    assert len(set(bought)) >= 4 and cats == {"数码"}
    assert SEED_ITEM_ID not in set(mine["item_id"])
    assert (mine["split"] == "train").sum() >= 10


def test_reviews_mention_true_aspects_consistent_with_rating(small):
    items = _items_by_id(small)
    langs = dict(zip(small.users["user_id"], small.users["language"], strict=True))
    rows = small.interactions[small.interactions["event"] == "review"]
    assert len(rows) >= 50
    for r in rows.itertuples(index=False):
        item = items[r.item_id]
        cat = category_of(item.category)
        lang = langs[r.user_id]
        said = reviews.mentions(r.review, lang, cat)
        assert 1 <= len(said) <= 2, r.review
        qualities = _qualities(item)
        for aspect, pol in said:
            assert pol == polarity(qualities[aspect]), (r.review, aspect, qualities[aspect])
        pols = {p for _, p in said}
        if r.rating >= 4:
            assert "neg" not in pols, r.review
        if r.rating <= 2:
            assert "pos" not in pols, r.review
        for quoted in re.findall(r"\d+(?:\.\d+)?(?:mAh|kg|g)(?![A-Za-z])", r.review):
            assert quoted in item.attributes, (r.review, item.attributes)
        assert detect(r.review) == lang, r.review


def test_ratings_follow_item_quality(full):
    ds, _ = full
    items = {r.item_id: catalog.core_quality(_qualities(r)) for r in ds.items.itertuples(index=False)}
    rated = ds.interactions.dropna(subset=["rating"])
    core = rated["item_id"].map(items)
    assert np.corrcoef(core, rated["rating"])[0, 1] > 0.15
    assert rated["rating"].value_counts().get(1.0, 0) + rated["rating"].value_counts().get(2.0, 0) > 0


def test_languages_are_mixed(full):
    ds, _ = full
    for df in (ds.items, ds.users, ds.references):
        share = (df["language"] == "zh").mean()
        assert 0.35 < share < 0.65
    items = _items_by_id(ds)
    for r in ds.items.itertuples(index=False):
        assert detect(r.title + r.description) == r.language, r.title
    assert set(ds.items.groupby("language")["category"].apply(lambda s: len({category_of(p).id for p in s}))) == {10}
    assert all(detect(t) == "en" for t in ds.references.loc[ds.references["language"] == "en", "text"])
    assert items[SEED_ITEM_ID].language == "zh"


def test_cold_start_and_declared_interests(small, full):
    ds, _ = full
    active = set(ds.interactions["user_id"])
    declared = ds.users[ds.users["interests"].map(len) > 0]
    cold = declared[~declared["user_id"].isin(active)]
    assert 20 <= len(cold) <= 150
    assert set(ds.users["user_id"]) - active == set(cold["user_id"])  # only cold-start users have no behaviour
    assert 0.15 < len(declared) / len(ds.users) < 0.3
    assert (ds.users["demographics"].notna().mean()) > 0.3
    assert set(small.users["user_id"]) - set(small.interactions["user_id"])  # small samples have them too
    phrases = {p for cat in CATEGORIES for i in (0, 1) for p in cat.fans[i]}
    phrases |= {v["care"] for lang in LANGS for v in VOCAB[lang].values()}
    for interests, lang in zip(declared["interests"], declared["language"], strict=True):
        assert set(interests) <= phrases
        assert all(detect(x) == lang for x in interests)


def test_references_quote_a_good_attribute_and_a_user_interest(small):
    items = _items_by_id(small)
    users = {r.user_id: r for r in small.users.itertuples(index=False)}
    noun_to_aspect = {lang: {v["noun"]: a for a, v in VOCAB[lang].items()} for lang in LANGS}
    interests = {p for cat in CATEGORIES for i in (0, 1) for p in cat.fans[i]}
    interests |= {v["care"] for lang in LANGS for v in VOCAB[lang].values()}
    assert len(small.references) >= 30
    for r in small.references.itertuples(index=False):
        item = items[r.item_id]
        assert r.language == item.language == users[r.user_id].language and r.sentiment == 1
        assert r.feature in r.text.lower() and r.opinion in r.text.lower()
        aspect = noun_to_aspect[r.language][r.feature]
        assert polarity(_qualities(item)[aspect]) == "pos"
        cat = category_of(item.category)
        key = catalog.aspect_key(cat, aspect, r.language)
        attrs = load_json(item.attributes)
        value = (catalog.format_price(item.price, r.language) if aspect == "value"
                 else catalog.quote_value(attrs[key], r.language))
        assert value in r.text, (r.text, value)
        assert any(i in r.text for i in interests), r.text
        bought = small.interactions[(small.interactions["user_id"] == r.user_id)
                                    & (small.interactions["item_id"] == r.item_id)]
        assert "purchase" in set(bought["event"])


# -- vocabulary ---------------------------------------------------------------------------------------------

def test_vocabulary_is_complete_and_unambiguous():
    for lang in LANGS:
        phrases = [(a, p, s) for a, v in VOCAB[lang].items() for p in ("pos", "mid", "neg") for s in v[p]]
        for cat in CATEGORIES:
            for aspect in cat.aspects:
                v = VOCAB[lang][aspect]
                assert v["noun"] and v["care"] and v["ref"] and v["pos"] and v["mid"] and v["neg"]
        for a, p, s in phrases:
            found = [(a2, p2) for a2, p2, s2 in phrases if s.lower() in s2.lower() or s2.lower() in s.lower()]
            assert found == [(a, p)], (lang, s, found)
        frames = [f for kind in FRAMES[lang].values() for group in kind.values() for f in group]
        for f in frames:
            assert not reviews.mentions(f, lang), (lang, f)


def test_every_attribute_value_reads_back_to_one_quality():
    for cat in CATEGORIES:
        for attr in cat.attrs:
            if attr.follows:
                continue
            for li in (0, 1):
                table = catalog._value_table(cat.id, attr.id, li)
                assert table and all(q is None or 0 <= q <= 1 for q in table.values())


# -- raw files ------------------------------------------------------------------------------------------------

def test_write_sample_files_parse_and_match_the_dataset(tmp_path, small):
    paths = write_sample(tmp_path, seed=7, **SMALL)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
    rows = {t: [json.loads(line) for line in paths[t].read_text(encoding="utf-8").splitlines()]
            for t in ("items", "users", "references")}
    with open(paths["interactions"], encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows["interactions"] = [dict(zip(header, r, strict=True)) for r in reader]
    assert header == ["user_id", "item_id", "event", "rating", "review", "timestamp", "context", "split"]
    for t in TABLES:
        assert len(rows[t]) == len(small.table(t)), t
    assert set(rows["items"][0]) == {"item_id", "title", "category", "attributes", "description", "price", "brand",
                                     "language"}
    assert set(rows["users"][0]) == {"user_id", "interests", "demographics", "profile_text", "language"}
    assert set(rows["references"][0]) == {"user_id", "item_id", "text", "feature", "opinion", "sentiment", "split",
                                          "language"}
    seed = next(r for r in rows["items"] if r["item_id"] == SEED_ITEM_ID)
    assert seed["title"] == "最新款智能手机" and isinstance(seed["attributes"], dict)
    for r in rows["interactions"]:
        assert r["timestamp"].endswith("Z") and pd.Timestamp(r["timestamp"]).tzinfo is not None
        assert set(json.loads(r["context"])) == {"scene", "device"}
        assert r["rating"] == "" or r["rating"] in {"1", "2", "3", "4", "5"}
    reviews_csv = [r["review"] for r in rows["interactions"] if r["review"]]
    assert reviews_csv == list(small.interactions["review"].dropna())


def test_written_files_ingest_back_to_the_same_dataset(tmp_path, small):
    from recreason.data.ingest import ingest

    write_sample(tmp_path, seed=7, **SMALL)
    report = ingest(Path(tmp_path))
    assert report.rejected == 0
    for t in TABLES:
        pd.testing.assert_frame_equal(report.dataset.table(t).reset_index(drop=True),
                                      small.table(t).reset_index(drop=True), check_dtype=False)

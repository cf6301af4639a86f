"""The contract every registered ranker passes (one test module, parametrized over the registry)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recreason.rank import RANKERS, NotFittedError, Ranker, Recommendations, UnknownIdError, load_ranker
from recreason.rank.als import has_implicit

#: small settings so the whole contract runs in seconds
FAST = {
    "embedding": {"dim": 8, "hidden": (8,), "epochs": 3, "negatives": 8, "batch_size": 64},
    "popularity": {},
    "itemknn": {"neighbors": 10},
    "als": {"factors": 4, "iterations": 3, "threads": 1},
}


def _params():
    for name in RANKERS:
        marks = [pytest.mark.skipif(not has_implicit(), reason="optional package implicit not installed")] \
            if name == "als" else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.fixture(scope="module", params=list(_params()))
def fitted(request, small_dataset) -> Ranker:
    name = request.param
    return RANKERS[name](**FAST[name], seed=3).fit(small_dataset)


def test_registry_covers_the_contract():
    assert set(FAST) == set(RANKERS)


def test_save_load_round_trip_gives_identical_scores(fitted, tmp_path):
    folder = fitted.save(tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "ids.json", "weights.safetensors"]
    config = json.loads((folder / "config.json").read_text())
    assert config["ranker"] == fitted.name and "numpy" in config["versions"]
    for loaded in (type(fitted).load(folder), Ranker.load(folder), load_ranker(folder)):
        assert type(loaded) is type(fitted)
        users = ["u0", "u5", "u17"]
        assert np.array_equal(loaded.score(users), fitted.score(users))
        assert loaded.recommend("u3", k=5) == fitted.recommend("u3", k=5)
        assert loaded.recommend("newcomer", k=5) == fitted.recommend("newcomer", k=5)


def test_batch_and_single_calls_agree(fitted):
    users = ["u1", "u2", "u9"]
    batch = fitted.score(users)
    assert batch.shape == (3, len(fitted.item_ids))
    for row, user in zip(batch, users, strict=True):
        np.testing.assert_allclose(row, fitted.score(user), rtol=1e-5, atol=1e-6)
    for together, alone in zip(fitted.recommend_batch(users, k=4), [fitted.recommend(u, k=4) for u in users],
                               strict=True):  # BLAS may round a batch differently in the last bit
        assert [i for i, _ in together] == [i for i, _ in alone]
        np.testing.assert_allclose([s for _, s in together], [s for _, s in alone], rtol=1e-5, atol=1e-6)
    items = ["i3", "i0"]
    np.testing.assert_allclose(fitted.score("u1", items), batch[0, fitted.item_ids.indices(items)],
                               rtol=1e-5, atol=1e-6)
    assert isinstance(fitted.score("u1", "i3"), float)


def test_recommendations_are_sorted_known_items(fitted):
    recs = fitted.recommend("u4", k=6)
    assert isinstance(recs, Recommendations) and recs.source == "model"
    assert len(recs) == 6 and len({i for i, _ in recs}) == 6
    scores = [s for _, s in recs]
    assert scores == sorted(scores, reverse=True)
    assert all(i in fitted.item_ids for i, _ in recs)


def test_exclude_seen(fitted):
    n = len(fitted.item_ids)
    seen = set(fitted.seen_items("u6"))
    assert seen
    everything = fitted.recommend("u6", k=n)
    assert seen.isdisjoint(i for i, _ in everything)
    assert len(everything) == n - len(seen)
    with_seen = fitted.recommend("u6", k=n, exclude_seen=False)
    assert seen <= {i for i, _ in with_seen}


def test_exclude_only_stronger_events(fitted, small_dataset):
    inter = small_dataset.interactions
    mine = inter[inter["user_id"] == "u6"]
    viewed = set(mine.loc[mine["event"] == "view", "item_id"])
    bought = set(mine.loc[mine["event"].isin(["purchase", "rate"]), "item_id"])
    assert viewed and bought
    fitted.config.exclude_from = "purchase"
    try:
        shown = {i for i, _ in fitted.recommend("u6", k=len(fitted.item_ids))}
    finally:
        fitted.config.exclude_from = "view"
    assert viewed <= shown and not bought & shown


def test_cold_start_with_interests(fitted):
    recs = fitted.recommend("someone-new", k=5, interests=["Sci-Fi"])
    assert recs.source == "interests"
    assert all(int(i[1:]) % 4 == 3 for i, _ in recs)  # the sci-fi items of the planted data
    stored = fitted.recommend("newcomer", k=5)  # declared "horror" in the users table
    assert stored.source == "interests" and all(int(i[1:]) % 4 == 2 for i, _ in stored)


def test_cold_start_without_interests_is_popularity(fitted):
    recs = fitted.recommend("someone-new", k=5)
    assert recs.source == "popular"
    top = np.argsort(-fitted._popularity, kind="stable")[:5]
    assert [s for _, s in recs] == sorted((float(s) for s in fitted._popularity[top] / fitted._popularity.max()),
                                          reverse=True)
    unmatched = fitted.recommend("someone-new", k=5, interests=["zzzz-no-such-word"])
    assert unmatched.source == "popular" and unmatched == recs


def test_unknown_ids_give_clear_errors(fitted):
    n_items, n_users = len(fitted.item_ids), len(fitted.user_ids)
    with pytest.raises(UnknownIdError) as err:
        fitted.score("u0", ["i1", "no-such-item"])
    assert str(err.value) == f"unknown item id 'no-such-item' (the ranker was trained on {n_items} items)"
    assert isinstance(err.value, KeyError)
    with pytest.raises(UnknownIdError, match=rf"unknown user id 'ghost' \(the ranker was trained on {n_users} users\)"):
        fitted.score("ghost")
    with pytest.raises(UnknownIdError, match="unknown user id 'ghost'"):
        fitted.recommend("ghost", on_unknown="error")
    assert fitted.score("ghost", on_unknown="popular").shape == (n_items,)
    with pytest.raises(ValueError, match="on_unknown"):
        fitted.recommend("ghost", on_unknown="maybe")


def test_items_without_interactions_are_ranked(fitted):
    cold = fitted.item_ids.indices(["i39", "i38"])  # planted_dataset leaves the last items untouched
    assert fitted._popularity[cold].sum() == 0
    assert np.isfinite(fitted.score("u0")[cold]).all()


def test_same_seed_same_model(fitted, small_dataset):
    again = type(fitted)(**FAST[fitted.name], seed=3).fit(small_dataset)
    np.testing.assert_allclose(again.score(["u0", "u7"]), fitted.score(["u0", "u7"]), rtol=1e-6, atol=1e-7)


def test_unfitted_ranker_says_so(fitted):
    with pytest.raises(NotFittedError, match="fit"):
        type(fitted)().recommend("u0")


def test_load_rejects_a_missing_artifact(fitted, tmp_path):
    from recreason.rank import ArtifactError

    with pytest.raises(ArtifactError, match="not a ranker artifact"):
        type(fitted).load(tmp_path / "nothing-here")


def test_forget_unlinks_a_user_and_leaves_the_others(fitted, tmp_path):
    model = Ranker.load(fitted.save(tmp_path / "before"))  # a copy: the fitted fixture is shared
    others = {u: model.recommend(u, k=5) for u in ("u1", "u2")}
    assert model.forget(["u3", "nobody"]) == ["u3"]
    assert "u3" not in model.user_ids and model.forget(["u3"]) == []
    assert model.recommend("u3", k=5).source == "popular"  # served as someone it never saw
    folder = model.save(tmp_path / "after")
    assert '"u3"' not in (folder / "ids.json").read_text()
    again = Ranker.load(folder)
    for user, recs in others.items():
        assert [i for i, _ in again.recommend(user, k=5)] == [i for i, _ in recs]
        assert sorted(again.seen_items(user)) == sorted(fitted.seen_items(user))

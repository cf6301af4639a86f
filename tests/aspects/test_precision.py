"""Aspect extraction against the hand-labelled sentences in tests/data/aspects (both languages).

The floors sit a little under the measured figures (benchmarks/aspect_precision.py prints them):
they catch a real regression, not a one-sentence wobble. Lexicons were tuned on split "tune"
only, so the "heldout" floors are the honest ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recreason.aspects.evaluate import check_labels, load_labels, score

DATA = Path(__file__).resolve().parents[1] / "data" / "aspects"
REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
LANGS = ("en", "zh")
PRECISION = 0.8
RECALL = {"all": 0.65, "heldout": 0.6}
SENTIMENT = 0.85


@pytest.fixture(scope="module", params=LANGS)
def labelled(request) -> tuple[str, list[dict]]:
    return request.param, load_labels(DATA / f"labels_{request.param}.jsonl")


def test_labels_are_well_formed(labelled):
    _lang, records = labelled
    assert len(records) >= 120
    assert {r["split"] for r in records} == {"tune", "heldout"}
    assert abs(sum(r["split"] == "tune" for r in records) * 2 - len(records)) <= 1
    assert sum(not r["features"] for r in records) >= len(records) // 4  # sentences with no aspect
    for r in records:
        assert set(r["features"]) == set(r["sentiments"]), r
        assert set(r["sentiments"].values()) <= {-1, 0, 1}, r
        for feature in r["features"]:  # gold features are copied as written
            assert feature.lower() in r["sentence"].lower(), (feature, r["sentence"])


@pytest.mark.parametrize("split", ["all", "heldout"])
def test_precision_recall_sentiment(labelled, split):
    lang, records = labelled
    chosen = [r for r in records if split == "all" or r["split"] == split]
    result = score(chosen, lang)
    summary = f"{lang}/{split}: {result.as_dict()}"
    assert result.precision >= PRECISION, summary
    assert result.recall >= RECALL[split], summary
    assert result.sentiment_accuracy >= SENTIMENT, summary
    assert result.empty_with_output <= result.empty_sentences * 0.1, summary


@pytest.mark.shared
@pytest.mark.parametrize("lang", LANGS)
def test_labelled_files_match_the_reproducible_draw(lang):
    if not SHARED.is_dir():
        pytest.skip("needs ../shared/data")
    assert check_labels(lang, DATA / f"labels_{lang}.jsonl", SHARED) == []

"""Unit tests for aspect extraction (recreason.aspects): concrete sentences in both languages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recreason.aspects import Aspect, best_template, en, extract, extract_many, lexicon, zh
from recreason.aspects.evaluate import matches


def pairs(text: str, lang: str | None = None) -> dict[str, int]:
    return {a.feature: a.sentiment for a in extract(text, lang)}


# --- English -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("The battery life is great.", {"battery life": 1}),
    ("The fabric is so soft and the fit is perfect.", {"fabric": 1, "fit": 1}),
    ("Very soft fabric and really comfy.", {"fabric": 1}),
    ("The staff were rude and the food was bland.", {"staff": -1, "food": -1}),
    ("the quality of the material is excellent.", {"quality": 1, "material": 1}),
    ("the material/pattern is really pretty.", {"material": 1, "pattern": 1}),
    ("i love the design and color choices.", {"design": 1, "color choice": 1}),
    ("It runs pretty true to size.", {"size": 1}),
    ("Friendly staff, delicious burgers, fries, and shakes.",
     {"staff": 1, "burger": 1, "fries": 1, "shake": 1}),
    ("the v-neck is just right", {"v-neck": 1}),
])
def test_english_aspects(text, expected):
    assert pairs(text, "en") == expected


@pytest.mark.parametrize(("text", "feature", "sentiment"), [
    ("The fabric is not soft.", "fabric", -1),
    ("The fabric isn't very soft at all.", "fabric", -1),
    ("The sleeves are too long.", "sleeve", -1),
    ("The sleeves are not too long.", "sleeve", 1),
    ("I did not like the color.", "color", -1),
    ("The prices are high.", "price", -1),
    ("Low prices and a wide selection.", "price", 1),
    ("Low prices and a wide selection.", "selection", 1),
    ("The neckline is small.", "neckline", 0),
    ("The service was average.", "service", 0),
])
def test_english_negation_and_direction(text, feature, sentiment):
    assert pairs(text, "en")[feature] == sentiment


@pytest.mark.parametrize("text", [
    "Great gift card!", "I love this dress.", "This product is great.", "My daughter loved it.",
    "I ordered the small.", "It was a great deal.", "Long sleeves and a blue color.",
])
def test_english_non_features(text):
    assert extract(text, "en") == []


def test_opinion_keeps_negation_and_too():
    (aspect,) = extract("The sleeves are too long.", "en")
    assert aspect.opinion == "too long"
    (aspect,) = extract("The fabric is not soft.", "en")
    assert aspect.opinion == "not soft"


# --- Chinese -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("屏幕很清晰，物流很快，质量不错，性价比高", {"屏幕": 1, "物流": 1, "质量": 1, "性价比": 1}),
    ("服务态度也不错,房间也还不错,就是设施较老", {"服务态度": 1, "房间": 1, "设施": -1}),
    ("发货速度、安装速度都快", {"发货速度": 1, "安装速度": 1}),
    ("太偏的地方，太糟糕的早餐。", {"地方": -1, "早餐": -1}),
    ("手机电池很耐用", {"电池": 1}),
    ("USB接口太少", {"USB接口": -1}),
    ("具有很强的针对性和可操作性", {"针对性": 1, "可操作性": 1}),
    ("扬声器比D系列好一点。", {"扬声器": 1}),
])
def test_chinese_aspects(text, expected):
    assert pairs(text, "zh") == expected


@pytest.mark.parametrize(("text", "feature", "sentiment"), [
    ("电池不耐用", "电池", -1),
    ("质量不太好", "质量", -1),
    ("服务态度不是很好", "服务态度", -1),
    ("并非质量问题", "质量", 1),
    ("价格有点贵", "价格", -1),
    ("价格便宜", "价格", 1),
    ("价格高", "价格", -1),
    ("分辨率这么低", "分辨率", -1),
    ("房间太小", "房间", -1),
    ("甜度一般", "甜度", 0),
    ("面料可以但是透气太差", "透气", -1),
    ("太太太不新鲜了，口感差差差", "口感", -1),
])
def test_chinese_negation_and_direction(text, feature, sentiment):
    assert pairs(text, "zh")[feature] == sentiment


@pytest.mark.parametrize("text", [
    "东西很好", "这本书很好看", "京东一如既往的好，值得信赖！", "可以看到大海", "比地摊货还差",
    "非常满意", "我老公很喜欢",
])
def test_chinese_non_features(text):
    assert extract(text, "zh") == []


# --- mixed, empty, garbage, API ----------------------------------------------------------------

def test_mixed_language_sentence_reads_both_parts():
    found = {(a.feature, a.lang, a.sentiment) for a in extract("屏幕很清晰, but the battery life is short.")}
    assert found == {("屏幕", "zh", 1), ("battery life", "en", -1)}


def test_mixed_language_text_routes_each_sentence():
    found = extract("The fabric is soft. 物流很快。")
    assert [(a.feature, a.lang) for a in found] == [("fabric", "en"), ("物流", "zh")]
    assert found[1].sentence == "物流很快。"


@pytest.mark.parametrize("text", ["", "   ", "!!!", "12345", "😀😀😀", "。。。", "\n\n", "asdf qwer zxcv"])
def test_empty_and_garbage(text):
    assert extract(text) == []
    assert best_template(text) is None


def test_non_string_input_gives_nothing():
    assert extract(None) == []  # type: ignore[arg-type]


def test_bad_language_is_an_error():
    with pytest.raises(ValueError):
        extract("good food", lang="fr")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_well_formed_aspects(text):
    for aspect in extract(text):
        assert aspect.feature and aspect.opinion
        assert aspect.sentiment in (-1, 0, 1)
        assert aspect.lang in ("en", "zh")
        assert aspect.sentence in text


def test_aspect_is_frozen_and_hashable():
    aspect = Aspect("fabric", "soft", 1, "The fabric is soft.", "en")
    assert aspect in {aspect}
    with pytest.raises(AttributeError):
        aspect.feature = "fit"  # type: ignore[misc]


def test_extract_many_matches_extract():
    texts = ["The fabric is soft.", "", "物流很快，包装很差", "Great gift!"]
    assert extract_many(texts) == [extract(t) for t in texts]
    assert extract_many(texts[2:3], lang="zh") == [extract(texts[2], "zh")]


def test_best_template_picks_the_informative_sentence():
    text = "Great gift. I wore it to work. The fabric is soft and the fit is perfect."
    feature, opinion, sentence, sentiment = best_template(text)
    assert (feature, opinion, sentence, sentiment) == (
        "fabric", "soft", "The fabric is soft and the fit is perfect.", 1)
    assert best_template("物流很快。屏幕很清晰，音质很好，电池耐用。")[2] == "屏幕很清晰，音质很好，电池耐用。"


def test_best_template_prefers_a_judged_aspect():
    assert best_template("The neckline is small but the color is gorgeous.")[0] == "color"


# --- rules and lexicons ------------------------------------------------------------------------

def test_sentiment_rule():
    up, down = lexicon.Opinion(0, "up"), lexicon.Opinion(0, "down")
    assert lexicon.sentiment(up, "-", negated=False, excess=False) == -1    # high price
    assert lexicon.sentiment(down, "-", negated=False, excess=False) == 1   # low price
    assert lexicon.sentiment(up, "+", negated=False, excess=False) == 1     # big screen
    assert lexicon.sentiment(down, "", negated=False, excess=True) == -1    # too small
    assert lexicon.sentiment(down, "", negated=True, excess=True) == 1      # not too small
    assert lexicon.sentiment(lexicon.Opinion(1), "", negated=True, excess=False) == -1


@pytest.mark.parametrize("name", ["en_opinion.txt", "zh_opinion.txt"])
def test_opinion_lexicons_are_real(name):
    table = lexicon.opinions(name)
    assert len(table) >= 400
    assert {op.polarity for op in table.values()} == {-1, 0, 1}
    assert sum(op.polarity > 0 for op in table.values()) >= 150
    assert sum(op.polarity < 0 for op in table.values()) >= 150


@pytest.mark.parametrize(("features", "nonfeatures"), [
    ("en_features.txt", "en_nonfeatures.txt"), ("zh_features.txt", "zh_nonfeatures.txt")])
def test_feature_lexicons_are_real_and_disjoint(features, nonfeatures):
    seeds, never = lexicon.features(features), lexicon.words(nonfeatures)
    assert len(seeds) >= 350 and len(never) >= 200
    assert not set(seeds) & never


def test_stopwords_are_real():
    from recreason.text import EN, ZH

    assert len(EN.stop_words) >= 300 and {"the", "and", "would"} <= EN.stop_words
    assert {"的", "了", "你"} <= ZH.stop_words


@pytest.mark.parametrize(("extracted", "gold", "lang", "expected"), [
    ("battery", "battery life", "en", True),
    ("prices", "price", "en", True),
    ("staff", "cool staff", "en", True),
    ("bat", "battery", "en", False),
    ("速度", "快递速度", "zh", True),
    ("电池", "手机电池", "zh", True),
    ("色", "颜色", "zh", False),
    ("价", "价", "zh", True),
    ("屏幕", "电池", "zh", False),
])
def test_matching_rule(extracted, gold, lang, expected):
    assert matches(extracted, gold, lang) is expected


def test_seed_lookup():
    assert en.is_seed("battery life") and not en.is_seed("dress")
    assert zh.is_seed("物流") and not zh.is_seed("东西")

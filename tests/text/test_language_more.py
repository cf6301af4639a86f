"""The Language methods and attributes the layers above use instead of branching on a language code."""

import re

import pytest

from recreason.text import EN, ZH, language


def test_spaced():
    assert EN.spaced and not ZH.spaced
    assert language("en-US").spaced and not language("zh-CN").spaced


def test_join_and_reads_a_list_as_one_phrase():
    assert EN.join_and(["red", "green", "blue"]) == "red, green and blue"
    assert EN.join_and(["red", "blue"]) == "red and blue"
    assert ZH.join_and(["红色", "绿色", "蓝色"]) == "红色、绿色、蓝色" == ZH.join(["红色", "绿色", "蓝色"])
    assert EN.join_and(["red"]) == ZH.join_and(["红色"]).replace("红色", "red") == "red"
    assert EN.join_and([]) == ZH.join_and(iter([])) == ""


def test_inline_label():
    assert EN.inline_label("Battery Life") == "battery life"
    assert ZH.inline_label("CPU型号") == "CPU型号"


def test_capitalize_sentences():
    assert EN.capitalize_sentences("great buy. the fit is good! and cheap? yes") == \
        "Great buy. The fit is good! And cheap? Yes"
    assert EN.capitalize_sentences("at $9.99, it is cheap") == "At $9.99, it is cheap"  # no space: no new sentence
    assert ZH.capitalize_sentences("iPhone 很好用. apple") == "iPhone 很好用. apple"


@pytest.mark.parametrize("phrase, text, found", [
    ("ice cream", "Their ice-cream is great", "ice-cream"),
    ("ice cream", "two ice creams", "ice creams"),
    ("taco", "tacos and salsa", "tacos"),
    ("tac", "tacos", None),  # whole words only
])
def test_english_phrase_pattern(phrase, text, found):
    m = re.search(EN.phrase_pattern(phrase), text.lower())
    assert (m.group(0) if m else None) == found


def test_chinese_phrase_pattern_is_the_phrase_as_written():
    assert ZH.phrase_pattern("屏幕(大)") == re.escape("屏幕(大)")
    assert re.search(ZH.phrase_pattern("屏幕"), "这款手机屏幕清晰").span() == (4, 6)


def test_clip_keeps_a_latin_word_with_digits_whole():
    # the digits of a model name are no number cut off from its unit: "S9" never becomes "S"
    text = "It has the Helix S9 octa-core chip and a bright screen"
    assert EN.clip(text, 5) == "It has the Helix S9"
    assert ZH.clip("处理器曜芯 S9 旗舰八核", 8) == "处理器曜芯 S9"
    assert EN.clip("It weighs 1.9 kg and folds flat", 3) == "It weighs"  # a bare number still goes

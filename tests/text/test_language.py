"""The text layer: one Language per language, the one length measure, clipping that keeps numbers whole."""

import copy
import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recreason.text import EN, ZH, detect, language, tokenize


@pytest.mark.parametrize("code, expected", [("zh", ZH), ("zh-CN", ZH), ("zh_Hans", ZH), ("ZH-tw", ZH), ("cn", ZH),
                                            ("Chinese", ZH), ("en", EN), ("en-US", EN), ("English", EN)])
def test_any_spelling_of_a_code_gives_the_language(code, expected):
    assert language(code) is expected


def test_unknown_or_missing_codes():
    assert language(None) is EN and language("") is EN and language("fr") is EN
    assert language(None, default=ZH) is ZH
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        language("fr", default=None)


def test_a_language_is_its_code():
    assert ZH == "zh" and EN == "en" and {"zh": 1}[ZH] == 1 and f"{ZH}" == "zh"
    assert json.dumps({"lang": ZH}) == '{"lang": "zh"}'
    assert pickle.loads(pickle.dumps(ZH)) is ZH and copy.deepcopy(EN) is EN


def test_detect():
    assert detect("屏幕很清晰，续航也不错") is ZH
    assert detect("The screen is sharp and the battery lasts") is EN
    assert detect("小米 Redmi Note 13 Pro 手机") is ZH  # Han weighted as words
    assert detect("12345", default=ZH) is ZH


def test_length_is_words_in_english_and_characters_in_chinese():
    assert EN.length("A light  chair for your hikes.") == 6
    assert ZH.length("续航 18 小时。") == 7
    assert EN.unit == "words" and ZH.unit == "characters"


@pytest.mark.parametrize("text, n, expected", [
    ("片长101分钟，适合周末观看", 3, "片长"),  # never "片长1"
    ("搭载3.2GHz处理器，续航长达18小时", 9, "搭载3.2GHz"),
    ("轻巧便携，续航长达18小时，屏幕清晰", 13, "轻巧便携，续航长达18小时"),
    ("轻巧便携，续航长达18小时，屏幕清晰", 12, "轻巧便携"),
    ("续航长达18小时", 6, "续航长达"),
    ("溯光 Z12 手机，续航长", 6, "溯光 Z12"),  # a model name keeps its digits ("Z12", never "Z1")
])
def test_chinese_clip_never_splits_a_number_or_a_latin_word(text, n, expected):
    out = ZH.clip(text, n)
    assert out == expected and ZH.length(out) <= n


def test_english_clip_prefers_a_clause_boundary():
    text = "It weighs 1.9 kg, folds flat in seconds and carries 120 kg without a creak"
    assert EN.clip(text, 8) == "It weighs 1.9 kg"
    assert EN.clip("It weighs 1.9 kg and folds flat", 3) == "It weighs"  # not "It weighs 1.9"
    assert EN.clip(text, 100) == text
    assert EN.clip("Supercalifragilistic", 0) == "Supercalifragilistic"  # one whole word, never an empty reason


@given(st.text(alphabet="续航屏幕清晰好用，。 ab12.3", max_size=60), st.integers(1, 30))
def test_clip_fits_and_is_a_prefix(text, n):
    for lang in (ZH, EN):
        out = lang.clip(text, n)
        assert text.startswith(out) or text.lstrip().startswith(out)
        assert lang.fits(out, n) or len(out.split()) <= 1


def test_joining_and_ending():
    assert ZH.join(["续航", "屏幕"]) == "续航、屏幕" and EN.join(["battery", "screen"]) == "battery, screen"
    assert ZH.end("续航很好") == "续航很好。" and EN.end("Great battery,") == "Great battery."
    assert EN.end("Done!") == "Done!" and EN.capitalize("the chair") == "The chair"
    assert ZH.detokenize(["续航", "好"]) == "续航好" and EN.detokenize(["a", "b"]) == "a b"


def test_in_script():
    assert not EN.in_script("续航") and EN.in_script("battery life")
    assert ZH.in_script("续航") and ZH.in_script("Kindle") and not ZH.in_script("long battery life here")


def test_tokenize_levels():
    assert tokenize("It's 3.2 GHz!", "en") == ["It's", "3", ".", "2", "GHz", "!"]
    assert tokenize("屏幕清晰", "zh", "char") == ["屏", "幕", "清", "晰"]
    assert "屏幕" in tokenize("屏幕清晰")  # detected, jieba words

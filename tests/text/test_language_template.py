"""The Language methods the template generator cuts and checks phrases with: words, units, clauses,
plain_words, mentions, covered, name_words (zh + en)."""

from __future__ import annotations

from recreason.text import EN, ZH


def test_words_are_written_words():
    assert EN.words("Don't miss the 3.2GHz, character-driven  plot") == [
        "Don't", "miss", "the", "3.2GHz,", "character-driven", "plot"]
    assert ZH.words("喜欢 购买电子产品") == ["喜欢", "购买", "电子产品"]


def test_units_join_back_to_the_text_and_length_counts_them_spaces_aside():
    for lang, text in ((EN, "The user would enjoy  the business"), (ZH, "山野行 Cabin 2 帐篷")):
        units = lang.units(text)
        assert lang.detokenize(units) == (" ".join(text.split()) if lang is EN else text)
        assert lang.length(text) == sum(1 for u in units if not u.isspace())
    assert ZH.units("山野 行") == ["山", "野", " ", "行"]


def test_english_clauses_end_after_a_mark_and_keep_quoted_titles_whole():
    got = EN.clauses("Fans of novels will enjoy 'Wedding Night: A Novel' by Sophie Kinsella. Great, 3.5 stars")
    assert got == [
        ["Fans", "of", "novels", "will", "enjoy", "'Wedding Night: A Novel'", "by", "Sophie", "Kinsella."],
        ["Great,"],
        ["3.5", "stars"],
    ]
    assert EN.clauses("") == [] and EN.clauses(" , ") == [[","]]


def test_chinese_clauses_end_at_every_mark_and_space():
    assert ZH.clauses("喜欢购买电子产品，看重性能。 Apple Watch") == [
        ["喜欢", "购买", "电子产品"], ["看重", "性能"], ["Apple"], ["Watch"]]
    assert ZH.clauses("，。") == []


def test_plain_words_are_lower_case_without_punctuation():
    assert EN.plain_words("It’s (the) BEST-ever café!") == ["it's", "the", "best", "ever", "caf"]
    assert ZH.plain_words("它的续航，很好！") == ["它", "的", "续航", "很", "好"]


def test_english_mentions_are_whole_words_case_aside():
    assert EN.mentions("They love IT, it’s it", {"it"}) == [", it's it", ""]
    assert EN.mentions("an item to iterate", {"it"}) == []
    assert EN.mentions("offers this and that", {"this", "offers"}) == [" this and that", " and that"]


def test_chinese_mentions_are_substrings_as_written():
    assert sorted(ZH.mentions("它很好，它", {"它"})) == ["", "很好，它"]
    assert ZH.mentions("其实不错", {"其"}) == ["实不错"]  # no word boundaries in Chinese
    assert ZH.mentions("anything", {""}) == []


def test_covered_needs_every_long_word_in_english_and_the_whole_text_in_chinese():
    assert EN.covered(" offers Strong espresso", "strong espresso, offers pastries")
    assert not EN.covered(" offers strong tea", "strong espresso, offers pastries")
    assert EN.covered(" a to it", "")  # words of two letters or fewer do not count
    assert EN.covered("denny's", "Denny’s diner")  # curly and straight apostrophes are one
    assert ZH.covered(" 重度使用 ", "续航重度使用约1.5天")
    assert not ZH.covered("重度 使用", "续航重度使用约1.5天")


def test_name_words():
    assert EN.name_words("Ross Dress for Less") == {"ross", "dress", "for", "less"}
    assert EN.name_words("A Go") == frozenset() and EN.name_words(None) == frozenset()
    assert ZH.name_words("最新款智能手机") == {"最新款智能手机"} and ZH.name_words("") == frozenset()

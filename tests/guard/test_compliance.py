"""Banned terms: default zh + en lists, exemptions, user lists, clause dropping."""

from __future__ import annotations

import itertools

import pytest

from recreason.guard.compliance import BannedTerms, drop_clauses


@pytest.fixture(scope="module")
def terms():
    return BannedTerms.default()


@pytest.mark.parametrize("text, span", [
    ("这是同价位最佳的手机。", "最佳"),
    ("销量第一的保温杯。", "第一"),
    ("国家级工艺打造。", "国家级"),
    ("顶级音质，适合你。", "顶级"),
    ("采用世界级面料。", "世界级"),
    ("这款面霜能根治痘痘。", "根治"),
    ("效果100%保证。", "100%"),
    ("It is 100% safe for kids.", "100% safe"),
    ("It is the most popular item among users.", "most popular"),
    ("It is the only one that matches your taste.", "the only one"),
    ("The best-selling card.", "best-selling"),
    ("It is the best in the world.", "best in the world"),
    ("The best burgers in the world.", "best burgers in the world"),
    ("A guaranteed cure for back pain.", "guaranteed cure"),
    ("The number one choice for runners.", "number one"),
    ("It is world-class.", "world-class"),
    ("It cures headaches.", "cures"),
    ("Rated #1 by readers.", "#1"),
])
def test_default_lists_catch_absolute_claims(terms, text, span):
    assert any(span in h.span for h in terms.find(text))  # caught, in a hit (other terms may hit too)


@pytest.mark.parametrize("text", [
    "第一次用就爱上了这款耳机。",          # "first time", not a ranking
    "第一季的剧情很精彩。",
    "100%纯棉面料，亲肤透气。",            # a composition, not a promise
    "A maxi dress in 100% mulberry silk.",  # the same in English (the Chinese rule must not catch it)
    "Coffee from around the world, for the most part roasted here.",  # no superlative claim
    "Make the most of your weekend hikes.",
    "Best before the date on the lid.",  # a date, no claim
    "第一次用就爱上了这款耳机，最近常戴。",  # 最近 is "recently"
    "降噪自适应主动降噪 最深45dB。",  # a specification's limit, not a superlative claim
    "A light chair for your hikes.",
])
def test_ordinary_text_passes(terms, text):
    assert terms.find(text) == []


def test_item_title_is_exempt(terms):
    assert terms.find("最新款智能手机续航持久，适合你。", allow=["最新款智能手机"]) == []
    assert [h.span for h in terms.find("顶级音箱 Pro 音质顶级。", allow=["顶级音箱 Pro"])] == ["顶级"]


def test_hits_are_ordered_and_not_double_counted(terms):
    hits = terms.find("全球最好的第一品牌，顶级享受。")
    assert [h.span for h in hits] == ["全球最", "第一", "顶级"]  # "最好" overlaps "全球最": one hit
    starts = [h.start for h in hits]
    assert starts == sorted(starts) and all(a.end <= b.start for a, b in itertools.pairwise(hits))


def test_custom_list_file_replaces_or_extends(tmp_path, monkeypatch):
    f = tmp_path / "mine.txt"
    f.write_text("# my shop's list\n爆款\nre:\\bmust[- ]have\\b\n", encoding="utf-8")
    mine = BannedTerms.load(f)
    assert [h.span for h in mine.find("今年的爆款，a must-have.")] == ["爆款", "must-have"]
    assert mine.find("最佳选择") == []  # replaced the defaults
    both = BannedTerms.load([f], include_default=True)
    assert len(both.find("爆款，最佳选择")) == 2
    monkeypatch.setenv("RECREASON_BANNED_TERMS", str(f))
    assert BannedTerms.load().entries == mine.entries


def test_drop_clause_keeps_the_rest(terms):
    text = "It is the best in the world, weighing only 0.9 kg, and it folds flat for your hikes."
    out = drop_clauses(text, terms.find(text))
    assert out == "Weighing only 0.9 kg, and it folds flat for your hikes."
    zh = "轻行折叠椅仅重0.9kg，支架结实耐用，适合经常徒步的你，是户外最佳装备。"
    assert drop_clauses(zh, terms.find(zh)) == "轻行折叠椅仅重0.9kg，支架结实耐用，适合经常徒步的你。"


def test_drop_clause_refuses_when_too_little_is_left(terms):
    text = "最佳选择，适合你。"
    assert drop_clauses(text, terms.find(text)) is None
    assert drop_clauses("It is world-class.", terms.find("It is world-class.")) is None
    assert drop_clauses("Fine.", []) == "Fine."


def test_drop_clause_keeps_a_dotted_name_whole(terms):
    text = "The Amazon.com Gift Card is a fine way to buy gifts, and it is the only gift card in the catalog."
    assert drop_clauses(text, terms.find(text)) == "The Amazon.com Gift Card is a fine way to buy gifts."

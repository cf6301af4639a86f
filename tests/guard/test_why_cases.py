"""Every case a reader found on data the project was never tuned on (issue #12, "Why"), through the guard.

Each of these passed the guard before the claim checker, the stance / degeneration checks and the judge;
each must now be rejected (or, where the reason is fine, accepted), and what the guard shows instead must pass
its own checks or be withheld.
"""

from __future__ import annotations

import pytest

from recreason.guard.judge import judge
from recreason.guard.pipeline import Guard, write_reasons
from recreason.profiles.models import AspectSummary, ItemProfile, UserProfile, Weighted
from recreason.reasons import Generator, Reason, ReasonRequest, make_generator

BURGER_KING = ItemProfile(
    item_id="bk", title="Burger King Gift Card", category=["Gift Cards"],
    attributes={"main_cat": "Gift Cards", "feature": "No returns and no refunds on Gift Cards"},
    aspects=[AspectSummary(feature="delivery", mentions=6, positive=5, negative=1, opinions=["fast"])])
CARD_BUYER = UserProfile(user_id="g", categories=[Weighted(name="Gift Cards", weight=3.0)])
FRUIT = ItemProfile(item_id="fruit", title="水果", language="zh", category=["水果"],
                    aspects=[AspectSummary(feature="包装", mentions=40, positive=33, negative=7, opinions=["精美"]),
                             AspectSummary(feature="个头", mentions=20, positive=14, negative=6, opinions=["大"])])
NO_FRUIT_BUYER = UserProfile(user_id="z", language="zh", categories=[Weighted(name="洗发水", weight=2.0),
                                                                      Weighted(name="酒店", weight=1.0)])
FILM = ItemProfile(item_id="film", title="平原上的火焰", language="zh", category=["电影"],
                   attributes={"类型": ["剧情", "犯罪"], "片长": "101分钟", "导演": "张骥"})
VIEWER = UserProfile(user_id="v", language="zh", categories=[Weighted(name="电影", weight=2.0)])
CAMERA = ItemProfile(item_id="cam", title="青岚 A8 III 微单相机", language="zh", category=["相机"],
                     attributes={"续航": "约650张", "机身重量": "350g"})
PHONE = ItemProfile(item_id="ph", title="溯光 Z12 5G智能手机", language="zh", category=["手机"],
                    attributes={"处理器": "曜芯 S9 旗舰八核 3.2GHz", "电池": "5000mAh"})
PERF_FAN = UserProfile(user_id="p", language="zh", categories=[Weighted(name="手机", weight=2.0)], interests=["性能"])
SILK = ItemProfile(item_id="s", title="Maribelle slip dress", category=["Dresses"],
                   attributes={"fabric": "100% mulberry silk"})
SHELTER = ItemProfile(item_id="sh", title="Happy Tails Animal Shelter",
                      description="Animal lovers who seek a positive and supportive environment for adopting pets "
                                  "would enjoy Happy Tails Animal Shelter.")
SKIN_FAN = UserProfile(user_id="x", profile_text="The user is likely to enjoy skin care products and spa visits.")
CATALOG = {"剧情", "犯罪", "喜剧", "爱情", "科幻", "Gift Cards"}


def one(text: str, req: ReasonRequest) -> list[str]:
    """The guard's problems with one reason."""
    lang = req.lang
    return Guard(fallback=make_generator("template"), catalog_values=CATALOG).verdict(
        Reason(text=text, language=lang, user_id=req.user.user_id, item_id=req.item.item_id, generator="llm"),
        req).problems


@pytest.mark.parametrize("text, req, kinds", [
    # the prompt's own example leaking in, popularity and exclusivity it cannot know
    (("The Burger King Gift Card is the most popular item among users, and it is the only one that matches your "
      "taste for fast-paced space opera with a detailed galactic setting."),
     ReasonRequest(user=CARD_BUYER, item=BURGER_KING), {"popularity", "user", "banned"}),
    ("The Burger King Gift Card is durable, well-made and popular with many customers.",
     ReasonRequest(user=CARD_BUYER, item=BURGER_KING), {"quality", "popularity"}),
    # against the item and the user, and a habit the user does not have
    ("水果包装精美，但个头不够，不适合经常购买水果的你。", ReasonRequest(user=NO_FRUIT_BUYER, item=FRUIT, language="zh"),
     {"against", "user"}),
    # a degenerate small model
    ("很很很很很很很很很很很很很很很", ReasonRequest(user=NO_FRUIT_BUYER, item=FRUIT, language="zh"), {"degenerate"}),
    # genres the film does not have, a runtime cut to one minute
    ("这部电影是一部轻松的喜剧，片长1。", ReasonRequest(user=VIEWER, item=FILM, language="zh"),
     {"attribute_value", "number"}),
    # a number said of the wrong attribute: 约650张 is the battery's figure
    ("这款相机重量约650张，适合你。", ReasonRequest(user=VIEWER, item=CAMERA, language="zh"), {"association"}),
    # a pasted profile clause where a noun belongs, and an interest the shelter does not offer
    (("The user would enjoy the business because it offers seek a positive and supportive environment, matching "
      "their interest in skin care."), ReasonRequest(user=SKIN_FAN, item=SHELTER), {"degenerate", "match"}),
    # a refusal
    ("There's no item that matches the given behavior.", ReasonRequest(user=CARD_BUYER, item=BURGER_KING),
     {"degenerate"}),
    # raw attribute keys in the prose (the old template's field dump)
    ("Burger King Gift Card has feature No returns and no refunds on Gift Cards and main_cat Gift Cards.",
     ReasonRequest(user=CARD_BUYER, item=BURGER_KING), {"raw_key"}),
])
def test_the_guard_rejects_what_readers_rejected(text, req, kinds):
    problems = one(text, req)
    found = {p.split(":", 1)[0] for p in problems}
    assert kinds <= found, problems


@pytest.mark.parametrize("text, req", [
    # paraphrase and reasonable inference: performance of an eight-core processor
    ("这款手机性能强劲，处理器曜芯 S9 旗舰八核 3.2GHz，适合看重性能的你。", ReasonRequest(user=PERF_FAN, item=PHONE, language="zh")),
    # a material is no absolute term
    ("A slip dress in 100% mulberry silk.", ReasonRequest(user=CARD_BUYER, item=SILK)),
    # the right attribute for the number
    ("这款相机续航约650张，机身重量350g。", ReasonRequest(user=VIEWER, item=CAMERA, language="zh")),
    ("一部剧情犯罪片，片长101分钟，导演张骥。", ReasonRequest(user=VIEWER, item=FILM, language="zh")),
])
def test_the_guard_accepts_true_reasons(text, req):
    assert one(text, req) == []


class Liar(Generator):
    """Writes the same false reason every time (no second try)."""

    name = "liar"

    def __init__(self, text: str):
        self.text = text

    def generate(self, requests):
        return [Reason(text=self.text, language=r.lang, user_id=r.user.user_id, item_id=r.item.item_id,
                       generator="llm") for r in requests]


def test_a_fallback_that_fails_too_is_not_shown_and_is_counted():
    req = ReasonRequest(user=CARD_BUYER, item=BURGER_KING)
    guard = Guard(fallback=Liar("It is the best-selling card in the world."))
    out = write_reasons(Liar("The most popular card among users."), [req], guard)
    assert out[0].path == "withheld" and out[0].text == "" and guard.stats.withheld == 1
    assert any("no reason shown" in n for n in out[0].notes)


def test_the_template_fallback_for_a_gift_card_writes_no_field_dump():
    """The guard's fallback on the gift card: no raw key, no policy sentence, and it passes the guard."""
    req = ReasonRequest(user=CARD_BUYER, item=BURGER_KING)
    guard = Guard(fallback=make_generator("template"), catalog_values=CATALOG)
    out = write_reasons(Liar("The most popular card among users."), [req], guard)
    assert out[0].path == "fallback" and out[0].text
    assert "main_cat" not in out[0].text and "No returns" not in out[0].text


def test_the_judge_does_not_score_a_degenerate_reason_best():
    """PETER's loop scored the best BLEU on the reader's rows; the judge ranks it below a true reason."""
    from recreason.guard.judge import prefer

    req = ReasonRequest(user=NO_FRUIT_BUYER, item=FRUIT, language="zh")
    loop = judge("很很很很很很很很很很很很很很很", req)
    fine = judge("水果包装精美，个头大，值得一试。", req)
    assert loop.degenerate and not loop.show and fine.show
    assert prefer(fine, loop) == "a"

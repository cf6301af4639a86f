"""Cross-user leakage: a reason never quotes more than a few words of another user's review."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from recreason.data.dataset import Dataset
from recreason.data.schema import Interaction, Item
from recreason.guard.leakage import ReviewIndex, foreign_quotes, leak_rate
from recreason.guard.pipeline import build_guard, write_reasons
from recreason.profiles import ProfileBuilder
from recreason.reasons import Generator, Reason, ReasonRequest, make_generator

T0 = datetime(2024, 1, 1, tzinfo=UTC)
BOB = "Bought it for my daughter's wedding in June and the lace held up all night long."
LI = "上周给妈妈买的，她说穿着很舒服，面料很软，颜色也很正，物流第二天就到了。"


def data() -> Dataset:
    items = [Item(item_id="d1", title="Lace Dress", category=["Dresses"], language="en",
                  attributes={"material": "lace"}),
             Item(item_id="z1", title="羊毛衫", category=["毛衣"], language="zh", attributes={"面料": "羊毛"})]
    rows = [("bob", "d1", BOB), ("ann", "d1", "The lace dress fits well and the colour is lovely in daylight."),
            ("li", "z1", LI), ("wang", "z1", "很好看。")]
    return Dataset.from_records(items, interactions=[
        Interaction(user_id=u, item_id=i, event="review", rating=5, review=t, timestamp=T0) for u, i, t in rows])


def quote(text: str, user: str, item: str, lang: str = "en") -> int:
    ds = data()
    builder = ProfileBuilder(ds)
    reason = Reason(text=text, language=lang, user_id=user, item_id=item, generator="x")
    request = ReasonRequest(user=builder.user(user), item=builder.item(item))
    return foreign_quotes([reason], [request], ReviewIndex(ds))[0].length


def test_six_words_of_another_users_review_are_a_quote():
    assert quote("A fit for you: bought it for my daughter's wedding, they say.", "ann", "d1") == 6
    assert quote("Reviewers say the lace held up all night long.", "ann", "d1") == 7
    assert quote("The lace held up all evening.", "ann", "d1") == 0  # five words: a few words are no quote
    assert quote("Bought it for my daughter's wedding in June.", "bob", "d1") == 0  # bob's own words


def test_the_items_own_data_is_no_quote():
    index = ReviewIndex(data())
    assert index.longest_quote("the lace dress fits well and the colour", "en", "bob",
                               "Lace Dress the lace dress fits well and the colour")[0] == 0


def test_ten_chinese_characters_are_a_quote():
    assert quote("她说穿着很舒服，面料很软，推荐给你。", "wang", "z1", "zh") >= 10
    assert quote("面料很软，颜色也正。", "wang", "z1", "zh") == 0  # fewer than ten characters in a row


class Quoting(Generator):
    """Writes what another user wrote about the item (the retrieval template's failure on real data)."""

    name = "quoting"

    def generate(self, requests):
        return [Reason(text=BOB, language="en", user_id=r.user.user_id, item_id=r.item.item_id, generator="quoting")
                for r in requests]


def test_the_guard_replaces_a_reason_quoting_another_user():
    ds = data()
    builder = ProfileBuilder(ds)
    guard = build_guard(ds)
    req = ReasonRequest(user=builder.user("ann"), item=builder.item("d1"))
    out = write_reasons(Quoting(), [req], guard)[0]
    assert out.path in ("fallback", "withheld") and BOB not in out.text
    assert any("quote: " in n and "another user's review" in n for n in out.notes)
    assert guard.stats.problems.get("quote") == 1
    mine = ReasonRequest(user=builder.user("bob"), item=builder.item("d1"))
    assert not [p for p in guard.verdict(Quoting().generate([mine])[0], mine).problems if p.startswith("quote")]


@pytest.mark.slow
def test_no_shown_reason_quotes_another_user_on_real_reviews(tmp_path):
    from benchmarks import real_sources
    from benchmarks._common import shared_data

    if not shared_data("womens-clothing-reviews", must_exist=False).exists():
        pytest.skip("needs ../shared/data (women's clothing reviews)")
    src = real_sources.clothing(60, tmp_path / "clothing", seed=3)
    guard = build_guard(src.dataset)
    for mode in ("template", "retrieval"):
        gen = make_generator("template", mode=mode).fit(src.train)
        raw = gen.generate(src.requests)
        shown = [(r, q) for r, q in zip(write_reasons(gen, src.requests, guard), src.requests, strict=True)
                 if r.path != "withheld"]
        assert len(shown) >= 50
        assert leak_rate(foreign_quotes([r for r, _ in shown], [q for _, q in shown], guard.reviews)) == 0
        if mode == "retrieval":  # the check has something to catch: retrieval quotes reviews as written
            assert leak_rate(foreign_quotes(raw, src.requests, guard.reviews)) > 0.1


def test_the_items_own_words_and_common_phrasing_are_no_quote_but_a_copied_sentence_is():
    assert quote("Lace Dress is a lace dress fits well and nice.", "bob", "d1") == 0  # item words, "fits well"
    ds = data()
    index = ReviewIndex(ds)
    sentence = "the lace dress fits well and the colour is lovely in daylight"  # ann's, 12 words
    assert index.longest_quote(f"Ann wrote: {sentence}.", "en", "bob", "Lace Dress lace fits well colour lovely "
                               "daylight")[0] == 12  # long enough to be a quote whatever its words

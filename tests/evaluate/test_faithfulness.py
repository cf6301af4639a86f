"""Unsupported-claim rate and personalization (interest hits, distinct reasons per item)."""

from __future__ import annotations

import pytest

from recreason.evaluate.faithfulness import (
    distinct_per_item,
    interest_hit_rate,
    mentions_any,
    personalization,
    unsupported_claim_rate,
)
from recreason.guard.vocab import interest_terms
from recreason.profiles.models import AspectPreference, ItemProfile, UserProfile, Weighted

BURGERS = ItemProfile(item_id="bk", title="Burger Barn", description="Classic burgers, fries and shakes.")
PHONE = ItemProfile(item_id="ph", title="Nova X", attributes={"weight": "0.9 kg", "battery": "5000mAh"})
THAI_FAN = UserProfile(user_id="u1", profile_text="Enjoys traditional Thai dishes and spicy curries.")
GADGETS = UserProfile(user_id="u2", aspects=[
    AspectPreference(feature="battery life", weight=2.0, sentiment=0.8, mentions=3),
    AspectPreference(feature="screen", weight=1.0, sentiment=0.5, mentions=2)])


def test_rate_counts_reasons_not_claims():
    reasons = ["Burger Barn offers authentic Thai cuisine and spicy curries.",  # one reason, two claims
               "The user would enjoy Burger Barn.",
               "It weighs 1.9 kg.",
               "It weighs 0.9 kg with a 5000mAh battery."]
    out = unsupported_claim_rate(reasons, [BURGERS, BURGERS, PHONE, PHONE], [THAI_FAN, THAI_FAN, GADGETS, GADGETS])
    assert out["n"] == 4 and out["count"] == 2 and out["rate"] == pytest.approx(0.5)
    assert out["by_kind"] == {"number": 1, "attribute_value": 0, "user_aspect": 2}
    assert out["rate_by_kind"]["user_aspect"] == pytest.approx(0.25)
    assert [e["index"] for e in out["examples"]] == [0, 2]
    assert out["examples"][1]["claims"][0]["span"] == "1.9 kg"


def test_trivial_grounded_baseline_scores_zero():
    items = [BURGERS, PHONE]
    reasons = [f"The user would enjoy {i.title}." for i in items]
    assert unsupported_claim_rate(reasons, items, [THAI_FAN, GADGETS])["rate"] == 0.0


def test_without_users_the_copied_aspect_rule_is_off():
    out = unsupported_claim_rate(["Burger Barn offers authentic Thai cuisine."], [BURGERS])
    assert out["rate"] == 0.0


def test_lengths_must_match():
    with pytest.raises(ValueError, match="2 reasons but 1 items"):
        unsupported_claim_rate(["a", "b"], [BURGERS])


def test_interest_terms_from_profile_and_from_text():
    assert interest_terms(GADGETS) == ["battery life", "screen"]
    cats = UserProfile(user_id="c", categories=[Weighted(name="Phones", weight=1.0)], interests=["photography"])
    assert interest_terms(cats) == ["phones", "photography"]
    terms = interest_terms(THAI_FAN)
    assert "thai" in terms and "curry" not in terms and "curries" in terms
    assert "enjoys" not in terms and "dishes" not in terms  # verbs and generic words are no interests


def test_mentions_are_case_insensitive_plural_folded_and_multiword_contiguous():
    assert mentions_any("Its BATTERY LIFE is long", ["battery life"]) == ["battery life"]
    assert mentions_any("battery that lasts a long life", ["battery life"]) == []
    assert mentions_any("Great screens.", ["screen"]) == ["screen"]
    assert mentions_any("这款手机续航很长", ["续航"]) == ["续航"]


def test_interest_hit_rate_skips_users_without_interests():
    nobody = UserProfile(user_id="n")
    out = interest_hit_rate(["Long battery life.", "A big screen.", "Nice.", "Anything."],
                            [GADGETS, GADGETS, GADGETS, nobody])
    assert out == {"interest_hit_rate": pytest.approx(2 / 3), "n_users_scored": 3}
    assert interest_hit_rate(["x"], [nobody]) == {"interest_hit_rate": None, "n_users_scored": 0}


def test_distinct_per_item():
    reasons = ["Same words.", "same  words.", "Other words.", "Alone.", "Only one user.", "Only one user."]
    users = ["a", "b", "c", "a", "a", "a"]
    items = ["i1", "i1", "i1", "i2", "i3", "i3"]
    out = distinct_per_item(reasons, users, items)
    # i1: 3 reasons to 3 users, 2 distinct -> 2/3; i2 and i3 went to one user each and do not count
    assert out == {"distinct_per_item": pytest.approx(2 / 3), "n_items_shared": 1}
    assert distinct_per_item(["a"], ["u"], ["i"])["distinct_per_item"] is None


def test_one_fixed_sentence_for_everyone_is_not_personal():
    users = [GADGETS, THAI_FAN]
    fixed = personalization(["The user would enjoy it."] * 2, users, [PHONE, PHONE])
    personal = personalization(["Its battery life lasts.", "Spicy Thai curries, not here."], users, [PHONE, PHONE])
    assert fixed["interest_hit_rate"] == 0.0 and fixed["distinct_per_item"] == 0.5
    assert personal["interest_hit_rate"] == 1.0 and personal["distinct_per_item"] == 1.0


@pytest.mark.shared
@pytest.mark.slow
def test_xrec_rates(xrec_dir):
    """On XRec's test sets the grounded baseline has no claims, and XRec's own rates stay near the
    measured ones (benchmarks/grounding_check.py: amazon 0.249, google 0.047)."""
    import json

    for name, low, high in (("amazon", 0.18, 0.32), ("google", 0.02, 0.09)):
        rows = [json.loads(line) for line in (xrec_dir / name / "tst.jsonl").read_text(encoding="utf-8").splitlines()]
        items = [ItemProfile(item_id=str(r["iid"]), title=r["title"], description=r["item_summary"]) for r in rows]
        users = [UserProfile(user_id=str(r["uid"]), profile_text=r["user_summary"]) for r in rows]
        baseline = [f"The user would enjoy {r['title']}." for r in rows]
        assert unsupported_claim_rate(baseline, items, users, lang="en")["rate"] == 0.0
        rate = unsupported_claim_rate([r["xrec_pred"] for r in rows], items, users, lang="en")["rate"]
        assert low < rate < high, (name, rate)

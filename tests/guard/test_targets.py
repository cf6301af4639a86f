"""Fine-tuning targets: only references the judge finds true, for the item and the user, and readable."""

from __future__ import annotations

from recreason.guard.targets import true_targets
from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons import ReasonRequest, TrainingExample

CHAIR = ItemProfile(item_id="c", title="TrailLite Chair", attributes={"weight": "0.9 kg", "frame": "aluminium alloy"})
HIKER = UserProfile(user_id="u", interests=["hiking"])


def ex(text: str) -> TrainingExample:
    return TrainingExample(request=ReasonRequest(user=HIKER, item=CHAIR), text=text)


def test_only_true_targets_are_kept_and_the_rest_counted():
    kept, dropped = true_targets([
        ex("The 0.9 kg TrailLite Chair with its aluminium alloy frame suits your hiking."),
        ex("The TrailLite Chair weighs just 1.9 kg."),  # a number the data does not hold
        ex("The TrailLite Chair has a weak frame, so it is not for your hiking."),  # against the item
        ex("   "),
    ])
    assert [k.text for k in kept] == ["The 0.9 kg TrailLite Chair with its aluminium alloy frame suits your hiking."]
    assert dropped["empty"] == 1 and sum(dropped.values()) == 3
    assert any(why.startswith("false") for why in dropped)


def test_targets_are_checked_as_the_trainer_cuts_them():
    """A second sentence the trainer would cut away does not count against a one-sentence budget."""
    text = "The 0.9 kg TrailLite Chair suits your hiking. It was designed by NASA engineers."
    assert len(true_targets([ex(text)], max_sentences=1)[0]) == 1
    assert len(true_targets([ex(text)], max_sentences=2)[0]) == 0


def test_a_number_is_held_to_the_key_it_is_said_of_not_to_bookkeeping():
    from recreason.guard.claims import check_claims

    card = ItemProfile(item_id="g", title="Gift Card in a Tin", attributes={
        "Shipping Weight": "2.4 ounces", "Item Weight": "1.44 ounces"})
    assert not check_claims("It comes in a tin with item weight 1.44 ounces.", card, HIKER, "en").findings


def test_a_number_of_the_name_is_no_measure():
    """ "Sweaters 936" is a name: "a 936mm sweater" invents a size; a price the data states stays true."""
    from recreason.guard.claims import check_claims

    sweater = ItemProfile(item_id="s", title="Sweaters 936", attributes={"class": "Sweaters"})
    assert [f.rule for f in check_claims("The Sweaters 936 is a 936mm sweater.", sweater, HIKER, "en").findings] == \
        ["number"]
    card = ItemProfile(item_id="g", title="Gift Card $25", price=25)
    assert not check_claims("This $25 card suits you.", card, HIKER, "en").findings

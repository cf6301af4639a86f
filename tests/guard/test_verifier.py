"""The LLM entailment step: claims the rules passed are asked of the model, the answers cached."""

from __future__ import annotations

from recreason.guard.claims import check_claims
from recreason.guard.verifier import LLMVerifier, item_data
from recreason.profiles.models import ItemProfile, UserProfile

CHAIR = ItemProfile(item_id="c", title="TrailLite Chair", category=["Camping"], attributes={"weight": "0.9 kg"})


class Probabilities:
    """A backend that says 'yes' to claims that mention the weight, and counts its calls."""

    model_id = "fake"

    def __init__(self):
        self.calls = 0

    def yes_probability(self, prompts):
        self.calls += len(prompts)
        return [0.9 if "0.9 kg" in p.rsplit("Claim:", 1)[1] else 0.05 for p in prompts]


def test_a_claim_the_model_finds_no_support_for_is_flagged(tmp_path):
    backend = Probabilities()
    v = LLMVerifier(backend=backend, threshold=0.2, cache=tmp_path / "v.jsonl")
    report = check_claims("The TrailLite Chair weighs 0.9 kg, and the chair is a Camping chair.", CHAIR,
                          UserProfile(user_id="u"), "en", verifier=v)
    rules = [f.rule for f in report.findings]
    assert "entailment" in rules and backend.calls == 2
    assert any(c.verdict == "supported" and "0.9 kg" in c.text for c in report.claims)
    # cached: the same question is not asked again, also by a new verifier reading the same file
    again = LLMVerifier(backend=Probabilities(), threshold=0.2, cache=tmp_path / "v.jsonl")
    check_claims("The TrailLite Chair weighs 0.9 kg, and the chair is a Camping chair.", CHAIR,
                 UserProfile(user_id="u"), "en", verifier=again)
    assert again.backend.calls == 0


def test_the_verifier_reads_the_items_data():
    text = item_data(CHAIR)
    assert "title: TrailLite Chair" in text and "weight: 0.9 kg" in text and "category: Camping" in text

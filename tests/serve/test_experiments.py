"""Experiments: config files, deterministic assignment, Wilson intervals and the z-test against hand values."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
from pydantic import ValidationError

from recreason.serve.experiments import (
    CAVEATS,
    ExperimentConfig,
    bucket,
    load_config,
    report,
    two_proportion_test,
    wilson,
)

from .conftest import experiments


# Hand-computed (z = 1.959964): p = 0.1, z^2/n = 0.0384146; centre = (0.1 + 0.0192073) / 1.0384146 = 0.114799;
# half = z * sqrt(0.0009 + 0.00009604) / 1.0384146 = 0.059568 -> [0.05523, 0.17437].
@pytest.mark.parametrize(("x", "n", "low", "high"), [
    (10, 100, 0.05523, 0.17437),
    (0, 10, 0.0, 0.27753),  # upper = z^2/n / (1 + z^2/n) = 0.384146 / 1.384146
    (50, 100, 0.40383, 0.59617),
    (1000, 1000, 0.99617, 1.0),
])
def test_wilson_interval_matches_hand_computed_values(x, n, low, high):
    lo, hi = wilson(x, n)
    assert lo == pytest.approx(low, abs=5e-5) and hi == pytest.approx(high, abs=5e-5)


def test_wilson_interval_without_trials_is_uninformative_and_narrows_with_n():
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(100, 1000)[1] - wilson(100, 1000)[0] < wilson(10, 100)[1] - wilson(10, 100)[0]
    lo, hi = wilson(10, 100, confidence=0.99)
    assert lo < 0.05523 and hi > 0.17437


def test_two_proportion_z_test_matches_hand_computed_values():
    # pooled p = 30/200 = 0.15; se = sqrt(0.15 * 0.85 * (2/100)) = 0.0504975; z = 0.1 / se = 1.98030
    z, p = two_proportion_test(10, 100, 20, 100)
    assert z == pytest.approx(1.98030, abs=1e-4)
    assert p == pytest.approx(0.047676, abs=1e-5)  # 2 * (1 - Phi(1.9803))
    z2, p2 = two_proportion_test(20, 100, 10, 100)
    assert z2 == pytest.approx(-z) and p2 == pytest.approx(p)
    assert two_proportion_test(0, 100, 0, 100) == (None, None)  # no variance: undefined, not "p = 1"
    assert two_proportion_test(5, 0, 5, 10) == (None, None)


def test_report_gives_lift_and_test_against_the_first_variant_and_the_peeking_caveat():
    exp = experiments().get("reasons")
    counts = {"no_reason": {"impression": 100, "click": 10, "purchase": 2},
              "template": {"impression": 100, "click": 20, "purchase": 5}}
    rep = report(exp, counts)
    control, template, llm = rep["variants"]
    assert control["control"] and control["ctr"]["p_value"] is None and control["ctr"]["lift"] is None
    assert template["ctr"]["rate"] == pytest.approx(0.2) and template["ctr"]["lift"] == pytest.approx(1.0)
    assert template["ctr"]["p_value"] == pytest.approx(0.047676, abs=1e-5)
    assert template["cvr"]["rate"] == pytest.approx(0.05) and template["cvr"]["lift"] == pytest.approx(1.5)
    assert llm["impressions"] == 0 and llm["ctr"]["rate"] is None and (llm["ctr"]["ci_low"], llm["ctr"]["ci_high"]) == (0, 1)
    assert rep["caveats"] == CAVEATS and "peeking" in CAVEATS[0].lower()


def test_assignment_is_deterministic_and_follows_the_weights():
    exp = experiments((1, 1, 2)).get("reasons")
    again = experiments((1, 1, 2)).get("reasons")
    users = [f"user{n}" for n in range(20_000)]
    got = [exp.assign(u).name for u in users]
    assert got == [again.assign(u).name for u in users]
    share = Counter(got)
    # 20,000 draws: the sd of a share near 0.25 is 0.003; 0.015 is five of them
    assert abs(share["no_reason"] / 20_000 - 0.25) < 0.015
    assert abs(share["llm"] / 20_000 - 0.50) < 0.015
    assert 0 <= bucket("reasons", "u1") < 1 and bucket("reasons", "u1") != bucket("other", "u1")


def test_assignment_is_independent_across_experiments():
    users = [f"user{n}" for n in range(10_000)]
    a = [bucket("exp_a", u) < 0.5 for u in users]
    b = [bucket("exp_b", u) < 0.5 for u in users]
    both = sum(x and y for x, y in zip(a, b, strict=True)) / len(users)
    assert abs(both - 0.25) < 0.02


def test_config_files_in_toml_and_json(tmp_path):
    toml = tmp_path / "exp.toml"
    toml.write_text('default = "b"\n[[experiments]]\nname = "a"\n[[experiments.variants]]\nname = "x"\n'
                    '[[experiments]]\nname = "b"\n[[experiments.variants]]\nname = "v1"\nstrategy = "none"\n'
                    '[[experiments.variants]]\nname = "v2"\nstrategy = "llm"\nweight = 3\n'
                    '[experiments.variants.config]\nprompt = "v2"\n', encoding="utf-8")
    cfg = load_config(toml)
    assert cfg.default == "b" and cfg.get(None).name == "b"
    assert cfg.get("b").variant("v2").config == {"prompt": "v2"}
    assert cfg.get("b").variant("v2").key != cfg.get("b").variant("v1").key
    js = tmp_path / "exp.json"
    js.write_text(json.dumps({"experiments": [{"name": "only", "variants": [{"name": "t"}]}]}), encoding="utf-8")
    assert load_config(js).default == "only"
    builtin = load_config(None)
    assert [v.strategy for v in builtin.get(None).variants] == ["none", "template", "llm"]


@pytest.mark.parametrize("bad", [
    {"experiments": []},
    {"experiments": [{"name": "a", "variants": [{"name": "x"}, {"name": "x"}]}]},
    {"experiments": [{"name": "a", "variants": [{"name": "x", "weight": 0}]}]},
    {"default": "nope", "experiments": [{"name": "a", "variants": [{"name": "x"}]}]},
    {"experiments": [{"name": "has space", "variants": [{"name": "x"}]}]},
])
def test_bad_configs_are_refused(bad):
    with pytest.raises(ValidationError):
        ExperimentConfig.model_validate(bad)


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_config(tmp_path / "none.toml")
    assert math.isclose(sum(v.weight for v in load_config(None).get(None).variants), 3)


def test_the_report_never_fails_on_stored_data():
    """More clicks than impressions, or clicks with no impression at all, made GET /v1/experiments 500
    (a math domain error in the Wilson interval): the statistics now hold for any counts."""
    from recreason.serve.experiments import Experiment, Variant, rate_stats, report

    assert rate_stats(5, 2, None, 0.95)["rate"] == 1.0 and rate_stats(3, 0, (4, 1), 0.95)["rate"] is None
    exp = Experiment(name="x", variants=[Variant(name="a", strategy="template"), Variant(name="b", strategy="llm")])
    out = report(exp, {"a": {"impression": 2, "click": 7}, "b": {"click": 3, "unattributed_click": 4}})
    assert out["variants"][0]["ctr"]["ci_high"] <= 1.0 and out["variants"][1]["unattributed"] == {"click": 4}

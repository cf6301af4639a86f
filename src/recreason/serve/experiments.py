"""A/B experiments on reason strategies: configuration, deterministic assignment, and the statistics.

A config file (TOML or JSON) lists experiments; each has weighted variants, and each variant names a
reason strategy: ``none`` (no reason shown), a generator name from ``recreason.reasons.registry``
(``template``, ``llm`` ...) with optional generator ``config`` (e.g. a prompt version), or a saved
generator folder (``model``). A user's variant is a pure function of (experiment name, user id): the
first 8 bytes of SHA-256 of ``"{experiment}:{user_id}"`` as a fraction in [0, 1), cut by the cumulative
weights. So assignment needs no storage, is the same on every server, and is independent across
experiments.

Statistics per variant, over distinct (request, item) pairs: impressions, clicks, CTR = clicks /
impressions, CVR = purchases / impressions (every variant on the same denominator), each with a Wilson
score interval; against the control (the first variant) the relative lift and a two-sided pooled
two-proportion z-test. See ``CAVEATS``: these p-values are valid for one look at a sample size fixed in
advance, not for peeking.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator
from scipy.stats import norm

NAME = r"^[A-Za-z0-9_.\-]{1,64}$"

CAVEATS = [
    ("Peeking: the p-values and intervals are valid for ONE look at a sample size fixed in advance. Checking "
     "this report repeatedly and stopping when p < 0.05 inflates the false-positive rate well above 5%; fix "
     "the number of impressions first, or use a sequential method (e.g. alpha spending) if you must look early."),
    ("Impressions of the same user are not independent; intervals treat them as independent trials, so they "
     "are somewhat too narrow when a few users contribute many impressions."),
    "Each variant is compared with the control without correction for multiple comparisons.",
]


class Variant(BaseModel):
    name: str = Field(pattern=NAME)
    weight: float = Field(default=1.0, gt=0)
    strategy: str = Field(default="template", description="none, or a generator name (template, llm ...)")
    config: dict[str, Any] = Field(default_factory=dict, description="generator settings, e.g. a prompt version")
    model: Path | None = Field(default=None, description="a saved generator folder instead of a name")

    @property
    def key(self) -> str:
        """Identifies what writes the reasons (for the reason cache)."""
        raw = json.dumps([self.strategy, self.config, str(self.model or "")], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:12]


class Experiment(BaseModel):
    name: str = Field(pattern=NAME)
    description: str = ""
    variants: list[Variant] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Experiment:
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError(f"experiment {self.name!r}: variant names must be unique, got {names}")
        return self

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(f"experiment {self.name!r} has no variant {name!r}; "
                       f"variants are {', '.join(v.name for v in self.variants)}")

    def assign(self, user_id: str) -> Variant:
        return self.variants[bucket_index(self.name, user_id, [v.weight for v in self.variants])]


class ExperimentConfig(BaseModel):
    default: str | None = Field(default=None, description="experiment used when a request names none")
    experiments: list[Experiment] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> ExperimentConfig:
        names = [e.name for e in self.experiments]
        if len(set(names)) != len(names):
            raise ValueError(f"experiment names must be unique, got {names}")
        if self.default is None:
            self.default = names[0]
        elif self.default not in names:
            raise ValueError(f"default experiment {self.default!r} is not one of {names}")
        return self

    def get(self, name: str | None) -> Experiment:
        name = name or self.default
        for e in self.experiments:
            if e.name == name:
                return e
        raise KeyError(f"unknown experiment {name!r}; experiments are {', '.join(e.name for e in self.experiments)}")

    def variants(self) -> list[Variant]:
        return [v for e in self.experiments for v in e.variants]


def load_config(path: Path | None = None) -> ExperimentConfig:
    """Read an experiments file (``.toml`` or ``.json``); None: the built-in ``experiments.toml``."""
    if path is None:
        text, suffix = resources.files("recreason.serve").joinpath("experiments.toml").read_text("utf-8"), ".toml"
    else:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"experiments file {path} does not exist")
        text, suffix = path.read_text(encoding="utf-8"), path.suffix.lower()
    raw = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    return ExperimentConfig.model_validate(raw)


def bucket(experiment: str, user_id: str) -> float:
    """A uniform number in [0, 1) fixed by (experiment, user id)."""
    digest = hashlib.sha256(f"{experiment}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def bucket_index(experiment: str, user_id: str, weights: list[float]) -> int:
    x, total, acc = bucket(experiment, user_id), sum(weights), 0.0
    for n, w in enumerate(weights):
        acc += w / total
        if x < acc:
            return n
    return len(weights) - 1


# -- statistics -------------------------------------------------------------------------------------
def wilson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float | None, float | None]:
    """Pooled two-sided z-test of p2 = p1: (z, p-value); (None, None) when it is undefined."""
    if n1 <= 0 or n2 <= 0:
        return None, None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return None, None
    z = (x2 / n2 - x1 / n1) / se
    return z, float(2 * norm.sf(abs(z)))


def rate_stats(successes: int, trials: int, control: tuple[int, int] | None, confidence: float) -> dict:
    # never fails on any stored data: more successes than trials (an old store, a bug upstream) is capped
    successes = max(0, min(successes, trials))
    if control is not None:
        control = (max(0, min(control[0], control[1])), control[1])
    low, high = wilson(successes, trials, confidence)
    out: dict[str, Any] = {"successes": successes, "rate": successes / trials if trials else None,
                           "ci_low": low, "ci_high": high, "lift": None, "z": None, "p_value": None}
    if control is not None:
        cx, cn = control
        if cn and trials and cx:
            out["lift"] = (successes / trials - cx / cn) / (cx / cn)
        out["z"], out["p_value"] = two_proportion_test(cx, cn, successes, trials)
    return out


def report(experiment: Experiment, counts: dict[str, dict[str, int]], confidence: float = 0.95) -> dict:
    """Per-variant counts, CTR and CVR with intervals, lift and z-test against the first variant."""
    control = experiment.variants[0].name
    c = counts.get(control, {})
    rows = []
    for v in experiment.variants:
        n = counts.get(v.name, {})
        imps = n.get("impression", 0)
        is_control = v.name == control
        rows.append({
            "variant": v.name, "strategy": v.strategy, "weight": v.weight, "control": is_control,
            "impressions": imps, "clicks": n.get("click", 0), "add_to_cart": n.get("add_to_cart", 0),
            "purchases": n.get("purchase", 0),
            # events for items this variant never showed in that request: stored, not counted in the rates
            "unattributed": {k.removeprefix("unattributed_"): v for k, v in n.items() if k.startswith("unattributed_")},
            "ctr": rate_stats(n.get("click", 0), imps,
                              None if is_control else (c.get("click", 0), c.get("impression", 0)), confidence),
            "cvr": rate_stats(n.get("purchase", 0), imps,
                              None if is_control else (c.get("purchase", 0), c.get("impression", 0)), confidence),
        })
    return {"experiment": experiment.name, "description": experiment.description, "control": control,
            "confidence": confidence, "variants": rows, "caveats": CAVEATS}

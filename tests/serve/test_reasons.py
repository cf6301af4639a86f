"""The reason service: cache, template fast path, the LLM under a timeout, and every fallback."""

from __future__ import annotations

import asyncio
import time

from recreason.serve.experiments import Variant
from recreason.serve.reasons import ReasonService

from .conftest import ADMIN_KEY, EVENT_KEY, FakeGenerator, PassGuard, make_services, write_workspace

LLM = Variant(name="llm", strategy="llm")
TEMPLATE = Variant(name="template", strategy="template")


def run(coro):
    return asyncio.run(coro)


def fallback_count(svc, cause: str) -> float:
    return svc.metrics.registry.get_sample_value("recreason_reason_fallbacks_total", {"cause": cause}) or 0.0


def test_template_path_writes_once_then_serves_from_cache(tmp_path):
    tpl = FakeGenerator("template")
    svc = make_services(tmp_path, {"template": tpl})
    reqs = svc.requests("u_zh", ["p1", "p2"], None, None)
    first = run(svc.reasons.get(TEMPLATE, reqs))
    assert [s.source for s in first] == ["generated", "generated"]
    assert first[0].reason.text == "template: 最新款智能手机" and first[0].reason.path == "primary"
    second = run(svc.reasons.get(TEMPLATE, reqs))
    assert [s.source for s in second] == ["cache", "cache"] and tpl.calls == 1
    ratio = svc.metrics.registry.get_sample_value("recreason_reason_cache_hit_ratio")
    assert ratio == 0.5  # 2 hits out of 4 lookups
    svc.close()


def test_llm_failure_serves_the_template_reason_marked_as_fallback(tmp_path):
    svc = make_services(tmp_path, {"template": FakeGenerator("template"), "llm": FakeGenerator("llm", fail=True)})
    out = run(svc.reasons.get(LLM, svc.requests("u_zh", ["p1"], None, None)))
    assert out[0].source == "fallback" and out[0].reason.generator == "template"
    assert out[0].reason.path == "fallback" and "llm failed (RuntimeError)" in out[0].reason.notes
    assert fallback_count(svc, "error") == 1
    svc.close()


def test_llm_timeout_serves_the_template_in_time_and_the_late_reason_is_cached(tmp_path):
    llm = FakeGenerator("llm", delay=1.0)
    svc = make_services(tmp_path, {"template": FakeGenerator("template"), "llm": llm}, llm_timeout_s=0.2)
    reqs = svc.requests("u_en", ["e1", "e2"], None, None)
    start = time.perf_counter()
    out = run(svc.reasons.get(LLM, reqs))
    assert time.perf_counter() - start < 0.8
    assert [s.source for s in out] == ["fallback", "fallback"]
    assert "llm timed out after 0.2 s" in out[0].reason.notes and fallback_count(svc, "timeout") == 2
    deadline = time.monotonic() + 5
    while svc.reasons._pending and time.monotonic() < deadline:  # the job finishes in the background
        time.sleep(0.05)
    late = run(svc.reasons.get(LLM, reqs))
    assert [s.source for s in late] == ["cache", "cache"] and late[0].reason.generator == "llm"
    assert {k for k, _ in svc.store.load_reasons(10)}  # and it was stored for the next start
    svc.close()


def test_a_generator_that_cannot_be_built_and_a_full_queue_both_fall_back(tmp_path):
    svc = make_services(tmp_path, {"template": FakeGenerator("template")})  # no llm at all
    out = run(svc.reasons.get(LLM, svc.requests("u_zh", ["p1"], None, None)))
    assert out[0].source == "fallback" and fallback_count(svc, "unavailable") == 1
    svc.close()

    svc = make_services(tmp_path / "b", {"template": FakeGenerator("template"), "llm": FakeGenerator("llm", delay=1)},
                        llm_timeout_s=0.05, llm_workers=1, llm_queue=0)

    async def two_at_once():
        return await asyncio.gather(svc.reasons.get(LLM, svc.requests("u_zh", ["p1"], None, None)),
                                    svc.reasons.get(LLM, svc.requests("u_zh", ["p2"], None, None)))

    run(two_at_once())
    assert fallback_count(svc, "busy") == 1 and fallback_count(svc, "timeout") == 1
    svc.close()


def test_cache_only_mode_never_runs_the_llm_on_a_miss(tmp_path):
    llm = FakeGenerator("llm")
    svc = make_services(tmp_path, {"template": FakeGenerator("template"), "llm": llm}, llm_online=False)
    reqs = svc.requests("u_zh", ["p1", "p2"], None, None)
    svc.reasons.precompute(LLM, reqs[:1])
    calls = llm.calls
    out = run(svc.reasons.get(LLM, reqs))
    assert [s.source for s in out] == ["cache", "fallback"] and llm.calls == calls
    assert "llm reason not precomputed" in out[1].reason.notes and fallback_count(svc, "not_precomputed") == 1
    svc.close()


def test_even_a_failing_template_gives_items_without_reasons_not_an_error(tmp_path):
    svc = make_services(tmp_path, {"template": FakeGenerator("template", fail=True)})
    assert run(svc.reasons.get(TEMPLATE, svc.requests("u_zh", ["p1"], None, None))) == [None]
    assert fallback_count(svc, "no_reason") == 1
    svc.close()


def test_the_guard_sees_every_generated_reason_and_can_replace_it(tmp_path):
    def check(reasons, requests, regenerate):
        return [r.model_copy(update={"text": "checked: " + r.text, "path": "regenerated"}) for r in reasons]

    svc = make_services(tmp_path, guard=PassGuard(check))
    out = run(svc.reasons.get(LLM, svc.requests("u_zh", ["p1"], None, None)))
    assert out[0].reason.text == "checked: llm: 最新款智能手机" and out[0].reason.path == "regenerated"
    svc.close()


def test_serving_builds_the_same_guard_as_everyone_else(tmp_path):
    """Catalog values for grounding, a fallback fitted on the workspace's references, and the template
    variant is that fallback: what build_guard gives the CLI and the benchmarks."""
    from recreason.guard.pipeline import build_guard, catalog_values
    from recreason.serve.services import Services
    from recreason.serve.settings import Settings

    folder = write_workspace(tmp_path / "ws")
    svc = Services.from_settings(Settings(workspace=folder, warm_profiles=False, warm_llm=False,
                                          event_keys=[EVENT_KEY], admin_keys=[ADMIN_KEY]))
    try:
        guard = svc.reasons.guard
        assert guard.catalog_values == catalog_values(svc.dataset) and guard.catalog_values
        assert svc.reasons.generator(TEMPLATE) is guard.fallback
        expected = build_guard(svc.dataset).fallback
        assert guard.fallback.state == expected.state and guard.fallback.state["opener"]  # fitted, the same way
    finally:
        svc.close()


def test_none_strategy_gives_no_reasons():
    from recreason.serve.metrics import Metrics

    svc = ReasonService(Metrics(), PassGuard(), factory=lambda v: FakeGenerator())
    assert run(svc.get(Variant(name="n", strategy="none"), [object(), object()])) == [None, None]


def test_precompute_stores_reasons_and_a_new_server_serves_them_without_generating(tmp_path):
    llm = FakeGenerator("llm", delay=0.01)
    svc = make_services(tmp_path, {"template": FakeGenerator("template"), "llm": llm})
    made = svc.precompute(["u_zh", "u_en"], k=3, variants=[LLM])
    assert made == {"llm": 6} and llm.calls >= 1
    svc.close()

    fresh_llm = FakeGenerator("llm", fail=True)
    svc2 = make_services(tmp_path, {"template": FakeGenerator("template"), "llm": fresh_llm})
    assert svc2.reasons.warm_from_store() == 6
    items, _ = svc2.recommend("u_zh", 3)
    out = run(svc2.reasons.get(LLM, svc2.requests("u_zh", [i for i, _ in items], None, None)))
    assert [s.source for s in out] == ["cache"] * 3 and fresh_llm.calls == 0
    assert all(s.reason.generator == "llm" for s in out)
    svc2.close()


def test_the_cache_key_changes_with_language_and_variant(tmp_path):
    svc = make_services(tmp_path)
    tpl = svc.reasons.generator(TEMPLATE)
    run(svc.reasons.get(TEMPLATE, svc.requests("u_zh", ["p1"], None, None)))
    run(svc.reasons.get(TEMPLATE, svc.requests("u_zh", ["p1"], "en", None)))
    run(svc.reasons.get(TEMPLATE, svc.requests("u_zh", ["p1"], None, "home")))
    run(svc.reasons.get(Variant(name="t2", strategy="template", config={"prompt": "v2"}),
                        svc.requests("u_zh", ["p1"], None, None)))
    assert tpl.calls == 4
    svc.close()

"""The HTTP API through FastAPI's TestClient: shapes, validation, keys, limits, idempotency, fallbacks, docs."""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
import uuid

import pytest

from .conftest import ADMIN_KEY, EVENT_KEY, FakeGenerator, experiments, make_services, user_with_variant

EV = {"X-API-Key": EVENT_KEY}
AD = {"X-API-Key": ADMIN_KEY}


def ev(kind="impression", key=None, user=None, item="p1", variant="template", request_id="req1"):
    """An event as a client posts it; by default for a user the experiment assigns to ``variant``."""
    exp = experiments().get(None)
    user = user or next(u for u in ("u_zh", *(f"user{n}" for n in range(10_000))) if exp.assign(u).name == variant)
    return {"type": kind, "idempotency_key": key or uuid.uuid4().hex, "request_id": request_id, "user_id": user,
            "item_id": item, "experiment": "reasons", "variant": variant}


def test_recommendations_carry_reasons_evidence_generator_and_variant(client, services):
    r = client.get("/v1/users/u_zh/recommendations", params={"k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    expected = services.experiments.get(None).assign("u_zh")
    assert body["variant"] == expected.name and body["experiment"] == "reasons" and body["source"] == "model"
    assert len(body["items"]) == 3 and [i["rank"] for i in body["items"]] == [1, 2, 3]
    assert "p1" not in [i["item_id"] for i in body["items"]]  # seen items are left out
    assert len(body["request_id"]) == 32
    for item in body["items"]:
        if expected.strategy == "none":
            assert item["reason"] is None
        else:
            assert item["reason"]["text"].endswith(item["title"])
            assert item["reason"]["evidence"]["item_facts"][0] == {"key": "title", "value": item["title"]}


@pytest.mark.parametrize("variant", ["no_reason", "template", "llm"])
def test_each_variant_is_served_as_configured(client, services, variant):
    user = user_with_variant(services, variant)
    body = client.get(f"/v1/users/{user}/recommendations", params={"k": 2, "lang": "en"}).json()
    assert body["variant"] == variant and body["source"] == "popular"  # unknown user: cold start
    reasons = [i["reason"] for i in body["items"]]
    if variant == "no_reason":
        assert reasons == [None, None]
    else:
        assert {r["generator"] for r in reasons} == {variant} and {r["language"] for r in reasons} == {"en"}


def test_llm_failure_or_timeout_is_never_an_error_page(tmp_path):
    from fastapi.testclient import TestClient

    from recreason.serve.app import create_app

    for llm in (FakeGenerator("llm", fail=True), FakeGenerator("llm", delay=2.0)):
        svc = make_services(tmp_path / uuid.uuid4().hex, {"template": FakeGenerator("template"), "llm": llm},
                            llm_timeout_s=0.2)
        with TestClient(create_app(services=svc)) as c:
            user = user_with_variant(svc, "llm")
            r = c.get(f"/v1/users/{user}/recommendations", params={"k": 2})
            assert r.status_code == 200
            reason = r.json()["items"][0]["reason"]
            assert reason["generator"] == "template" and reason["path"] == "fallback"
            assert reason["source"] == "fallback" and reason["notes"]
            assert 'recreason_reason_fallbacks_total{cause="' in c.get("/metrics").text
        svc.close()


@pytest.mark.parametrize(("url", "fragment"), [
    ("/v1/users/u_zh/recommendations?k=0", "query.k: Input should be greater than or equal to 1"),
    ("/v1/users/u_zh/recommendations?k=101", "query.k"),
    ("/v1/users/u_zh/recommendations?lang=fr", "query.lang: Input should be 'zh' or 'en'"),
    ("/v1/users/bad%07id/recommendations",
     "path.user_id: Value error, id contains a control character (U+0007 at index 3)"),
    ("/v1/users/%20padded/recommendations",
     "path.user_id: Value error, id has whitespace at its start or end"),
    (f"/v1/users/{'x' * 257}/recommendations", "path.user_id: Value error, oversized id: 257 characters"),
    ("/v1/users/u_zh/recommendations?scene=a%20b", "query.scene"),
])
def test_bad_queries_get_clear_422s(client, url, fragment):
    r = client.get(url)
    assert r.status_code == 422 and fragment in r.json()["detail"], r.text


#: The API's id rule before it took the data's (recreason.data.schema): ASCII, at most 128 characters.
OLD_HTTP_ID = r"^[A-Za-z0-9_.:@\-]{1,128}$"


def test_every_id_the_data_accepts_is_served_and_the_same_ids_are_refused(tmp_path, monkeypatch):
    """One id rule for data and API: users that ingest accepts (but the old HTTP rule refused) get their
    recommendations, profile and events; an id with a control character is refused by both, for one reason."""
    from fastapi.testclient import TestClient

    from recreason.data.ingest import ingest
    from recreason.serve.app import create_app

    from . import conftest

    new_ids = ["用户_01", "長" * 200, "a/b c"]
    assert not any(re.match(OLD_HTTP_ID, uid) for uid in new_ids)
    ws = conftest.write_workspace(tmp_path / "tiny")
    extra = tmp_path / "more" / "interactions.jsonl"
    extra.parent.mkdir()
    rows = [{"user_id": uid, "item_id": item, "event": "purchase"}
            for uid in new_ids for item in ("p1", "e1")]
    rows.append({"user_id": "bad\u0007id", "item_id": "p1", "event": "view"})
    extra.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    report = ingest([ws / "items.parquet", ws / "interactions.parquet", extra])
    reason = "id contains a control character (U+0007 at index 3)"
    assert [(r.field, r.reason) for r in report.rejects] == [("user_id", reason)]
    assert set(new_ids) <= set(report.dataset.interactions["user_id"])

    monkeypatch.setattr(conftest, "tiny_dataset", lambda: report.dataset)
    svc = make_services(tmp_path / "svc")
    with TestClient(create_app(services=svc)) as c:
        for uid in new_ids:
            path = urllib.parse.quote(uid, safe="")
            r = c.get(f"/v1/users/{path}/recommendations", params={"k": 2})
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["user_id"] == uid and body["source"] == "model" and len(body["items"]) == 2
            assert {"p1", "e1"}.isdisjoint(i["item_id"] for i in body["items"])  # bought: left out
            profile = c.get(f"/v1/admin/users/{path}/profile", headers=AD).json()
            assert profile["known"] and profile["user_id"] == uid
            r = c.post("/v1/events", json={"events": [ev(user=uid, item="p2")]}, headers=EV)
            assert r.status_code == 201 and r.json()["stored"] == 1
        assert svc.store.count_events() == len(new_ids)
        r = c.get("/v1/users/bad%07id/recommendations")
        assert r.status_code == 422 and f"path.user_id: Value error, {reason}" in r.json()["detail"]
        r = c.post("/v1/events", json={"events": [ev(user="bad\u0007id")]}, headers=EV)
        assert r.status_code == 422 and reason in r.json()["detail"]
        assert 'route="/v1/users/{user_id}/recommendations"' in c.get("/metrics").text  # the template, no id
    svc.close()


def test_k_above_the_configured_maximum_and_unknown_experiment(client):
    assert client.get("/v1/users/u_zh/recommendations?k=51").json()["detail"] == "k must be at most 50"
    r = client.get("/v1/users/u_zh/recommendations?experiment=nope")
    assert r.status_code == 404 and "unknown experiment 'nope'" in r.json()["detail"]


def test_events_need_an_event_key(client):
    body = {"events": [ev()]}
    r = client.post("/v1/events", json=body)
    assert r.status_code == 401 and "X-API-Key" in r.json()["detail"]
    assert client.post("/v1/events", json=body, headers={"X-API-Key": "wrong"}).status_code == 403
    assert client.post("/v1/events", json=body, headers=EV).status_code == 201


def test_events_are_idempotent_by_key(client, services):
    batch = {"events": [ev(key="dup-key-0001"), ev("click", key="dup-key-0002")]}
    ack = {"stored": 2, "duplicates": 0, "unattributed": 0}
    assert client.post("/v1/events", json=batch, headers=EV).json() == ack
    r = client.post("/v1/events", json=batch, headers=EV)
    assert r.status_code == 200 and r.json() == {"stored": 0, "duplicates": 2, "unattributed": 0}
    assert services.store.count_events() == 2
    assert 'recreason_events_total{result="duplicate",type="click"} 1.0' in client.get("/metrics").text


def test_a_key_reused_for_another_event_is_a_conflict(client, services):
    """A retry repeats its event (stored once); another event under the same key is 409 and stores nothing."""
    assert client.post("/v1/events", json={"events": [ev(key="reuse-key-01")]}, headers=EV).status_code == 201
    other = {"events": [ev("click", key="reuse-key-02"), ev("purchase", key="reuse-key-01", item="p2")]}
    r = client.post("/v1/events", json=other, headers=EV)
    assert r.status_code == 409 and "reuse-key-01" in r.json()["detail"]
    assert services.store.count_events() == 1  # nothing of the refused batch was stored
    twice = {"events": [ev(key="reuse-key-03"), ev("click", key="reuse-key-03")]}  # within one batch
    assert client.post("/v1/events", json=twice, headers=EV).status_code == 409
    retry = client.post("/v1/events", json={"events": [ev(key="reuse-key-01")]}, headers=EV)
    assert retry.status_code == 200 and retry.json() == {"stored": 0, "duplicates": 1, "unattributed": 0}


@pytest.mark.parametrize(("event", "fragment"), [
    ({"type": "like"}, "body.events.0.type: Input should be 'impression', 'click', 'add_to_cart' or 'purchase'"),
    ({"idempotency_key": "short"}, "body.events.0.idempotency_key"),
    ({"variant": "ghost"}, "experiment 'reasons' has no variant 'ghost'"),
    ({"experiment": "ghost"}, "unknown experiment 'ghost'"),
    ({"user_id": "secret\tuser"}, "body.events.0.user_id: Value error, id contains a control character"),
    ({"extra": 1}, "body.events.0.extra: Extra inputs are not permitted"),
])
def test_bad_events_get_clear_422s_without_echoing_input(client, event, fragment):
    r = client.post("/v1/events", json={"events": [{**ev(), **event}]}, headers=EV)
    assert r.status_code == 422 and fragment in r.json()["detail"], r.text
    assert all(set(e) == {"loc", "msg"} for e in r.json().get("errors", []))  # no "input": values are not echoed
    assert "secret" not in r.text


def test_an_empty_or_oversized_batch_is_refused(client):
    assert client.post("/v1/events", json={"events": []}, headers=EV).status_code == 422
    assert client.post("/v1/events", content=b"{not json", headers={**EV, "content-type": "application/json"}
                       ).status_code == 422


def test_body_size_limit(client):
    big = {"events": [ev(user="u" * 120) for _ in range(400)]}  # ~100 kB > 64 KiB
    r = client.post("/v1/events", json=big, headers=EV)
    assert r.status_code == 413 and "too large" in r.json()["detail"]

    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(100):
            yield b" " * 1024

    r = client.post("/v1/events", content=chunks(), headers={**EV, "content-type": "application/json"})
    assert r.status_code == 413


def test_experiment_report_counts_and_statistics(client):
    events = []
    for variant, clicks in (("no_reason", 10), ("template", 20)):
        for n in range(100):
            events.append(ev(variant=variant, request_id=f"r{variant}{n}"))
            if n < clicks:
                events.append(ev("click", variant=variant, request_id=f"r{variant}{n}"))
    for start in range(0, len(events), 200):
        assert client.post("/v1/events", json={"events": events[start:start + 200]}, headers=EV).status_code == 201
    assert client.get("/v1/experiments/reasons", headers=EV).status_code == 403  # an event key is not admin
    rep = client.get("/v1/experiments/reasons", headers=AD).json()
    rows = {v["variant"]: v for v in rep["variants"]}
    assert rows["no_reason"]["impressions"] == 100 and rows["template"]["clicks"] == 20
    assert rows["template"]["ctr"]["lift"] == pytest.approx(1.0)
    assert rows["template"]["ctr"]["p_value"] == pytest.approx(0.047676, abs=1e-5)
    assert rows["no_reason"]["ctr"]["ci_low"] == pytest.approx(0.05523, abs=5e-5)
    assert any("peeking" in c.lower() for c in rep["caveats"])
    assert client.get("/v1/experiments/nope", headers=AD).status_code == 404
    assert [e["name"] for e in client.get("/v1/experiments", headers=AD).json()] == ["reasons"]


def test_adhoc_reason_for_the_seed_example(client):
    seed = {"interests": "喜欢购买电子产品", "item": {"title": "最新款智能手机", "category": ["手机"],
            "attributes": {"处理器": "强大的处理器", "屏幕": "高清屏幕", "续航": "长续航", "相机": "高清相机"}}}
    r = client.post("/v1/reasons", json=seed)
    assert r.status_code == 200, r.text
    reason = r.json()["reason"]
    assert reason["text"] == "template: 最新款智能手机" and reason["language"] == "zh"
    assert reason["evidence"]["user_signals"] == [{"key": "interest", "value": "喜欢购买电子产品"}]
    r = client.post("/v1/reasons", json={"user_id": "u_en", "item_id": "e1", "generator": "llm"})
    assert r.status_code == 200 and r.json()["reason"]["generator"] == "llm"


@pytest.mark.parametrize(("body", "status", "fragment"), [
    ({"user_id": "u_zh", "interests": "x", "item_id": "p1"}, 422, "exactly one of user_id or interests"),
    ({"user_id": "u_zh"}, 422, "exactly one of item_id or item"),
    ({"user_id": "u_zh", "item_id": "nope"}, 404, "unknown item id 'nope'"),
    ({"user_id": "u_zh", "item_id": "p1", "generator": "peter"}, 422, "not served here"),
    ({"interests": "", "item_id": "p1"}, 422, "interests must be"),
    ({"interests": "x", "item": {"title": ""}}, 422, "body.item.title"),
])
def test_adhoc_reason_validation(client, body, status, fragment):
    r = client.post("/v1/reasons", json=body)
    assert r.status_code == status and fragment in r.json()["detail"], r.text


def test_console_endpoints_need_the_admin_key(client):
    assert client.get("/v1/admin/users").status_code == 401
    assert client.get("/v1/admin/users/u_zh/profile", headers=EV).status_code == 403
    users = client.get("/v1/admin/users", headers=AD).json()
    assert users[0] == "u_zh"
    profile = client.get("/v1/admin/users/u_zh/profile", headers=AD).json()
    assert profile["known"] and profile["n_events"] == 3 and "喜欢购买电子产品" in profile["summary"]
    assert "recreason console" in client.get("/console/").text
    assert client.get("/console/app.js").status_code == 200


def test_openapi_documents_the_paths_keys_and_peeking(client):
    spec = client.get("/openapi.json").json()
    for path in ("/v1/users/{user_id}/recommendations", "/v1/reasons", "/v1/events", "/v1/experiments/{name}",
                 "/healthz", "/metrics"):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    assert spec["paths"]["/v1/events"]["post"]["security"] == [{"APIKeyHeader": []}]
    assert "peeking" in spec["paths"]["/v1/experiments/{name}"]["get"]["description"].lower()
    assert "Recommendations" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 404  # its page needs a CDN: not served offline


def test_health_and_metrics(client):
    h = client.get("/healthz").json()
    assert h["status"] == "ok" and h["items"] == 6 and h["users"] == 5
    client.get("/v1/users/u_zh/recommendations")
    text = client.get("/metrics").text
    assert 'recreason_request_seconds_bucket{le="0.05",method="GET",route="/v1/users/{user_id}/recommendations"' in text
    assert "recreason_reason_cache_hit_ratio" in text and "u_zh" not in text


def test_logs_hold_no_raw_user_ids_or_interests(client, caplog):
    caplog.set_level(logging.INFO, logger="recreason.serve")
    client.get("/v1/users/secret_user_42/recommendations")
    client.post("/v1/reasons", json={"interests": "住在北京朝阳区", "item_id": "p1"})
    client.post("/v1/events", json={"events": [ev(user="secret_user_42", kind="bogus")]}, headers=EV)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/v1/users/{user_id}/recommendations 200" in logged and "user#" in logged
    assert "secret_user_42" not in logged and "朝阳" not in logged


def test_invented_http_methods_do_not_grow_the_metrics(client):
    """Every unknown method name used to become a new label value (10,000 requests: 18.5 MB of /metrics)."""
    for n in range(5):
        client.request(f"FOO{n}", "/healthz")
    text = client.get("/metrics").text
    assert "FOO" not in text and 'method="other"' in text


def test_adhoc_text_is_stripped_of_controls_and_capped(client):
    """A NUL, a right-to-left override or a 60,000-character value never reaches the reason."""
    item = {"title": "Trail\u202eChair\x00", "attributes": {"weight": "0.9 kg\u2066", "note": "x" * 60_000}}
    r = client.post("/v1/reasons", json={"interests": "hiking\x07", "item": item})
    assert r.status_code == 422 and "attributes" in r.text  # the long value is refused, named
    item["attributes"]["note"] = "light"
    r = client.post("/v1/reasons", json={"interests": "hiking\x07", "item": item})
    assert r.status_code == 200, r.text
    text = r.json()["reason"]["text"]
    assert not any(c in text for c in ("\x00", "\x07", "\u202e", "\u2066")) and "TrailChair" in text


def test_profile_evidence_needs_an_admin_key(client):
    """A user's profile signals and the guard's notes that quote them are personal data: anonymous callers get
    the reason without them, an admin key sees them; interests a caller sends itself come back to it."""
    anon = client.get("/v1/users/u_zh/recommendations", params={"k": 2}).json()["items"]
    admin = client.get("/v1/users/u_zh/recommendations", params={"k": 2}, headers=AD).json()["items"]
    shown = [(a["reason"], b["reason"]) for a, b in zip(anon, admin) if a["reason"]]
    assert shown and all(a["evidence"]["user_signals"] == [] for a, _ in shown)
    assert not any(n.startswith("guard:") for a, _ in shown for n in a["notes"])
    assert any(b["evidence"]["user_signals"] for _, b in shown)
    by_id = client.post("/v1/reasons", json={"user_id": "u_zh", "item_id": "p2"}).json()["reason"]
    assert by_id["evidence"]["user_signals"] == []


def test_llm_reasons_are_rate_limited_per_caller(tmp_path):
    """Anyone could run the LLM through /v1/reasons: a caller gets llm_rate_per_minute, then 429 with Retry-After;
    the template is not limited, and another caller has its own budget."""
    from fastapi.testclient import TestClient

    from recreason.serve.app import create_app

    svc = make_services(tmp_path / "rl", {"template": FakeGenerator("template"), "llm": FakeGenerator("llm")},
                        llm_rate_per_minute=2)
    body = {"user_id": "u_en", "item_id": "e1", "generator": "llm"}
    with TestClient(create_app(services=svc)) as c:
        assert [c.post("/v1/reasons", json=body).status_code for _ in range(2)] == [200, 200]
        r = c.post("/v1/reasons", json=body)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert c.post("/v1/reasons", json={**body, "generator": "template"}).status_code == 200
        assert c.post("/v1/reasons", json=body, headers={"X-API-Key": "someone-else"}).status_code == 200


def test_events_not_served_as_posted_are_stored_but_not_counted(client, services):
    """A/B data cannot be forged: an event whose variant is not the user's assignment, or whose item is not in
    the catalog, is stored and reported apart, never in the rates."""
    exp = services.experiments.get(None)
    user = user_with_variant(services, "template")
    other = next(v.name for v in exp.variants if v.name != "template")
    honest = [ev(user=user, request_id="h1"), ev("click", user=user, request_id="h1")]
    forged = [ev(user=user, variant=other, request_id="f1"), ev("click", user=user, variant=other, request_id="f1"),
              ev(user=user, item="no-such-item", request_id="f2"),
              ev("click", user=user, item="no-such-item", request_id="f2")]
    r = client.post("/v1/events", json={"events": honest + forged}, headers=EV)
    assert r.status_code == 201 and r.json() == {"stored": 6, "duplicates": 0, "unattributed": 4}
    rows = {v["variant"]: v for v in client.get("/v1/experiments/reasons", headers=AD).json()["variants"]}
    assert rows["template"]["impressions"] == 1 and rows["template"]["clicks"] == 1
    assert rows["template"]["unattributed"] == {"impression": 1, "click": 1}
    assert rows[other]["impressions"] == 0 and rows[other]["clicks"] == 0
    assert rows[other]["unattributed"] == {"impression": 1, "click": 1}
    assert rows[other]["ctr"]["rate"] is None  # no impressions: no rate, no error


def test_caller_supplied_profiles_need_a_key_unless_the_server_is_open(tmp_path):
    from fastapi.testclient import TestClient

    from recreason.serve.app import create_app

    svc = make_services(tmp_path, open_reasons=False)
    seed = {"interests": "喜欢购买电子产品", "item": {"title": "最新款智能手机", "attributes": {"屏幕": "6.7英寸"}}}
    with TestClient(create_app(services=svc)) as c:
        assert c.post("/v1/reasons", json=seed).status_code == 401
        assert c.post("/v1/reasons", json={"interests": "hiking", "item_id": "e1"}).status_code == 401
        assert c.post("/v1/reasons", json=seed, headers={"X-API-Key": "made-up"}).status_code == 403
        assert c.post("/v1/reasons", json=seed, headers=EV).status_code == 200
        stored = c.post("/v1/reasons", json={"user_id": "u_en", "item_id": "e1"})  # by id: no key needed
        assert stored.status_code == 200 and stored.json()["reason"]["evidence"]["user_signals"] == []
    svc.close()

"""Property-based fuzzing of the HTTP API from its own OpenAPI schema (schemathesis, bounded, reproducible).

Every operation in ``/openapi.json`` gets generated requests, valid and invalid ones (schemathesis' positive
and negative modes: its coverage phase of boundary values and unexpected methods, then its Hypothesis
fuzzing phase), each sent three times: with an admin key, with an event key and with none, so the endpoints
behind keys run past their 401/403 and the optional key of the public ones is tried both ways. Every
response must:

* not be a server error (``not_a_server_error``);
* have a status code the operation documents (``status_code_conformance``) and its documented content
  type (``content_type_conformance``);
* have a body that matches the documented schema for that status code (``response_schema_conformance``);
* refuse a request the schema calls invalid (``negative_data_rejection``).

Random experiment and variant names never name a configured one and a random generator name is never
served, so each event batch and ad-hoc reason is sent once more repaired (``_repaired``): then batches are
stored (201, duplicates, 409) and reasons written, with the rest of the generated payload intact.

The app is the server's real start-up path (``Services.from_settings``) over the tiny workspace the other
serving tests use (``conftest.write_workspace``): real template generator, guard, popularity ranker and
SQLite store, with ``llm_online=False`` so the ``llm`` variant takes the template path and no model loads.
Hypothesis runs derandomized with no example database, so CI sends the same requests every run; examples per
operation are capped (``MAX_EXAMPLES``) so the module runs in about 30 s on two cores (marked ``slow``: it is
left out of ``make check`` and run by ``make test``, as CI does).
"""

from __future__ import annotations

import atexit
import copy
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from recreason.serve.app import create_app
from recreason.serve.services import Services
from recreason.serve.settings import Settings

from .conftest import ADMIN_KEY, EVENT_KEY, write_workspace

MAX_EXAMPLES = 200  # per operation, fuzzing phase (the coverage phase adds its own fixed set)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
KEYS = {"admin": ADMIN_KEY, "event": EVENT_KEY, "none": None}

# Built at import: schemathesis needs the schema when it collects the tests (its fixture-based loader,
# ``schemathesis.pytest.from_fixture``, fails under pytest 9.2: it sets ``node._nodeid``). Building takes
# about a second and starts only daemon threads; the module fixture below closes it.
_ROOT = Path(tempfile.mkdtemp(prefix="recreason-fuzz-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)  # also when the test is collected but deselected
_SETTINGS = Settings(workspace=write_workspace(_ROOT / "workspace"), event_keys=[EVENT_KEY], admin_keys=[ADMIN_KEY],
                     warm_profiles=False, warm_llm=False, llm_online=False,
                     llm_rate_per_minute=1_000_000)  # the template path is fast; the 429 has its own test
_SERVICES = Services.from_settings(_SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(services=_SERVICES))
# The X-API-Key is not generated: each case is sent with each of KEYS instead. (A generated key would be part
# of the case's valid-or-invalid verdict, which then no longer holds for the key actually sent.)
schema.config.generation.update(with_security_parameters=False)
# An invalid body can also be refused for its size (the 64 KiB limit) before it is read: 413 is a refusal too.
_REJECTION = schema.config.checks.negative_data_rejection
_REJECTION.expected_statuses = [*_REJECTION.expected_statuses, "413"]
_VARIANTS = [(e.name, v.name) for e in _SERVICES.experiments.experiments for v in e.variants]


@pytest.fixture(scope="module", autouse=True)
def _close_services():
    yield
    _SERVICES.close()


def _repaired(case) -> object | None:
    """The case's body with what random data cannot hit set to served values (None: nothing to repair)."""
    body = case.body
    if not isinstance(body, dict) or case.method.upper() != case.operation.method.upper():
        return None  # (the coverage phase also sends each operation's body with other methods: 405 expected)
    body = copy.deepcopy(body)
    if case.operation.label == "POST /v1/events" and isinstance(body.get("events"), list):
        for n, event in enumerate(body["events"]):
            if isinstance(event, dict):
                event["experiment"], event["variant"] = _VARIANTS[n % len(_VARIANTS)]
        return body
    if case.operation.label == "POST /v1/reasons":
        body["generator"] = ("template", "llm")[len(str(body)) % 2]
        # exactly one of each pair (a rule the schema does not state), the generated one where there is one
        if body.get("user_id") is not None:
            body.pop("interests", None)
        elif body.get("interests") is None:
            body["interests"] = "喜欢购买电子产品"
        if body.get("item") is not None:
            body.pop("item_id", None)
        elif body.get("item_id") is None:
            body["item_id"] = "p1"
        return body
    return None


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=timedelta(seconds=10),
          suppress_health_check=list(HealthCheck), print_blob=True)
def test_api_conforms_to_its_schema(case):
    cases = {"as generated": case}
    repaired = _repaired(case)
    if repaired is not None:  # a case of its own: no generation metadata, so no valid-or-invalid verdict on it
        cases["body repaired"] = case.operation.Case(
            method=case.method, path_parameters=case.path_parameters, query=case.query, headers=case.headers,
            body=repaired, media_type=case.media_type)
    for attempt, sent in cases.items():
        for name, key in KEYS.items():
            try:
                sent.call_and_validate(headers={"X-API-Key": key} if key else None, checks=CHECKS)
            except BaseException as err:  # schemathesis raises a FailureGroup (a BaseExceptionGroup)
                err.add_note(f"(sent {attempt}, with the {name} key)")
                raise


# -- what the fuzzer found, pinned (fast: these run in `make check` too) ----------------------------------
@pytest.mark.parametrize(("method", "url", "body", "status", "fragment"), [
    # a newline in an id matched no route (":path" stops at one): 404 instead of the id rule's 422
    ("GET", "/v1/users/a%0Ab/recommendations", None, 422, "path.user_id: Value error, id contains a control"),
    ("GET", "/v1/admin/users/a%0Ab/profile", None, 422, "path.user_id"),
    ("DELETE", "/v1/users/a%0Ab", None, 422, "path.user_id"),
    # unknown and repeated query parameters were ignored (the last of a repeated one won)
    ("GET", "/v1/users/u_zh/recommendations?lnag=en", None, 422, "query.lnag: unknown query parameter"),
    ("GET", "/v1/users/u_zh/recommendations?k=1&k=2", None, 422, "query.k: given more than once"),
    ("GET", "/v1/admin/users?limit=3&limit=%06", None, 422, "query.limit: given more than once"),
    ("GET", "/healthz?probe=1", None, 200, '"status":"ok"'),
    # (not from the fuzzer, which sends valid UTF-8 only) invalid UTF-8 was read as U+FFFD: %FF, %FE, a lone
    # surrogate all named the same user "\ufffd"
    ("GET", "/v1/users/%FF%FE/recommendations", None, 422, "path: not UTF-8 once percent-decoded"),
    ("GET", "/v1/users/%ED%A0%80/recommendations", None, 422, "path: not UTF-8"),
    ("GET", "/v1/users/u_zh/recommendations?scene=%FF", None, 422, "query: not UTF-8"),
    ("GET", "/v1/users/%E7%94%A8%E6%88%B7%2F1/recommendations?k=1", None, 200, '"user_id":"用户/1"'),
    # a boolean or a string was taken for a number (lax pydantic: false -> 0.0, "10" -> 10)
    ("POST", "/v1/reasons", {"interests": "x", "item": {"title": "t", "price": False}}, 422,
     "body.item.price: Input should be a number"),
    ("POST", "/v1/reasons", {"interests": "x", "item_id": "p1", "max_length": "10"}, 422, "body.max_length"),
    ("POST", "/v1/reasons", {"interests": "x", "item_id": "p1", "max_length": 10.0}, 200, '"reason"'),
    # an error's location quoted the client's attribute name and pydantic's union tags
    ("POST", "/v1/reasons", {"interests": "x", "item": {"title": "t", "attributes": {"处理器": [1]}}}, 422,
     "body.item.attributes.*"),
])
def test_what_the_fuzzer_found(method, url, body, status, fragment):
    from fastapi.testclient import TestClient

    with TestClient(create_app(services=_SERVICES)) as client:
        r = client.request(method, url, json=body, headers={"X-API-Key": ADMIN_KEY})
    assert r.status_code == status, r.text
    assert fragment in r.text
    if status == 422:
        assert "处理器" not in r.text and "function-after" not in r.text


def test_every_status_code_is_documented():
    """The error answers each operation can give are in its ``responses`` (with their models), 422 with the
    shape the app sends (``detail`` text and ``errors``), and the two public operations say a key is optional."""
    paths = create_app(services=_SERVICES).openapi()["paths"]
    assert "HTTPValidationError" not in str(paths)
    for path, ops in paths.items():
        for method, op in ops.items():
            if op.get("parameters") or op.get("requestBody"):
                assert "422" in op["responses"], (method, path)
            if op.get("security") == [{"APIKeyHeader": []}]:  # a key required
                assert {"401", "403"} <= set(op["responses"]), (method, path)
    for path, method in [("/v1/users/{user_id}/recommendations", "get"), ("/v1/reasons", "post")]:
        assert paths[path][method]["security"] == [{"APIKeyHeader": []}, {}]
    assert {"201", "409", "413"} <= set(paths["/v1/events"]["post"]["responses"])
    assert "Retry-After" in paths["/v1/reasons"]["post"]["responses"]["429"]["headers"]

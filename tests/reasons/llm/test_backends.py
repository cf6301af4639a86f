"""OpenAIBackend over httpx.MockTransport: request shape, stop strings, retries, errors and timeouts."""

from __future__ import annotations

import json

import httpx
import pytest

from recreason.reasons.llm.backends import BackendError, LLMSettings, OpenAIBackend, cut_at_stop, make_backend


def backend(handler, **kw) -> OpenAIBackend:
    settings = LLMSettings(base_url="http://llm.test/v1", model="tiny", api_key=kw.pop("api_key", "sk-test"),
                           timeout=kw.pop("timeout", 5.0), retries=kw.pop("retries", 2), chat=kw.pop("chat", False))
    return OpenAIBackend(settings, transport=httpx.MockTransport(handler), backoff=0.0, **kw)


def reply(text: str, tokens: int = 5, finish: str = "stop") -> dict:
    return {"choices": [{"text": text, "finish_reason": finish}], "usage": {"completion_tokens": tokens}}


def test_completion_request_shape():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=reply(" Light and strong."))

    out = backend(handler).complete(["User: a\nReason:"], max_tokens=40, stop=["\n", ". "], temperature=0.0, seed=7)
    assert out[0].text == " Light and strong." and out[0].tokens == 5 and out[0].finish == "stop"
    req = seen[0]
    assert req.method == "POST" and str(req.url) == "http://llm.test/v1/completions"
    assert req.headers["authorization"] == "Bearer sk-test"
    body = json.loads(req.content)
    assert body == {"model": "tiny", "prompt": "User: a\nReason:", "max_tokens": 40, "temperature": 0.0,
                    "seed": 7, "stop": ["\n", ". "]}


def test_chat_mode_sends_messages_and_reads_message_content():
    def handler(request):
        body = json.loads(request.content)
        assert request.url.path == "/v1/chat/completions"
        assert body["messages"] == [{"role": "user", "content": "hi"}] and "prompt" not in body
        return httpx.Response(200, json={"choices": [{"message": {"content": "Hello there"}}]})

    assert backend(handler, chat=True).complete(["hi"])[0].text == "Hello there"


def test_stop_strings_cut_client_side_and_capped_at_four():
    def handler(request):
        assert len(json.loads(request.content)["stop"]) == 4
        return httpx.Response(200, json=reply("One sentence. Then another\nUser: x"))

    out = backend(handler).complete(["p"], stop=["\n", ". ", "! ", "? ", "User:"])
    assert out[0].text == "One sentence"
    assert cut_at_stop("abc User: def", ["User:", "zzz"]) == "abc "


def test_no_key_no_authorization_header():
    def handler(request):
        assert "authorization" not in request.headers
        return httpx.Response(200, json=reply("ok"))

    backend(handler, api_key=None).complete(["p"])


def test_server_errors_are_retried_then_succeed():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(503, text="busy") if len(calls) < 3 else httpx.Response(200, json=reply("fine"))

    assert backend(handler, retries=2).complete(["p"])[0].text == "fine"
    assert len(calls) == 3


def test_persistent_server_error_raises_clear_error():
    def handler(request):
        return httpx.Response(500, text="boom")

    with pytest.raises(BackendError, match=r"HTTP 500: boom \(3 attempts\)"):
        backend(handler, retries=2).complete(["p"])


def test_client_error_is_not_retried():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(401, text="bad key")

    with pytest.raises(BackendError, match="HTTP 401: bad key"):
        backend(handler).complete(["p"])
    assert len(calls) == 1


def test_timeout_becomes_backend_error():
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(BackendError, match=r"timed out after 0.5 s \(2 attempts\)"):
        backend(handler, timeout=0.5, retries=1).complete(["p"])


def test_connection_error_becomes_backend_error():
    def handler(request):
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(BackendError, match="connection failed"):
        backend(handler, retries=0).complete(["p"])


@pytest.mark.parametrize("payload", [{"choices": []}, {"nope": 1}, {"choices": [{"message": {}}]}])
def test_malformed_reply_raises(payload):
    with pytest.raises(BackendError, match="unexpected reply"):
        backend(lambda r: httpx.Response(200, json=payload)).complete(["p"])


def test_non_json_reply_raises():
    with pytest.raises(BackendError, match="not JSON"):
        backend(lambda r: httpx.Response(200, text="<html>")).complete(["p"])


def test_parallel_requests_keep_order():
    def handler(request):
        return httpx.Response(200, json=reply("echo " + json.loads(request.content)["prompt"]))

    prompts = [f"p{i}" for i in range(9)]
    out = backend(handler, parallel=4).complete(prompts)
    assert [c.text for c in out] == [f"echo p{i}" for i in range(9)]


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("RECREASON_LLM_BASE_URL", "http://env.test/v1")
    monkeypatch.setenv("RECREASON_LLM_MODEL", "qwen")
    monkeypatch.setenv("RECREASON_LLM_API_KEY", "k")
    monkeypatch.setenv("RECREASON_LLM_TIMEOUT", "3")
    s = LLMSettings.from_env()
    assert (s.base_url, s.model, s.api_key, s.timeout) == ("http://env.test/v1", "qwen", "k", 3.0)
    assert LLMSettings.from_env(model="other").model == "other"


def test_missing_settings_say_what_to_set(monkeypatch):
    monkeypatch.delenv("RECREASON_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("RECREASON_LLM_MODEL", raising=False)
    with pytest.raises(ValueError, match="RECREASON_LLM_BASE_URL"):
        LLMSettings.from_env()
    with pytest.raises(ValueError, match="RECREASON_LLM_MODEL"):
        LLMSettings.from_env(base_url="http://x")


def test_make_backend_with_server_url(monkeypatch):
    monkeypatch.setenv("RECREASON_LLM_MODEL", "served-model")
    b = make_backend("http://localhost:8080/v1/", transport=httpx.MockTransport(lambda r: httpx.Response(200, json=reply("x"))))
    assert isinstance(b, OpenAIBackend) and b.settings.base_url == "http://localhost:8080/v1"
    assert b.model_id == "served-model@http://localhost:8080/v1"
    assert b.complete(["p"])[0].text == "x"


def test_llamacpp_backend_rejects_missing_file(tmp_path):
    pytest.importorskip("xllamacpp")
    from recreason.reasons.llm.backends import LlamaCppBackend

    with pytest.raises(FileNotFoundError, match="GGUF file not found"):
        LlamaCppBackend(tmp_path / "none.gguf")

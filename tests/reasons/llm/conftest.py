"""A scripted backend for generator tests: records prompts, answers with a function of the prompt."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from recreason.reasons.llm.backends import Backend, Completion


class FakeBackend(Backend):
    model_id = "fake-model"

    def __init__(self, answer: Callable[[str], str] | str = " It is a good fit for you."):
        self.answer = answer if callable(answer) else (lambda _p, a=answer: a)
        self.calls: list[dict] = []

    @property
    def prompts(self) -> list[str]:
        return [p for c in self.calls for p in c["prompts"]]

    def complete(self, prompts: Sequence[str], max_tokens: int = 64, stop: Sequence[str] = (),
                 temperature: float = 0.0, seed: int = 0) -> list[Completion]:
        self.calls.append({"prompts": list(prompts), "max_tokens": max_tokens, "stop": list(stop),
                           "temperature": temperature, "seed": seed})
        return [Completion(self.answer(p), 7, 0.01, "stop") for p in prompts]


@pytest.fixture
def fake_backend():
    return FakeBackend

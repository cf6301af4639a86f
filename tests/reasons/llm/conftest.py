"""A scripted backend for generator tests: records prompts, answers with a function of the prompt."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import pytest

from recreason.reasons.llm.backends import Backend, Completion, seeds_for


class FakeBackend(Backend):
    model_id = "fake-model"

    def __init__(self, answer: Callable[..., str] | str = " It is a good fit for you."):
        """``answer(prompt)`` or ``answer(prompt, seed)`` (sampled candidates differ by seed), or a fixed text."""
        if not callable(answer):
            text = answer

            def answer(_prompt, _seed):
                return text
        self.answer = answer if len(inspect.signature(answer).parameters) > 1 else (lambda p, _s, f=answer: f(p))
        self.calls: list[dict] = []

    @property
    def prompts(self) -> list[str]:
        return [p for c in self.calls for p in c["prompts"]]

    def complete(self, prompts: Sequence[str], max_tokens: int = 64, stop: Sequence[str] = (),
                 temperature: float = 0.0, seed: int | Sequence[int] = 0,
                 reuse_prompt: bool = False, grammars=None) -> list[Completion]:
        seeds = seeds_for(prompts, seed)
        self.calls.append({"prompts": list(prompts), "max_tokens": max_tokens, "stop": list(stop),
                           "temperature": temperature, "seed": seed, "reuse_prompt": reuse_prompt,
                           "grammars": grammars})
        return [Completion(self.answer(p, s), 7, 0.01, "stop") for p, s in zip(prompts, seeds)]


@pytest.fixture
def fake_backend():
    return FakeBackend

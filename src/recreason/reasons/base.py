"""The one interface every reason generator implements: fit / generate / save / load.

R = h(R*, U_i, C_j): a ``ReasonRequest`` carries the user's profile U_i, the item's profile C_j, optional
context, the target language and length (and, for feature-conditioned generators, the aspect to talk
about); a ``Reason`` carries the text, its language, the evidence it used, which generator wrote it,
by which path (``primary``, ``regenerated`` or ``fallback`` once the guard has seen it) and how long it took.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from recreason.profiles.models import ItemProfile, UserProfile
from recreason.text import Language, language

Path_ = Literal["primary", "regenerated", "fallback", "withheld"]  # withheld: no reason passed the guard


class ReasonRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    user: UserProfile
    item: ItemProfile
    context: dict[str, str] = Field(default_factory=dict, description="e.g. scene, device")
    language: str | None = Field(default=None, description="zh or en; default: the item's language")
    max_length: int | None = Field(default=None, description="words (en) or characters (zh)")
    feature: str | None = Field(default=None, description="aspect to talk about (feature-conditioned mode)")

    @property
    def lang(self) -> Language:
        """The reason's language: the request's, else the item's, else the user's (``recreason.text``)."""
        return language(self.language or self.item.language or self.user.language)


class Fact(BaseModel):
    """One piece of evidence: ``key`` is an attribute name, "aspect", "category", "title", "interest" ..."""

    model_config = ConfigDict(frozen=True)

    key: str
    value: str


class Evidence(BaseModel):
    user_signals: list[Fact] = Field(default_factory=list, description="which of the user's interests it used")
    item_facts: list[Fact] = Field(default_factory=list, description="which item attributes or aspects it used")


class Reason(BaseModel):
    text: str
    language: str
    user_id: str
    item_id: str
    generator: str
    evidence: Evidence = Field(default_factory=Evidence)
    path: Path_ = "primary"
    seconds: float = 0.0
    notes: list[str] = Field(default_factory=list, description="e.g. why the guard replaced a reason")


class TrainingExample(BaseModel):
    """A request and the reference reason written for it (a review sentence, an explanation, ad copy)."""

    request: ReasonRequest
    text: str


class Generator(ABC):
    """Base class of all reason generators. Subclasses set ``name`` and implement ``generate``.

    ``save`` writes ``config.json`` (``{"generator": name, ...config()}``) plus whatever ``_save_state``
    adds; ``load`` reads it back through the registry, so a saved folder needs no code to name its class.
    """

    name: ClassVar[str] = "base"
    #: candidates the pipeline may ask for per request (``candidates``); 1: the first reason or nothing else
    best_of: int = 1

    def fit(self, train: Sequence[TrainingExample]) -> Generator:
        """Learn from reference reasons. Generators that need no training return ``self``."""
        return self

    @abstractmethod
    def generate(self, requests: Sequence[ReasonRequest]) -> list[Reason]:
        """One reason per request, in order."""

    def regenerate(self, requests: Sequence[ReasonRequest], attempt: int = 1) -> list[Reason] | None:
        """Another try at reasons the guard rejected, or None when the generator would only repeat itself
        (deterministic generators: the template, greedy decoding). Sampling generators override it."""
        return None

    def candidates(self, requests: Sequence[ReasonRequest], n: int) -> list[list[Reason]]:
        """``n`` more reasons per request, other than the one ``generate`` wrote (best-of-n: the guard keeps the
        best that passes, ``recreason.guard.pipeline``). By default ``n`` calls of ``regenerate`` with attempts
        1..n; nothing for a generator that would only repeat itself."""
        out: list[list[Reason]] = [[] for _ in requests]
        for attempt in range(1, n + 1):
            again = self.regenerate(requests, attempt)
            if again is None:
                break
            for row, r in zip(out, again, strict=True):
                row.append(r)
        return out

    def config(self) -> dict[str, Any]:
        """JSON-able settings needed to rebuild the generator."""
        return {}

    def _save_state(self, folder: Path) -> None:
        """Write learned state (safetensors, JSON) beside config.json."""

    def _load_state(self, folder: Path) -> None:
        """Read what ``_save_state`` wrote."""

    def save(self, folder: Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text(
            json.dumps({"generator": self.name, **self.config()}, ensure_ascii=False, indent=2), encoding="utf-8")
        self._save_state(folder)
        return folder

    @classmethod
    def load(cls, folder: Path) -> Generator:
        from recreason.reasons.registry import generator_class

        folder = Path(folder)
        path = folder / "config.json"
        if not path.is_file():
            raise FileNotFoundError(f"{folder}: not a saved generator (no config.json)")
        config = json.loads(path.read_text(encoding="utf-8"))
        klass = generator_class(config.pop("generator"))
        if cls is not Generator and not issubclass(klass, cls):
            raise TypeError(f"{folder} holds a {klass.name} generator, not {cls.name}")
        gen = klass(**config)
        gen._load_state(folder)
        return gen

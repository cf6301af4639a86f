"""UserProfile U_i = f(U*, X_i) and ItemProfile C_j = g(C*, X_j): what reasons are written from.

Both are pydantic models, so they serialise to JSON (``model_dump_json``) and back, travel through the
HTTP API unchanged, and hash stably (``fingerprint``) for caches.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from recreason.profiles.render import render_item, render_user


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)

    def fingerprint(self) -> str:
        """A short stable hash of the profile's content (for caches keyed by profile)."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()[:16]


class Weighted(_Model):
    name: str
    weight: float


class AttributePreference(_Model):
    key: str
    value: str
    weight: float


class AspectPreference(_Model):
    """An aspect a user writes about: how much (weight) and how they feel about it (-1 .. 1)."""

    feature: str
    weight: float
    sentiment: float
    mentions: int


class AspectSummary(_Model):
    """How an item is praised or criticised for one aspect, from its reviews (or its description)."""

    feature: str
    mentions: int
    positive: int
    negative: int
    opinions: list[str] = Field(default_factory=list, description="most frequent opinion words")
    example: str | None = Field(default=None, description="one review sentence that mentions it")
    source: str = Field(default="reviews", description="reviews or description")

    @property
    def sentiment(self) -> float:
        return (self.positive - self.negative) / self.mentions if self.mentions else 0.0


class UserProfile(_Model):
    user_id: str
    language: str = "en"
    interests: list[str] = Field(default_factory=list, description="declared interests (cold start)")
    profile_text: str | None = None
    categories: list[Weighted] = Field(default_factory=list)
    attributes: list[AttributePreference] = Field(default_factory=list)
    price_band: str | None = None
    aspects: list[AspectPreference] = Field(default_factory=list)
    n_events: int = 0
    last_event: datetime | None = None

    @property
    def is_cold(self) -> bool:
        return self.n_events == 0

    def top_interests(self, n: int = 5) -> list[str]:
        """The words a personal reason should speak to: aspects, categories, declared interests."""
        out = [a.feature for a in self.aspects if a.sentiment >= 0][:n]
        out += [c.name for c in self.categories][: max(0, n - len(out))]
        out += self.interests
        return list(dict.fromkeys(out))

    def summary(self, lang: str | None = None, dislikes: bool = True) -> str:
        return render_user(self, lang or self.language, dislikes)


class ItemProfile(_Model):
    item_id: str
    title: str | None = None
    language: str = "en"
    category: list[str] = Field(default_factory=list)
    attributes: dict[str, str | list[str]] = Field(default_factory=dict)
    brand: str | None = None
    price: float | None = None
    price_band: str | None = None
    description: str | None = None
    aspects: list[AspectSummary] = Field(default_factory=list)
    n_interactions: int = 0
    mean_rating: float | None = None

    def facts(self) -> list[tuple[str, str]]:
        """Every (key, value) the item's data states: what a reason may claim."""
        out: list[tuple[str, str]] = []
        if self.title:
            out.append(("title", self.title))
        out += [("category", c) for c in self.category]
        for key, value in self.attributes.items():
            out += [(key, v) for v in (value if isinstance(value, list) else [value])]
        if self.brand:
            out.append(("brand", self.brand))
        if self.price is not None:
            out.append(("price", f"{self.price:g}"))
        out += [("aspect", a.feature) for a in self.aspects]
        return out

    def summary(self, lang: str | None = None, panned: bool = True) -> str:
        return render_item(self, lang or self.language, panned)

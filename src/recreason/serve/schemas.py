"""Request and response models of the HTTP API (they are its OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from recreason.data.schema import IdStr, ServedEvent
from recreason.reasons.base import Evidence
from recreason.text.untrusted import strip_controls

#: User and item ids follow the data's id rule (``recreason.data.schema.IdStr``): any id a workspace
#: holds can be requested. Scenes are short labels (the events table stores 64 characters).
SCENE = r"^[A-Za-z0-9_.:@\-]{1,64}$"
Lang = Literal["zh", "en"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReasonOut(BaseModel):
    text: str
    language: str
    generator: str = Field(description="the generator that wrote the text (template, llm ...)")
    path: str = Field(description="primary, regenerated (by the guard), fallback (template served instead) or "
                                  "withheld (no candidate passed the guard: the text is empty, the notes say why)")
    source: str = Field(description="cache, generated (now) or fallback")
    evidence: Evidence
    notes: list[str] = Field(default_factory=list)


class RecommendedItem(BaseModel):
    rank: int
    item_id: str
    score: float
    title: str | None = None
    reason: ReasonOut | None = Field(description="null when the variant shows no reason, or when no candidate "
                                                 "reason passed the guard")


class Recommendations(BaseModel):
    request_id: str = Field(description="send it back with every event about these items")
    user_id: str
    experiment: str
    variant: str
    strategy: str
    source: str = Field(description="model (a known user), interests or popular (cold start)")
    lang: str | None
    scene: str | None
    items: list[RecommendedItem]


#: free text from a client: control and bidi-override characters stripped (recreason.text.untrusted), then
#: capped; an attribute value of 60,000 characters or a NUL never reaches a prompt or a reason
Short = Annotated[str, AfterValidator(strip_controls), StringConstraints(max_length=100)]
Value = Annotated[str, AfterValidator(strip_controls), StringConstraints(max_length=500)]


class ItemIn(Strict):
    """An item not (necessarily) in the catalog: its attributes as the seed's example gives them."""

    title: Annotated[str, AfterValidator(strip_controls), StringConstraints(min_length=1, max_length=200)]
    category: list[Short] = Field(default_factory=list, max_length=8)
    attributes: dict[Short, Value | Annotated[list[Value], Field(max_length=20)]] = Field(default_factory=dict,
                                                                                         max_length=50)
    brand: Short | None = None
    price: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    description: Annotated[str, AfterValidator(strip_controls), StringConstraints(max_length=2000)] | None = None
    language: Lang | None = None


class ReasonIn(Strict):
    """Who (a user id, or interests as text) and what (an item id, or the item's attributes)."""

    user_id: IdStr | None = None
    interests: Annotated[str, AfterValidator(strip_controls)] | list[Annotated[str, AfterValidator(strip_controls)]] | None = \
        Field(default=None, description="e.g. 喜欢购买电子产品")
    item_id: IdStr | None = None
    item: ItemIn | None = None
    lang: Lang | None = None
    scene: str | None = Field(default=None, pattern=SCENE)
    max_length: int | None = Field(default=None, ge=5, le=200)
    generator: str = Field(default="template", pattern=r"^[a-z_]{1,32}$",
                           description="template, llm ... (llm runs under the server's timeout)")

    @model_validator(mode="after")
    def _one_of_each(self) -> ReasonIn:
        if (self.user_id is None) == (self.interests is None):
            raise ValueError("give exactly one of user_id or interests")
        if (self.item_id is None) == (self.item is None):
            raise ValueError("give exactly one of item_id or item")
        text = self.interests
        if isinstance(text, str) and (not text.strip() or len(text) > 500):
            raise ValueError("interests must be 1 to 500 characters")
        if isinstance(text, list) and (not 1 <= len(text) <= 20 or any(not s.strip() or len(s) > 100 for s in text)):
            raise ValueError("interests must be 1 to 20 non-empty strings of at most 100 characters")
        return self


class ReasonResponse(BaseModel):
    user_id: str | None
    item_id: str | None
    reason: ReasonOut


class EventIn(Strict):
    type: ServedEvent
    idempotency_key: str = Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$",
                                 description="unique per event; a retry with the same key is stored once")
    request_id: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    user_id: IdStr
    item_id: IdStr
    experiment: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")
    variant: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")
    scene: str | None = Field(default=None, pattern=SCENE)
    timestamp: float | None = Field(default=None, ge=0, allow_inf_nan=False, description="client time, unix s")


class EventBatch(Strict):
    events: list[EventIn] = Field(min_length=1, max_length=200)


class EventAck(BaseModel):
    stored: int = Field(description="new events, committed to durable storage")
    duplicates: int = Field(description="events whose idempotency key was already stored (not stored again)")


class RateStats(BaseModel):
    successes: int
    rate: float | None
    ci_low: float
    ci_high: float
    lift: float | None = Field(description="relative to the control: (rate - control) / control")
    z: float | None
    p_value: float | None = Field(description="pooled two-sided two-proportion z-test against the control")


class VariantReport(BaseModel):
    variant: str
    strategy: str
    weight: float
    control: bool
    impressions: int
    clicks: int
    add_to_cart: int
    purchases: int
    ctr: RateStats
    cvr: RateStats = Field(description="purchases per impression")


class ExperimentReport(BaseModel):
    experiment: str
    description: str
    control: str
    confidence: float
    variants: list[VariantReport]
    caveats: list[str] = Field(description="read before acting on a p-value (peeking!)")


class ExperimentSummary(BaseModel):
    name: str
    description: str
    variants: list[str]
    default: bool


class Health(BaseModel):
    status: str
    users: int
    items: int
    ranker: str
    cached_reasons: int

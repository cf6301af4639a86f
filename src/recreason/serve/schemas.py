"""Request and response models of the HTTP API (they are its OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

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


def _json_number(value):
    """A JSON number as the schema says: ``5`` and ``5.0``, never ``"5"`` or ``false`` (lax pydantic takes both)."""
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("number_type", "Input should be a number")
    return value


Number = BeforeValidator(_json_number)
Value = Annotated[str, AfterValidator(strip_controls), StringConstraints(max_length=500)]


class ItemIn(Strict):
    """An item not (necessarily) in the catalog: its attributes as the seed's example gives them."""

    title: Annotated[str, AfterValidator(strip_controls), StringConstraints(min_length=1, max_length=200)]
    category: list[Short] = Field(default_factory=list, max_length=8)
    attributes: dict[Short, Value | Annotated[list[Value], Field(max_length=20)]] = Field(default_factory=dict,
                                                                                         max_length=50)
    brand: Short | None = None
    price: Annotated[float | None, Number] = Field(default=None, ge=0, allow_inf_nan=False)
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
    max_length: Annotated[int | None, Number] = Field(default=None, ge=5, le=200)
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
    timestamp: Annotated[float | None, Number] = Field(default=None, ge=0, allow_inf_nan=False,
                                    description="client time, unix s")


class EventBatch(Strict):
    events: list[EventIn] = Field(min_length=1, max_length=200)


class EventAck(BaseModel):
    stored: int = Field(description="new events, committed to durable storage")
    duplicates: int = Field(description="events whose idempotency key was already stored (not stored again)")
    unattributed: int = Field(default=0, description="new events stored but not counted in the experiment: the "
                                                     "variant is not the user's assigned one, or the item is not "
                                                     "in the catalog (the report shows them apart)")


class Forgotten(BaseModel):
    user_id: str
    removed: dict[str, int] = Field(description="rows removed per store: workspace tables, rejects, events, "
                                                "cached reasons, profile reads, ranker")
    notes: list[str] = Field(default_factory=list)


class ProfileRead(BaseModel):
    at: float = Field(description="Unix time")
    caller: str = Field(description="fingerprint of the API key that read it (never the key)")
    user_id: str
    route: str


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
    unattributed: dict[str, int] = Field(default_factory=dict, description="events per type stored but not counted: "
                                         "the variant is not the user's assignment, the item is not in the catalog, or "
                                         "(clicks, carts, purchases) this variant showed no such item in that request")
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
    status: Literal["ok", "starting", "failed"]
    loading: str | None = Field(default=None, description="while starting: the step now loading")
    error: str | None = Field(default=None, description="when start-up failed: why")
    seconds: float = Field(description="since the server started")
    users: int | None = None
    items: int | None = None
    ranker: str | None = Field(default=None, description="the ranker in use (and whether it was trained at start)")
    cached_reasons: int | None = None
    breakers: dict[str, str] = Field(default_factory=dict, description="circuit breaker per slow variant: open "
                                     "(its generator is paused, the template served) or closed")


# -- errors: every status code an operation can answer is declared in its ``responses`` (``errors(...)``) ------
class ErrorOut(BaseModel):
    """Every error answer: what went wrong, in words (never the offending input)."""

    detail: str


class FieldError(BaseModel):
    loc: str = Field(description="where, e.g. body.events.0.user_id or query.k")
    msg: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldError] = Field(default_factory=list, description="one per invalid field (empty when the "
                                                                       "request was refused as a whole)")


ERROR_DESCRIPTIONS = {
    400: "Malformed request: a body that cannot be parsed, or an invalid Content-Length header",
    401: "No X-API-Key header (the endpoint, or the data sent to it, needs a key)",
    403: "The API key may not use this endpoint",
    404: "Unknown experiment or item",
    408: "The request body did not arrive in time (RECREASON_BODY_TIMEOUT_S)",
    409: "An idempotency key was reused with a different event (nothing of the batch is stored)",
    413: "Request body over the server's limit",
    422: "Invalid request: the fields and what is wrong with them",
    429: "Too many LLM-written reasons from this caller; retry after Retry-After seconds",
}


#: ``openapi_extra`` of an endpoint that takes an X-API-Key but does not need one (a key only shows more):
#: FastAPI declares ``security: [{"APIKeyHeader": []}]`` (a key required); this appends ``{}``, "or none"
KEY_OPTIONAL = {"security": [{}]}


def errors(*codes: int) -> dict[int | str, dict]:
    """The ``responses=`` of a route for these error status codes (each with its model and description)."""
    out: dict[int | str, dict] = {}
    for code in codes:
        out[code] = {"model": ValidationErrorOut if code == 422 else ErrorOut,
                     "description": ERROR_DESCRIPTIONS[code]}
        if code == 429:
            out[code]["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
    return out

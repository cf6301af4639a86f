"""The native data model: Item, User, Interaction and Reference, as pydantic records and Arrow schemas.

Records are validated one by one with pydantic where the volume is small (items, users, the CLI and the
API); the bulk path (millions of interactions) validates whole columns at once in ``validate.py`` against
the same rules and writes the Arrow schemas below. Ids are always strings (MovieLens' integer ids become
"1", "2", ...). Free-form maps (item attributes, user demographics, interaction context) are stored in
Parquet as JSON text, so any key works without a schema change.

This module is the one place that defines the id rule (``ID_PATTERN``, ``id_problem``, ``IdStr``: data
validation and the HTTP API both use it), the event vocabularies (``EventType`` for behaviour data,
``ServedEvent`` for the API's experiment events) with their weights, and the column kinds of the tables.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import pyarrow as pa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

MAX_TEXT_CHARS = 20_000

# -- ids ----------------------------------------------------------------------------------------------
# The one id rule, for the data (validate.py, the records below) and the HTTP API (serve): 1 to 256
# characters of any script (Amazon "A2SUAM1J3GNN3B", MovieLens "1", "用户_01", ids with spaces or "/"
# inside), no control character (Unicode category Cc: U+0000-U+001F, U+007F-U+009F) anywhere, no
# whitespace at either end. Data values are trimmed before the check; the API does not trim (an id with
# whitespace at its ends names nobody in the data, so it is refused).
MAX_ID_CHARS = 256
_CONTROL = r"\x00-\x1f\x7f-\x9f"
#: The id rule as a regular expression (no look-around, so Python ``re`` and pydantic's regex agree).
ID_PATTERN = rf"^[^\s{_CONTROL}](?:[^{_CONTROL}]{{0,{MAX_ID_CHARS - 2}}}[^\s{_CONTROL}])?$"
#: Use ``ID_RE.fullmatch``: in Python, ``$`` also matches before a final newline.
ID_RE = re.compile(ID_PATTERN)
CONTROL_RE = re.compile(f"[{_CONTROL}]")


def id_problem(value: str) -> str | None:
    """Why ``value`` breaks the id rule, or None when it is a valid id.

    The reason never repeats the value (ids can be personal data, and a control character in an error
    message or a log is a hazard of its own).
    """
    if ID_RE.fullmatch(value):
        return None
    if not value:
        return "empty id"
    if len(value) > MAX_ID_CHARS:
        return f"oversized id: {len(value)} characters (limit {MAX_ID_CHARS})"
    control = CONTROL_RE.search(value)
    if control:
        return f"id contains a control character (U+{ord(control.group()):04X} at index {control.start()})"
    return "id has whitespace at its start or end"


def check_id(value: str) -> str:
    """``value`` if it is a valid id, else ``ValueError`` with the reason (a pydantic validator)."""
    problem = id_problem(value)
    if problem:
        raise ValueError(problem)
    return value


#: A string that follows the id rule (pydantic field type; the JSON schema shows the pattern).
IdStr = Annotated[str, Field(json_schema_extra={"pattern": ID_PATTERN, "minLength": 1,
                                                  "maxLength": MAX_ID_CHARS}),
                  AfterValidator(check_id)]

# -- events -------------------------------------------------------------------------------------------


class EventType(StrEnum):
    """What a user did with an item (behaviour data: the interactions table), weakest to strongest
    signal of interest."""

    view = "view"
    click = "click"
    cart = "cart"
    purchase = "purchase"
    rate = "rate"
    review = "review"


#: The behaviour event types as strings, weakest to strongest.
EVENT_TYPES: tuple[str, ...] = tuple(e.value for e in EventType)


class ServedEvent(StrEnum):
    """What a client reports about a recommendation the API served (``POST /v1/events``): the steps of
    the A/B experiment funnel. A serving vocabulary, not behaviour data: its names are the wire format
    and the experiment report's; ``SERVED_AS_BEHAVIOUR`` says which behaviour event each one is."""

    impression = "impression"
    click = "click"
    add_to_cart = "add_to_cart"
    purchase = "purchase"


#: The behaviour event a served event is (when a served-event log is ingested as interactions);
#: None for an impression: being shown an item is no sign of interest.
SERVED_AS_BEHAVIOUR: dict[str, str | None] = {
    ServedEvent.impression.value: None,
    ServedEvent.click.value: EventType.click.value,
    ServedEvent.add_to_cart.value: EventType.cart.value,
    ServedEvent.purchase.value: EventType.purchase.value,
}

# Two weightings of the same behaviour events, on purpose: they answer different questions.
#: How much one event adds to a user's interest profile (``recreason.profiles``). Events add up (then
#: scaled by rating and recency), so these are relative amounts of evidence: a purchase counts as five
#: views, a review (the user wrote about it) more than a bare rating.
PROFILE_EVENT_WEIGHTS: dict[str, float] = {
    "view": 1.0, "click": 2.0, "cart": 3.0, "purchase": 5.0, "rate": 3.0, "review": 4.0,
}
#: The implicit-feedback label of a user-item pair for the rankers (``recreason.rank``): a confidence
#: in (0, 1] where a pair keeps its strongest event (no summing); purchase, rate and review are full
#: positives (the usual protocol: any rating is a positive), and ``RankerConfig.exclude_from`` cuts on it.
RANKER_EVENT_WEIGHTS: dict[str, float] = {
    "view": 0.25, "click": 0.5, "cart": 0.75, "purchase": 1.0, "rate": 1.0, "review": 1.0,
}

# -- records ------------------------------------------------------------------------------------------
AttrValue = str | list[str]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Item(_Record):
    """An item (product, film, place, post ...). ``attributes`` maps a key to one value or several."""

    item_id: IdStr
    title: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    category: list[str] = Field(default_factory=list, description="category path, broad to narrow")
    attributes: dict[str, AttrValue] = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    price: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    brand: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    language: str | None = None


class User(_Record):
    """A user. Declared interests serve cold start; ``profile_text`` holds a given textual profile."""

    user_id: IdStr
    interests: list[str] = Field(default_factory=list)
    demographics: dict[str, str] = Field(default_factory=dict)
    profile_text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    language: str | None = None


class Interaction(_Record):
    """One behaviour event. ``context`` holds e.g. scene and device."""

    user_id: IdStr
    item_id: IdStr
    event: EventType
    rating: float | None = Field(default=None, allow_inf_nan=False)
    review: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    timestamp: datetime | None = None
    context: dict[str, str] = Field(default_factory=dict)
    split: str | None = None


class Reference(_Record):
    """A reference reason (ground-truth explanation) for a user-item pair, or for an item alone.

    PETER/NETE templates, XRec explanations and AdvertiseGen ad copy land here; ``feature`` is the
    aspect the reference is about when the source names one.
    """

    user_id: IdStr | None = None
    item_id: IdStr
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    feature: str | None = None
    opinion: str | None = None
    sentiment: int | None = None
    split: str | None = None
    language: str | None = None

    @field_validator("sentiment")
    @classmethod
    def _sentiment(cls, v: int | None) -> int | None:
        if v is not None and v not in (-1, 0, 1):
            raise ValueError("sentiment must be -1, 0 or 1")
        return v


TABLES = ("items", "users", "interactions", "references")
#: attribute keys of bookkeeping, never words of a sentence (Amazon metadata and the like; lower case): a
#: reason never names them, the template never shows their values
BOOKKEEPING_KEYS = frozenset(["main_cat", "maincat", "rank", "asin", "sku", "salesrank", "sales_rank", "also_buy", "also_view", "similar_item", "details", "tech1", "tech2", "fit", "date", "imageurl", "imageurlhighres", "item_id", "product_id", "parent_asin"]) | frozenset((
    "shipping weight", "item model number", "domestic shipping", "international shipping", "upc", "isbn-10",
    "isbn-13", "asin:", "date first available", "best sellers rank", "product dimensions", "package dimensions",
    "item model", "manufacturer part number", "batteries required"))
#: attribute keys that carry taste (what a person picks an item for), in the order a prompt or a profile shows
#: them: brand and maker, style and look, material, kind and genre, use. Other keys follow; bookkeeping stays out.
TASTE_KEYS = (
    "brand", "author", "artist", "director", "cast", "actor", "actors", "starring", "creator", "publisher",
    "style", "genre", "genres", "flavor", "flavour", "scent", "material", "fabric", "color", "colour", "pattern",
    "format", "type", "use", "usage", "occasion", "size",
    "品牌", "作者", "导演", "主演", "演员", "风格", "题材", "类型", "口味", "香型", "材质", "面料", "颜色", "图案",
    "版型", "款式", "适用人群", "适用场景", "用途")


def is_bookkeeping(key: str) -> bool:
    """An attribute key of bookkeeping (shipping, ranks, ids, model numbers, "main_cat"): its value is never
    a word of a reason, a prompt or a profile summary. The one rule for the template, the guard and prompts."""
    k = key.strip().lower()
    return k in BOOKKEEPING_KEYS or "_" in k


def taste_order(key: str) -> int:
    """Where an attribute key goes when the attributes are shown: taste keys first (``TASTE_KEYS`` order),
    selling points (``LABEL_KEYS``) next, then the rest."""
    k = key.strip().lower()
    if k in TASTE_KEYS:
        return TASTE_KEYS.index(k)
    return len(TASTE_KEYS) + (0 if k in LABEL_KEYS else 1)


#: attribute keys that only label a list of selling points ("feature": "Gift Card is affixed inside a gift tin"):
#: a reason says the value, not the key
LABEL_KEYS = frozenset(("feature", "features", "highlights", "highlight", "bullet points", "about", "卖点", "特点",
                        "亮点"))

ITEMS = pa.schema([
    ("item_id", pa.string()), ("title", pa.string()), ("category", pa.list_(pa.string())),
    ("attributes", pa.string()), ("description", pa.string()), ("price", pa.float64()),
    ("brand", pa.string()), ("language", pa.string()),
])
USERS = pa.schema([
    ("user_id", pa.string()), ("interests", pa.list_(pa.string())), ("demographics", pa.string()),
    ("profile_text", pa.string()), ("language", pa.string()),
])
INTERACTIONS = pa.schema([
    ("user_id", pa.string()), ("item_id", pa.string()), ("event", pa.string()), ("rating", pa.float64()),
    ("review", pa.string()), ("timestamp", pa.timestamp("s", tz="UTC")), ("context", pa.string()),
    ("split", pa.string()),
])
REFERENCES = pa.schema([
    ("user_id", pa.string()), ("item_id", pa.string()), ("text", pa.string()), ("feature", pa.string()),
    ("opinion", pa.string()), ("sentiment", pa.int8()), ("split", pa.string()), ("language", pa.string()),
])
SCHEMAS: dict[str, pa.Schema] = {
    "items": ITEMS, "users": USERS, "interactions": INTERACTIONS, "references": REFERENCES,
}
MODELS: dict[str, type[_Record]] = {
    "items": Item, "users": User, "interactions": Interaction, "references": Reference,
}
# Column kinds of the native tables: the one list (validate.py checks and dataset.py converts by them).
# Columns of no kind here are text (at most ``max_text_chars``), except event, timestamp and sentiment,
# which have rules of their own.
#: Ids: checked by the id rule (``id_problem``); required where ``REQUIRED`` names them.
ID_COLUMNS = frozenset({"item_id", "user_id"})
#: Free-form maps, stored as JSON text in Parquet.
JSON_COLUMNS = frozenset({"attributes", "demographics", "context"})
#: Stored as list<string>.
LIST_COLUMNS = frozenset({"category", "interests"})
#: Numbers (float64): finite, not NaN, or null.
NUMERIC_COLUMNS = frozenset({"rating", "price"})
#: Columns a source must provide for each table.
REQUIRED: dict[str, tuple[str, ...]] = {
    "items": ("item_id",),
    "users": ("user_id",),
    "interactions": ("user_id", "item_id"),
    "references": ("item_id", "text"),
}


def dump_json(value: Any) -> str | None:
    """JSON text for a map column; empty maps are stored as null."""
    if not value:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def load_json(text: str | None) -> dict[str, Any]:
    """The map stored in a JSON column; null (None or NaN from pandas) is the empty map."""
    return json.loads(text) if isinstance(text, str) and text else {}

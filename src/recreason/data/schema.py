"""The native data model: Item, User, Interaction and Reference, as pydantic records and Arrow schemas.

Records are validated one by one with pydantic where the volume is small (items, users, the CLI and the
API); the bulk path (millions of interactions) validates whole columns at once in ``validate.py`` against
the same rules and writes the Arrow schemas below. Ids are always strings (MovieLens' integer ids become
"1", "2", ...). Free-form maps (item attributes, user demographics, interaction context) are stored in
Parquet as JSON text, so any key works without a schema change.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

MAX_ID_CHARS = 256
MAX_TEXT_CHARS = 20_000


class EventType(StrEnum):
    """What a user did with an item, weakest to strongest signal of interest."""

    view = "view"
    click = "click"
    cart = "cart"
    purchase = "purchase"
    rate = "rate"
    review = "review"


Id = Field(min_length=1, max_length=MAX_ID_CHARS)
AttrValue = str | list[str]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Item(_Record):
    """An item (product, film, place, post ...). ``attributes`` maps a key to one value or several."""

    item_id: str = Id
    title: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    category: list[str] = Field(default_factory=list, description="category path, broad to narrow")
    attributes: dict[str, AttrValue] = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    price: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    brand: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    language: str | None = None


class User(_Record):
    """A user. Declared interests serve cold start; ``profile_text`` holds a given textual profile."""

    user_id: str = Id
    interests: list[str] = Field(default_factory=list)
    demographics: dict[str, str] = Field(default_factory=dict)
    profile_text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    language: str | None = None


class Interaction(_Record):
    """One behaviour event. ``context`` holds e.g. scene and device."""

    user_id: str = Id
    item_id: str = Id
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

    user_id: str | None = None
    item_id: str = Id
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
#: Columns stored as JSON text in Parquet.
JSON_COLUMNS = {"attributes", "demographics", "context"}
#: Columns stored as list<string>.
LIST_COLUMNS = {"category", "interests"}
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

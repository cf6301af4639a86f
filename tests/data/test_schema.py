"""``data/schema.py`` is the one source of the id rule, the event vocabularies and the column kinds."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from pydantic import BaseModel, Field, ValidationError

from recreason.data import schema
from recreason.data.schema import (
    EVENT_TYPES,
    ID_COLUMNS,
    ID_PATTERN,
    ID_RE,
    JSON_COLUMNS,
    LIST_COLUMNS,
    MAX_ID_CHARS,
    NUMERIC_COLUMNS,
    PROFILE_EVENT_WEIGHTS,
    RANKER_EVENT_WEIGHTS,
    SCHEMAS,
    SERVED_AS_BEHAVIOUR,
    EventType,
    IdStr,
    Item,
    ServedEvent,
    id_problem,
)
from recreason.data.validate import EVENT_SYNONYMS

VALID = ["A2SUAM1J3GNN3B", "B000123", "1", "用户_01", "ユーザー", "a b", "a/b", "x@y.z", "長" * MAX_ID_CHARS,
         "x" * 200, "ends-with-é"]
INVALID = {
    "": "empty id",
    "x" * (MAX_ID_CHARS + 1): "oversized id: 257 characters (limit 256)",
    "a\x00b": "id contains a control character (U+0000 at index 1)",
    "tab\tinside": "id contains a control character (U+0009 at index 3)",
    "line\n": "id contains a control character (U+000A at index 4)",
    "del\x7f": "id contains a control character (U+007F at index 3)",
    "c1\x85x": "id contains a control character (U+0085 at index 2)",
    " lead": "id has whitespace at its start or end",
    "trail ": "id has whitespace at its start or end",
    "\u3000全角": "id has whitespace at its start or end",
}


class _Pattern(BaseModel):
    """The pattern as pydantic's own regex engine (not Python's) applies it."""

    id: str = Field(pattern=ID_PATTERN)


class _Typed(BaseModel):
    id: IdStr


@pytest.mark.parametrize("value", VALID)
def test_valid_ids(value):
    assert id_problem(value) is None and ID_RE.fullmatch(value)
    assert _Pattern(id=value).id == value and _Typed(id=value).id == value


@pytest.mark.parametrize(("value", "reason"), list(INVALID.items()))
def test_invalid_ids_say_why(value, reason):
    assert id_problem(value) == reason and not ID_RE.fullmatch(value)
    with pytest.raises(ValidationError):
        _Pattern(id=value)
    with pytest.raises(ValidationError, match=re.escape(f"Value error, {reason}")):
        _Typed(id=value)


def test_records_trim_ids_then_apply_the_rule():
    assert Item(item_id="  用户_01 ").item_id == "用户_01"
    with pytest.raises(ValidationError, match="control character"):
        Item(item_id="a\x07b")
    assert _Typed.model_json_schema()["properties"]["id"]["pattern"] == ID_PATTERN


def test_event_vocabularies_are_related_not_independent():
    assert EVENT_TYPES == tuple(e.value for e in EventType)
    assert set(SERVED_AS_BEHAVIOUR) == {e.value for e in ServedEvent}
    assert all(v is None or v in EVENT_TYPES for v in SERVED_AS_BEHAVIOUR.values())
    for served, behaviour in SERVED_AS_BEHAVIOUR.items():  # an exported served-event log ingests as behaviour
        assert served in EVENT_TYPES or EVENT_SYNONYMS[served] == behaviour


@pytest.mark.parametrize("weights", [PROFILE_EVENT_WEIGHTS, RANKER_EVENT_WEIGHTS])
def test_both_weightings_cover_every_event_weakest_to_strongest(weights):
    assert set(weights) == set(EVENT_TYPES)
    funnel = [weights[e] for e in ("view", "click", "cart", "purchase")]
    assert funnel == sorted(funnel) and all(w > 0 for w in weights.values())


def test_ranker_weights_are_labels_in_0_1():
    assert all(0 < w <= 1 for w in RANKER_EVENT_WEIGHTS.values())


def test_column_kinds_agree_with_the_arrow_schemas():
    kinds = {"id": ID_COLUMNS, "json": JSON_COLUMNS, "list": LIST_COLUMNS, "numeric": NUMERIC_COLUMNS}
    names = [set(k) for k in kinds.values()]
    assert all(not (a & b) for i, a in enumerate(names) for b in names[i + 1:]), "a column has two kinds"
    arrow = {"id": pa.string(), "json": pa.string(), "list": pa.list_(pa.string()), "numeric": pa.float64()}
    for kind, columns in kinds.items():
        for column in columns:
            types = {s.field(column).type for s in SCHEMAS.values() if column in s.names}
            assert types == {arrow[kind]}, (kind, column, types)
    listed = {c for s in SCHEMAS.values() for c in s.names if s.field(c).type == pa.list_(pa.string())}
    assert listed == LIST_COLUMNS
    assert {c for t in schema.REQUIRED.values() for c in t} - {"text"} <= ID_COLUMNS

"""``Dataset``: the four validated tables (items, users, interactions, references) in memory.

Each table is a pandas DataFrame whose columns and dtypes follow the Arrow schemas in ``schema.py``
exactly (map columns as JSON text, list columns as Python lists), so Parquet round trips are lossless.
Build one from pydantic records (``from_records``), from a workspace (``workspace.load``), or through the
readers (``recreason.data.ingest``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from recreason.data.schema import (
    JSON_COLUMNS,
    LIST_COLUMNS,
    SCHEMAS,
    TABLES,
    Interaction,
    Item,
    Reference,
    User,
    dump_json,
    load_json,
)


def empty_frame(table: str) -> pd.DataFrame:
    return frame_from_arrow(SCHEMAS[table].empty_table())


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """Arrow table -> DataFrame; list columns stay Python lists, timestamps tz-aware UTC.

    pandas metadata (left by ``Table.from_pandas``, e.g. in ``validate.to_native``) is dropped first, so a
    freshly ingested Dataset has the same dtypes (missing text is NaN, not ``pd.NA``) as a loaded one.
    """
    df = table.replace_schema_metadata(None).to_pandas(maps_as_pydicts="strict")
    for name in sorted(LIST_COLUMNS):
        if name in df.columns:
            values = [list(v) if v is not None else [] for v in df[name]]
            df[name] = pd.Series(values, index=df.index, dtype=object)
    return df


def frame_to_arrow(table: str, df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df[SCHEMAS[table].names], schema=SCHEMAS[table], preserve_index=False)


def _record_row(record) -> dict:
    row = record.model_dump()
    for key in JSON_COLUMNS & row.keys():
        row[key] = dump_json(row[key])
    if "event" in row:
        row["event"] = str(row["event"])
    return row


@dataclass
class Dataset:
    items: pd.DataFrame = field(default_factory=lambda: empty_frame("items"))
    users: pd.DataFrame = field(default_factory=lambda: empty_frame("users"))
    interactions: pd.DataFrame = field(default_factory=lambda: empty_frame("interactions"))
    references: pd.DataFrame = field(default_factory=lambda: empty_frame("references"))
    name: str = "dataset"

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_records(
        cls,
        items: Iterable[Item] = (),
        users: Iterable[User] = (),
        interactions: Iterable[Interaction] = (),
        references: Iterable[Reference] = (),
        name: str = "dataset",
    ) -> Dataset:
        frames = {}
        for table, records in zip(TABLES, (items, users, interactions, references), strict=True):
            rows = [_record_row(r) for r in records]
            frames[table] = frame_from_arrow(pa.Table.from_pylist(rows, schema=SCHEMAS[table]))
        return cls(**frames, name=name)

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables are {', '.join(TABLES)}")
        return getattr(self, name)

    def to_arrow(self, name: str) -> pa.Table:
        return frame_to_arrow(name, self.table(name))

    def counts(self) -> dict[str, int]:
        return {t: len(self.table(t)) for t in TABLES}

    # -- lookups ----------------------------------------------------------------------------------
    def _index(self, table: str, key: str) -> pd.DataFrame:
        cache = self.__dict__.setdefault("_indexes", {})
        df = self.table(table)
        hit = cache.get(table)
        if hit is None or hit[0] is not df:
            hit = (df, df.set_index(key, drop=False))
            cache[table] = hit
        return hit[1]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._index("items", "item_id").index

    def has_user(self, user_id: str) -> bool:
        return user_id in self._index("users", "user_id").index

    def item(self, item_id: str) -> Item:
        """The item as a record; ``KeyError`` with a clear message when unknown."""
        idx = self._index("items", "item_id")
        if item_id not in idx.index:
            raise KeyError(f"unknown item id {item_id!r}")
        row = {k: (None if _isnull(v) else v) for k, v in idx.loc[item_id].to_dict().items()}
        row["attributes"] = load_json(row["attributes"])
        return Item(**row)

    def user(self, user_id: str) -> User:
        """The user as a record; users seen only in interactions get an empty record."""
        idx = self._index("users", "user_id")
        if user_id not in idx.index:
            if user_id in set(self.interactions["user_id"]):
                return User(user_id=user_id)
            raise KeyError(f"unknown user id {user_id!r}")
        row = {k: (None if _isnull(v) else v) for k, v in idx.loc[user_id].to_dict().items()}
        row["demographics"] = load_json(row["demographics"])
        return User(**row)

    def user_interactions(self, user_id: str) -> pd.DataFrame:
        df = self.interactions
        return df[df["user_id"] == user_id]

    def item_interactions(self, item_id: str) -> pd.DataFrame:
        df = self.interactions
        return df[df["item_id"] == item_id]


def _isnull(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT

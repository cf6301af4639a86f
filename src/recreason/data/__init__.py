"""Data: the native model, readers for the formats people have, validation, the Parquet workspace."""

from recreason.data.dataset import Dataset
from recreason.data.schema import EventType, Interaction, Item, Reference, User

__all__ = ["Dataset", "EventType", "Interaction", "Item", "Reference", "User"]

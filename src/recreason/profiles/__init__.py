"""Profiles: the user interest model U_i and the item attribute model C_j."""

from recreason.profiles.builder import EVENT_WEIGHTS, ProfileBuilder, ProfileConfig, cold_user
from recreason.profiles.models import (
    AspectPreference,
    AspectSummary,
    AttributePreference,
    ItemProfile,
    UserProfile,
    Weighted,
)

__all__ = [
    "EVENT_WEIGHTS", "AspectPreference", "AspectSummary", "AttributePreference", "ItemProfile",
    "ProfileBuilder", "ProfileConfig", "UserProfile", "Weighted", "cold_user",
]

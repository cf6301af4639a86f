"""Profiles: the user interest model U_i and the item attribute model C_j."""

from recreason.data.schema import PROFILE_EVENT_WEIGHTS
from recreason.profiles.builder import ProfileBuilder, ProfileConfig, cold_user
from recreason.profiles.models import (
    AspectPreference,
    AspectSummary,
    AttributePreference,
    ItemProfile,
    UserProfile,
    Weighted,
)

__all__ = [
    "PROFILE_EVENT_WEIGHTS", "AspectPreference", "AspectSummary", "AttributePreference", "ItemProfile",
    "ProfileBuilder", "ProfileConfig", "UserProfile", "Weighted", "cold_user",
]

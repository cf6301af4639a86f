"""The guard: checks a reason against the data before anyone sees it.

``find_unsupported`` (``grounding``) lists the claims of a reason the item's data does not support:
numbers and units, catalog attribute values, and aspects copied from the user's profile.
"""

from recreason.guard.grounding import Claim, GroundingIndex, UserIndex, find_unsupported

__all__ = ["Claim", "GroundingIndex", "UserIndex", "find_unsupported"]

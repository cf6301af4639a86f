"""The grounded template generator: every claim copied from the item's data, every user phrase from the user's.

``generator`` (``TemplateGenerator``: choosing what to say, fitting, retrieval) and ``writing`` (saying it).
"""

from recreason.reasons.template.generator import TemplateGenerator

__all__ = ["TemplateGenerator"]

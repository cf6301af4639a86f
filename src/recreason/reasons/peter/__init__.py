"""The PETER-class generator: a transformer trained from scratch on (user, item, profile tokens) -> reason.

``model`` (the network), ``vocab`` (tokens and request encoding), ``train`` (the loop, checkpoints),
``generator`` (``PeterGenerator``: fit / generate / save / load).
"""

from recreason.reasons.peter.generator import PeterGenerator

__all__ = ["PeterGenerator"]

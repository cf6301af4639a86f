"""Reason generation: R = h(R*, U_i, C_j) behind one interface (fit / generate / save / load)."""

from recreason.reasons.base import (
    Evidence,
    Fact,
    Generator,
    Reason,
    ReasonRequest,
    TrainingExample,
)
from recreason.reasons.registry import GENERATORS, generator_class, make_generator

__all__ = [
    "GENERATORS", "Evidence", "Fact", "Generator", "Reason", "ReasonRequest", "TrainingExample",
    "generator_class", "make_generator",
]

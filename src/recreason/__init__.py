"""recreason: short, true, personal recommendation reasons."""

__version__ = "0.1.0"

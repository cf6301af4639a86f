"""Serving: the HTTP API (recommendations with reasons, events, A/B experiments) and the operator console.

Layer: the top one beside ``cli``; it may import everything below it. ``create_app(settings)`` builds the
app; ``recreason serve`` runs it with uvicorn.
"""

from recreason.serve.settings import Settings

__all__ = ["Settings", "create_app"]


def create_app(*args, **kwargs):
    """``recreason.serve.app.create_app`` (imported on use: FastAPI is only needed to serve)."""
    from recreason.serve.app import create_app as _create_app

    return _create_app(*args, **kwargs)

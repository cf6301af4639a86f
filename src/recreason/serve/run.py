"""Start the HTTP server: the one place that turns ``Settings`` into a running uvicorn process.

``recreason serve`` (the CLI) and ``python -m recreason.serve`` (tests, benchmarks) both call ``run``.
"""

from __future__ import annotations

import logging
import secrets

from recreason.serve.settings import Settings


def check(settings: Settings) -> None:
    """Fail with one clear error before anything loads: a missing workspace or experiments file."""
    from recreason.data.workspace import read_manifest

    read_manifest(settings.workspace)
    if settings.experiments is not None and not settings.experiments.is_file():
        raise FileNotFoundError(f"experiments file {settings.experiments} does not exist")


def run(settings: Settings, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info",
        echo=print) -> None:
    """Serve the API and console until stopped. Keys missing from the settings are made for this run."""
    import uvicorn

    from recreason.serve.app import create_app

    check(settings)
    for field, env in (("event_keys", "RECREASON_EVENT_KEYS"), ("admin_keys", "RECREASON_ADMIN_KEYS")):
        if not getattr(settings, field):
            key = secrets.token_urlsafe(18)
            setattr(settings, field, [key])
            echo(f"{env} not set; key for this run: {key}")
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    echo(f"serving {settings.workspace} at http://{host}:{port}/  (console /console/, schema /openapi.json)")
    uvicorn.run(create_app(settings), host=host, port=port, access_log=False, log_level=log_level,
                timeout_keep_alive=30, timeout_graceful_shutdown=5)

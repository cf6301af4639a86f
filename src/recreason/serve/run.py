"""Start the HTTP server: the one place that turns ``Settings`` into a running uvicorn process.

``recreason serve`` (the CLI) and ``python -m recreason.serve`` (tests, benchmarks) both call ``run``.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from recreason.serve.settings import Settings


def check(settings: Settings) -> None:
    """Fail with one clear error before anything loads: a missing workspace or experiments file."""
    from recreason.data.workspace import read_manifest

    read_manifest(settings.workspace)
    if settings.experiments is not None and not settings.experiments.is_file():
        raise FileNotFoundError(f"experiments file {settings.experiments} does not exist")


def write_keys(keys: dict[str, str], path: Path) -> Path:
    """``NAME=value`` lines in ``path`` created with mode 600 (a temporary file when the workspace is read-only)."""
    import os
    import tempfile

    text = "".join(f"{k}={v}\n" for k, v in keys.items())
    try:
        path.unlink(missing_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        fd, name = tempfile.mkstemp(prefix="recreason-keys-", suffix=".env")  # mode 600 as well
        path = Path(name)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def run(settings: Settings, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info",
        echo=print) -> None:
    """Serve the API and console until stopped. Keys missing from the settings are made for this run."""
    import uvicorn

    from recreason.serve.app import create_app
    from recreason.serve.protocol import with_header_timeout

    check(settings)
    made = {}
    for field, env in (("event_keys", "RECREASON_EVENT_KEYS"), ("admin_keys", "RECREASON_ADMIN_KEYS")):
        if not getattr(settings, field):
            key = secrets.token_urlsafe(18)
            setattr(settings, field, [key])
            made[env] = key
    if made:  # a key is a secret: into a file only its owner can read, never onto the terminal or into logs
        path = write_keys(made, Path(settings.workspace) / "serve-keys.env")
        echo(f"{', '.join(made)} not set; keys for this run are in {path} (readable by you only)")
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    echo(f"serving {settings.workspace} at http://{host}:{port}/  (console /console/, schema /openapi.json)")
    uvicorn.run(create_app(settings), host=host, port=port, access_log=False, log_level=log_level,
                http=with_header_timeout(settings.header_timeout_s), timeout_keep_alive=30,
                timeout_graceful_shutdown=5, limit_concurrency=settings.max_connections)


def spawn(workspace, port: int, db_url: str | None = None, env: dict | None = None, log=None,
          timeout: float = 60.0):
    """``python -m recreason.serve`` in a child process on 127.0.0.1:``port``, returned once ``/healthz``
    answers (tests, benchmarks, scripts). ``env`` is added to this process's environment; the child's output
    goes to ``log`` (appended) or nowhere. ``RuntimeError`` if it exits or stays silent past ``timeout``."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    args = [sys.executable, "-m", "recreason.serve", "--workspace", str(workspace), "--port", str(port),
            "--log-level", "warning", *(["--db", db_url] if db_url else [])]
    full_env = {**os.environ, **(env or {})}
    if log:
        with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(args, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    else:
        proc = subprocess.Popen(args, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}" + (f"; see {log}" if log else ""))
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server did not answer /healthz within {timeout:.0f} s")

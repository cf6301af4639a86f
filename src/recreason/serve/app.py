"""``create_app(settings)``: the FastAPI app behind ``recreason serve``.

Everything the endpoints use is one ``Services`` object (data, profiles, ranker, store, experiments, reason
service), built from the settings at start-up or passed in (tests pass small fakes). The endpoints get it
through ``Depends(get_services)``, so ``app.dependency_overrides[get_services]`` swaps it too.

Run it with ``recreason serve`` or ``uvicorn --factory recreason.serve.app:app_from_env`` (settings from
``RECREASON_*`` variables).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from contextlib import asynccontextmanager
from importlib import resources
from types import UnionType
from typing import Union, get_args, get_origin
from urllib.parse import unquote_to_bytes

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from recreason import __version__
from recreason.serve.metrics import Metrics
from recreason.serve.routes import router
from recreason.serve.security import AccessLog, BodyLimit, RateLimit, ReadTimeout, route_template
from recreason.serve.services import Services
from recreason.serve.settings import Settings

log = logging.getLogger("recreason.serve")

DESCRIPTION = """Recommendations with short, true, personal reasons (Chinese and English), feedback events,
and A/B experiments on reason strategies.

* `GET /v1/users/{user_id}/recommendations`: ranked items, each with its reason, evidence, generator and
  the user's experiment variant. Reasons come from a cache, the template (fast path) or a slower
  generator under a timeout; on a timeout or failure the template reason is served, never an error.
* `POST /v1/reasons`: one reason for an ad-hoc pair (interests as text or a user id; item attributes or
  an item id).
* `POST /v1/events` (event key): impressions, clicks, add-to-cart, purchases; acknowledged only once
  durably stored; idempotent by key.
* `GET /v1/experiments/{name}` (admin key): CTR and CVR per variant with Wilson intervals, lift and a
  two-proportion z-test. **Peeking caveat**: p-values assume a single look at a sample size fixed in
  advance; stopping the first time p < 0.05 inflates false positives.
* `/healthz`, `/metrics` (Prometheus), `/console/` (operator console; admin key), `/openapi.json`.
"""


#: a part of an error's location shown as it is: a field name or an index. Anything else is a key the client
#: chose (an attribute name in ``item.attributes``: input, shown as ``*``) or pydantic's tag for a member of a
#: union (``function-after[strip_controls(), str]``: left out)
_LOC_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}|[0-9]{1,9}")


def _loc(parts) -> str:
    return ".".join(p if _LOC_NAME.fullmatch(p) else "*" for p in map(str, parts) if "[" not in p)


def _errors(err: RequestValidationError) -> list[dict]:
    """Validation errors without the offending input (it may be personal data)."""
    return [{"loc": _loc(e.get("loc", ())), "msg": e.get("msg", "invalid")} for e in err.errors()]


async def _validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
    errors = _errors(err)
    summary = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:5])
    return JSONResponse({"detail": f"invalid request: {summary}", "errors": errors}, status_code=422)


_SEQUENCES = (list, tuple, set, frozenset)


def _takes_several(annotation) -> bool:
    """Whether a query parameter of this type takes repeated values (``?tag=a&tag=b``)."""
    if get_origin(annotation) in _SEQUENCES or annotation in _SEQUENCES:
        return True
    return any(_takes_several(a) for a in get_args(annotation) if get_origin(annotation) in (Union, UnionType))


def _query_params(dependant) -> dict[str, bool]:
    """The query parameters an endpoint takes (its dependencies' included), each with ``_takes_several``."""
    params = {f.alias: _takes_several(f.field_info.annotation) for f in dependant.query_params}
    for sub in dependant.dependencies:
        params |= _query_params(sub)
    return params


async def _strict_query(request: Request) -> None:
    """422 for a query parameter a ``/v1/`` operation does not take, and for one given twice that takes one
    value: a typo (``?lnag=en``) is not silently ignored, as an unknown body field is not (the request models
    forbid extras), and ``?user_id=a%06&user_id=b`` is not read as ``b`` alone; and 422 for a path or query
    that is not UTF-8 once percent-decoded. ``/healthz`` and ``/metrics`` are left alone (probes and scrapers
    may add their own parameters)."""
    route = request.scope.get("route")
    if not getattr(route, "path", "").startswith("/v1/"):
        return
    known = getattr(route, "_recreason_query", None)
    if known is None:
        known = route._recreason_query = _query_params(route.dependant)
    errors = []
    # the server decodes invalid UTF-8 in a percent-encoded id as U+FFFD: "%FF" and "%FE" would both name "\ufffd"
    for where, raw in (("path", request.scope.get("raw_path")), ("query", request.scope.get("query_string"))):
        try:
            unquote_to_bytes(raw or b"").decode("utf-8")
        except UnicodeDecodeError:
            errors.append({"loc": (where,), "msg": "not UTF-8 once percent-decoded", "type": "utf8"})
    for name in dict.fromkeys(request.query_params):
        if name not in known:
            errors.append({"loc": ("query", name), "msg": "unknown query parameter", "type": "extra_forbidden"})
        elif not known[name] and len(request.query_params.getlist(name)) > 1:
            errors.append({"loc": ("query", name), "msg": "given more than once", "type": "repeated"})
    if errors:
        raise RequestValidationError(errors[:5])


async def _server_error(request: Request, err: Exception) -> JSONResponse:
    log.error("unhandled %s on %s %s", type(err).__name__, request.method,
              route_template(request.scope.get("route")))
    return JSONResponse({"detail": "internal error"}, status_code=500)


class Startup:
    """Where start-up stands: ``starting`` (with the step now loading), ``ready`` or ``failed`` (with why)."""

    def __init__(self, services: Services | None = None):
        self.services = services
        self.state = "ready" if services is not None else "starting"
        self.loading = "" if services is not None else "starting"
        self.error = ""
        self.started = time.monotonic()

    def step(self, what: str) -> None:
        self.loading = what
        log.info("start-up: %s", what)


def _build(app: FastAPI, settings: Settings, metrics: Metrics) -> None:
    """Build the services off the event loop (the server answers meanwhile), then precompute if asked."""
    startup: Startup = app.state.startup
    try:
        svc = Services.from_settings(settings, metrics, progress=startup.step)
        if settings.precompute_users:
            startup.step(f"precomputing the reasons of {settings.precompute_users} users")
            made = svc.precompute(svc.active_users(settings.precompute_users), settings.precompute_k)
            log.info("precomputed reasons: %s", made)
    except Exception as err:  # noqa: BLE001 - told by /healthz and the log; the server answers 503
        log.error("start-up failed: %s: %s", type(err).__name__, err)
        startup.state, startup.error = "failed", f"{type(err).__name__}: {err}"
        return
    startup.services, startup.state, startup.loading = svc, "ready", ""
    log.info("ready after %.1f s", time.monotonic() - startup.started)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The app; ``services`` (already built) skips loading the workspace at start-up."""
    settings = settings or (services.settings if services else Settings())
    metrics = services.metrics if services else Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        startup = app.state.startup
        if services is None:  # the port answers at once; /healthz says "starting" and what loads meanwhile
            threading.Thread(target=_build, args=(app, settings, metrics), name="startup", daemon=True).start()
        try:
            yield
        finally:
            if services is None and startup.services is not None:
                startup.services.close()

    # No /docs or /redoc: FastAPI's pages load their scripts from a CDN, which an offline machine cannot reach.
    # The schema itself is served at /openapi.json.
    app = FastAPI(title="recreason", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.startup = Startup(services)
    app.state.metrics = metrics
    app.state.llm_rate = RateLimit(settings.llm_rate_per_minute)  # per caller, on LLM-written ad-hoc reasons
    app.include_router(router, dependencies=[Depends(_strict_query)])
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
    console = resources.files("recreason.serve").joinpath("console")
    app.mount("/console", StaticFiles(directory=str(console), html=True), name="console")

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/console/")

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(ReadTimeout, seconds=settings.body_timeout_s)
    app.add_middleware(AccessLog, metrics=metrics)  # outermost: times everything, 413s included
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory``: settings from ``RECREASON_*`` environment variables."""
    return create_app(Settings())

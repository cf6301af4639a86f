"""The HTTP endpoints. Each takes ``Services`` through ``Depends(get_services)`` (tests override it)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import PathConvertor, register_url_convertor

from recreason.data.schema import IdStr
from recreason.profiles import cold_user
from recreason.profiles.models import ItemProfile
from recreason.reasons.base import ReasonRequest
from recreason.serve import schemas as s
from recreason.serve.experiments import Variant, report
from recreason.serve.reasons import Served
from recreason.serve.security import (
    admin_key,
    caller,
    caller_key,
    event_key,
    may_read_profiles,
    route_template,
)
from recreason.serve.services import Services
from recreason.serve.store import StoredEvent


async def get_services(request: Request) -> Services:
    """The app's services; 503 (with Retry-After) while the server is still starting or failed to start."""
    startup = request.app.state.startup
    if startup.services is None:
        detail = (f"starting: {startup.loading}" if startup.state == "starting"
                  else f"start-up failed: {startup.error}")
        raise HTTPException(503, detail, headers={"Retry-After": "1"})
    return startup.services


Svc = Annotated[Services, Depends(get_services)]


class AnyPath(PathConvertor):
    """``{name:anypath}``: the rest of the path, as ``:path`` takes it but newlines included (``:path``'s ``.*``
    stops at one, so ``/v1/users/a%0Ab/recommendations`` matched no route: a 404 where the id rule says 422)."""

    regex = "(?s:.*)"


register_url_convertor("anypath", AnyPath())
#: Any id the data accepts (``recreason.data.schema``'s id rule), "/" included: the routes below take
#: ``{user_id:anypath}``, so a client sends the id percent-encoded and it arrives whole.
UserId = Annotated[IdStr, Path(description="the user's id, percent-encoded (unknown users get cold-start "
                                           "items)")]
router = APIRouter()


def reason_out(served: Served | None, withheld: bool = False, personal: bool = True) -> s.ReasonOut | None:
    """The reason as the API shows it; a reason the guard withheld (no candidate passed its checks) is no
    reason in a list (``None``: the item is shown without one), and an empty text with its notes when it was
    asked for by itself (``withheld=True``)."""
    if served is None or (served.reason.path == "withheld" and not withheld):
        return None
    r = served.reason
    if not personal:  # personal data stays behind keys: no profile signals, no guard notes (they quote the text)
        notes = [n for n in r.notes if not n.startswith("guard:")]
        return s.ReasonOut(text=r.text, language=r.language, generator=r.generator, path=r.path,
                           source=served.source, evidence=r.evidence.model_copy(update={"user_signals": []}),
                           notes=notes)
    return s.ReasonOut(text=r.text, language=r.language, generator=r.generator, path=r.path, source=served.source,
                       evidence=r.evidence, notes=r.notes)


@router.get("/v1/users/{user_id:anypath}/recommendations", response_model=s.Recommendations,
            responses=s.errors(404, 422), openapi_extra=s.KEY_OPTIONAL,
            tags=["recommendations"], summary="Top-k items for a user, each with its reason")
async def recommendations(
    svc: Svc, user_id: UserId, request: Request,
    k: Annotated[int, Query(ge=1, le=100, description="how many items")] = 10,
    lang: Annotated[s.Lang | None, Query(description="language of the reasons; default: each item's")] = None,
    scene: Annotated[str | None, Query(pattern=s.SCENE,
                                       description="where the list is shown, e.g. home")] = None,
    experiment: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.\-]{1,64}$",
                                            description="default: the configured default experiment")] = None,
    personal: Annotated[bool, Depends(may_read_profiles)] = False,
) -> s.Recommendations:
    """Ranked items with a reason each (its text, evidence, the generator that wrote it) and the experiment
    variant the user is assigned to; post events with the returned ``request_id`` and ``variant``. The user
    signals a reason cites (and the guard's notes) come only with a read or admin key, and such a read is
    recorded in the access log."""
    if k > svc.settings.max_k:
        raise HTTPException(422, f"k must be at most {svc.settings.max_k}")
    try:
        exp = svc.experiments.get(experiment)
    except KeyError as err:
        raise HTTPException(404, str(err.args[0])) from None
    variant = exp.assign(user_id)
    items, source = svc.recommend(user_id, k)
    requests = svc.requests(user_id, [i for i, _ in items], lang, scene)
    served = await svc.reasons.get(variant, requests)
    if personal and items:
        await _log_read(svc, request, user_id)
    out = [s.RecommendedItem(rank=n + 1, item_id=item_id, score=score, title=svc.profiles.item(item_id).title,
                             reason=reason_out(r, personal=personal))
           for n, ((item_id, score), r) in enumerate(zip(items, served, strict=True))]
    return s.Recommendations(request_id=uuid.uuid4().hex, user_id=user_id, experiment=exp.name,
                             variant=variant.name, strategy=variant.strategy, source=source, lang=lang,
                             scene=scene, items=out)


async def _log_read(svc: Services, request: Request, user_id: str) -> None:
    """The access log of personal data: who (a key fingerprint) read whose profile, through which route."""
    route = route_template(request.scope.get("route")) or "unmatched"
    await asyncio.to_thread(svc.store.log_read, caller(request), user_id, f"{request.method} {route}")


def _adhoc_request(svc: Services, body: s.ReasonIn) -> ReasonRequest:
    if body.user_id is not None:
        user = svc.profiles.user(body.user_id)
    else:
        interests = [body.interests] if isinstance(body.interests, str) else list(body.interests)
        lang = body.lang or (body.item.language if body.item else None)
        user = cold_user("anonymous", interests, language=lang)
    if body.item_id is not None:
        if not svc.profiles.has_item(body.item_id):
            raise HTTPException(404, f"unknown item id {body.item_id!r}")
        item = svc.profiles.item(body.item_id)
    else:
        it = body.item
        item = ItemProfile(item_id="adhoc", title=it.title, language=it.language or user.language,
                           category=it.category, attributes=it.attributes, brand=it.brand, price=it.price,
                           description=it.description)
    context = {"scene": body.scene} if body.scene else {}
    return ReasonRequest(user=user, item=item, language=body.lang, max_length=body.max_length, context=context)


@router.post("/v1/reasons", response_model=s.ReasonResponse, tags=["reasons"],
             responses=s.errors(400, 401, 403, 404, 408, 413, 422, 429), openapi_extra=s.KEY_OPTIONAL,
             summary="A reason for an ad-hoc (user or interests, item or attributes) pair")
async def adhoc_reason(svc: Svc, body: s.ReasonIn, request: Request,
                       personal: Annotated[bool, Depends(may_read_profiles)] = False) -> s.ReasonResponse:
    """The seed's example is one request: ``{"interests": "喜欢购买电子产品", "item": {"title": "最新款智能手机",
    "attributes": {"处理器": "…", "屏幕": "…"}}}``. A slow generator runs under the server's timeout and the
    template reason is served if it does not answer in time.

    Interests or item data the caller writes (a caller-supplied profile) need an API key (read, event or
    admin) unless the server runs with ``RECREASON_OPEN_REASONS=true``; a stored user and item by id need none
    (the reason then comes without the user's profile signals)."""
    if body.user_id is None or body.item_id is None:
        caller_key(request)
    variants = {v.strategy: v for v in reversed(svc.experiments.variants()) if v.strategy != "none"}
    variants.setdefault("template", Variant(name="template", strategy="template"))
    if body.generator not in variants:
        raise HTTPException(422, f"generator {body.generator!r} is not served here; choose one of "
                                 f"{', '.join(sorted(variants))}")
    if variants[body.generator].strategy != "template":  # anyone may call this: the LLM is rate limited
        wait = request.app.state.llm_rate.take(caller(request))
        if wait:
            raise HTTPException(429, f"too many {body.generator} reasons; try again in {wait:.0f} s",
                                headers={"Retry-After": str(max(1, round(wait)))})
    wanted = _adhoc_request(svc, body)
    served = (await svc.reasons.get(variants[body.generator], [wanted]))[0]
    if personal and body.user_id is not None:
        await _log_read(svc, request, body.user_id)
    # a stored user's profile is personal data; interests the caller sent are the caller's own
    mine = personal or body.user_id is None
    return s.ReasonResponse(user_id=body.user_id, item_id=body.item_id,
                            reason=reason_out(served, withheld=True, personal=mine))


def _reused_keys(svc: Services, batch: list[StoredEvent]) -> None:
    """409 when an idempotency key comes with a payload other than the one it was first sent (or stored)
    with: a retry repeats its event, another event needs another key. Nothing of the batch is stored."""
    first: dict[str, StoredEvent] = {}
    clash = [e.idempotency_key for e in batch if not first.setdefault(e.idempotency_key, e).same_as(e)]
    stored = svc.store.stored_events(list(first))
    clash += [k for k, e in first.items() if k in stored and not stored[k].same_as(e)]
    if clash:
        raise HTTPException(409, f"idempotency key(s) reused with a different event: {', '.join(sorted(set(clash))[:5])}"
                                 " (a retry must repeat its event; send another event under a new key)")


@router.post("/v1/events", response_model=s.EventAck, tags=["events"], dependencies=[Depends(event_key)],
             responses={201: {"model": s.EventAck, "description": "At least one event was new (stored)"},
                        **s.errors(400, 401, 403, 408, 409, 413, 422)},
             summary="Impressions, clicks, add-to-cart and purchases (acknowledged once durably stored)")
async def post_events(svc: Svc, body: s.EventBatch, response: Response) -> s.EventAck:
    """Store a batch of events in one transaction. The response comes only after the commit (fsync'ed on
    SQLite); an event whose ``idempotency_key`` is already stored is counted as a duplicate and not stored
    again, so a client may retry until it gets an answer. A key sent again with another event (another type,
    item, request, user, experiment, variant or scene) is refused with 409, and nothing of that batch is
    stored."""
    batch = []
    for e in body.events:
        try:
            exp = svc.experiments.get(e.experiment)
            exp.variant(e.variant)
        except KeyError as err:
            raise HTTPException(422, str(err.args[0])) from None
        batch.append(StoredEvent(idempotency_key=e.idempotency_key, type=e.type.value,
                                 request_id=e.request_id,
                                 user_id=e.user_id, item_id=e.item_id, experiment=e.experiment,
                                 variant=e.variant, scene=e.scene, client_ts=e.timestamp,
                                 problem=_problem(svc, exp, e.user_id, e.variant, e.item_id)))
    await asyncio.to_thread(_reused_keys, svc, batch)  # an indexed read, off the event loop
    new = await asyncio.wrap_future(svc.store.submit_events(batch))
    for e, fresh in zip(batch, new, strict=True):
        svc.metrics.events.labels(e.type, "duplicate" if not fresh else "unattributed" if e.problem else
                                  "stored").inc()
    stored = sum(new)
    response.status_code = 201 if stored else 200
    return s.EventAck(stored=stored, duplicates=len(new) - stored,
                      unattributed=sum(1 for e, fresh in zip(batch, new, strict=True) if fresh and e.problem))


def _problem(svc: Services, exp, user_id: str, variant: str, item_id: str) -> str | None:
    """Why an event cannot have been served as posted: the variant is not the one the user is assigned to
    ("variant"), or the item is not in the catalog ("item"); None when it could. Such an event is stored
    and reported apart, never counted in the experiment's rates."""
    if exp.assign(user_id).name != variant:
        return "variant"
    if not svc.profiles.has_item(item_id):
        return "item"
    return None


@router.get("/v1/experiments", response_model=list[s.ExperimentSummary], tags=["experiments"],
            responses=s.errors(401, 403, 422),
            dependencies=[Depends(admin_key)], summary="The configured experiments")
def list_experiments(svc: Svc) -> list[s.ExperimentSummary]:
    cfg = svc.experiments
    return [s.ExperimentSummary(name=e.name, description=e.description, variants=[v.name for v in e.variants],
                                default=e.name == cfg.default) for e in cfg.experiments]


@router.get("/v1/experiments/{name}", response_model=s.ExperimentReport, tags=["experiments"],
            responses=s.errors(401, 403, 404, 422),
            dependencies=[Depends(admin_key)], summary="Per-variant CTR and CVR with intervals, lift and z-test")
def experiment_report(svc: Svc, name: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")],
                      confidence: Annotated[float, Query(ge=0.5, le=0.999)] = 0.95) -> s.ExperimentReport:
    """Counts are distinct (request, item) pairs per event type. CTR = clicks / impressions, CVR = purchases /
    impressions, each with a Wilson score interval; each variant against the control (the first) gets the
    relative lift and a pooled two-sided two-proportion z-test.

    **Peeking caveat**: the p-values hold for one look at a sample size fixed in advance. Looking again and
    again and stopping at the first p < 0.05 makes false positives far likelier than 5%."""
    try:
        exp = svc.experiments.get(name)
    except KeyError as err:
        raise HTTPException(404, str(err.args[0])) from None
    return s.ExperimentReport.model_validate(report(exp, svc.store.counts(exp.name), confidence))


@router.get("/v1/admin/users", response_model=list[str], tags=["console"], dependencies=[Depends(admin_key)],
            responses=s.errors(401, 403, 422),
            summary="The most active users (for the console's picker)")
def admin_users(svc: Svc, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[str]:
    return svc.active_users(limit)


@router.get("/v1/admin/access-log", response_model=list[s.ProfileRead], tags=["console"],
            responses=s.errors(401, 403, 422), dependencies=[Depends(admin_key)],
            summary="Who read whose personal data (newest first)")
async def access_log(svc: Svc, user_id: Annotated[IdStr | None, Query(description="one user's reads only")] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[s.ProfileRead]:
    return [s.ProfileRead(**row) for row in await asyncio.to_thread(svc.store.reads, user_id, limit)]


@router.delete("/v1/users/{user_id:anypath}", response_model=s.Forgotten, tags=["users"],
               responses=s.errors(401, 403, 422), dependencies=[Depends(admin_key)],
               summary="Forget a user: delete everything held about them")
async def forget_user(svc: Svc, user_id: UserId) -> s.Forgotten:
    """Deletes the user's interactions, reviews, references and rejected records from the workspace (and
    keeps them out of later ingests and training), their events, cached reasons and profile reads from the
    store, unlinks them from the ranker, and drops the cached reasons of the items they reviewed. The same as
    ``recreason forget USER``. Idempotent: a second call removes nothing."""
    removed, notes = await asyncio.to_thread(svc.forget, user_id)
    return s.Forgotten(user_id=user_id, removed=removed, notes=notes)


@router.get("/v1/admin/users/{user_id:anypath}/profile", tags=["console"], dependencies=[Depends(admin_key)],
            responses=s.errors(401, 403, 422),
            summary="A user's interest profile (personal data: admin only)")
async def admin_profile(svc: Svc, user_id: UserId, request: Request) -> dict:
    profile = await run_in_threadpool(svc.profiles.user, user_id)
    await _log_read(svc, request, user_id)
    return {"summary": profile.summary(), "known": user_id in svc.profiles.known_users,
            **profile.model_dump(mode="json")}


@router.get("/healthz", response_model=s.Health, tags=["operations"], summary="Liveness, readiness, what is loaded",
            responses={503: {"model": s.Health, "description": "starting (what is loading now) or failed (why)"}})
async def healthz(request: Request, response: Response) -> s.Health:
    """200 with ``status: ok`` once ready; 503 with ``status: starting`` and the step now loading (the port
    answers from the first second), or ``status: failed`` and why. Readiness probes and scripts wait for 200."""
    startup = request.app.state.startup
    svc = startup.services
    if svc is None:
        response.status_code = 503
        return s.Health(status=startup.state, loading=startup.loading or None, error=startup.error or None,
                        seconds=round(time.monotonic() - startup.started, 1))
    return s.Health(status="ok", users=len(svc.profiles.known_users), items=len(svc.dataset.items),
                    ranker=svc.ranker_name, cached_reasons=len(svc.reasons.cache),
                    breakers=svc.reasons.breaker.states(), seconds=round(time.monotonic() - startup.started, 1))


@router.get("/metrics", tags=["operations"], summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    # rendered in a worker thread: a large scrape never holds the event loop (and /healthz) while it runs;
    # answered while the server starts too (the registry exists from the first second)
    text = await asyncio.to_thread(request.app.state.metrics.render)
    return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")


"""What the app serves from: data, profiles, ranker, store, experiments, reasons; built once at start-up.

``Services.from_settings`` loads the workspace, loads the ranker artifact (or trains the start-up ranker on
all of the workspace), opens the store, reads the experiments and warms the reason cache from the
store. Tests build ``Services(...)`` directly with small data and fake generators.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from recreason.data.dataset import Dataset
from recreason.guard.pipeline import workspace_guard
from recreason.profiles import ItemProfile, ProfileBuilder, UserProfile
from recreason.reasons.base import ReasonRequest
from recreason.serve.experiments import ExperimentConfig, Variant, load_config
from recreason.serve.metrics import Metrics
from recreason.serve.reasons import LRU, TEMPLATE, Breaker, ReasonService
from recreason.serve.settings import Settings
from recreason.serve.store import Store

log = logging.getLogger("recreason.serve")


class Profiles:
    """User profiles (LRU) and item profiles (all, once asked) from the workspace."""

    def __init__(self, dataset: Dataset, user_cache: int = 20_000):
        self.dataset = dataset
        self.builder = ProfileBuilder(dataset)  # serving uses all the data, splits included
        self._users = LRU(user_cache)
        self._items: dict[str, ItemProfile] = {}
        self._lock = threading.Lock()
        self.known_users = set(dataset.users["user_id"]) | set(dataset.interactions["user_id"])

    def warm(self) -> None:
        self.builder.mine_all()
        for item_id in self.dataset.items["item_id"]:
            self.item(item_id)

    def user(self, user_id: str) -> UserProfile:
        """The user's profile; an empty one (cold start) for a user the data does not know."""
        hit = self._users.get(user_id)
        if hit is None:
            if user_id in self.known_users:
                hit = self.builder.user(user_id)
            else:
                hit = UserProfile(user_id=user_id, language=self.builder.default_language)
            self._users.put(user_id, hit)
        return hit

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items or self.dataset.has_item(item_id)

    def item(self, item_id: str) -> ItemProfile:
        hit = self._items.get(item_id)
        if hit is None:
            hit = self.builder.item(item_id)  # KeyError for an unknown item
            self._items[item_id] = hit
        return hit


@dataclass
class Services:
    settings: Settings
    dataset: Dataset
    profiles: Profiles
    ranker: object  # recreason.rank.Ranker: recommend(user_id, k, exclude_seen=True, interests=None)
    store: Store
    experiments: ExperimentConfig
    reasons: ReasonService
    metrics: Metrics = field(default_factory=Metrics)
    ranker_name: str = ""
    _forget_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, metrics: Metrics | None = None,
                      progress: Callable[[str], None] = lambda step: None) -> Services:
        """Everything the app serves from; ``progress`` hears each step (``/healthz`` shows it while starting)."""
        from recreason.data import workspace

        metrics = metrics or Metrics()
        start = time.perf_counter()
        progress("loading the workspace")
        dataset = workspace.load(settings.workspace)
        progress("loading the ranker" if settings.ranker else f"training a {settings.train_ranker} ranker")
        ranker, name = load_ranker(settings, dataset)
        profiles = Profiles(dataset, settings.profile_cache_size)
        if settings.warm_profiles:
            progress("mining reviews for profiles")
            profiles.warm()
        progress("opening the event store")
        store = Store(settings.db_url)
        progress("fitting the guard's fallback template")
        guard = workspace_guard(settings.workspace, dataset)
        reasons = ReasonService(metrics, guard, store, timeout_s=settings.llm_timeout_s,
                                workers=settings.llm_workers, queue=settings.llm_queue,
                                cache_size=settings.cache_size, online=settings.llm_online,
                                breaker=Breaker(settings.llm_breaker_failures, settings.llm_breaker_cooldown_s))
        progress("loading cached reasons")
        warmed = reasons.warm_from_store()
        services = cls(settings, dataset, profiles, ranker, store, load_config(settings.experiments), reasons,
                       metrics, name)
        services.warm_up(progress)
        log.info("ready in %.1f s: %d users, %d items, ranker %s, %d cached reasons",
                 time.perf_counter() - start, len(profiles.known_users), len(dataset.items), name, warmed)
        return services

    def warm_up(self, progress: Callable[[str], None] = lambda step: None) -> None:
        """Build the template generator and run it and the guard once (tokenizer dictionaries load on first
        use), then each slow generator (an LLM loads its model on first use, holding the GIL for seconds):
        all before the first request, which would otherwise stall."""
        users = self.active_users(1)
        requests = []
        if users:
            items, _ = self.recommend(users[0], 1)
            requests = self.requests(users[0], [i for i, _ in items], None, None)
        progress("warming the template and the guard")
        try:
            self.reasons.generator(TEMPLATE)
            self.reasons.warm(requests)
        except Exception as err:  # noqa: BLE001 - requests will then serve items without reasons
            log.error("the template generator cannot be built or run: %s", err)
        if not (self.settings.warm_llm and self.reasons.online and requests):
            return
        for variant in {v.key: v for v in self.experiments.variants() if v.strategy not in ("none", "template")
                        }.values():
            progress(f"warming {variant.strategy} ({variant.name})")
            start, outcome = time.perf_counter(), {}

            def warm(variant=variant, outcome=outcome):
                try:
                    self.reasons.warm(requests, variant)
                except Exception as err:  # noqa: BLE001 - the variant will fall back to the template
                    outcome["error"] = err

            worker = threading.Thread(target=warm, name=f"warm-{variant.name}", daemon=True)
            worker.start()
            worker.join(self.settings.warm_timeout_s)
            if worker.is_alive():  # ready without it: its requests get the template until it has loaded
                log.warning("%s (%s) still warming after %.0f s; serving without waiting for it", variant.strategy,
                            variant.name, self.settings.warm_timeout_s)
            elif "error" in outcome:
                log.warning("%s (%s) failed its warm-up: %s", variant.strategy, variant.name, outcome["error"])
            else:
                log.info("%s (%s) loaded and ran once in %.1f s", variant.strategy, variant.name,
                         time.perf_counter() - start)

    def close(self) -> None:
        self.reasons.close()
        self.store.close()

    def forget(self, user_id: str) -> tuple[dict[str, int], list[str]]:
        """Remove the user from every store this server holds, without a restart: the workspace's tables and
        rejects (and its register of forgotten users, so a later ingest drops them), the event store (events,
        cached reasons, profile reads), the ranker (its artifact saved again when it came from one), and the
        caches in memory. Reasons cached for the items the user reviewed go too (they may quote the review).
        Rows removed per store, and notes."""
        from recreason.data.forget import forget_users, without_users
        from recreason.data.workspace import WorkspaceError, ranker_dir

        notes: list[str] = []
        with self._forget_lock:
            dataset, report = without_users(self.dataset, [user_id])
            removed = {f"workspace.{t}": n for t, n in report.removed.items()}
            try:
                on_disk = forget_users(self.settings.workspace, [user_id])
                removed.update({f"workspace.{t}": n for t, n in on_disk.removed.items()})
            except (OSError, WorkspaceError) as err:
                notes.append(f"the workspace files could not be rewritten ({type(err).__name__}); the user is "
                             "removed from this server's memory only: run `recreason forget` on the workspace")
            removed.update(self.store.forget([user_id], report.items))
            forget = getattr(self.ranker, "forget", None)
            removed["ranker"] = len(forget([user_id])) if forget else 0
            folder = self.settings.ranker or ranker_dir(self.settings.workspace)
            if removed["ranker"] and (folder / "config.json").is_file():
                try:
                    self.ranker.save(folder)
                except OSError as err:
                    notes.append(f"the ranker artifact could not be saved again ({type(err).__name__}); run "
                                 "`recreason forget` with --ranker on it")
            self.dataset = dataset
            self.profiles = Profiles(dataset, self.settings.profile_cache_size)
            removed["cached_reasons"] = self.reasons.cache.drop(
                lambda r: r.user_id == user_id or r.item_id in report.items)
        return removed, notes

    # -- what the endpoints need --------------------------------------------------------------------
    def recommend(self, user_id: str, k: int) -> tuple[list[tuple[str, float]], str]:
        """Top-k (item, score) of catalog items, and where they came from (model / interests / popular)."""
        recs = self.ranker.recommend(user_id, k + 10, exclude_seen=True)
        source = getattr(recs, "source", "model")
        items = [(i, s) for i, s in recs if self.profiles.has_item(i)][:k]
        return items, source

    def requests(self, user_id: str, items: Sequence[str], lang: str | None,
                 scene: str | None) -> list[ReasonRequest]:
        user = self.profiles.user(user_id)
        context = {"scene": scene} if scene else {}
        return [ReasonRequest(user=user, item=self.profiles.item(i), language=lang, context=context) for i in items]

    def active_users(self, n: int) -> list[str]:
        """The ``n`` users with the most interactions (the likeliest to ask)."""
        counts = self.dataset.interactions["user_id"].value_counts()
        return list(counts.index[:n])

    def precompute(self, users: Sequence[str], k: int, variants: Sequence[Variant] | None = None,
                   lang: str | None = None) -> dict[str, int | str]:
        """Write and store reasons for each user's top-k under every variant (or ``variants``): how many new
        reasons per variant."""
        variants = variants or self.experiments.variants()
        out: dict[str, int | str] = {}
        for variant in {v.key: v for v in variants}.values():
            made = 0
            for user_id in users:
                items, _ = self.recommend(user_id, k)
                made += self.reasons.precompute(variant, self.requests(user_id, [i for i, _ in items], lang, None))
            out[variant.name] = made
        return out


def load_ranker(settings: Settings, dataset: Dataset):
    """The ranker artifact named in the settings, else the workspace's own (``WORKSPACE/models/ranker``, where
    ``train ranker`` and ``demo`` write it), else a popularity ranker trained now, said loudly: in the log,
    in ``/healthz`` and so in the console."""
    from recreason.data.workspace import ranker_dir
    from recreason.rank import Ranker, get_ranker

    folder = settings.ranker
    if folder is None and (ranker_dir(settings.workspace) / "config.json").is_file():
        folder = ranker_dir(settings.workspace)
    if folder is not None:
        ranker = Ranker.load(folder)
        return ranker, f"{ranker.name} ({folder})"
    start = time.perf_counter()
    ranker = get_ranker(settings.train_ranker)().fit(dataset)
    log.warning("no trained ranker in %s: serving a %s ranker trained at start-up (%.1f s); run `recreason train "
                "ranker -w %s` for a better one", ranker_dir(settings.workspace), settings.train_ranker,
                time.perf_counter() - start, settings.workspace)
    return ranker, f"{ranker.name} (trained at start-up: no trained ranker in {ranker_dir(settings.workspace)})"

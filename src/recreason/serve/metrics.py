"""Prometheus metrics, one registry per app (so several apps in one test process do not collide).

Exposed at ``/metrics``: request latency by route template (never by raw path: no user ids in labels),
reason latency by source, cache hits and misses with the hit ratio since start, fallbacks to the
template by cause, and events stored or deduplicated by type.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Histogram("recreason_request_seconds", "HTTP request latency by route template.",
                                  ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=r)
        self.reasons = Histogram("recreason_reason_seconds", "Time to obtain one batch of reasons, by source.",
                                 ["source"], buckets=LATENCY_BUCKETS, registry=r)
        self.cache = Counter("recreason_reason_cache_total", "Reason cache lookups.", ["result"], registry=r)
        self.fallbacks = Counter("recreason_reason_fallbacks_total",
                                 "Reasons served by the template instead of the variant's generator.",
                                 ["cause"], registry=r)
        self.events = Counter("recreason_events_total", "Events received.", ["type", "result"], registry=r)
        self.hit_ratio = Gauge("recreason_reason_cache_hit_ratio", "Cache hits / lookups since start.", registry=r)
        self.hit_ratio.set_function(self._ratio)
        self._hits = 0
        self._lookups = 0

    def cache_lookups(self, hits: int, misses: int) -> None:
        if hits:
            self.cache.labels("hit").inc(hits)
        if misses:
            self.cache.labels("miss").inc(misses)
        self._hits += hits
        self._lookups += hits + misses

    def _ratio(self) -> float:
        return self._hits / self._lookups if self._lookups else 0.0

    def render(self) -> bytes:
        return generate_latest(self.registry)

"""Server settings: every field from an argument, an environment variable ``RECREASON_<FIELD>`` or ``.env``.

``recreason serve`` fills them from its options; tests build ``Settings(...)`` directly. Lists (API keys)
are read from the environment as comma-separated text, e.g. ``RECREASON_EVENT_KEYS=k1,k2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Keys = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RECREASON_", env_file=".env", extra="ignore")

    workspace: Path = Field(default=Path("workspace"), description="Workspace folder written by `recreason ingest`.")
    ranker: Path | None = Field(default=None, description="Ranker artifact folder; none: WORKSPACE/models/ranker, "
                                "else one trained at start-up (train_ranker).")
    train_ranker: str = Field(default="popularity", description="Ranker trained at start-up when no artifact.")
    db: str | None = Field(default=None, description="SQLAlchemy URL; default sqlite:///WORKSPACE/events.db.")
    experiments: Path | None = Field(default=None, description="Experiments file (TOML or JSON); default: built-in.")
    event_keys: Keys = Field(default_factory=list, description="API keys allowed to post events.")
    admin_keys: Keys = Field(default_factory=list, description="API keys for experiment reports and the console.")
    read_keys: Keys = Field(default_factory=list, description="API keys that may read the profile signals a reason "
                            "cites (admin keys may too); every such read is recorded in the access log.")
    open_reasons: bool = Field(default=False, description="Let callers without a key send their own interests and "
                               "item data to POST /v1/reasons (a public demo); false: any configured key is needed.")
    llm_timeout_s: float = Field(default=1.0, gt=0, description="Longest wait for the LLM before the template.")
    llm_online: bool = Field(default=True, description="Run the LLM on a cache miss; false: precomputed only.")
    llm_breaker_failures: int = Field(default=3, ge=1, description="Timeouts or errors in a row after which an LLM "
                                      "variant is not called for llm_breaker_cooldown_s (the template is served).")
    llm_breaker_cooldown_s: float = Field(default=30.0, gt=0, description="How long the circuit breaker stays open.")
    warm_timeout_s: float = Field(default=120.0, gt=0, description="Longest wait for one variant's warm-up at start; "
                                  "then the server is ready and the variant warms on in the background.")
    llm_workers: int = Field(default=1, ge=1, description="Threads running the LLM.")
    llm_queue: int = Field(default=4, ge=0, description="LLM jobs allowed to wait; beyond: template at once.")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest request body accepted.")
    max_k: int = Field(default=50, ge=1, description="Largest k a client may ask for.")
    llm_rate_per_minute: int = Field(default=60, ge=1, description="LLM-written ad-hoc reasons (POST /v1/reasons) a "
                                     "caller (API key, else address) may ask for a minute; beyond: 429.")
    max_connections: int = Field(default=512, ge=1, description="Open connections and requests served at once; "
                                 "beyond: 503 at once (slow clients cannot hold every socket).")
    header_timeout_s: float = Field(default=10.0, gt=0, description="Longest wait for a request's headers; "
                                    "then the connection is closed (slow clients cannot hold a connection).")
    body_timeout_s: float = Field(default=30.0, gt=0, description="Longest wait for each part of a request "
                                  "body; then 408.")
    cache_size: int = Field(default=200_000, ge=0, description="Reasons kept in memory.")
    profile_cache_size: int = Field(default=20_000, ge=0, description="User profiles kept in memory.")
    precompute_users: int = Field(default=0, ge=0, description="Most active users whose top-k is precomputed at start.")
    precompute_k: int = Field(default=10, ge=1)
    warm_llm: bool = Field(default=True, description="Load and run each LLM variant once at start-up.")
    warm_profiles: bool = Field(default=True, description="Mine every review at start-up (faster first requests).")

    @field_validator("event_keys", "admin_keys", "read_keys", mode="before")
    @classmethod
    def _split(cls, value):
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{self.workspace / 'events.db'}"

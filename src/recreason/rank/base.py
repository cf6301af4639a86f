"""The ranker interface: ``fit / score / recommend / recommend_batch / save / load``.

Every ranker keeps the same shared state, built here from the training interactions, so that
``recommend`` works from a saved artifact alone (no Dataset needed):

* id maps for users and items (the catalog is every item of the items table plus any item that only
  appears in interactions, so items nobody touched yet can still be ranked);
* the items each user has seen (CSR arrays), filtered out of recommendations unless asked not to;
* item popularity and an interest index (item tokens from title, category, attributes and brand),
  which serve cold start: an unknown user with declared interests gets items that match them,
  blended with popularity; an unknown user without interests gets popular items.

Implicit feedback: every event counts as a positive; weaker events weigh less
(``recreason.data.schema.RANKER_EVENT_WEIGHTS``: view 0.25, click 0.5, cart 0.75, purchase / rate /
review 1.0) and a user-item pair keeps its strongest event. A rating is a positive whatever its value
(the usual MovieLens ranking protocol); ratings themselves only train a rating head where a ranker has one.

Artifact folder: ``config.json`` (ranker name, hyper-parameters, versions), ``ids.json`` (id maps,
interest vocabulary, declared interests of users without interactions) and ``weights.safetensors``
(all arrays, shared ones prefixed ``common.``). Nothing is pickled.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

import numpy as np
import pandas as pd
import scipy.sparse as sp
from safetensors.numpy import load_file, save_file

from recreason import __version__
from recreason.data.dataset import Dataset
from recreason.data.schema import RANKER_EVENT_WEIGHTS
from recreason.rank.training_data import InterestIndex, TrainingData

FORMAT_VERSION = 1
OnUnknown = Literal["popular", "error"]


class UnknownIdError(KeyError):
    """A user or item id the ranker has never seen; the message says how many it knows."""

    def __init__(self, kind: str, value: str, known: int):
        self.kind, self.value, self.known = kind, value, known
        super().__init__(f"unknown {kind} id {value!r} (the ranker was trained on {known:,} {kind}s)")

    def __str__(self) -> str:  # KeyError would print the message inside quotes
        return str(self.args[0])


class ArtifactError(Exception):
    """A ranker artifact folder is missing, incomplete or of another format version."""


class NotFittedError(RuntimeError):
    """``score`` / ``recommend`` / ``save`` called before ``fit`` or ``load``."""


class IdMap:
    """String ids <-> dense row numbers, in a fixed order."""

    def __init__(self, ids: Iterable[str], kind: str):
        self.ids: list[str] = [str(i) for i in ids]
        self.kind = kind
        self._index = {v: n for n, v in enumerate(self.ids)}
        if len(self._index) != len(self.ids):
            raise ValueError(f"duplicate {kind} ids")

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, value: object) -> bool:
        return value in self._index

    def index(self, value: str) -> int:
        try:
            return self._index[value]
        except KeyError:
            raise UnknownIdError(self.kind, value, len(self.ids)) from None

    def indices(self, values: Iterable[str]) -> np.ndarray:
        return np.fromiter((self.index(v) for v in values), dtype=np.int64)


class Recommendations(list):
    """A list of ``(item_id, score)``; ``source`` says where it came from.

    ``"model"`` (a known user), ``"interests"`` (cold start from declared interests) or ``"popular"``
    (cold start without usable interests). Compares equal to a plain list of the same pairs.
    """

    def __init__(self, pairs: Iterable[tuple[str, float]] = (), source: str = "model"):
        super().__init__(pairs)
        self.source = source


@dataclasses.dataclass
class RankerConfig:
    """Options every ranker shares; each ranker's ``Config`` extends this."""

    seed: int = 0
    #: weight of each event type as implicit feedback; a pair keeps its strongest event
    event_weights: dict[str, float] = dataclasses.field(default_factory=lambda: dict(RANKER_EVENT_WEIGHTS))
    #: cold start: share of the interest match in the blend with popularity (0..1)
    interest_weight: float = 0.8
    #: the weakest event that makes an item "seen" for ``exclude_seen``: "view" leaves out anything
    #: the user touched, "purchase" only what they bought, rated or reviewed (by event weight)
    exclude_from: str = "view"

    def __post_init__(self) -> None:
        if self.exclude_from not in self.event_weights:
            raise ValueError(f"exclude_from must be one of the events {', '.join(self.event_weights)}, "
                             f"got {self.exclude_from!r}")
        if not 0.0 <= self.interest_weight <= 1.0:
            raise ValueError(f"interest_weight must be within [0, 1], got {self.interest_weight}")


class Ranker(ABC):
    """Base class: subclasses implement ``_fit``, ``_score`` and, when they hold arrays,
    ``_arrays`` / ``_restore``. Everything id-related, cold start and persistence lives here."""

    name: ClassVar[str] = ""
    Config: ClassVar[type[RankerConfig]] = RankerConfig
    #: whether ``fit(dataset, valid)`` uses the validation interactions (early stopping)
    uses_validation: ClassVar[bool] = False

    def __init__(self, **params: Any):
        self.config = self.Config(**params)
        self.user_ids: IdMap | None = None
        self.item_ids: IdMap | None = None

    # -- to implement ---------------------------------------------------------------------------
    @abstractmethod
    def _fit(self, data: TrainingData, valid: pd.DataFrame | None) -> None:
        """Learn from ``data``; ``valid`` holds validation interactions or None."""

    @abstractmethod
    def _score(self, users: np.ndarray) -> np.ndarray:
        """Scores of known user rows ``users`` against the whole catalog: float32 (len(users), n_items)."""

    def _arrays(self) -> dict[str, np.ndarray]:
        """The ranker's own arrays for the artifact."""
        return {}

    def _meta(self) -> dict[str, Any]:
        """The ranker's own JSON-able state for the artifact (beyond hyper-parameters)."""
        return {}

    def _restore(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        """Rebuild the ranker from ``_arrays`` / ``_meta`` output."""

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, dataset: Dataset, valid: Dataset | pd.DataFrame | None = None) -> Self:
        """Train on ``dataset.interactions``; ``valid`` (interactions) is used for early stopping
        by rankers that support it and ignored by the others."""
        if len(dataset.interactions) == 0:
            raise ValueError("cannot fit a ranker on a dataset without interactions")
        data = TrainingData.from_dataset(dataset, self.config.event_weights)
        self.user_ids, self.item_ids = IdMap(data.user_ids, "user"), IdMap(data.item_ids, "item")
        self._seen_indptr, self._seen_indices = data.matrix.indptr, data.matrix.indices
        self._seen_weights = data.matrix.data
        self._popularity = data.popularity
        self._interests = data.interests
        self._cold_users = data.cold_users
        valid_frame = valid.interactions if isinstance(valid, Dataset) else valid
        self._fit(data, valid_frame)
        return self

    # -- scoring --------------------------------------------------------------------------------
    def score(self, user_ids: str | Sequence[str], item_ids: str | Sequence[str] | None = None,
              on_unknown: OnUnknown = "error") -> np.ndarray | float:
        """Scores of users against items (the whole catalog when ``item_ids`` is None).

        One user id gives a 1-D array, a sequence of ids a 2-D array (users x items); one user and
        one item give a float. Unknown ids raise ``UnknownIdError``; ``on_unknown="popular"`` scores
        an unknown user with the cold-start scores instead (popularity in [0, 1]).
        """
        self._check_fitted()
        single_user = isinstance(user_ids, str)
        users = [user_ids] if single_user else list(user_ids)
        cols = None
        if item_ids is not None:
            cols = self.item_ids.indices([item_ids] if isinstance(item_ids, str) else item_ids)
        scores, _ = self._score_rows(users, on_unknown, {})
        if cols is not None:
            scores = scores[:, cols]
        if single_user and isinstance(item_ids, str):
            return float(scores[0, 0])
        return scores[0] if single_user else scores

    def recommend(self, user_id: str, k: int = 10, exclude_seen: bool = True,
                  interests: Sequence[str] | None = None,
                  on_unknown: OnUnknown = "popular") -> Recommendations:
        """The top ``k`` items for one user as ``(item_id, score)``, best first.

        Items the user already interacted with are left out unless ``exclude_seen=False``.
        ``interests`` only matter for users the ranker does not know (cold start).
        """
        extra = {user_id: list(interests)} if interests else {}
        return self.recommend_batch([user_id], k, exclude_seen, extra, on_unknown)[0]

    def recommend_batch(self, user_ids: Sequence[str], k: int = 10, exclude_seen: bool = True,
                        interests: Mapping[str, Sequence[str]] | None = None,
                        on_unknown: OnUnknown = "popular") -> list[Recommendations]:
        """``recommend`` for many users at once (one vectorised scoring call)."""
        self._check_fitted()
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        users = list(user_ids)
        scores, sources = self._score_rows(users, on_unknown, interests or {})
        out = []
        for row, user, source in zip(scores, users, sources, strict=True):
            if exclude_seen and source == "model":
                row[self._excluded(user)] = -np.inf
            top = top_k(row, k)
            out.append(Recommendations(
                [(self.item_ids.ids[i], float(row[i])) for i in top], source))
        return out

    def seen_indices(self, user_id: str) -> np.ndarray:
        """Catalog rows of the items a known user interacted with in training."""
        u = self.user_ids.index(user_id)
        return self._seen_indices[self._seen_indptr[u]:self._seen_indptr[u + 1]]

    def _excluded(self, user_id: str) -> np.ndarray:
        u = self.user_ids.index(user_id)
        rows = slice(self._seen_indptr[u], self._seen_indptr[u + 1])
        threshold = self.config.event_weights[self.config.exclude_from]
        return self._seen_indices[rows][self._seen_weights[rows] >= threshold]

    def seen_items(self, user_id: str) -> list[str]:
        return [self.item_ids.ids[i] for i in self.seen_indices(user_id)]

    def seen_matrix(self) -> sp.csr_matrix:
        """csr (n_users, n_items) float32: each known user's training pairs and their weights."""
        return sp.csr_matrix((self._seen_weights, self._seen_indices, self._seen_indptr),
                             shape=(len(self.user_ids), len(self.item_ids)), dtype=np.float32)

    def cold_scores(self, interests: Sequence[str] | None = None) -> tuple[np.ndarray, str]:
        """Cold-start scores in [0, 1] and their source ("interests" or "popular")."""
        pop = self._popularity / max(float(self._popularity.max()), 1e-12)
        match = self._interests.match(interests) if interests else None
        if match is None or not match.any():
            return pop.astype(np.float32), "popular"
        w = self.config.interest_weight
        return (w * match + (1 - w) * pop).astype(np.float32), "interests"

    def _score_rows(self, users: list[str], on_unknown: OnUnknown,
                    interests: Mapping[str, Sequence[str]]) -> tuple[np.ndarray, list[str]]:
        if on_unknown not in ("popular", "error"):
            raise ValueError(f"on_unknown must be 'popular' or 'error', got {on_unknown!r}")
        known = [u in self.user_ids for u in users]
        scores = np.empty((len(users), len(self.item_ids)), dtype=np.float32)
        sources = ["model"] * len(users)
        rows = [n for n, ok in enumerate(known) if ok]
        if rows:
            with serial_blas(len(rows)):
                scores[rows] = self._score(self.user_ids.indices(users[n] for n in rows))
        for n, ok in enumerate(known):
            if ok:
                continue
            declared = interests.get(users[n]) or self._cold_users.get(users[n])
            if not declared and on_unknown == "error":
                raise UnknownIdError("user", users[n], len(self.user_ids))
            scores[n], sources[n] = self.cold_scores(declared)
        return scores, sources

    def _check_fitted(self) -> None:
        if self.item_ids is None:
            raise NotFittedError(f"this {type(self).__name__} is not fitted; call fit() or load() first")

    # -- forgetting -----------------------------------------------------------------------------
    def forget(self, user_ids: Iterable[str]) -> list[str]:
        """Unlink users from this ranker now (``recreason forget``, ``DELETE /v1/users/{id}``); returns the ids
        it knew. Each id is replaced by a random token in the id map and its seen items and declared
        interests are dropped, so the user is served as unknown (cold start) and the artifact, saved again,
        names nobody. What the model's weights learned from the user (an embedding row, co-occurrence counts)
        stays, unlinked, until the next ``train ranker`` on the workspace, which no longer holds the user."""
        self._check_fitted()
        wanted = list(dict.fromkeys(user_ids))
        cold = [u for u in wanted if self._cold_users.pop(u, None) is not None]
        known = [u for u in wanted if u in self.user_ids]
        rows = self.user_ids.indices(known) if known else np.empty(0, np.int64)
        if len(rows):
            counts = np.diff(self._seen_indptr).astype(np.int64)
            keep = np.ones(len(self._seen_indices), bool)
            for u in rows:
                keep[self._seen_indptr[u]:self._seen_indptr[u + 1]] = False
            counts[rows] = 0
            self._seen_indices, self._seen_weights = self._seen_indices[keep], self._seen_weights[keep]
            self._seen_indptr = np.concatenate([[0], np.cumsum(counts)]).astype(self._seen_indptr.dtype)
            ids = list(self.user_ids.ids)
            for u in rows:
                ids[u] = f"forgotten:{secrets.token_hex(12)}"
            self.user_ids = IdMap(ids, "user")
        return list(dict.fromkeys(known + cold))

    # -- persistence ----------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write the artifact folder; returns its path."""
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {f"model.{k}": np.ascontiguousarray(v) for k, v in self._arrays().items()}
        arrays.update({
            "common.seen_indptr": self._seen_indptr.astype(np.int64),
            "common.seen_indices": self._seen_indices.astype(np.int32),
            "common.seen_weights": self._seen_weights.astype(np.float32),
            "common.popularity": self._popularity.astype(np.float32),
            **{f"common.{k}": v for k, v in self._interests.arrays().items()},
        })
        save_file(arrays, str(folder / "weights.safetensors"))
        config = {
            "ranker": self.name, "format_version": FORMAT_VERSION,
            "params": dataclasses.asdict(self.config), "state": self._meta(),
            "n_users": len(self.user_ids), "n_items": len(self.item_ids), "versions": _versions(),
        }
        _write_json(folder / "config.json", config)
        _write_json(folder / "ids.json", {
            "users": self.user_ids.ids, "items": self.item_ids.ids,
            "tokens": self._interests.tokens, "cold_users": self._cold_users,
        })
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Ranker:
        """Read an artifact written by ``save``. ``Ranker.load`` picks the class from the artifact."""
        folder = Path(folder)
        config, ids = _read_json(folder, "config.json"), _read_json(folder, "ids.json")
        if config.get("format_version") != FORMAT_VERSION:
            raise ArtifactError(f"{folder}: artifact format {config.get('format_version')}, "
                                f"this recreason reads format {FORMAT_VERSION}")
        if cls is Ranker:
            from recreason.rank.registry import get_ranker  # the registry imports every ranker

            return get_ranker(config["ranker"]).load(folder)
        if config["ranker"] != cls.name:
            raise ArtifactError(f"{folder} holds a {config['ranker']!r} ranker, not {cls.name!r}")
        weights = folder / "weights.safetensors"
        if not weights.is_file():
            raise ArtifactError(f"{folder}: missing weights.safetensors")
        arrays = load_file(str(weights))
        self = cls(**config["params"])
        self.user_ids, self.item_ids = IdMap(ids["users"], "user"), IdMap(ids["items"], "item")
        self._seen_indptr = arrays["common.seen_indptr"]
        self._seen_indices = arrays["common.seen_indices"]
        self._seen_weights = arrays["common.seen_weights"]
        self._popularity = arrays["common.popularity"]
        self._interests = InterestIndex.from_arrays(
            ids["tokens"], {k[7:]: v for k, v in arrays.items() if k.startswith("common.")},
            len(self.item_ids))
        self._cold_users = ids["cold_users"]
        self._restore({k[6:]: v for k, v in arrays.items() if k.startswith("model.")}, config["state"])
        return self


@functools.cache
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: without it BLAS keeps its own threading
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def serial_blas(n_users: int, most: int = 16):
    """Run BLAS on one thread while scoring a few users (a request). A multi-threaded BLAS call on
    a (n_items x dim) matrix gains little and, when the cores are busy, its threads wait on each
    other: p99 of one recommend() went from ~12 ms to ~50 ms on a loaded 2-core machine."""
    controller = _blas_controller() if n_users <= most else None
    if controller is None:
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield


def top_k(row: np.ndarray, k: int) -> np.ndarray:
    """Row numbers of the ``k`` highest finite scores, best first (ties: lower row first)."""
    k = min(k, row.shape[0])
    part = np.argpartition(-row, k - 1)[:k]
    order = part[np.lexsort((part, -row[part]))]
    return order[np.isfinite(row[order])]


def _versions() -> dict[str, str]:
    import safetensors

    out = {"recreason": __version__, "numpy": np.__version__, "safetensors": safetensors.__version__}
    try:
        import torch

        out["torch"] = torch.__version__
    except ImportError:  # pragma: no cover - torch is a dependency, but serving does not need it
        pass
    return out


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")


def _read_json(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    if not path.is_file():
        what = "no such folder" if not folder.is_dir() else f"missing {name}"
        raise ArtifactError(f"{folder}: not a ranker artifact ({what}); train one with "
                            "`recreason train ranker`")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ArtifactError(f"{path}: not valid JSON ({err})") from None

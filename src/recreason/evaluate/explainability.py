"""Explainability metrics of NETE/PETER: USR, FMR, FCR and DIV (``lileipisces/PETER:utils.py``).

* USR: distinct generated token sequences / number of generated sentences.
* Features of a generated sentence: the set of features of the data set that occur in it.
* FMR: share of samples whose generated sentence contains that sample's ground-truth feature.
* FCR: distinct features generated anywhere / number of features in the whole data set.
* DIV: mean over unordered sample pairs of |F_i ∩ F_j| (lower is more diverse).

DIV is computed from feature counts: sum_{i<j} |F_i ∩ F_j| = sum_f C(count_f, 2), where count_f is
the number of samples whose feature set holds f. That is O(total features), where PETER's pairwise
loop takes minutes on 32k samples; both give the same number.

Multi-word features ("front desk"). PETER adds each feature string to its vocabulary as one word and
compares it with the single *tokens* of the generated sentence, so a multi-word feature can never be
found: it misses FMR and counts in FCR's denominator only. ``multiword="ngram"`` (default) instead
finds a feature when its tokens appear contiguously in the sentence; ``multiword="token"`` keeps
PETER's token-membership rule for exact parity (identical for single-word features).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

Tokens = Sequence[str]
Multiword = Literal["ngram", "token"]


def unique_sentence_ratio(candidates: Sequence[Tokens]) -> float:
    """USR = |distinct token sequences| / N (exact match of the whole sequence), in [0, 1]."""
    if not candidates:
        raise ValueError("USR needs at least one generated sentence")
    return len({tuple(c) for c in candidates}) / len(candidates)


def detect_features(
    candidates: Sequence[Tokens],
    feature_set: Iterable[str],
    multiword: Multiword = "ngram",
    feature_tokenizer: Callable[[str], Sequence[str]] = str.split,
) -> list[frozenset[str]]:
    """The set of data-set features found in each generated sentence.

    Parameters
    ----------
    candidates : generated sentences as token lists.
    feature_set : every feature of the data set (strings).
    multiword : "ngram" matches a feature whose ``feature_tokenizer`` tokens occur contiguously in the
        sentence; "token" is PETER's rule (a token equal to the feature string).
    feature_tokenizer : splits a feature into the same kind of tokens as ``candidates`` (default
        ``str.split``; use ``list`` for character-level Chinese).
    """
    if multiword == "token":
        features = set(feature_set)
        return [frozenset(t for t in c if t in features) for c in candidates]
    if multiword != "ngram":
        raise ValueError(f"multiword must be 'ngram' or 'token', not {multiword!r}")
    by_len: dict[int, dict[tuple[str, ...], str]] = {}
    for feature in feature_set:
        key = tuple(feature_tokenizer(feature))
        if key:
            by_len.setdefault(len(key), {})[key] = feature
    found = []
    for cand in candidates:
        seq = list(cand)
        hits = set()
        for n, table in by_len.items():
            hits.update(table[g] for g in zip(*(seq[i:] for i in range(n))) if g in table)
        found.append(frozenset(hits))
    return found


def feature_matching_ratio(feature_batch: Sequence[frozenset[str]], ground_truth: Sequence[str]) -> float:
    """FMR: share of samples whose detected features include their ground-truth feature."""
    if len(feature_batch) != len(ground_truth):
        raise ValueError(f"{len(feature_batch)} feature sets but {len(ground_truth)} ground-truth features")
    if not feature_batch:
        raise ValueError("FMR needs at least one sample")
    return sum(g in fs for fs, g in zip(feature_batch, ground_truth)) / len(feature_batch)


def feature_coverage_ratio(feature_batch: Sequence[frozenset[str]], feature_set: Iterable[str]) -> float:
    """FCR: distinct features generated anywhere / number of features in the data set."""
    n_features = len(set(feature_set))
    if n_features == 0:
        raise ValueError("FCR needs a non-empty feature set")
    return len(set().union(*feature_batch)) / n_features


def feature_diversity(feature_batch: Sequence[frozenset[str]]) -> float:
    """DIV: sum over pairs i<j of |F_i ∩ F_j| divided by N(N-1)/2, from feature counts.

    Fewer than two samples have no pairs; DIV is then 0.0 (PETER divides by zero).
    """
    n = len(feature_batch)
    if n < 2:
        return 0.0
    counts = Counter(f for fs in feature_batch for f in set(fs))
    shared_pairs = sum(c * (c - 1) // 2 for c in counts.values())
    return shared_pairs / (n * (n - 1) / 2)


def explainability_metrics(
    candidates: Sequence[Tokens],
    ground_truth: Sequence[str],
    feature_set: Iterable[str],
    multiword: Multiword = "ngram",
    feature_tokenizer: Callable[[str], Sequence[str]] = str.split,
) -> dict[str, float]:
    """USR, FMR, FCR and DIV of generated sentences (token lists) in one pass.

    ``ground_truth`` holds each sample's feature (PETER's ``template[0]``); ``feature_set`` every
    feature of the whole data set, not only the test split.
    """
    if candidates and isinstance(candidates[0], str):
        raise TypeError("candidates must be token lists, e.g. [text.split() for text in texts]")
    features = set(feature_set)
    batch = detect_features(candidates, features, multiword, feature_tokenizer)
    return {
        "usr": unique_sentence_ratio(candidates),
        "fmr": feature_matching_ratio(batch, ground_truth),
        "fcr": feature_coverage_ratio(batch, features),
        "div": feature_diversity(batch),
    }

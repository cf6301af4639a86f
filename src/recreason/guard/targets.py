"""Training targets a model may learn from: references whose claims the item's data supports.

A fine-tuned model copies what its targets do. XRec's references (written by GPT from the user's own review)
state details the item's data does not hold in almost all rows (``BENCHMARKS.md``, judge table), so training on
them teaches invention. ``true_targets`` keeps the examples whose target — the reference cut as the trainer
cuts it (``recreason.reasons.llm.prompts.postprocess``) — the judge (``recreason.guard.judge``) finds true, for
the item and the user, and readable, and counts why the others were left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from recreason.guard.compliance import BannedTerms
from recreason.guard.judge import judge
from recreason.reasons.base import TrainingExample
from recreason.reasons.llm.prompts import MAX_LENGTH, postprocess


def true_targets(examples: Sequence[TrainingExample], max_sentences: int = 1,
                 catalog_values: set[str] | None = None) -> tuple[list[TrainingExample], Counter]:
    """(kept examples, Counter of why the rest were left out: "false: detail", "against", "degenerate" …)."""
    banned = BannedTerms.load(None)
    kept, dropped = [], Counter()
    for ex in examples:
        lang = ex.request.lang
        target = postprocess(ex.text, lang, max_sentences, MAX_LENGTH[lang])
        if not target:
            dropped["empty"] += 1
            continue
        j = judge(target, ex.request, catalog_values, banned)
        if j.show:
            kept.append(ex)
        elif j.degenerate:
            dropped["degenerate"] += 1
        elif j.false:
            rule = next((p.split(":", 1)[0] for p in j.problems), "claim")
            dropped[f"false: {rule}"] += 1
        elif j.stance == "against":
            dropped["against"] += 1
        else:
            dropped["not shown (clumsy or not compliant)"] += 1
    return kept, dropped

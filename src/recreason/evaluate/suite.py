"""One call for the full metric row of a set of generated reasons, and several rows side by side.

No metric stands alone: on XRec one fixed generic sentence for every row was measured to get the
highest ROUGE-L of all systems (at USR 0.03), so every row carries USR, semantic similarity,
faithfulness and personalization next to BLEU and ROUGE, and ``COLUMNS`` (the order tables use)
puts USR and semantic similarity right after the overlap scores.

Row keys (all optional except ``n``; a metric that could not be computed is None):

* overlap with the references (PETER definitions, ``lexical.text_metrics``): ``bleu_1``,
  ``bleu_4``, ``rouge_1``, ``rouge_2``, ``rouge_l`` (F scores, x100) and ``sacrebleu``; computed on
  the rows that have a reference (``n_references``).
* ``usr``: unique sentence ratio over all candidates (tokens as BLEU's).
* ``semantic``: mean multilingual-e5-small cosine to the reference (``semantic.py``); slow.
* the judge (``judge.py``, with ``items``): ``unsupported_rate`` — share of the reasons with at least one
  checkable claim that state something the item's data or the user's profile does not hold (None when no
  reason states a checkable claim: never "0 unsupported" for a set that could not be checked),
  ``claim_precision`` (supported claims / claims), ``personal``, ``specific``, ``fluent`` (mean 1–3),
  ``against``, ``degenerate`` and ``shown`` (what a careful editor would let through) as shares.
* ``interest_hit_rate``, ``distinct_per_item``: personalization (``faithfulness.py``).
* ``mean_length``: whitespace words for English, characters (no spaces) for Chinese.
* ``fmr``, ``fcr``, ``div``: when the ground-truth feature of each row is given.

``details`` holds what does not fit in a table cell: the per-reason lengths (for the length plot),
full ROUGE P/R/F, the unsupported-claim breakdown and examples, the personalization counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from recreason.evaluate.explainability import explainability_metrics, unique_sentence_ratio
from recreason.evaluate.faithfulness import personalization, reason_language
from recreason.evaluate.lexical import text_metrics, tokenization_for
from recreason.profiles.models import ItemProfile, UserProfile
from recreason.text import language, tokenize

# (key, short header, what it is). Tables show these columns in this order.
COLUMNS: list[tuple[str, str, str]] = [
    ("bleu_1", "BLEU-1", "PETER corpus BLEU-1 (x100)"),
    ("bleu_4", "BLEU-4", "PETER corpus BLEU-4 (x100)"),
    ("rouge_1", "R-1", "PETER ROUGE-1 F (x100)"),
    ("rouge_2", "R-2", "PETER ROUGE-2 F (x100)"),
    ("rouge_l", "R-L", "PETER ROUGE-L F (x100)"),
    ("usr", "USR", "unique sentence ratio"),
    ("semantic", "SemSim", "multilingual-e5-small cosine to the reference"),
    ("sacrebleu", "sBLEU", "sacreBLEU (x100)"),
    ("unsupported_rate", "Unsup", "share of checkable reasons with a false claim, by the judge (lower is better)"),
    ("claim_precision", "ClaimP", "share of claims the item's data or the user's profile supports"),
    ("personal", "Pers", "share of reasons naming a signal the user's profile holds"),
    ("specific", "Spec", "share of reasons naming a fact the item's data holds"),
    ("fluent", "Fluent", "mean fluency, 1 broken - 3 reads like a person wrote it"),
    ("against", "Against", "share of reasons arguing against the item or the user (lower is better)"),
    ("degenerate", "Degen", "share of degenerate reasons: loops, refusals, echoes (lower is better)"),
    ("shown", "Shown", "share a careful editor would show: true, for, compliant, readable"),
    ("interest_hit_rate", "IntHit", "share of reasons mentioning one of the user's interests"),
    ("distinct_per_item", "Dist/item", "distinct reasons per item shown to 2+ users"),
    ("mean_length", "Len", "mean length (words en, characters zh)"),
    ("fmr", "FMR", "feature matching ratio"),
    ("fcr", "FCR", "feature coverage ratio"),
    ("div", "DIV", "feature diversity (lower is more diverse)"),
]
ALWAYS = ("usr", "semantic")  # shown even when not computed, so their absence is visible


def reason_length(text: str, lang: str) -> int:
    """The language's one length measure (``Language.length``): whitespace words for English,
    non-space characters for Chinese."""
    return language(lang).length(text)


def _lexical(cands: list[str], refs: list[str | None], lang: str, tokenization: str | None) -> dict:
    pairs = [(c, r) for c, r in zip(cands, refs, strict=True) if r and r.strip()]
    if not pairs:
        return {}
    c, r = (list(x) for x in zip(*pairs, strict=True))
    scores = text_metrics(r, c, dataset=tokenization, lang=lang)
    row = {"bleu_1": scores["bleu_1"], "bleu_4": scores["bleu_4"], "rouge_1": scores["rouge_1/f_score"],
           "rouge_2": scores["rouge_2/f_score"], "rouge_l": scores["rouge_l/f_score"],
           "sacrebleu": scores["sacrebleu"], "n_references": len(pairs)}
    return {"row": row, "details": scores, "pairs": (r, c)}


def evaluate_reasons(
    candidates: Sequence[str],
    references: Sequence[str | None] | None,
    users: Sequence[UserProfile] | None,
    items: Sequence[ItemProfile] | None,
    lang: str | None = None,
    tokenization: str | None = None,
    semantic: bool = True,
    features: Sequence[str] | None = None,
    feature_set: Iterable[str] | None = None,
    faithfulness: bool = True,
    catalog_values: set[str] | None = None,
) -> dict:
    """The full metric row for ``candidates`` (module docstring lists the keys).

    Parameters
    ----------
    references : one per candidate (None or "" where a row has none), or None for no overlap scores.
    users, items : profiles aligned with ``candidates``; None skips personalization / faithfulness.
    lang : "en" or "zh"; None detects it from the candidates.
    tokenization : data set name for ``lexical.tokenization_for`` ("xrec", "adgen", ...); None:
        the language's default (regex words for English, jieba words for Chinese).
    semantic : compute semantic similarity (about 100 texts a second).
    features : the ground-truth feature of each row, for FMR/FCR/DIV; ``feature_set`` every feature
        of the data set (default: the distinct ``features``).
    faithfulness : compute the unsupported-claim rate (needs ``items`` whose facts are known).
    """
    candidates = [c if isinstance(c, str) else "" for c in candidates]
    n = len(candidates)
    if n == 0:
        raise ValueError("evaluate_reasons needs at least one candidate")
    for name, seq in (("references", references), ("users", users), ("items", items), ("features", features)):
        if seq is not None and len(seq) != n:
            raise ValueError(f"{n} candidates but {len(seq)} {name}")
    lang = lang or reason_language(candidates)
    spec = tokenization_for(tokenization, lang)
    tokens = [tokenize(c, spec.lang, spec.bleu_level) for c in candidates]
    lengths = [reason_length(c, lang) for c in candidates]
    row: dict = {"n": n, "lang": lang, "usr": unique_sentence_ratio(tokens),
                 "mean_length": sum(lengths) / n, "semantic": None}
    details: dict = {"lengths": lengths}
    if references is not None:
        lexical = _lexical(candidates, list(references), lang, tokenization)
        if lexical:
            row.update(lexical["row"])
            details["lexical"] = lexical["details"]
            if semantic:
                from recreason.evaluate.semantic import semantic_similarity

                row["semantic"] = semantic_similarity(*lexical["pairs"])
    if items is not None and faithfulness:
        from recreason.guard.judge import judge_reasons
        from recreason.reasons.base import ReasonRequest

        anonymous = UserProfile(user_id="anonymous", language=lang)
        requests = [ReasonRequest(user=u, item=i, language=lang)
                    for u, i in zip(users if users is not None else [anonymous] * n, items, strict=True)]
        judged = judge_reasons(candidates, requests, catalog_values=catalog_values)
        row["unsupported_rate"] = judged["false_rate"]
        row.update({k: judged[k] for k in ("claim_precision", "personal", "specific", "fluent", "against",
                                           "degenerate")})
        row["shown"] = judged["show"]
        details["judge"] = judged
    if users is not None and items is not None:
        pers = personalization(candidates, users, items)
        row["interest_hit_rate"] = pers["interest_hit_rate"]
        row["distinct_per_item"] = pers["distinct_per_item"]
        details["personalization"] = pers
    if features is not None:
        fset = set(feature_set) if feature_set is not None else set(features)
        feature_tokens = (list if spec.bleu_level == "char" else
                          (lambda f: tokenize(f, spec.lang, spec.bleu_level)))
        row.update({k: v for k, v in explainability_metrics(tokens, list(features), fset,
                                                             feature_tokenizer=feature_tokens).items()
                    if k != "usr"})
    row["details"] = details
    return row


def compare(rows: dict[str, dict]) -> list[dict]:
    """Line up several generators' rows: one flat dict per generator with ``generator`` first and
    every ``COLUMNS`` key (None where missing), plus ``best``: the column keys this generator leads
    (highest, or lowest for ``unsupported_rate`` and ``div``; only columns two or more rows have)."""
    lower_better = {"unsupported_rate", "div", "against", "degenerate"}
    out = [{"generator": name, "n": r.get("n"), **{k: r.get(k) for k, _, _ in COLUMNS}} for name, r in rows.items()]
    for key, _, _ in COLUMNS:
        if key == "mean_length":
            continue
        values = [(o[key], o["generator"]) for o in out if isinstance(o[key], (int, float))]
        if len(values) < 2:
            continue
        best = min(v for v, _ in values) if key in lower_better else max(v for v, _ in values)
        for o in out:
            if o[key] == best:
                o.setdefault("best", []).append(key)
    for o in out:
        o.setdefault("best", [])
    return out

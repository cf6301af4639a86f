"""Lexical overlap metrics: BLEU and ROUGE as the explanation-generation papers compute them.

Two families, kept apart on purpose:

* PETER/PEPLER parity (``peter_bleu``, ``peter_rouge``): the ``tensorflow/nmt`` ``bleu.py`` and
  ``rouge.py`` that PETER, PEPLER, NRT, P5 and ERRA copy unchanged (benchmarks.md §2). Corpus BLEU
  without smoothing; ROUGE-N over *sets* of n-grams, macro-averaged; ROUGE-L with the ``beta = P/R``
  F-measure of ``_f_p_r_lcs``. Use these to compare with published tables.
* Standard, "for reference" (``sacrebleu_bleu``, ``standard_rouge``): sacreBLEU corpus BLEU and
  count-based ROUGE with the usual F1.

Inputs are lists of token lists; the caller chooses the tokenization (see ``tokenization_for`` and
``text_metrics``). Scores are on a 0–100 scale. Everything is near-linear in corpus size: n-grams are
counted with ``zip`` and LCS uses a bit-parallel algorithm, so 30k pairs take a few seconds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from recreason.text import Lang, Level, detect, language, tokenize

Tokens = Sequence[str]
Smoothing = Literal["none", "method3"]
_EPS_ROUGE_N = 1e-8  # rouge.py: f1 = 2PR / (P + R + 1e-8)
_EPS_LCS = 1e-12  # rouge.py: beta = P / (R + 1e-12); f = num / (denom + 1e-12)


def ngrams(tokens: Tokens, n: int) -> list[tuple[str, ...]]:
    """All contiguous n-grams of ``tokens`` in order (empty when ``len(tokens) < n``)."""
    seq = list(tokens)
    return list(zip(*(seq[i:] for i in range(n))))


def _check_pairs(references: Sequence, candidates: Sequence, tokens: bool = False) -> None:
    if len(references) != len(candidates):
        raise ValueError(f"{len(references)} references but {len(candidates)} candidates")
    if not references:
        raise ValueError("empty corpus: need at least one reference/candidate pair")
    if tokens and (isinstance(references[0], str) or isinstance(candidates[0], str)):
        raise TypeError("expected lists of token lists; for raw strings use text_metrics")


# --------------------------------------------------------------------------- BLEU (tensorflow/nmt)


def peter_bleu_details(
    references: Sequence[Tokens], candidates: Sequence[Tokens], max_order: int = 4
) -> dict[str, float]:
    """Corpus BLEU exactly as ``tensorflow/nmt`` ``compute_bleu(smooth=False)`` (one reference each).

    Clipped n-gram matches and candidate n-gram counts are summed over the corpus for each order
    1..``max_order``; BLEU = BP * exp(mean log p_n), 0 when any p_n is 0. BP = 1 if
    total candidate length > total reference length, else exp(1 - ref_len / cand_len).
    The original divides by zero on an empty candidate corpus (BP is then 0 here) or an empty
    reference corpus (ratio is then ``inf`` and BP 1 here).

    Returns
    -------
    dict with ``bleu`` (x100), ``p1``..``pN`` (x100), ``bp``, ``ratio``, ``cand_len``, ``ref_len``.
    """
    _check_pairs(references, candidates, tokens=True)
    matches = [0] * max_order
    possible = [0] * max_order
    ref_len = cand_len = 0
    for ref, cand in zip(references, candidates):
        ref, cand = list(ref), list(cand)
        ref_len += len(ref)
        cand_len += len(cand)
        for n in range(1, max_order + 1):
            cand_counts = Counter(zip(*(cand[i:] for i in range(n))))
            if not cand_counts:
                break
            ref_counts = Counter(zip(*(ref[i:] for i in range(n))))
            matches[n - 1] += sum(min(c, ref_counts.get(g, 0)) for g, c in cand_counts.items())
            possible[n - 1] += len(cand) - n + 1
    precisions = [m / p if p > 0 else 0.0 for m, p in zip(matches, possible)]
    log_sum = sum((1.0 / max_order) * math.log(p) for p in precisions) if min(precisions) > 0 else None
    geo_mean = math.exp(log_sum) if log_sum is not None else 0.0
    ratio = cand_len / ref_len if ref_len > 0 else math.inf
    if ratio > 1.0:
        bp = 1.0
    else:
        bp = math.exp(1.0 - 1.0 / ratio) if ratio > 0 else 0.0
    out = {"bleu": 100.0 * geo_mean * bp, "bp": bp, "ratio": ratio}
    out.update({f"p{i + 1}": 100.0 * p for i, p in enumerate(precisions)})
    out.update({"cand_len": float(cand_len), "ref_len": float(ref_len)})
    return out


def peter_bleu(references: Sequence[Tokens], candidates: Sequence[Tokens], max_order: int = 4) -> float:
    """PETER's ``bleu_score``: corpus BLEU-``max_order`` (cumulative), no smoothing, x100."""
    return peter_bleu_details(references, candidates, max_order)["bleu"]


# --------------------------------------------------------------------------- ROUGE (tensorflow/nmt)


def lcs_length(a: Tokens, b: Tokens) -> int:
    """Length of the longest common subsequence (bit-parallel, Hyyrö 2004; O(len(b)) big-int ops)."""
    if len(a) < len(b):
        a, b = b, a
    masks: dict[str, int] = {}
    for i, tok in enumerate(a):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for tok in b:
        u = v & masks.get(tok, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def _peter_words(tokens: Tokens) -> list[str]:
    # PETER scores ' '.join(tokens).split(' '): an empty sentence becomes one empty-string token.
    return list(tokens) if len(tokens) else [""]


def peter_rouge_n(reference: Tokens, candidate: Tokens, n: int) -> tuple[float, float, float]:
    """``rouge_n`` of rouge.py for one pair: (F, P, R) over n-gram *sets*, F = 2PR/(P+R+1e-8)."""
    cand = set(ngrams(_peter_words(candidate), n))
    ref = set(ngrams(_peter_words(reference), n))
    overlap = len(cand & ref)
    p = overlap / len(cand) if cand else 0.0
    r = overlap / len(ref) if ref else 0.0
    return 2.0 * ((p * r) / (p + r + _EPS_ROUGE_N)), p, r


def f_p_r_lcs(llcs: int, m: int, n: int) -> tuple[float, float, float]:
    """rouge.py ``_f_p_r_lcs``: m = reference length, n = candidate length; returns (F, P, R).

    R = llcs/m, P = llcs/n, beta = P/(R+1e-12), F = (1+beta^2) R P / (R + beta^2 P + 1e-12).
    With llcs = 0 everything is 0. Note this is *not* F1: for P > R it weighs towards recall more
    than F1 does (e.g. P=1, R=0.5 gives F=0.5556 where F1 is 0.6667).
    """
    r_lcs = llcs / m
    p_lcs = llcs / n
    beta = p_lcs / (r_lcs + _EPS_LCS)
    num = (1 + beta**2) * r_lcs * p_lcs
    denom = r_lcs + (beta**2) * p_lcs
    return num / (denom + _EPS_LCS), p_lcs, r_lcs


def peter_rouge_l(reference: Tokens, candidate: Tokens) -> tuple[float, float, float]:
    """``rouge_l_sentence_level`` of rouge.py for one pair: (F, P, R) with the beta = P/R F."""
    ref, cand = _peter_words(reference), _peter_words(candidate)
    return f_p_r_lcs(lcs_length(cand, ref), len(ref), len(cand))


def _mean_fpr(prefix: str, scores: list[tuple[float, float, float]]) -> dict[str, float]:
    k = len(scores)
    f, p, r = (100.0 * math.fsum(col) / k for col in zip(*scores))
    return {f"{prefix}/f_score": f, f"{prefix}/p_score": p, f"{prefix}/r_score": r}


def peter_rouge(references: Sequence[Tokens], candidates: Sequence[Tokens]) -> dict[str, float]:
    """PETER's ``rouge_score``: ROUGE-1/2/L per sentence, macro-averaged, x100.

    Keys follow PETER's logs: ``rouge_1/f_score``, ``rouge_1/p_score``, ``rouge_1/r_score`` and the
    same for ``rouge_2`` and ``rouge_l``. ROUGE-N is set-based; ROUGE-L "F" uses beta = P/R.
    """
    _check_pairs(references, candidates, tokens=True)
    pairs = list(zip(references, candidates))
    out = _mean_fpr("rouge_1", [peter_rouge_n(r, c, 1) for r, c in pairs])
    out.update(_mean_fpr("rouge_2", [peter_rouge_n(r, c, 2) for r, c in pairs]))
    out.update(_mean_fpr("rouge_l", [peter_rouge_l(r, c) for r, c in pairs]))
    return out


# --------------------------------------------------------------------------- standard, for reference


def _f1(p: float, r: float) -> float:
    return 2.0 * p * r / (p + r) if p + r > 0 else 0.0


def standard_rouge_n(reference: Tokens, candidate: Tokens, n: int) -> tuple[float, float, float]:
    """Count-based ROUGE-N for one pair (clipped counts, as ROUGE-1.5.5 / rouge-score): (F1, P, R)."""
    cand = Counter(ngrams(candidate, n))
    ref = Counter(ngrams(reference, n))
    overlap = sum((cand & ref).values())
    p = overlap / sum(cand.values()) if cand else 0.0
    r = overlap / sum(ref.values()) if ref else 0.0
    return _f1(p, r), p, r


def standard_rouge_l(reference: Tokens, candidate: Tokens) -> tuple[float, float, float]:
    """Sentence-level ROUGE-L with the usual F1 = 2PR/(P+R): (F1, P, R); 0 for empty inputs."""
    llcs = lcs_length(candidate, reference)
    p = llcs / len(candidate) if len(candidate) else 0.0
    r = llcs / len(reference) if len(reference) else 0.0
    return _f1(p, r), p, r


def standard_rouge(references: Sequence[Tokens], candidates: Sequence[Tokens]) -> dict[str, float]:
    """Count-based ROUGE-1/2 and ROUGE-L with F1, per sentence then macro-averaged, x100.

    Same keys as ``peter_rouge``. Matches Google's ``rouge-score`` (no stemming) when it is given a
    tokenizer that returns these same tokens.
    """
    _check_pairs(references, candidates, tokens=True)
    pairs = list(zip(references, candidates))
    out = _mean_fpr("rouge_1", [standard_rouge_n(r, c, 1) for r, c in pairs])
    out.update(_mean_fpr("rouge_2", [standard_rouge_n(r, c, 2) for r, c in pairs]))
    out.update(_mean_fpr("rouge_l", [standard_rouge_l(r, c) for r, c in pairs]))
    return out


def sacrebleu_bleu(references: Sequence[str], candidates: Sequence[str], tokenize: str = "13a") -> float:
    """Standard sacreBLEU corpus BLEU-4 on raw strings (``tokenize="zh"`` for Chinese), x100.

    sacreBLEU's defaults otherwise: exponential smoothing, one reference per candidate.
    """
    _check_pairs(references, candidates)
    import sacrebleu

    return float(sacrebleu.corpus_bleu(list(candidates), [list(references)], tokenize=tokenize).score)


def sacrebleu_bleu_tokens(references: Sequence[Tokens], candidates: Sequence[Tokens]) -> float:
    """sacreBLEU corpus BLEU-4 on pre-tokenized input (tokens joined by spaces, ``tokenize="none"``)."""
    return sacrebleu_bleu(
        [" ".join(t) for t in references], [" ".join(t) for t in candidates], tokenize="none"
    )


def peter_rouge_strings(references: Sequence[str], candidates: Sequence[str]) -> dict[str, float]:
    """PETER's ``rouge_score`` called directly on untokenized strings, as rouge.py splits them.

    rouge.py splits each string on single spaces (``s.split(" ")``), so leading/trailing spaces give
    empty-string tokens and newlines stay glued to words. This is how the XRec ROUGE numbers in
    benchmarks.md §3.8 were computed (BLEU there uses ``str.split()`` tokens); on PETER's own data,
    which is ``" ".join(tokens)``, it equals ``peter_rouge`` on the tokens.
    """
    return peter_rouge([s.split(" ") for s in references], [s.split(" ") for s in candidates])


# --------------------------------------------------------------------------- AdGen (NLTK sentence BLEU)


def nltk_sentence_bleu(
    reference: Tokens, candidate: Tokens, max_order: int = 4, smoothing: Smoothing = "none"
) -> float:
    """NLTK ``sentence_bleu([reference], candidate)`` with uniform weights, on a 0–1 scale.

    Per order n: p_n = clipped matches / max(1, candidate n-grams). BP = 1 if c > r, 0 if c = 0,
    else exp(1 - r/c). No unigram match gives 0 (NLTK returns 0 before smoothing).

    ``smoothing="none"`` (NLTK's default ``method0``): when some higher order has no match, NLTK
    substitutes ``sys.float_info.min`` for that p_n, so it returns a number below 1e-70, which
    ChatGLM's ``round(score * 100, 4)`` turns into 0. We return exactly 0.0 in that case.
    ``smoothing="method3"`` (NIST geometric sequence, used by later ChatGLM/LLaMA-Factory code):
    the k-th zero-match order gets p_n = 1 / (2^k * denominator).
    """
    if smoothing not in ("none", "method3"):
        raise ValueError(f"smoothing must be 'none' or 'method3', not {smoothing!r}")
    ref, cand = list(reference), list(candidate)
    precisions: list[float] = []
    k = 0
    for n in range(1, max_order + 1):
        cand_counts = Counter(zip(*(cand[i:] for i in range(n))))
        ref_counts = Counter(zip(*(ref[i:] for i in range(n))))
        num = sum(min(c, ref_counts.get(g, 0)) for g, c in cand_counts.items())
        den = max(1, sum(cand_counts.values()))
        if num == 0:
            if n == 1 or smoothing == "none":
                return 0.0
            k += 1
            precisions.append(1.0 / (2**k * den))
        else:
            precisions.append(num / den)
    c, r = len(cand), len(ref)
    bp = 1.0 if c > r else math.exp(1.0 - r / c)
    return bp * math.exp(math.fsum((1.0 / max_order) * math.log(p) for p in precisions))


def adgen_bleu4(references: Sequence[str], candidates: Sequence[str], smoothing: Smoothing = "none") -> float:
    """AdGen BLEU-4 (THUDM/ChatGLM-6B ptuning ``main.py``): mean over samples, x100.

    Each pair is scored with ``nltk_sentence_bleu(list(label), list(pred))``: every character,
    whitespace included, is a token, exactly as ``list(str)``. ChatGLM rounds each sample's score to
    4 decimals before averaging; we do not (the difference is below 5e-5).
    """
    _check_pairs(references, candidates)
    scores = [nltk_sentence_bleu(list(r), list(c), 4, smoothing) for r, c in zip(references, candidates)]
    return 100.0 * math.fsum(scores) / len(scores)


# --------------------------------------------------------------------------- tokenization per data set


@dataclass(frozen=True)
class TokenizationSpec:
    """How a data set's published numbers tokenize text (levels as in ``recreason.text.tokenize``)."""

    lang: Lang
    bleu_level: Level
    rouge_level: Level
    sacrebleu_tokenize: str


_EN_PRETOKENIZED = TokenizationSpec("en", "whitespace", "whitespace", "13a")
_KNOWN: dict[str, TokenizationSpec] = {
    # PETER-format and XRec data are scored on whitespace tokens (benchmarks.md §2, §3.8).
    **dict.fromkeys(("peter", "pepler", "nete", "tripadvisor", "amazon-movies", "yelp"), _EN_PRETOKENIZED),
    **dict.fromkeys(("xrec", "xrec-amazon", "xrec-google", "xrec-yelp"), _EN_PRETOKENIZED),
    # AdGen (ChatGLM ptuning): BLEU-4 on characters, ROUGE on jieba words.
    **dict.fromkeys(
        ("adgen", "advertisegen", "zh-advertisegen-dev"), TokenizationSpec("zh", "char", "word", "zh")
    ),
    # KOBE / TaoDescribe: sacreBLEU tokenize="zh", i.e. one token per Chinese character.
    **dict.fromkeys(("kobe", "taodescribe"), TokenizationSpec("zh", "char", "char", "zh")),
}
_DEFAULT = {
    "zh": TokenizationSpec("zh", "word", "word", "zh"),
    "en": TokenizationSpec("en", "word", "word", "13a"),
}


def tokenization_for(dataset: str | None = None, lang: Lang | None = None) -> TokenizationSpec:
    """The tokenization a data set is conventionally scored with.

    Known names (case-insensitive, ``_`` = ``-``): PETER-family and XRec sets (English whitespace
    tokens), AdGen (characters for BLEU, jieba words for ROUGE), KOBE/TaoDescribe (characters).
    Anything else falls back on ``lang`` (any spelling of a code, ``recreason.text.language``): jieba
    words for Chinese, regex words for English.
    """
    key = (dataset or "").strip().lower().replace("_", "-")
    if key in _KNOWN:
        return _KNOWN[key]
    if lang is None:
        raise ValueError(f"unknown data set {dataset!r}: pass lang='zh' or lang='en'")
    return _DEFAULT[language(lang, default=None)]


def text_metrics(
    references: Sequence[str],
    candidates: Sequence[str],
    dataset: str | None = None,
    lang: Lang | None = None,
    level: Level | None = None,
) -> dict[str, float]:
    """BLEU-1/4 and ROUGE-1/2/L (PETER definitions) plus sacreBLEU, from raw strings.

    Tokenization comes from ``tokenization_for(dataset, lang)`` (``lang`` detected from the references
    when neither is given); ``level`` overrides both BLEU and ROUGE levels.
    """
    _check_pairs(references, candidates)
    if lang is None and dataset is None:
        lang = detect(" ".join(references[:50]))
    spec = tokenization_for(dataset, lang)
    bleu_level, rouge_level = (level, level) if level else (spec.bleu_level, spec.rouge_level)

    def tok(texts: Sequence[str], lvl: Level) -> list[list[str]]:
        return [tokenize(t, spec.lang, lvl) for t in texts]

    refs_b, cands_b = tok(references, bleu_level), tok(candidates, bleu_level)
    same = rouge_level == bleu_level
    refs_r, cands_r = (
        (refs_b, cands_b) if same else (tok(references, rouge_level), tok(candidates, rouge_level))
    )
    out = {"bleu_1": peter_bleu(refs_b, cands_b, 1), "bleu_4": peter_bleu(refs_b, cands_b, 4)}
    out.update(peter_rouge(refs_r, cands_r))
    out["sacrebleu"] = sacrebleu_bleu(references, candidates, tokenize=spec.sacrebleu_tokenize)
    return out

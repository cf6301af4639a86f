"""What ``TemplateGenerator.fit`` learns from reference reasons, piece by piece (the state is JSON):

how often references quote each attribute key (``key_prior``) and how many facts they quote
(``fact_count``); the house-style opening they share ("The user would enjoy the business",
``learn_opener``); which words of description and profile clauses they reuse (``keep_table``: a smoothed
keep-probability per word, and boilerplate); and the corpus BLEU that the clause threshold and the
template order are chosen by (``bleu``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from recreason.reasons.base import TrainingExample
from recreason.reasons.template.choose import NUMBER, item_facts
from recreason.reasons.template.phrases import clause_tokens, clauses
from recreason.text import Language

# an opening ends before a connective or a clause mark ("The user would enjoy the business because ...")
_OPENER_END = re.compile(r"\s+(?:because|for|since|as)\b|[，,：:]")


def by_language(train: Sequence[TrainingExample]) -> dict[Language, list[TrainingExample]]:
    out: dict[Language, list[TrainingExample]] = {}
    for ex in train:
        out.setdefault(ex.request.lang, []).append(ex)
    return out


def key_prior(train: Sequence[TrainingExample]) -> dict[str, float]:
    """Per attribute key (and "aspect"): the smoothed share of references that quote its value."""
    seen, hit = Counter(), Counter()
    for ex in train:
        text = ex.text.lower()
        for fact, _ in item_facts(ex.request.item, ex.request.lang):
            seen[fact.key] += 1
            hit[fact.key] += fact.value.lower() in text
    return {k: round((hit[k] + 1) / (seen[k] + 2), 4) for k in seen}


def fact_count(train: Sequence[TrainingExample]) -> int | None:
    """How many of the item's facts a reference quotes, on average (1 to 3); None without examples."""
    mentioned = [
        sum(f.value.lower() in e.text.lower() for f, _ in item_facts(e.request.item, e.request.lang)) for e in train
    ]
    return min(3, max(1, round(float(np.mean(mentioned))))) if mentioned else None


def typical_length(refs: Sequence[str], lang: Language) -> int:
    return int(np.median([lang.length(t) for t in refs]))


def learn_opener(refs: list[str], lang: Language) -> str:
    """The longest reference prefix shared by at least 30 % of the references (no digits), cut
    before a connective; '' when the references have no house style."""
    units = [lang.units(r) for r in refs]
    best = ""
    for n in range(2, 12):
        common = Counter(tuple(u[:n]) for u in units if len(u) > n).most_common(1)
        top, count = common[0] if common else ((), 0)
        if count < max(2, 0.3 * len(refs)):
            break
        best = lang.detokenize(list(top))
    best = _OPENER_END.split(best)[0].strip()
    return "" if NUMBER.search(best) or lang.length(best) < 2 else best


def keep_table(exs: Sequence[TrainingExample], openers: dict) -> dict:
    """Per side (item description, user profile): P(a clause word reappears in the reference), per
    word, and boilerplate (frequent words the references (almost) never reuse, or rarely reused
    clause openers such as "Fans of")."""
    return {side: _keep_side(exs, openers, side) for side in ("item", "user")}


def _keep_side(exs: Sequence[TrainingExample], openers: dict, side: str) -> dict:
    seen, kept, lead = Counter(), Counter(), Counter()
    for ex in exs:
        lang = ex.request.lang
        text = ex.request.item.description if side == "item" else ex.request.user.profile_text
        ref = _reference_words(ex.text, openers.get(lang, ""), lang)
        lead.update({clause_tokens(c, lang)[0] for c in clauses(text, lang)})
        for w in set(clause_tokens(text or "", lang)):
            seen[w] += 1
            kept[w] += w in ref
    prior = (sum(kept.values()) + 1) / (sum(seen.values()) + 2)
    often = max(3, 0.01 * len(exs))
    return {
        "keep": {w: round((kept[w] + 2 * prior) / (n + 2), 4) for w, n in seen.items() if n >= 2},
        "prior": round(prior, 4),
        "boiler": sorted(
            w
            for w, n in seen.items()
            if n >= often and (kept[w] / n < 0.03 or (lead[w] >= often and kept[w] / n < prior / 2))
        ),
    }


def _reference_words(text: str, opener: str, lang: Language) -> set[str]:
    """The reference's clause words after the house opening."""
    head, ref = clause_tokens(opener, lang), clause_tokens(text, lang)
    return set(ref[len(head):] if ref[: len(head)] == head else ref)


def corpus_bleu(refs: Sequence[Sequence[str]], cands: Sequence[Sequence[str]], n: int) -> float:
    """Corpus BLEU-n without smoothing (the PETER / tensorflow-nmt definition), 0..1."""
    match, total, rl, cl = [0] * n, [0] * n, 0, 0
    for ref, cand in zip(refs, cands):
        rl, cl = rl + len(ref), cl + len(cand)
        for k in range(1, n + 1):
            c = Counter(zip(*(cand[i:] for i in range(k))))
            r = Counter(zip(*(ref[i:] for i in range(k))))
            match[k - 1] += sum(min(v, r[g]) for g, v in c.items())
            total[k - 1] += max(0, len(cand) - k + 1)
    if not cl or min(match) == 0:
        return 0.0
    bp = 1.0 if cl > rl else math.exp(1 - rl / cl)
    return bp * math.exp(sum(math.log(m / t) for m, t in zip(match, total)) / n)


def bleu(refs: Sequence[Sequence[str]], cands: Sequence[Sequence[str]]) -> float:
    """The fit objective: the mean of corpus BLEU-1 and BLEU-4."""
    return (corpus_bleu(refs, cands, 1) + corpus_bleu(refs, cands, 4)) / 2

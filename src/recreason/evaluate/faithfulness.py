"""Faithfulness and personalization of generated reasons.

Faithfulness by word matching (``recreason evaluate`` reports the claim-level judge instead,
``recreason.guard.judge``; this is kept for ``benchmarks.grounding_check``, which measures the word rules).
``unsupported_claim_rate`` is the share of reasons with at least one claim the item's
data does not support (``recreason.guard.find_unsupported``: numbers and units, catalog attribute
values, aspects copied from the user's profile). Lower is better; a reason that only restates the
item's title scores 0.

Personalization (``personalization``):

* ``interest_hit_rate``: share of reasons that mention at least one of their user's interest terms
  (``recreason.guard.vocab.interest_terms``: ``user.top_interests(5)``, or for a user known only by
  ``profile_text``, the aspects and content words mined from that text). English terms match the
  reason's word tokens case-insensitively, plurals folded, multi-word terms as contiguous tokens;
  Chinese terms match as substrings. Users without any interest term are left out of the share
  (``n_users_scored`` says how many reasons counted).
* ``distinct_per_item``: for every item whose reasons went to two or more different users, the
  number of distinct reasons (after trimming and folding whitespace and case) divided by the number
  of its reasons, averaged over those items. 1.0: every user got their own reason; 1/k: the same
  sentence for all k users.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from recreason.guard.grounding import find_unsupported
from recreason.guard.vocab import EN_WORD, interest_terms, stem
from recreason.profiles.models import ItemProfile, UserProfile
from recreason.text import Language, detect, has_han

_SPACE = re.compile(r"\s+")


def _check_lengths(reasons: Sequence[str], **others: Sequence | None) -> None:
    for name, seq in others.items():
        if seq is not None and len(seq) != len(reasons):
            raise ValueError(f"{len(reasons)} reasons but {len(seq)} {name}")


def unsupported_claim_rate(
    reasons: Sequence[str],
    items: Sequence[ItemProfile],
    users: Sequence[UserProfile] | None = None,
    lang: str | None = None,
    catalog_values: set[str] | None = None,
    max_examples: int = 20,
) -> dict:
    """Share of reasons with an unsupported claim, and what the claims were.

    Returns ``rate`` (reasons with a claim / all reasons), ``count`` (reasons with a claim), ``n``,
    ``claims`` (all claims), ``by_kind`` (claims per kind), ``rate_by_kind`` (share of reasons with a
    claim of that kind) and ``examples`` (the first ``max_examples`` flagged reasons with their claims).
    ``users`` enables the copied-aspect rule; ``catalog_values`` the attribute-value rule.
    """
    _check_lengths(reasons, items=items, users=users)
    if not reasons:
        raise ValueError("unsupported_claim_rate needs at least one reason")
    flagged, by_kind, reasons_by_kind, examples = 0, Counter(), Counter(), []
    for i, text in enumerate(reasons):
        user = users[i] if users is not None else None
        claims = find_unsupported(text, items[i], user, lang=lang or None, catalog_values=catalog_values)
        if not claims:
            continue
        flagged += 1
        kinds = Counter(c.kind for c in claims)
        by_kind.update(kinds)
        reasons_by_kind.update(kinds.keys())
        if len(examples) < max_examples:
            examples.append({"index": i, "item_id": items[i].item_id, "text": text,
                             "claims": [{"kind": c.kind, "span": c.span, "reason": c.reason} for c in claims]})
    n = len(reasons)
    kinds = ("number", "attribute_value", "user_aspect")
    return {
        "rate": flagged / n, "count": flagged, "n": n, "claims": sum(by_kind.values()),
        "by_kind": {k: by_kind.get(k, 0) for k in kinds},
        "rate_by_kind": {k: reasons_by_kind.get(k, 0) / n for k in kinds},
        "examples": examples,
    }


def _en_stems(text: str) -> list[str]:
    return [stem(w) for w in EN_WORD.findall(text.lower())]


def mentions_any(text: str, terms: Sequence[str]) -> list[str]:
    """The terms of ``terms`` that ``text`` mentions (rules in the module docstring)."""
    found, lower, stems = [], text.lower(), None
    for term in terms:
        if has_han(term):
            if term.lower() in lower:
                found.append(term)
            continue
        key = _en_stems(term)
        if not key:
            continue
        if stems is None:
            stems = _en_stems(text)
        n = len(key)
        if any(stems[i:i + n] == key for i in range(len(stems) - n + 1)):
            found.append(term)
    return found


def interest_hit_rate(reasons: Sequence[str], users: Sequence[UserProfile], n_interests: int = 5) -> dict:
    """Share of reasons (of users with interest terms) that mention one of them."""
    _check_lengths(reasons, users=users)
    cache: dict[int, list[str]] = {}
    hits = scored = 0
    for text, user in zip(reasons, users, strict=True):
        terms = cache.get(id(user))
        if terms is None:
            terms = cache[id(user)] = interest_terms(user, n_interests)
        if not terms:
            continue
        scored += 1
        hits += bool(mentions_any(text, terms))
    return {"interest_hit_rate": hits / scored if scored else None, "n_users_scored": scored}


def _normalise(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


def distinct_per_item(reasons: Sequence[str], user_ids: Sequence[str], item_ids: Sequence[str]) -> dict:
    """Mean share of distinct reasons per item, over items shown to two or more different users."""
    _check_lengths(reasons, user_ids=user_ids, item_ids=item_ids)
    texts: dict[str, list[str]] = defaultdict(list)
    users: dict[str, set[str]] = defaultdict(set)
    for text, user_id, item_id in zip(reasons, user_ids, item_ids, strict=True):
        texts[item_id].append(_normalise(text))
        users[item_id].add(user_id)
    shares = [len(set(texts[i])) / len(texts[i]) for i in texts if len(users[i]) >= 2]
    return {"distinct_per_item": sum(shares) / len(shares) if shares else None, "n_items_shared": len(shares)}


def personalization(
    reasons: Sequence[str],
    users: Sequence[UserProfile],
    items: Sequence[ItemProfile],
    n_interests: int = 5,
) -> dict:
    """``interest_hit_rate`` and ``distinct_per_item`` (module docstring), with how many counted."""
    _check_lengths(reasons, users=users, items=items)
    out = interest_hit_rate(reasons, users, n_interests)
    out.update(distinct_per_item(reasons, [u.user_id for u in users], [i.item_id for i in items]))
    return out


def reason_language(reasons: Sequence[str]) -> Language:
    """The language most reasons are in (``ZH`` or ``EN``; ``EN`` when there is no text)."""
    return detect(" ".join(reasons[:200]))

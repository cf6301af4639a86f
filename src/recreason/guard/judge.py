"""A judge of reasons that reads them as a careful reader does: true, for the item, readable, personal, specific.

``judge(text, request, catalog_values)`` gives a ``Judgement`` of one reason: its claims and which are
false (``recreason.guard.claims``), whether it argues against the item or the user
(``recreason.guard.style.stance_problems``), whether it is degenerate (loops, refusals, prompt echoes, next
to no words), how fluent it is (3 reads like a person wrote it, 2 clumsy — a field dump, a pasted profile, a
cut-off end — 1 broken), whether it is compliant (no absolute advertising terms), personal (it names a
signal the user's profile really holds) and specific (it names a fact the item's data really holds), and its
length. ``prefer(a, b)`` is a reader's choice between two reasons for the same user and item, in the order
of ``tests/data/judgements/GUIDE.md``: readable over degenerate, true over false, for over against, then
more personal and specific, then more fluent.

``judge_reasons(texts, requests)`` sums a set up for ``recreason evaluate``. A set whose reasons state no
checkable claim is reported as such (``checked`` counts the reasons with at least one claim), never as
"0 unsupported". ``benchmarks/judge_agreement.py`` measures how well all this agrees with the labelled set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from recreason.guard.claims import ClaimReport, check_claims
from recreason.guard.compliance import BannedTerms
from recreason.guard.style import degeneration_problems, fluency_problems, stance_problems
from recreason.guard.vocab import EN_WORD, is_en_content, stem
from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons.base import ReasonRequest
from recreason.text import Language, language

Choice = Literal["a", "b", "tie"]


@dataclass
class Judgement:
    false: bool
    claims: int
    supported: int
    personal: bool
    specific: bool
    fluent: int
    compliant: bool
    stance: Literal["for", "against"]
    degenerate: bool
    length: int
    signal: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def claim_precision(self) -> float | None:
        return self.supported / self.claims if self.claims else None

    @property
    def show(self) -> bool:
        """Whether a careful editor lets it be shown as it is."""
        return (not self.false and self.compliant and self.stance == "for" and not self.degenerate
                and self.fluent >= 2)

    def rank(self) -> tuple:
        """Bigger is better, in the guide's order of what a reader looks at first."""
        return (not self.degenerate, not self.false, self.stance == "for", self.fluent >= 2,
                -self.wrong, int(self.personal) + int(self.specific), self.fluent, self.compliant)

    @property
    def wrong(self) -> int:
        """How many claims are not supported (between two false reasons, a reader takes the less false)."""
        return self.claims - self.supported

    def as_dict(self) -> dict:
        return {**asdict(self), "claim_precision": self.claim_precision, "show": self.show}


def _profile_terms(user: UserProfile) -> list[str]:
    terms = [*user.interests, *(c.name for c in user.categories), *(a.feature for a in user.aspects if a.sentiment >= 0),
             *(a.value for a in user.attributes)]
    return [t for t in dict.fromkeys(t.strip() for t in terms if t) if len(t) >= 2]


def _mentions(text: str, term: str, lang: Language) -> bool:
    if lang.spaced:
        words = [stem(w) for w in EN_WORD.findall(term.lower()) if is_en_content(w) or len(w) > 3]
        have = {stem(w) for w in EN_WORD.findall(text.lower())}
        return bool(words) and all(w in have for w in words)
    return term in text


def personal_signal(text: str, user: UserProfile, lang: Language, report: ClaimReport) -> str | None:
    """The first signal of the user's profile the reason names in a claim that is not false."""
    false_spans = [(f.start, f.end) for f in report.findings if f.rule == "user"]
    for term in _profile_terms(user):
        if _mentions(text, term, lang):
            return term
    if user.profile_text and lang.spaced:  # XRec users: known by a paragraph, not by fields
        profile = {stem(w) for w in EN_WORD.findall(user.profile_text.lower()) if is_en_content(w)}
        hits = [w for w in EN_WORD.findall(text.lower()) if is_en_content(w) and stem(w) in profile]
        if len(set(hits)) >= 2 and not false_spans:
            return ", ".join(dict.fromkeys(hits[:3]))
    return None


def _item_facts(item: ItemProfile) -> list[str]:
    out = []
    for value in item.attributes.values():
        out += [str(v) for v in (value if isinstance(value, list) else [value])]
    out += [a.feature for a in item.aspects if a.positive >= a.negative]
    return [v for v in out if v and len(v.strip()) >= 2 and len(v) <= 60]


def is_specific(text: str, item: ItemProfile, lang: Language, report: ClaimReport) -> bool:
    """Names at least one fact the item's data holds beyond its name: an attribute value, a feature its
    reviews praise, a number it states (and states right), or (items known by a description) a content word
    of the description. Invented details around it do not undo that; they make the reason false."""
    if any(_mentions(text, v, lang) for v in _item_facts(item)):
        return True
    from recreason.guard.quantities import find_quantities

    if find_quantities(text) and not any(f.rule in {"number", "association"} for f in report.findings):
        return True
    if item.description and lang.spaced:
        desc = {stem(w) for w in EN_WORD.findall(item.description.lower()) if is_en_content(w)}
        title = {stem(w) for w in EN_WORD.findall((item.title or "").lower())}
        hits = {stem(w) for w in EN_WORD.findall(text.lower()) if is_en_content(w)} & (desc - title)
        return bool(hits)
    if item.description and not lang.spaced:
        from recreason.guard.vocab import zh_content_words

        return any(w in item.description for w in zh_content_words(text) if w not in (item.title or ""))
    return False



def fluency(text: str, item: ItemProfile, user: UserProfile, lang: Language, degenerate: bool) -> tuple[int, list[str]]:
    if degenerate:
        return 1, []
    problems = fluency_problems(text, item, lang)
    t = text.strip()
    if not re.search(r"[.!?。！？…”\"')）]$", t):
        problems.append("clumsy: the reason stops mid-sentence")
    if lang.spaced:
        for sentence in re.split(r"(?<=[.!?])\s+", t):
            if len(re.findall(r"\band\b", sentence)) >= 4:
                problems.append("clumsy: a list of pasted phrases joined by 'and'")
                break
        pasted = _pasted(t, user.profile_text) or _pasted(t, item.description)
        if pasted:
            problems.append(f"clumsy: '{pasted}' pasted from the data")
    return (2 if problems else 3), problems


def _pasted(text: str, source: str | None, n: int = 7) -> str | None:
    """Seven or more words in a row copied from ``source`` (a profile or a description) that break the
    sentence: the copy starts with a verb-less fragment ("offers seek a positive ...")."""
    if not source:
        return None
    words = EN_WORD.findall(text.lower())
    src = " " + " ".join(EN_WORD.findall(source.lower())) + " "
    for i in range(len(words) - n + 1):
        gram = " ".join(words[i:i + n])
        if f" {gram} " in src:
            return gram
    return None


def judge(text: str, request: ReasonRequest, catalog_values: set[str] | frozenset[str] | None = None,
          banned: BannedTerms | None = None, verifier=None) -> Judgement:
    lang = request.lang
    text = text or ""
    report = check_claims(text, request.item, request.user, lang, catalog_values=catalog_values, verifier=verifier)
    degenerate = degeneration_problems(text, lang, request.item.title) if text.strip() else ["degenerate: empty"]
    broken = [p for p in degenerate if "broken grammar" in p]  # readable, if badly: fluent 1, not degenerate
    degenerate = [p for p in degenerate if p not in broken]
    if not lang.reads_as(text, [v for _, v in request.item.facts()]):
        degenerate = [*degenerate, f"language: not {lang.name}"]
    against = stance_problems(text, request.item, lang)
    hits = (banned or BannedTerms.load(None)).find(text, allow=[request.item.title or ""])
    fluent, clumsy = fluency(text, request.item, request.user, lang, bool(degenerate or broken))
    signal = personal_signal(text, request.user, lang, report) if not degenerate else None
    return Judgement(
        false=report.false, claims=len(report.claims), supported=sum(c.verdict == "supported" for c in report.claims),
        personal=signal is not None, signal=signal,
        specific=not degenerate and is_specific(text, request.item, lang, report),
        fluent=fluent, compliant=not hits, stance="against" if against else "for", degenerate=bool(degenerate),
        length=lang.length(text),
        problems=[str(f) for f in report.findings] + against + degenerate + broken + clumsy
        + [f"banned: '{h.span}'" for h in hits])


def prefer(a: Judgement, b: Judgement) -> Choice:
    ra, rb = a.rank(), b.rank()
    return "a" if ra > rb else "b" if rb > ra else "tie"


def judge_reasons(texts: Sequence[str], requests: Sequence[ReasonRequest],
                  catalog_values: set[str] | None = None) -> dict:
    """The judge's figures for a set of reasons (rates over the set; claim precision over the claims)."""
    if len(texts) != len(requests):
        raise ValueError(f"{len(texts)} reasons for {len(requests)} requests")
    banned = BannedTerms.load(None)
    js = [judge(t, q, catalog_values, banned) for t, q in zip(texts, requests)]
    n = len(js) or 1
    claims = sum(j.claims for j in js)
    checked = sum(j.claims > 0 for j in js)
    examples = [{"text": t, "problems": j.problems[:4]} for t, j in zip(texts, js) if j.problems][:8]
    return {
        "n": len(js), "checked": checked, "examples": examples,
        "false_rate": (sum(j.false for j in js) / checked) if checked else None,
        "claim_precision": (sum(j.supported for j in js) / claims) if claims else None,
        "personal": sum(j.personal for j in js) / n, "specific": sum(j.specific for j in js) / n,
        "fluent": sum(j.fluent for j in js) / n, "compliant": sum(j.compliant for j in js) / n,
        "against": sum(j.stance == "against" for j in js) / n, "degenerate": sum(j.degenerate for j in js) / n,
        "show": sum(j.show for j in js) / n,
        "length": sum(j.length for j in js) / n,
    }


def request_of(item: dict, user: dict, lang: str) -> ReasonRequest:
    """A request from the profiles as the judgement set stores them."""
    return ReasonRequest(item=ItemProfile(**item), user=UserProfile(**user), language=language(lang))

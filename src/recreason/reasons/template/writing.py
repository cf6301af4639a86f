"""Saying it: a plan from ``choose`` put into one of the language's templates, within the length.

Facts: the quote (retrieval mode) if it fits, else the template with as many of the best facts as fit
(fewest: one), else the generic sentence clipped by ``Language.clip``. Description clauses: the best
item clause with the best user clause, then more clauses, best first, while the reason stays within
the learned length budget and ``max_length``; else the shortest item clause alone, clipped. Slots are
filled only with values copied from the plan; ``Evidence`` lists what was used.
"""

from __future__ import annotations

from recreason.reasons.base import Evidence, Fact
from recreason.reasons.template.choose import ClausePlan, FactPlan, item_name
from recreason.reasons.template.phrases import without_article
from recreason.reasons.template.templates import Templates, templates
from recreason.text import Language

MAX_CLAUSES = 6  # item and user clauses together


def fill(template: str, lang: Language, **slots: str) -> str:
    """``template`` with its slots filled ({Title}: the title capitalised) and a capitalised start."""
    slots["Title"] = lang.capitalize(slots.get("title", ""))
    return lang.capitalize(template.format(**slots))


def listed(items: list[str], lang: Language, last: str) -> str:
    """续航、屏幕，价格 / "battery, screen and price": the language's list separator, ``last`` before the last."""
    return items[0] if len(items) == 1 else lang.join(items[:-1]) + last + items[-1]


# -- items with facts --------------------------------------------------------------------------------
def write_facts(plan: FactPlan, variant: int, max_length: int | None) -> tuple[str, Evidence]:
    """The reason for a ``FactPlan``, template ``variant``, within ``max_length``."""
    return (
        _quoted(plan, variant, max_length)
        or _with_facts(plan, variant, max_length)
        or _generic(plan, max_length)
    )


def _signal(plan: FactPlan) -> list[Fact]:
    return [plan.who[0]] if plan.who else []


def _who(plan: FactPlan) -> str:
    return plan.who[1] if plan.who else ""


def _quoted(plan: FactPlan, variant: int, max_length: int | None) -> tuple[str, Evidence] | None:
    """The review sentence in a quote template, when there is one, a signal to speak to, and room."""
    if not (plan.quote and plan.who):
        return None
    feature, sentence = plan.quote
    quotes = templates(plan.lang).quotes
    text = fill(quotes[variant % len(quotes)], plan.lang, who=_who(plan), title=plan.title, quote=sentence)
    if not plan.lang.fits(text, max_length):
        return None
    return text, Evidence(user_signals=_signal(plan), item_facts=plan.title_fact + [Fact(key="aspect", value=feature)])


def _with_facts(plan: FactPlan, variant: int, max_length: int | None) -> tuple[str, Evidence] | None:
    """The fact template with the most of the best facts (up to ``n_facts``) that fits."""
    tpl = templates(plan.lang)
    template = tpl.facts[variant % len(tpl.facts)] if plan.who else tpl.facts_item_only
    for n in range(min(max(1, plan.n_facts), len(plan.facts)), 0, -1):
        used = plan.facts[:n]
        facts = listed([shown for _, shown in used], plan.lang, tpl.facts_last)
        text = fill(template, plan.lang, who=_who(plan), title=plan.title, facts=facts)
        if plan.lang.fits(text, max_length):
            return text, Evidence(user_signals=_signal(plan), item_facts=plan.title_fact + [f for f, _ in used])
    return None


def _generic(plan: FactPlan, max_length: int | None) -> tuple[str, Evidence]:
    """The title (and the signal) alone, clipped to ``max_length``."""
    tpl = templates(plan.lang)
    text = fill(tpl.generic_personal if plan.who else tpl.generic_anonymous, plan.lang, who=_who(plan),
                title=plan.title)
    return plan.lang.clip(text, max_length), Evidence(user_signals=_signal(plan), item_facts=plan.title_fact)


# -- description-only items --------------------------------------------------------------------------
def write_clauses(plan: ClausePlan, variant: int, max_length: int | None) -> tuple[str, Evidence]:
    """The reason for a ``ClausePlan``: clauses added best first while they fit (see the module)."""
    lang = plan.lang
    if not plan.items:  # no description clause reads as a noun phrase: the title alone
        tpl = templates(lang)
        text = fill(tpl.generic_anonymous, lang, who="", title=plan.title)
        return lang.clip(text, max_length), Evidence(item_facts=[Fact(key="title", value=plan.title)])
    its, us = [plan.items[0][1]], [p for _, p in plan.users[:1]]
    text = _render(plan, variant, its, us)
    for side, phrase in _candidates(plan):
        if len(its) + len(us) >= MAX_CLAUSES:
            break
        trial_its, trial_us = (its + [phrase], us) if side == "i" else (its, us + [phrase])
        if side == "u" and not plan.user_ok(templates(lang).user_sep.join(trial_us)):
            continue
        trial = _render(plan, variant, trial_its, trial_us)
        if lang.length(trial) <= plan.budget and lang.fits(trial, max_length):
            its, us, text = trial_its, trial_us, trial
    if not lang.fits(text, max_length):
        its, us = [min((p for _, p in plan.items), key=len)], []
        text = lang.clip(_render(plan, variant, its, us), max_length)
    return text, _clause_evidence(plan, its, us, text)


def _candidates(plan: ClausePlan) -> list[tuple[str, str]]:
    """("i" / "u", clause) beyond the first of each side, best first, while their score is positive
    (at most two more user clauses)."""
    pool = sorted([(sc, "i", p) for sc, p in plan.items[1:]] + [(sc, "u", p) for sc, p in plan.users[1:3]],
                  reverse=True)
    out = []
    for sc, side, p in pool:
        if sc <= 0:
            break
        out.append((side, p))
    return out


def _render(plan: ClausePlan, variant: int, its: list[str], us: list[str]) -> str:
    """The clause template ``variant`` (the item-only one without user clauses) with ``its`` in the
    description's order and ``us`` in the user slot."""
    tpl = templates(plan.lang)
    template = tpl.clauses[variant % len(tpl.clauses)] if us else tpl.clauses_item_only
    order = {p: k for k, (_, p) in enumerate(plan.items)}
    its = sorted(its, key=order.get)
    if template.split("{item}")[0].endswith(tpl.no_article_after):  # "for its a ..." -> "for its ..."
        its = [without_article(p) for p in its]
    they, their = _reader(plan.opener, tpl)
    return fill(template, plan.lang, open=plan.opener, item=listed(its, plan.lang, tpl.clauses_last),
                user=tpl.user_sep.join(us), they=they, their=their)


def _reader(opener: str, tpl: Templates) -> tuple[str, str]:
    """{they} / {their}: "you" / "your" when the opening speaks to the reader ("You may enjoy ..."),
    else "they" / "their" ("The user would enjoy ...")."""
    first = opener.split()[:1]
    return ("you", "your") if first and first[0].lower() in tpl.second_person else ("they", "their")


def _clause_evidence(plan: ClausePlan, its: list[str], us: list[str], text: str) -> Evidence:
    name = item_name(plan.item)
    title = [Fact(key="title", value=plan.title)] if name and plan.title == name and plan.title in text else []
    return Evidence(
        user_signals=[Fact(key="interest" if u in plan.interests else "profile_text", value=u) for u in us],
        item_facts=[Fact(key="description", value=c) for c in its] + title,
    )

"""Choosing what to say: which facts of the item, which signal of the user, which clauses.

The item's facts (attribute values, positively reviewed aspects with their opinion words) are scored
against the user's interests (declared interests, phrases of ``profile_text``, shopped categories,
aspects the user writes about, a preferred brand) by lexical overlap and, with embeddings, by the
relative cosine of multilingual-e5-small vectors, plus what ``fit`` learned (how often references quote
each attribute key). Description-only items are cut into clauses, scored the same way against the
user's profile clauses plus the learned keep-probability of their words. The result is a plan
(``FactPlan`` or ``ClausePlan``) that ``writing`` puts into words; nothing here picks a template.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from recreason.aspects.content import is_en_content, stem
from recreason.data.schema import is_bookkeeping
from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons.base import Fact, ReasonRequest
from recreason.reasons.template.embed import Embedder
from recreason.reasons.template.phrases import PUNCT, clause_tokens, clauses, user_phrase_ok
from recreason.reasons.template.templates import templates
from recreason.text import Language
from recreason.text.untrusted import reads_as_instruction, without_instructions

NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: Signals the user stated (as opposed to aspects or a brand inferred from reviews): spoken to when no
#: signal matches the item.
DECLARED = ("interest", "profile_text", "category")


@dataclass(frozen=True)
class Settings:
    """The generator's choices that bear on what is said (``TemplateGenerator.config``)."""

    use_embeddings: bool = False
    retrieval: bool = False
    n_facts: int = 2
    personal_weight: float = 1.0


@dataclass
class FactPlan:
    """What to say of an item with facts: the best facts first (no aspect said twice), the user's
    signal to speak to (None: the item alone), and in retrieval mode a review sentence."""

    lang: Language
    title: str
    title_fact: list[Fact]  # [title] when ``title`` is the item's own
    facts: list[tuple[Fact, str]]  # (fact, how it reads), best first
    n_facts: int
    who: tuple[Fact, str] | None = None  # (signal, verb phrase)
    quote: tuple[str, str] | None = None  # (aspect, review sentence)


@dataclass
class ClausePlan:
    """What to say of a description-only item: its clauses and the user's, each with its score (best
    first), the opening, and the length the reason should keep to."""

    lang: Language
    item: ItemProfile
    title: str
    opener: str
    items: list[tuple[float, str]]
    users: list[tuple[float, str]]
    budget: float
    interests: list[str]  # the user's declared interests (which key a used clause has as evidence)
    user_ok: Callable[[str], bool]  # whether user clauses joined into one slot may stand there


# -- the item's facts and the user's signals ---------------------------------------------------------
#: longest attribute value shown, words (spaced languages) / characters: a longer one is a sentence of
#: policy ("No returns and no refunds on Gift Cards"), not a fact to recommend by
MAX_VALUE_LENGTH = {True: 7, False: 24}


#: not a fact to recommend by: a link, an address, a phone number, more than one sentence, a whole sentence
#: ("Not redeemable online.", "Good for any occasion!"), or a label and its value ("Redemption: In Store Only")
_NOT_A_FACT = re.compile(r"https?://|www\.|\.com\b|@|\d{3}[- ]\d{3,4}[- ]\d{4}|[.!?]\s+\S|[。！？]\s*\S|"
                         r"(?<![A-Z])(?<!\b[a-z])[.!?]$|^[A-Z][\w&/ -]{1,24}:\s")


#: aspects reviews praise that are the shop's, not the item's
_NOT_THE_ITEM = frozenset(("seller", "sellers", "vendor", "merchant", "卖家", "商家", "客服"))


def _shown(value: str, item: ItemProfile, lang: Language) -> bool:
    """Whether an attribute value reads as a fact of the item: not empty, not a sentence (a policy, a link, a
    phone number), not longer than ``MAX_VALUE_LENGTH``, and not one of the item's categories again
    ("department Tops and class Knits" for a knit top says nothing its category does not)."""
    v = value.strip()
    return (bool(v) and lang.length(v) <= MAX_VALUE_LENGTH[lang.spaced] and not _NOT_A_FACT.search(v)
            and v.lower() not in {c.lower() for c in item.category} and not reads_as_instruction(v, contacts=False))


def item_name(item: ItemProfile) -> str:
    """The item's title as a reason may write it: without a sentence of it that reads as an instruction
    ("Espresso Beans. New instructions: say …" is "Espresso Beans"); "" when nothing of it is left."""
    title = item.title or ""
    if not reads_as_instruction(title, contacts=False):  # "Amazon.com Gift Card" is a name
        return title
    return without_instructions(title, contacts=False).strip(" .。!！?？;；,，:：")


def item_facts(item: ItemProfile, lang: Language) -> list[tuple[Fact, str]]:
    """(fact, how it reads) for every attribute value and positively reviewed aspect of the item."""
    tpl = templates(lang)
    out = []
    for key, value in item.attributes.items():
        if is_bookkeeping(key) or reads_as_instruction(key, contacts=False):  # "main_cat", "rank": no words of a sentence
            continue
        for v in value if isinstance(value, list) else [value]:
            if _shown(str(v), item, lang):
                out.append((Fact(key=key, value=str(v)), tpl.fact(key, v)))
    name = f"{item.title or ''} {item.brand or ''}".lower()
    for a in item.aspects:
        # the item's own name is no aspect of it ("good nordstrom" of a Nordstrom gift card), nor is the seller
        if a.sentiment > 0 and a.feature.lower() not in name and a.feature.lower() not in _NOT_THE_ITEM:
            out.append((Fact(key="aspect", value=a.feature), tpl.opinion(a.feature, a.opinions)))
    return out


def user_interests(user: UserProfile, item: ItemProfile, lang: Language) -> list[tuple[Fact, str]]:
    """(signal, verb phrase) for the user's interests that may be spoken to for this item."""
    tpl = templates(lang)
    declared = [without_instructions(i).strip(" .。;；,，") if reads_as_instruction(i) else i  # data, not orders
                for i in user.interests]
    out = [(Fact(key="interest", value=i), i) for i in declared if i.strip()]
    out += [(Fact(key="profile_text", value=c), c) for c in clauses(user.profile_text, lang)[:4]]
    out += [
        (Fact(key="category", value=c.name), tpl.interest("category", c.name))
        for c in user.categories
        if c.name in item.category
    ]
    out += [
        (Fact(key="aspect", value=a.feature), tpl.interest("aspect", a.feature))
        for a in user.aspects
        if a.sentiment >= 0
    ]
    # a preferred brand this item has ("偏爱星穹"); other attribute values read badly as tastes
    out += [
        (Fact(key=a.key, value=a.value), tpl.interest("attribute", a.value))
        for a in user.attributes
        if a.key == "brand" and a.value == item.brand
    ]
    return [
        (f, p)
        for f, p in {f.value: (f, p) for f, p in out}.values()
        if lang.in_script(f.value) and user_phrase_ok(p, item, lang)
    ]


def is_clause_item(item: ItemProfile, lang: Language) -> bool:
    """An item described only in prose (no facts): its reason is made of description clauses."""
    return bool(item.description) and not item_facts(item, lang)


def embedding_texts(r: ReasonRequest) -> list[str]:
    """Every text ``match`` may compare for request ``r`` (embedded once per ``generate`` batch)."""
    lang = r.lang
    texts = [p for _, p in user_interests(r.user, r.item, lang)] + [r.user.profile_text or ""]
    texts += [s for _, s in item_facts(r.item, lang)] + clauses(r.item.description, lang)
    return texts + [r.item.description or "", r.item.title or "", *r.item.category, *r.user.interests]


# -- relevance ---------------------------------------------------------------------------------------
@lru_cache(maxsize=50_000)
def _content_words(text: str, lang: Language) -> frozenset[str]:
    """Content words for matching: the language's words without punctuation and stop words."""
    stop = lang.stop_words
    return frozenset(
        w.lower()
        for w in lang.tokenize(text, "word")
        if w.strip(PUNCT + "，。、：；！？") and w.lower() not in stop
    )


def overlap(a: str, b: str, lang: Language) -> float:
    """Share of ``a``'s content words found in ``b`` (as words or substrings)."""
    wa = _content_words(a, lang)
    if not wa:
        return 0.0
    low = b.lower()
    return sum(1 for w in wa if w in low) / len(wa)


def match(a: Sequence[str], b: Sequence[str], lang: Language, embeddings: bool = False) -> np.ndarray:
    """(len(a), len(b)) relevance: lexical overlap, plus the relative e5 cosine with embeddings."""
    lex = np.array([[overlap(x, y, lang) for y in b] for x in a]).reshape(len(a), len(b))
    return lex + Embedder.relative(a, b) if embeddings and lex.size else lex


# -- items with facts --------------------------------------------------------------------------------
def choose_facts(r: ReasonRequest, state: dict, settings: Settings) -> FactPlan:
    """The facts to quote (best first) and the signal to speak to, for an item with facts."""
    lang, item = r.lang, r.item
    name = item_name(item)
    title = name or (item.category[-1] if item.category else templates(lang).the_item)
    facts = item_facts(item, lang)
    interests = user_interests(r.user, item, lang)
    # relevance of each interest to each fact, and to the item as a whole (its title and categories)
    relevance = match([p for _, p in interests], [s for _, s in facts] + [title, *item.category], lang,
                      settings.use_embeddings)
    who = _speak_to(interests, relevance)
    personal = [float(relevance[who, j]) if who is not None else 0.0 for j in range(len(facts))]
    scores = [_fact_score(f, s, state["key_prior"], settings.personal_weight * m, r.feature)
              for (f, s), m in zip(facts, personal)]
    ranked = _distinct(facts, sorted(range(len(facts)), key=lambda j: (-scores[j], j)))
    return FactPlan(
        lang=lang,
        title=title,
        title_fact=[Fact(key="title", value=title)] if name and title == name else [],
        facts=[facts[j] for j in ranked],
        n_facts=settings.n_facts,
        who=interests[who] if who is not None else None,
        quote=_quote(item, [facts[j][0] for j in ranked]) if settings.retrieval else None,
    )


def _speak_to(interests: list[tuple[Fact, str]], relevance: np.ndarray) -> int | None:
    """The interest that matches the item best; else the first declared one; else None."""
    if relevance.size and relevance.max() > 0:
        return int(np.argmax(relevance.max(axis=1)))
    return next((i for i, (s, _) in enumerate(interests) if s.key in DECLARED), None)


def _fact_score(fact: Fact, shown: str, prior: dict, personal: float, feature: str | None) -> float:
    """Learned key prior + the interest match + 2 when the fact is the requested feature."""
    s = prior.get(fact.key, 0.5 if fact.key != "aspect" else 0.4)
    s += personal
    feature = (feature or "").lower()
    return s + (2.0 if feature and feature in (shown + " " + fact.key).lower() else 0.0)


def _distinct(facts: list[tuple[Fact, str]], order: list[int]) -> list[int]:
    """``order`` without a fact that says what an earlier one says ("battery life" attribute + aspect)."""
    kept: list[int] = []
    for j in order:
        name = (facts[j][0].value if facts[j][0].key == "aspect" else facts[j][0].key).lower()
        if not any(name in facts[k][1].lower() or facts[k][0].value.lower() in facts[j][1].lower() for k in kept):
            kept.append(j)
    return kept


def _quote(item: ItemProfile, ranked: list[Fact]) -> tuple[str, str] | None:
    """(aspect, review sentence): the positive review sentence of the best ranked aspect that has one,
    else of any aspect."""
    examples = {a.feature: a.example for a in item.aspects
                if a.example and a.sentiment > 0 and not reads_as_instruction(a.example)}  # data, not orders
    for f in ranked:
        if f.key == "aspect" and f.value in examples:
            return f.value, examples[f.value].strip()
    return next(iter(examples.items()), None)


# -- description-only items --------------------------------------------------------------------------
def choose_clauses(r: ReasonRequest, state: dict, settings: Settings) -> ClausePlan:
    """The item's description clauses and the user's profile clauses, scored, best first."""
    lang, item, user = r.lang, r.item, r.user
    tpl = templates(lang)
    user_text = user.profile_text or " ".join(user.interests)
    rank = partial(_ranked_clauses, lang=lang, state=state, settings=settings)
    users = rank("user", user.profile_text, item.description or "", extra=user.interests)
    title = item_name(item) or tpl.the_item
    return ClausePlan(
        lang=lang,
        item=item,
        title=title,
        opener=state["opener"].get(lang) or tpl.opener.format(title=title),
        items=[(sc, p) for sc, p in rank("item", item.description, user_text) if _noun_phrase(p, lang)],
        users=[(sc, p) for sc, p in users if _about_the_user(p, item, lang) and _offered(p, item, lang)],
        budget=state["target_len"].get(lang, tpl.target_length) * state["stretch"],
        interests=list(user.interests),
        user_ok=partial(user_phrase_ok, item=item, lang=lang),
    )


def _ranked_clauses(side: str, text: str | None, other: str, lang: Language, state: dict, settings: Settings,
                    extra: Sequence[str] = ()) -> list[tuple[float, str]]:
    """(score, clause) for the clauses of ``text`` (after ``extra``), best first: the learned keep
    probability of their words above the threshold ``tau``, plus their match to ``other``."""
    table = state["clause"][side]
    found = clauses(text, lang, frozenset(table["boiler"])) or clauses(text, lang)
    found = list(dict.fromkeys(list(extra) + found))
    personal = match(found, [other], lang, settings.use_embeddings)[:, 0] if found else []
    keep, prior, tau = table["keep"], table["prior"], state["tau"]
    scored = [
        (sum(keep.get(w, prior) - tau for w in clause_tokens(p, lang) if w) + settings.personal_weight * float(m), p)
        for p, m in zip(found, personal)
    ]
    return sorted(scored, key=lambda sp: -sp[0])


def _noun_phrase(phrase: str, lang: Language) -> bool:
    """A description clause that can follow "it offers" / "for its": it does not open with a verb or a
    pronoun ("seek a positive and supportive environment" cannot)."""
    words = lang.plain_words(phrase)
    return not words or words[0] not in lang.not_noun_starts


def _offered(phrase: str, item: ItemProfile, lang: Language) -> bool:
    """A taste the item's text speaks to: at least one word of the phrase that is neither a stop word nor a
    generic one ("food", "options", 质量) is in the item's title, category or description. The template
    joins the two with "matching their interest in", which tells the reader the item offers it: "a fit for
    fans of chicken fingers" for a tofu house is a false claim (``recreason.guard.claims``' match rule)."""
    known = " ".join(x for x in (item.title, item.description, *item.category) if x).lower()
    words = [w.lower() for w in lang.tokenize(phrase, "word") if w.strip(PUNCT + "，。、：；！？")]
    if lang.spaced:  # the guard's content words (recreason.aspects.content): "novels" says nothing, "futuristic" does
        keys = [w for w in words if is_en_content(w)][:4]  # the guard reads the first words after the match
        stems = {stem(w) for w in re.findall(r"[a-z]+", known)}
        return any(stem(w) in stems for w in keys)
    skip = lang.stop_words | lang.generic_words
    return any(w in known for w in words if w not in skip and len(w) >= 2)


def _about_the_user(phrase: str, item: ItemProfile, lang: Language) -> bool:
    """A profile clause that can stand in a user slot: no digits (a number about the user is no taste),
    no definite word among its first two ("the / its" right after "enjoy" would credit the item), and
    no item marker (``user_phrase_ok``)."""
    return (
        not NUMBER.search(phrase)
        and not lang.definite_words & set(lang.words(phrase.lower())[:2])
        and user_phrase_ok(phrase, item, lang)
    )

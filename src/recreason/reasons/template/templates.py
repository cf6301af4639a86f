"""The template generator's templates and word lists, one data file per language (``templates/zh.toml``,
``templates/en.toml``; the slots and the rule that keeps claims traceable are described in en.toml).

``templates(lang)`` loads a language's file once and returns it as a ``Templates``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from recreason.aspects import extract
from recreason.data.schema import LABEL_KEYS
from recreason.text import Language, language

#: reviewers' superlatives ("best", "greatest", "perfect", 最好, 第一): absolute terms in a reason
SUPERLATIVE = re.compile(r"^(?:best|greatest|finest|perfect|most\b.*|\w+est)$|^最|第一|顶级", re.IGNORECASE)

#: opinion words of reviews that say nothing of the aspect in a reason: verbs and stances ("love gift box",
#: "recommend tin") and "original" (of a price or a content, "original price" reads as a list price)
_NOT_ADJECTIVES = frozenset(("love", "loved", "like", "liked", "recommend", "recommended", "enjoy", "want", "need",
                             "thank", "thanks", "original"))


def _negative(feature: str, opinion: str, lang) -> bool:
    """A complaint among an aspect's frequent opinions ("小" of 房间, "not flattering" of fit): a reason
    speaks for the item, so the template never repeats one. The aspect miner reads the pair as it reads a
    review ("房间小", "fit not flattering")."""
    text = f"{feature}{opinion}" if not lang.spaced else f"the {feature} is {opinion}"
    return opinion.lower().startswith(("not ", "不", "没")) or any(a.sentiment < 0 for a in extract(text, lang))


@dataclass(frozen=True)
class Templates:
    """One language's templates (``[facts]``, ``[clauses]``, ``[quotes]``, ``[generic]``), interest
    phrases (``[interests]``) and clause-cutting words (``[phrases]``)."""

    lang: Language
    the_item: str
    opener: str
    second_person: frozenset[str]
    target_length: int
    facts: tuple[str, ...]
    facts_item_only: str
    value: str
    aspect: str
    facts_last: str
    clauses: tuple[str, ...]
    clauses_item_only: str
    clauses_last: str
    user_sep: str
    no_article_after: tuple[str, ...]
    quotes: tuple[str, ...]
    generic_anonymous: str
    generic_personal: str
    interests: dict[str, str]
    edge: frozenset[str]
    boundary: frozenset[str]
    item_markers: frozenset[str]  # the file's, with the language's item words

    def fact(self, key: str, value: str) -> str:
        """An attribute value as it reads in a reason: "battery life about 2 days" / 续航约2天; the value alone
        under a key that only labels selling points ("feature")."""
        if key.strip().lower() in LABEL_KEYS:
            return str(value)
        return self.value.format(key=self.lang.inline_label(key), value=value)

    def opinion(self, feature: str, opinions: list[str]) -> str:
        """A positively reviewed aspect: "long battery life" / 续航给力 (the feature alone without opinions).
        A superlative a reviewer wrote ("best", "最好") is no word of ours: the next opinion is used."""
        plain = [o for o in opinions if not SUPERLATIVE.search(o) and not _negative(feature, o, self.lang)
                 and o.lower() not in _NOT_ADJECTIVES]
        return self.aspect.format(feature=feature, opinion=plain[0]) if plain else feature

    def interest(self, kind: str, value: str) -> str:
        """A signal of the user's as a verb phrase: "shops for Electronics" / 常买数码."""
        return self.interests[kind].format(value)


@cache
def templates(lang: str) -> Templates:
    lang = language(lang)
    path = resources.files("recreason.reasons.template").joinpath("templates", f"{lang.code}.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    facts, clauses, phrases = data["facts"], data["clauses"], data["phrases"]
    return Templates(
        lang=lang,
        the_item=data["the_item"],
        opener=data["opener"],
        second_person=frozenset(data["second_person"]),
        target_length=data["target_length"],
        facts=tuple(facts["templates"]),
        facts_item_only=facts["item_only"],
        value=facts["value"],
        aspect=facts["aspect"],
        facts_last=facts["last"],
        clauses=tuple(clauses["templates"]),
        clauses_item_only=clauses["item_only"],
        clauses_last=clauses["last"],
        user_sep=clauses["user_sep"],
        no_article_after=tuple(clauses["no_article_after"]),
        quotes=tuple(data["quotes"]["templates"]),
        generic_anonymous=data["generic"]["anonymous"],
        generic_personal=data["generic"]["personal"],
        interests=dict(data["interests"]),
        edge=frozenset(phrases["edge"]),
        boundary=frozenset(phrases["boundary"]),
        item_markers=lang.item_words | frozenset(phrases["item_markers"]),
    )

"""The phrases the template copies from profiles: description and profile text cut into clauses, and the
check that a phrase can stand in a user slot.

Clauses come from ``Language.clauses`` (punctuation, quoted titles), are cut again before the language's
boundary words (relative, modal and taste words: "who", "would", "enjoy") and trimmed of function words
and learned boilerplate ("Fans of", "would enjoy") at both ends; the words lists are in ``templates/``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from recreason.profiles.models import ItemProfile
from recreason.reasons.template.templates import templates
from recreason.text import Language
from recreason.text.untrusted import without_instructions

PUNCT = ".,;:!?\"'()“”‘’"
#: Kept at the start of a clause ("offers a quiet room"), and not counted as one of its two words. Read
#: in every language, as before: a Chinese clause "A字裙" counts as one word.
ARTICLES = frozenset(("a", "an"))
_OPENING_QUOTES, _CLOSING_QUOTES = "'\"“‘", "'\"”’"
_LEADING_ARTICLE = re.compile(r"^(?:a|an|A|An) ")
_SENTENCE_BREAK = re.compile(r"[.!?;。！？；\n]")


def norm(word: str) -> str:
    """A word without the punctuation around it, in lower case (how clause words are compared)."""
    return word.strip(PUNCT).lower()


def clause_tokens(text: str, lang: Language) -> list[str]:
    """The words of ``text`` as clause scores count them (``Language.words``, normalised)."""
    return [norm(w) for w in lang.words(text)]


def clauses(text: str | None, lang: Language, boiler: frozenset[str] = frozenset()) -> list[str]:
    """Cut a description into clauses at punctuation (and at the language's boundary words), trimming
    function words and learned boilerplate ``boiler`` ("Fans of", "would enjoy") from both ends."""
    # an instruction hidden in a description or a profile is never copied (recreason.text.untrusted)
    return list(_clauses(without_instructions(text), lang, boiler)) if text else []


@lru_cache(maxsize=20_000)
def _clauses(text: str, lang: Language, boiler: frozenset[str]) -> tuple[str, ...]:
    tpl = templates(lang)
    drop = tpl.edge | boiler | tpl.boundary | {""}
    out: list[str] = []
    for words in lang.clauses(text):
        for piece in _cut_at(words, tpl.boundary):
            phrase = _phrase(_trimmed(piece, drop), lang)
            if phrase and phrase not in out:
                out.append(phrase)
    return tuple(out)


def _cut_at(words: list[str], boundary: frozenset[str]) -> list[list[str]]:
    """``words`` cut before every boundary word (that does not open them)."""
    pieces: list[list[str]] = [[]]
    for w in words:
        if norm(w) in boundary and pieces[-1]:
            pieces.append([])
        pieces[-1].append(w)
    return pieces


def _trimmed(words: list[str], drop: frozenset[str]) -> list[str]:
    """``words`` without the ``drop`` words at either end (a leading article stays: "offers a ...")."""
    lead = drop - ARTICLES
    start, end = 0, len(words)
    while start < end and norm(words[start]) in lead:
        start += 1
    while start < end and norm(words[end - 1]) in drop:
        end -= 1
    return words[start:end]


def _phrase(words: list[str], lang: Language) -> str:
    """The clause as text, or "" when it has fewer than two words (a leading article aside)."""
    if len(words) - (bool(words) and norm(words[0]) in ARTICLES) < 2:
        return ""
    phrase = lang.detokenize(words).strip(PUNCT + " ")
    if words[0][:1] in _OPENING_QUOTES and any(q in phrase for q in _CLOSING_QUOTES):
        phrase = words[0][0] + phrase  # keep the opening quote of a quoted title
    return phrase


def without_article(phrase: str) -> str:
    """``phrase`` without a leading article (``ARTICLES``): "a quiet room" -> "quiet room"."""
    return _LEADING_ARTICLE.sub("", phrase)


def user_phrase_ok(phrase: str, item: ItemProfile, lang: Language) -> bool:
    """Whether ``phrase`` can stand in a user slot without a word of it reading as a claim about the item:
    no item marker (它, "offers", "this", a title word, "enjoy the") inside it, unless what follows the
    marker is in the item's own text anyway (``Language.covered``)."""
    if _SENTENCE_BREAK.search(phrase):  # a sentence break would cut the phrase off from the user word
        return False
    known = " ".join(x for x in (item.title, item.description, *map(str, item.attributes.values())) if x).lower()
    return all(lang.covered(rest, known) for rest in _said_of_item(phrase, item, lang))


def _said_of_item(phrase: str, item: ItemProfile, lang: Language) -> list[str]:
    """What follows each item marker in ``phrase``: an item word, a title word, a taste word with a
    definite word among the next two ("enjoy the ...": the item's)."""
    rests = lang.mentions(phrase, templates(lang).item_markers | lang.name_words(item.title))
    tastes = lang.mentions(phrase, lang.taste_words)
    return rests + [rest for rest in tastes if lang.definite_words & set(lang.plain_words(rest)[:2])]

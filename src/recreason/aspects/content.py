"""Content words: the words of a text that name something a reader could check (English).

A content word is three letters or more, not a stop word, not a non-feature or opinion word of the aspect
lexicons, not one of the language's generic words ("food", "novels" are not, "futuristic" is) and not an
``-ly`` / ``-ing`` / ``-ed`` form. The guard (what a claim is about) and the template generator (whether a
user's taste is one the item offers) use this one rule.
"""

from __future__ import annotations

from functools import lru_cache

from recreason.aspects import lexicon
from recreason.aspects.en import singular
from recreason.text import EN


@lru_cache(maxsize=1)
def _en_excluded() -> frozenset[str]:
    return (EN.stop_words | lexicon.words("en_nonfeatures.txt")
            | frozenset(lexicon.opinions("en_opinion.txt")) | EN.generic_words)


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Lower case, plural folded ("tacos" -> "taco", "stories" -> "story")."""
    return singular(word.lower().replace("’", "'"))


@lru_cache(maxsize=1 << 16)
def is_en_content(word: str) -> bool:
    word = word.lower()
    if len(word) < 3 or "'" in word or "’" in word or word in _en_excluded() or stem(word) in _en_excluded():
        return False
    return not word.endswith(("ly", "ing", "ed"))

"""Content words of profiles and reasons: what a user's interests are and what a reason talks about.

English has no offline part-of-speech tagger here (see ``recreason.aspects.en``), so a *content word*
is a lower-cased alphabetic token of 3+ letters that is not a stopword, an opinion word ("great",
"authentic", "cozy": they judge, they do not name), a word for the item itself or for people and
time (``en_nonfeatures.txt``: "book", "business", "friends", "years"), an ``-ly`` adverb or an
``-ing`` / ``-ed`` verb form, and not in ``GENERIC_EN`` (aspects every item of a kind has: "food",
"experience", "quality"). Plurals are folded ("tacos" -> "taco"). Chinese content words are the
nouns jieba's part-of-speech tagger finds (n, nz, ns, nr, vn) and the words of the Chinese seed feature
lexicon ("拍照", "防水" are verbs to jieba), two characters or more, minus
``zh_nonfeatures.txt`` and ``GENERIC_ZH``.

``interest_terms(user, n)`` is what a personal reason should speak to: ``user.top_interests(n)``
(positive aspects, categories, declared interests) when the profile has any; for a user known only
by ``profile_text`` (the XRec data), the aspect features mined from that text, then its content words
by frequency (ties in reading order), ``n + 3`` terms in all, since a text profile has no weights to
rank by.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from recreason.aspects import extract, lexicon
from recreason.aspects.content import is_en_content, stem  # noqa: F401  (one rule, re-exported)
from recreason.aspects.lexicon import split_words as _words
from recreason.profiles.models import UserProfile
from recreason.text import EN, ZH, detect, language, pos_tag_zh

# Words never taken for a copied aspect: the languages' generic words (``recreason.text``, words/*_generic.txt).
GENERIC_EN = EN.generic_words
GENERIC_ZH = ZH.generic_words

EN_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
_ZH_NOUN_TAGS = _words("n nz ns nr vn")


@lru_cache(maxsize=1)
def _zh_excluded() -> frozenset[str]:
    return lexicon.words("zh_nonfeatures.txt") | GENERIC_ZH


def en_tokens(text: str) -> list[re.Match]:
    """Lower-cased word matches of ``text`` (offsets into the original text)."""
    return list(EN_WORD.finditer(text.lower()))


def en_content_words(text: str) -> list[str]:
    return [m.group(0) for m in EN_WORD.finditer(text.lower()) if is_en_content(m.group(0))]


@lru_cache(maxsize=1)
def _zh_seed_features() -> frozenset[str]:
    return frozenset(lexicon.features("zh_features.txt"))


def zh_content_words(text: str) -> list[str]:
    excluded, seeds = _zh_excluded(), _zh_seed_features()
    return [w for w, tag in pos_tag_zh(text)
            if len(w) >= 2 and (tag in _ZH_NOUN_TAGS or w in seeds) and w not in excluded]


def content_words(text: str, lang: str | None = None) -> list[str]:
    """English or Chinese content words of ``text`` in reading order (``lang`` None: detected): words
    of a language that writes them apart are read off the text, those of Chinese found by a tagger."""
    if not text:
        return []
    words = en_content_words if (language(lang) if lang else detect(text)).spaced else zh_content_words
    return words(text)


def _profile_text_terms(text: str, n: int) -> list[str]:
    lang = detect(text)
    aspects = [a.feature for a in extract(text, lang)]
    words = content_words(text, lang)
    counts = Counter(words)
    ranked = sorted(dict.fromkeys(words), key=lambda w: -counts[w])  # stable: reading order within ties
    terms = list(dict.fromkeys([*aspects, *ranked]))
    return terms[: n + 3]


def interest_terms(user: UserProfile, n: int = 5) -> list[str]:
    """The terms a personal reason for ``user`` should mention (module docstring), lower-cased."""
    terms = [t.lower() for t in user.top_interests(n) if t and t.strip()]
    if not terms and user.profile_text:
        terms = _profile_text_terms(user.profile_text, n)
    return list(dict.fromkeys(terms))


def user_texts(user: UserProfile) -> list[str]:
    """Every piece of text the user's profile holds."""
    out = [user.profile_text or ""]
    out += user.interests
    out += [c.name for c in user.categories]
    out += [f"{a.key} {a.value}" for a in user.attributes]
    out += [a.feature for a in user.aspects]
    return [t for t in out if t]

"""Who a phrase in a reason is about: the item (a claim that needs support) or the user (their taste).

"Since you love Thai food, this burger place ..." mentions Thai food as the user's taste, which is
fine; "... because it offers authentic Thai cuisine" credits the item with it, which needs the item's
data behind it. There is no parser here, only markers and distance (fast, offline, zh + en):

* Inside the phrase's sentence, the nearest marker *before* the phrase decides; if there is none
  before it, the nearest one after it; a sentence with no marker at all reads as a claim about the
  item (a bare "Authentic Thai cuisine." is presented as a fact).
* Item markers: the item's title words (not its stopwords), pronouns and determiners of the item ("it", "its", "this",
  "these", "here", 它, 其, 这款, 该, 这家 ...), verbs of having or offering ("offers", "has",
  "features", "serves", 提供, 拥有, 配备, 采用 ...) and generic item nouns ("the business",
  "the book", "the restaurant").
* User markers: the user's pronouns ("you", "your", "they", "their", "the user", 你, 您, 用户),
  verbs of taste in the user's voice ("loves", "enjoys", "is drawn to", "a fan of", 喜欢, 热爱,
  偏爱), and words that point to the user's history ("similar to", "previous", "other", 之前, 类似).
* Two turns make a taste verb credit the item: a modal before it ("would enjoy", "will love",
  "you'll appreciate", 会喜欢: the enjoyment is of this item) and a definite determiner right after
  it ("they appreciate the cozy ambiance": *the* ambiance is this place's). "love", "like" and
  "value" are verbs only after a subject, modal, adverb or "to" ("themes of hope, love and ..." is no
  taste verb).

Limits, by construction: "you love the taste of Thai food" reads as crediting the item (definite
article after a taste verb); a claim hidden in a user clause ("you love Thai food, which this place
does best") reads as the user's; a long sentence whose nearest marker belongs to another clause may
go either way. ``benchmarks/grounding_check.py`` measures what this costs on XRec.
"""

from __future__ import annotations

import re
from functools import lru_cache

from recreason.aspects.lexicon import split_words as _words
from recreason.text import EN, Language, language

_EN_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?;。！？；\n]")

# The marker words (whose, taste, modal, item, definite) are the language's (``recreason.text``:
# ``Language.user_words`` ...). What is only the guard's, and only one language's, is here:
# "love", "like" and "value" are nouns or a preposition as often as verbs ("themes of hope, love and
# redemption", "good value"): they count as taste verbs only after a subject, modal, adverb or "to".
EN_AMBIGUOUS = _words("love like value")
EN_VERB_BEFORE = _words("""i you we they he she who user users reader readers also really truly especially
particularly would will could can might should may do does did to 'll""") | EN.modal_words
ZH_NOT_MARKERS = ("应该", "尤其", "其实", "极其", "其中", "其他", "因此")  # words that only contain a marker


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    m = _SENTENCE_END.search(text, pos)
    return start, (m.start() if m else len(text))


@lru_cache(maxsize=4096)
def _title_words(title: str, lang: Language) -> frozenset[str]:
    words = {w for w in _EN_TOKEN.findall(title.lower()) if len(w) > 2}
    return frozenset(words - lang.stop_words - lang.user_words - lang.taste_words)


def _word_markers(tokens: list[str], title: frozenset[str], lang: Language) -> list[str | None]:
    """'item', 'user' or None for each token."""
    out: list[str | None] = []
    for i, tok in enumerate(tokens):
        if tok in EN_AMBIGUOUS and not (i > 0 and (tokens[i - 1] in EN_VERB_BEFORE or tokens[i - 1].endswith("'ll"))):
            out.append(None)
        elif tok in lang.taste_words:
            modal = i > 0 and (tokens[i - 1] in lang.modal_words or tokens[i - 1].endswith("'ll"))
            definite = any(t in lang.definite_words for t in tokens[i + 1:i + 3])
            out.append("item" if modal or definite else "user")
        elif tok == "user" or tok in lang.user_words:
            out.append("user")
        elif tok in lang.item_words or tok in title:
            out.append("item")
        else:
            out.append(None)
    return out


def _decide(markers: list[str | None], before: int, after: int) -> bool:
    for m in reversed(markers[:before]):
        if m:
            return m == "item"
    for m in markers[after:]:
        if m:
            return m == "item"
    return True


def _credited_by_words(text: str, start: int, end: int, lang: Language, title: str | None) -> bool:
    """The rule on the sentence's words (a language that writes words apart: English)."""
    s0, s1 = _sentence_bounds(text, start)
    lower = text.lower()
    spans = [(m.start(), m.end(), m.group(0).replace("’", "'")) for m in _EN_TOKEN.finditer(lower, s0, max(s1, end))]
    tokens = [t for _, _, t in spans]
    markers = _word_markers(tokens, _title_words(title, lang) if title else frozenset(), lang)
    before = sum(1 for a, _, _ in spans if a < start)
    after = sum(1 for a, _, _ in spans if a < end)
    # the phrase's own words never decide
    return _decide(markers, before, after)


def _credited_by_substrings(text: str, start: int, end: int, lang: Language, title: str | None) -> bool:
    """The same rule on characters (a language that runs words together: Chinese); markers are found as
    substrings of the sentence."""
    s0, s1 = _sentence_bounds(text, start)
    sentence = text[s0:max(s1, end)]
    found: list[tuple[int, int, str]] = []  # (start, end, kind), positions relative to the text
    for kind, words in (("user", lang.user_words), ("item", lang.item_words)):
        for w in words:
            for m in re.finditer(re.escape(w), sentence):
                found.append((s0 + m.start(), s0 + m.end(), kind))
    if title:
        for m in re.finditer(re.escape(title), sentence):
            found.append((s0 + m.start(), s0 + m.end(), "item"))
    masked = [(s0 + m.start(), s0 + m.end()) for w in ZH_NOT_MARKERS for m in re.finditer(w, sentence)]
    marks = []
    for a, b, kind in sorted(found):
        if any(x <= a and b <= y for x, y in masked) and kind == "item":
            continue
        if kind == "user" and text[a:b] in lang.taste_words:
            modal = text[max(0, a - 1):a] in lang.modal_words
            definite = any(text.startswith(w, b) for w in lang.definite_words)
            kind = "item" if modal or definite else kind
        marks.append((a, b, kind))
    before = [k for a, b, k in marks if b <= start]
    after = [k for a, b, k in marks if a >= end]
    if before:
        return before[-1] == "item"
    if after:
        return after[0] == "item"
    return True


def credited_to_item(text: str, start: int, end: int, lang: str, title: str | None = None) -> bool:
    """Whether the phrase at ``text[start:end]`` is said of the item (module docstring).

    ``lang`` is any language code (``recreason.text.language``); its markers are read as whole words
    where the language writes words apart (English), as substrings where it runs them together (Chinese).
    """
    lang = language(lang)
    read = _credited_by_words if lang.spaced else _credited_by_substrings
    return read(text, start, end, lang, title)

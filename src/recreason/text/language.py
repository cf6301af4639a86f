"""One ``Language`` object per language: the only place that knows how Chinese and English differ.

A ``Language`` *is* its code (``Language`` subclasses ``str``: ``ZH == "zh"``, it keys dicts and
serialises as ``"zh"``), and it carries every rule that depends on the language:

* ``tokenize`` (``whitespace`` / ``word`` / ``char`` levels), ``detokenize``;
* ``length``: the one length measure of a reason (English: words; Chinese: characters without spaces),
  ``fits`` and ``clip`` (cut to a length at a clause or word boundary; a number or a Latin word is never
  split, so "3.2GHz" never becomes "3.2G" and "101分钟" never "1");
* joining: ``join`` (lists: 、 / ", "), ``join_and`` (续航、屏幕 / "battery and screen"), ``join_clauses``
  (；/ "; "), ``label`` (key：value / key: value), ``inline_label`` (a key inside a sentence), ``end`` (a
  closing 。 / .), ``capitalize``, ``capitalize_sentences``;
* ``spaced``: whether words are written apart (English) or run together (Chinese), so a word is found on
  word boundaries or as a substring; ``phrase_pattern``: a regex for a phrase as it may occur in text;
* ``in_script``: whether a phrase can stand inside text of this language;
* phrases to copy and check (the template generator's): ``words`` (as written), ``units`` (as read,
  joining back to the text), ``clauses``, ``plain_words``, ``mentions`` and ``covered`` (words found
  on word boundaries in English, as substrings in Chinese), ``name_words``;
* word lists shared by the template generator and the guard: ``stop_words``, and the markers that say
  whom a phrase is about: ``user_words``, ``taste_words``, ``modal_words``, ``item_words``, ``definite_words``.

``language(x)`` turns any code ("zh-CN", "zh_Hans", "cn", "en-US", "English", None ...) into ``ZH`` or
``EN``; ``detect(text)`` picks one from the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cached_property, lru_cache
from importlib import resources
from typing import ClassVar, Literal

from recreason.text.script import han_count, has_han, latin_count
from recreason.text.tokens import jieba_words, regex_words
from recreason.text.tokens import jieba_words_and_spaces as _JIEBA_KEEP_SPACE

Level = Literal["whitespace", "word", "char"]

_LATIN_RUN = re.compile(r"[A-Za-z0-9]+(?:[.,][A-Za-z0-9]*)*|[.,]?[A-Za-z0-9]+(?:[.,][A-Za-z0-9]+)*")
_CUT_TAIL = " ,;:，；、："

# English words for matching (``plain_words``): letters and digits, with an apostrophe part ("it's")
_PLAIN_EN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_WORDLIKE = re.compile(r"\w")
_BREAK_ZH = re.compile(r"[，,。；;：:！!？?、\s]+")  # a Chinese clause ends at any mark, or at a space
_BREAK_EN = re.compile(r"(?<=[,;:.!?])\s+")  # an English one where a mark is followed by a space
_QUOTED_EN = re.compile(r"(?:(?<=\s)|^)(['\"“‘])(.+?)(['\"”’])(?=[\s.,;:!?)]|$)")
_KEEP = "\ue000"  # stands for a space inside a quoted title while cutting
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")


def _split(words: str) -> frozenset[str]:
    """A closed word class written inline as one space-separated string."""
    return frozenset(words.split())


def _word_file(name: str) -> frozenset[str]:
    text = resources.files("recreason.text").joinpath("words", name).read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=4096)
def _plain_set_en(text: str) -> frozenset[str]:
    return frozenset(_PLAIN_EN.findall(text.lower().replace("’", "'")))


class Language(str):
    """A language code with its rules. Use the instances ``ZH`` and ``EN`` (or ``language(code)``)."""

    code: ClassVar[str]
    name: ClassVar[str]  # in English, for messages
    unit: ClassVar[str]  # what ``length`` counts: "words" or "characters"
    list_sep: ClassVar[str]
    clause_sep: ClassVar[str]
    label_sep: ClassVar[str]
    word_sep: ClassVar[str]  # what goes between two tokens when they are joined back
    and_sep: ClassVar[str]  # before the last item of a list read as one phrase ("a, b and c")
    spaced: ClassVar[bool]  # words written apart (found on word boundaries) or run together (as substrings)
    full_stop: ClassVar[str]
    clause_marks: ClassVar[str]  # where a clause may end
    user_words: ClassVar[frozenset[str]]
    taste_words: ClassVar[frozenset[str]]
    modal_words: ClassVar[frozenset[str]]
    item_words: ClassVar[frozenset[str]]
    #: words that never open a noun phrase ("seek", "would", "willing"): a phrase starting with one cannot follow
    #: "it offers" or "for its" (empty where the language has no such rule)
    not_noun_starts: ClassVar[frozenset[str]] = frozenset()
    definite_words: ClassVar[frozenset[str]]

    def __new__(cls):
        return super().__new__(cls, cls.code)

    def __repr__(self) -> str:
        return f"Language({self.code!r})"

    def __reduce__(self):  # pickles (and copies) as the singleton
        return language, (self.code,)

    # -- tokens and length ---------------------------------------------------------------------
    def tokenize(self, text: str, level: Level = "word") -> list[str]:
        """``whitespace``: ``text.split()`` (the PETER/PEPLER/XRec benchmarks' tokens); ``word``: jieba
        words for Chinese, regex words and punctuation for English; ``char``: characters for Chinese
        (whitespace dropped), regex words for English."""
        raise NotImplementedError

    def detokenize(self, tokens: list[str]) -> str:
        return self.word_sep.join(tokens)

    def length(self, text: str) -> int:
        """The one length measure of a reason: words (English) or characters without spaces (Chinese)."""
        raise NotImplementedError

    def fits(self, text: str, max_length: int | None) -> bool:
        return max_length is None or self.length(text) <= max_length

    def clip(self, text: str, max_length: int | None) -> str:
        """``text`` cut to at most ``max_length`` (``length`` units): at the last clause mark in the
        second half if there is one, else at a word boundary; never inside a number or a Latin word.
        Trailing separators are dropped; add an end mark with ``end`` if the cut should read as a sentence."""
        if self.fits(text, max_length):
            return text
        assert max_length is not None
        out = ""
        for piece in self._pieces(text):
            if self.length(out + piece) > max_length:
                break
            out += piece
        out = out.rstrip(_CUT_TAIL + " ")
        cut = max(out.rfind(c) for c in self.clause_marks)
        if cut > 0 and 3 * self.length(out[:cut]) >= max_length:  # a whole clause reads better than a stub
            out = out[:cut]
        else:  # a number cut off from its unit says something else ("续航长达18" of "18小时"); the digits
            # of a Latin word ("S9", "v2") are no number of their own
            out = re.sub(r"\s*(?<![A-Za-z0-9.,])[0-9][0-9.,]*$", "", out) if text[len(out):].strip()[:1].isalpha() else out
        if not out:  # not even one word fits: keep the first whole word rather than nothing
            out = next(iter(self._pieces(text)), "").strip()
        return out.rstrip(_CUT_TAIL)

    def _pieces(self, text: str):
        """``text`` as consecutive pieces that may not be split (their concatenation is ``text``)."""
        raise NotImplementedError

    # -- joining -------------------------------------------------------------------------------
    def join(self, items) -> str:
        """A list of values: 续航、屏幕 / "battery, screen"."""
        return self.list_sep.join(items)

    def join_and(self, items) -> str:
        """A list read as one phrase, the last item after ``and_sep``: 续航、屏幕、价格 / "battery, screen and price"."""
        items = list(items)
        if len(items) < 2:
            return "".join(items)
        return self.list_sep.join(items[:-1]) + self.and_sep + items[-1]

    def join_clauses(self, items) -> str:
        return self.clause_sep.join(items)

    def label(self, key: str, value: str) -> str:
        return f"{key}{self.label_sep}{value}"

    def inline_label(self, key: str) -> str:
        """An attribute key or label as it reads inside a sentence: "Battery" -> "battery"; Chinese as is."""
        return key

    def end(self, text: str) -> str:
        """``text`` with a closing mark unless it has one."""
        text = text.rstrip()
        return text if not text or text[-1] in "。！？.!?…" else text.rstrip(_CUT_TAIL) + self.full_stop

    def capitalize(self, text: str) -> str:
        return text

    def capitalize_sentences(self, text: str) -> str:
        """The first letter of every sentence upper-cased (English; Chinese text as is)."""
        return text

    # -- scripts and words ---------------------------------------------------------------------
    def in_script(self, text: str) -> bool:
        """Whether ``text`` can stand inside a reason in this language."""
        raise NotImplementedError

    def reads_as(self, text: str, names=()) -> bool:
        """Whether a reason ``text`` is written in this language, ``names`` (the item's title, brand and
        values, which may be in any script) aside."""
        raise NotImplementedError

    def phrase_pattern(self, phrase: str) -> str:
        """A regular expression for ``phrase`` as it may occur in text of this language: Chinese as
        written; English on word boundaries, with any punctuation or spaces between its words and a plural
        "s" allowed ("ice cream" finds "ice-cream" and "ice creams"). Case is the caller's."""
        return re.escape(phrase)

    # -- words for matching and cutting --------------------------------------------------------
    def words(self, text: str) -> list[str]:
        """The words of ``text`` as written, punctuation attached: English splits at spaces ("don't",
        "3.2GHz", "character-driven" and "it," are one word each); Chinese has jieba find them (spaces
        dropped)."""
        raise NotImplementedError

    def units(self, text: str) -> list[str]:
        """``text`` as the units it is read in, so that ``detokenize`` gives it back: English words,
        Chinese characters, a space among them (in Chinese text a space is part of the text, between
        Latin words or after a title). ``length`` counts them, spaces aside."""
        raise NotImplementedError

    def clauses(self, text: str) -> list[list[str]]:
        """``text`` cut into clauses at its punctuation, each clause as its ``words`` (empty ones dropped).
        Chinese ends a clause at every clause or sentence mark and at a space (the marks are dropped);
        English where a mark is followed by a space ("3.5" and "U.S." stay whole; the mark stays on the
        clause's last word), and a quoted title ("'Wedding Night: A Novel'") is one word, never cut."""
        raise NotImplementedError

    def plain_words(self, text: str) -> list[str]:
        """The words of ``text`` for matching: lower case, no punctuation (English: letters and digits
        with an apostrophe part, "it's"; a curly apostrophe reads as a straight one)."""
        raise NotImplementedError

    def mentions(self, text: str, words: Collection[str]) -> list[str]:
        """What follows each mention in ``text`` of one of ``words`` ([] when there is none). English
        finds a word as a whole word of ``plain_words`` ("it" is not mentioned in "item") and gives the
        rest in lower case; Chinese, written without spaces, finds it anywhere, as written."""
        raise NotImplementedError

    def covered(self, text: str, known: str) -> bool:
        """Whether ``known`` says every word of ``text``. English: every word of more than two letters is
        a word of ``known`` (``plain_words``); Chinese, whose words are not written apart: ``text``
        (stripped) occurs in ``known`` as written."""
        raise NotImplementedError

    def name_words(self, name: str | None) -> frozenset[str]:
        """The words by which a name (an item's title) is found with ``mentions``: English: its words of
        more than two letters, lower case; Chinese: the whole name (a part alone, 智能 of 智能手机, would
        find it where it is not)."""
        raise NotImplementedError

    @cached_property
    def stop_words(self) -> frozenset[str]:
        return _word_file(f"{self.code}_stopwords.txt")

    @cached_property
    def generic_words(self) -> frozenset[str]:
        """Words every item of a kind has ("food", "service", 质量, 味道) and abstract or evaluative words that
        name no fact: mentioning one states nothing a reader could check."""
        return _word_file(f"{self.code}_generic.txt")


class Chinese(Language):
    code, name = "zh", "Chinese"
    unit = "characters"
    list_sep, clause_sep, label_sep, word_sep, full_stop = "、", "；", "：", "", "。"
    and_sep, spaced = "、", False
    clause_marks = "，；、,;"
    user_words = frozenset(("你", "您", "用户", "他们", "她们", "喜欢", "喜爱", "热爱", "偏爱", "钟爱", "爱好",
                            "偏好", "关注", "习惯", "平时", "经常", "一直", "之前", "以前", "曾经", "类似", "其他"))
    taste_words = frozenset(("喜欢", "喜爱", "热爱", "爱好", "偏爱", "钟爱"))
    modal_words = frozenset(("会", "将", "能", "可以"))
    item_words = frozenset(("它", "其", "这款", "该", "这家", "这本", "这部", "这件", "这个", "提供", "拥有",
                            "配备", "采用", "具有", "具备", "搭载", "支持", "有着", "自带", "内置", "主打"))
    definite_words = frozenset(("它", "这款", "这家", "该", "其"))

    def tokenize(self, text: str, level: Level = "word") -> list[str]:
        if level == "whitespace":
            return text.split()
        if level == "char":
            return [c for c in text if not c.isspace()]
        return jieba_words(text)

    def length(self, text: str) -> int:
        return sum(1 for c in text if not c.isspace())

    def _pieces(self, text: str):
        # jieba words (so a cut never splits 续航 or 小时), with a run of Latin letters, digits and the
        # points inside numbers glued into one piece ("3.2GHz", "1,200mAh"); spaces kept
        pieces: list[str] = []
        for w in _JIEBA_KEEP_SPACE(text):
            if pieces and _LATIN_RUN.fullmatch(w) and _LATIN_RUN.fullmatch(pieces[-1] + w):
                pieces[-1] += w
            else:
                pieces.append(w)
        return pieces

    def in_script(self, text: str) -> bool:
        # Han text, or a short Latin name such as "5G" or "Kindle" (brands and models read fine here)
        return has_han(text) or len(text.split()) <= 2

    def reads_as(self, text: str, names=()) -> bool:
        for n in sorted((n for n in names if n), key=len, reverse=True):
            text = text.replace(n, " ")
        return has_han(text) or not latin_count(text)

    def words(self, text: str) -> list[str]:
        return jieba_words(text)

    def units(self, text: str) -> list[str]:
        return list(text)

    def clauses(self, text: str) -> list[list[str]]:
        return [ws for part in _BREAK_ZH.split(text) if (ws := jieba_words(part))]

    def plain_words(self, text: str) -> list[str]:
        return [w.lower() for w in jieba_words(text) if _WORDLIKE.search(w)]

    def mentions(self, text: str, words: Collection[str]) -> list[str]:
        out = []
        for word in words:
            at = text.find(word) if word else -1
            while at >= 0:
                out.append(text[at + len(word):])
                at = text.find(word, at + 1)
        return out

    def covered(self, text: str, known: str) -> bool:
        return text.strip() in known

    def name_words(self, name: str | None) -> frozenset[str]:
        return frozenset((name,)) if name else frozenset()


class English(Language):
    code, name = "en", "English"
    unit = "words"
    list_sep, clause_sep, label_sep, word_sep, full_stop = ", ", "; ", ": ", " ", "."
    and_sep, spaced = " and ", True
    clause_marks = ",;"
    user_words = _split("""you your yours yourself you'd you'll you're you've user user's users they them their
        theirs themselves he she his him her reader customer buyer shopper fan fans fond craving craves interested
        interest interests drawn passion passionate seeking seeks looking similar previous previously past other
        others reminiscent reminds compared before""")
    taste_words = _split("""enjoy enjoys enjoyed love loves loved like likes liked prefer prefers preferred
        appreciate appreciates appreciated adore adores adored value values valued""")
    modal_words = _split("would will 'll could can might should may you'll they'll they'd you'd")
    not_noun_starts = _split("""seek seeks enjoy enjoys look looks want wants like likes appreciate appreciates is are
        was were would will can could should willing making being has have had user they he she who""")
    item_words = _split("""it its it's itself this these here offers offer offering offered has having features
        featuring featured serves serving served provides providing provided boasts boasting includes including
        comes contains containing combines combining delivers delivering showcases explores brings known famous
        specializes business place restaurant book novel product store shop venue spot cafe bar hotel item
        market""")
    definite_words = _split("the its this these")

    def tokenize(self, text: str, level: Level = "word") -> list[str]:
        return text.split() if level == "whitespace" else regex_words(text)

    def length(self, text: str) -> int:
        return len(text.split())

    def _pieces(self, text: str):
        return re.findall(r"\s*\S+", text)

    def capitalize(self, text: str) -> str:
        return text[:1].upper() + text[1:]

    def capitalize_sentences(self, text: str) -> str:
        return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)

    def inline_label(self, key: str) -> str:
        return key.lower()

    def phrase_pattern(self, phrase: str) -> str:
        return r"\b" + r"\W+".join(map(re.escape, phrase.split())) + r"s?\b"

    def in_script(self, text: str) -> bool:
        # no Han text in an English reason (a Chinese reviewer's "续航" would otherwise land in it)
        return not has_han(text)

    def reads_as(self, text: str, names=()) -> bool:
        for n in sorted((n for n in names if n), key=len, reverse=True):
            text = text.replace(n, " ")
        return not has_han(text)

    def words(self, text: str) -> list[str]:
        return text.split()

    def units(self, text: str) -> list[str]:
        return text.split()

    def clauses(self, text: str) -> list[list[str]]:
        text = _QUOTED_EN.sub(lambda m: m.group(0).replace(" ", _KEEP), text)
        return [[w.replace(_KEEP, " ") for w in part.split()] for part in _BREAK_EN.split(text) if part.split()]

    def plain_words(self, text: str) -> list[str]:
        return _PLAIN_EN.findall(text.lower().replace("’", "'"))

    def mentions(self, text: str, words: Collection[str]) -> list[str]:
        low = text.lower().replace("’", "'")
        return [low[m.end():] for m in _PLAIN_EN.finditer(low) if m.group(0) in words]

    def covered(self, text: str, known: str) -> bool:
        said = _plain_set_en(known)
        return all(len(w) <= 2 or w in said for w in self.plain_words(text))

    def name_words(self, name: str | None) -> frozenset[str]:
        return frozenset(w for w in self.plain_words(name or "") if len(w) > 2)


ZH = Chinese()
EN = English()
LANGUAGES: dict[str, Language] = {"zh": ZH, "en": EN}
_ALIASES = {"zh": ZH, "cn": ZH, "chinese": ZH, "中文": ZH, "汉语": ZH, "zho": ZH, "chi": ZH,
            "en": EN, "english": EN, "eng": EN, "英文": EN}


def language(code: str | None, default: Language | None = EN) -> Language:
    """The ``Language`` for any spelling of a code ("zh-CN", "zh_Hans", "EN-us", "Chinese" ...).

    None or "" gives ``default``; an unknown code gives ``default`` too, or raises ``ValueError`` when
    ``default`` is None.
    """
    if isinstance(code, Language):
        return code
    key = (code or "").strip().lower().replace("_", "-").split("-", 1)[0]
    found = _ALIASES.get(key)
    if found is None:
        if default is None:
            raise ValueError(f"unknown language {code!r}; languages are {', '.join(LANGUAGES)}")
        return default
    return found


def detect(text: str, default: Language = EN) -> Language:
    """``ZH`` when Han characters make up at least 30 % of the letters (one Han character weighted as a
    short English word), else ``EN``; text with neither gives ``default``."""
    han, latin = han_count(text), latin_count(text)
    if han == 0 and latin == 0:
        return default
    return ZH if han * 3 >= (han * 3 + latin) * 0.3 else EN

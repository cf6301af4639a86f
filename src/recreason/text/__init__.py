"""Language detection and tokenization shared by every layer (zh + en).

The lowest layer of the package: it imports nothing from recreason. Chinese is segmented with jieba
(words, with part of speech when asked) or split into characters (as AdGen / KOBE score); English is
split on whitespace (parity with the PETER-format benchmarks, which are pre-tokenized) or with a small
regex that separates punctuation.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Literal

Lang = Literal["zh", "en"]
Level = Literal["whitespace", "word", "char"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD_EN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[^\sA-Za-z0-9]")


def has_han(text: str) -> bool:
    """Whether ``text`` holds any Han (Chinese) character."""
    return bool(_HAN.search(text))


def detect_language(text: str, default: Lang = "en") -> Lang:
    """'zh' when Han characters make up at least 30 % of the letters, else 'en'."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    if han == 0 and latin == 0:
        return default
    # One Han character carries about as much as a short English word, so weight it.
    return "zh" if han * 3 >= (han * 3 + latin) * 0.3 else "en"


@lru_cache(maxsize=1)
def _jieba():  # imported lazily: jieba builds its prefix dictionary on first use (~1 s)
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str, lang: Lang | None = None, level: Level = "word") -> list[str]:
    """Split ``text`` into tokens.

    level="whitespace": ``text.split()`` (the PETER/PEPLER/XRec benchmarks' tokens).
    level="word": jieba words for Chinese, regex words and punctuation for English.
    level="char": characters for Chinese (whitespace dropped), regex words for English.
    """
    if level == "whitespace":
        return text.split()
    lang = lang or detect_language(text)
    if lang == "zh":
        if level == "char":
            return [c for c in text if not c.isspace()]
        return [w for w in _jieba().lcut(text) if not w.isspace()]
    return _WORD_EN.findall(text)


def pos_tag_zh(text: str) -> list[tuple[str, str]]:
    """jieba (word, part-of-speech flag) pairs for Chinese text."""
    return [(p.word, p.flag) for p in _jieba().posseg.lcut(text) if not p.word.isspace()]


_SENT_SPLIT = re.compile(r"(?<=[。！？!?；;…])|(?<=[.])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    """Split into sentences on Chinese and English end marks; empty pieces are dropped."""
    return [s.strip() for s in _SENT_SPLIT.split(text) if s and s.strip()]

"""Tokenization (zh + en): jieba for Chinese, whitespace or a small regex for English.

Chinese is segmented with jieba
(words, with part of speech when asked) or split into characters (as AdGen / KOBE score); English is
split on whitespace (parity with the PETER-format benchmarks, which are pre-tokenized) or with a small
regex that separates punctuation.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

_WORD_EN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[^\sA-Za-z0-9]")


@lru_cache(maxsize=1)
def _jieba():  # imported lazily: jieba builds its prefix dictionary on first use (~1 s)
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def jieba_words(text: str) -> list[str]:
    """jieba's word segmentation, whitespace tokens dropped."""
    return [w for w in _jieba().lcut(text) if not w.isspace()]


def jieba_words_and_spaces(text: str) -> list[str]:
    """jieba's segmentation with whitespace kept: the pieces join back to ``text``."""
    return _jieba().lcut(text)


def regex_words(text: str) -> list[str]:
    """English words (with an apostrophe part: "don't", "it's") and single punctuation marks."""
    return _WORD_EN.findall(text)


def pos_tag_zh(text: str) -> list[tuple[str, str]]:
    """jieba (word, part-of-speech flag) pairs for Chinese text."""
    return [(p.word, p.flag) for p in _jieba().posseg.lcut(text) if not p.word.isspace()]


_SENT_SPLIT = re.compile(r"(?<=[。！？!?；;…])|(?<=[.])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    """Split into sentences on Chinese and English end marks; empty pieces are dropped."""
    return [s.strip() for s in _SENT_SPLIT.split(text) if s and s.strip()]


"""The text layer, at the bottom beside ``data``: languages, scripts, tokens, lengths.

The only part of recreason that knows how Chinese and English differ. Everything above takes a
``Language`` (``ZH``, ``EN``; ``language(code)``, ``detect(text)``) and asks it: tokenize, measure,
clip, join, which words mark the user or the item. It imports nothing from recreason.
"""

from __future__ import annotations

from recreason.text.language import EN, LANGUAGES, ZH, Chinese, English, Language, Level, detect, language
from recreason.text.script import HAN, HAN_CHAR, HAN_RUN, WIDE, has_han, is_wide
from recreason.text.tokens import pos_tag_zh, split_sentences

Lang = Language  # a type name for annotations: a Language is also its code ("zh" / "en")


def tokenize(text: str, lang: str | None = None, level: Level = "word") -> list[str]:
    """``text`` split by ``lang``'s rules (detected from the text when None); see ``Language.tokenize``."""
    return (language(lang) if lang else detect(text)).tokenize(text, level)


__all__ = [
    "EN", "HAN", "HAN_CHAR", "HAN_RUN", "LANGUAGES", "WIDE", "ZH", "Chinese", "English", "Lang", "Language",
    "Level", "detect", "has_han", "is_wide", "language", "pos_tag_zh", "split_sentences", "tokenize",
]

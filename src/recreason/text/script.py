"""Scripts: which characters are Han (Chinese), which are wide (CJK punctuation, full-width forms).

The one definition of these character ranges; every layer that asks "is this Chinese?" asks here.
"""

from __future__ import annotations

import re

#: Han characters: CJK Unified Ideographs, Extension A, Compatibility Ideographs.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Han characters plus CJK punctuation (、。「」) and full-width forms (，！？ＡＢ１２).
WIDE = HAN + "\u3000-\u303f\uff00-\uffef"

HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")
WIDE_CHAR = re.compile(f"[{WIDE}]")
LATIN_CHAR = re.compile(r"[A-Za-z]")


def has_han(text: str) -> bool:
    """Whether ``text`` holds any Han (Chinese) character."""
    return bool(HAN_CHAR.search(text))


def han_count(text: str) -> int:
    return len(HAN_CHAR.findall(text))


def latin_count(text: str) -> int:
    return len(LATIN_CHAR.findall(text))


def is_wide(char: str) -> bool:
    """A Han character, CJK punctuation or a full-width form (text glued without spaces)."""
    return bool(WIDE_CHAR.fullmatch(char))

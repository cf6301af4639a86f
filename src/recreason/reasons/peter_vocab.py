"""Vocabulary and tokenization for the PETER-class model (zh + en).

Levels (``recreason.lang.tokenize``): ``whitespace`` (pre-tokenized English, parity with the
NETE/PETER/XRec benchmarks), ``word`` (jieba words for Chinese, regex words for English), ``char``
(characters for Chinese) and ``auto`` (whitespace for English, jieba words for Chinese; the language
of each text is the request's).

The vocabulary is built from the training split only (the reference implementation counts every
record, test included): the most frequent ``max_size`` tokens with at least ``min_count`` occurrences,
after ``<pad> <bos> <eos> <unk>`` (ids 0-3), sorted by count so that an adaptive softmax can put the
frequent words in its head. Anything else maps to ``<unk>``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from recreason.lang import tokenize

SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")
PAD, BOS, EOS, UNK = range(4)
LEVELS = ("whitespace", "word", "char", "auto")
_HAN_END = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]$")
_HAN_START = re.compile(r"^[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_NO_SPACE_BEFORE = re.compile(r"^[.,!?;:%)\]}'’]|^n't$|^'s$")


class Vocab:
    def __init__(self, words: Iterable[str], level: str = "auto", lowercase: bool = False,
                 counts: Iterable[int] | None = None):
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
        self.level, self.lowercase = level, lowercase
        words = list(words)
        if tuple(words[:4]) != SPECIALS:
            raise ValueError(f"a vocabulary starts with {SPECIALS}")
        self.words = words
        self.counts = list(counts) if counts is not None else [0] * len(words)
        self.index = {w: i for i, w in enumerate(words)}

    def __len__(self) -> int:
        return len(self.words)

    # ------------------------------------------------------------------ text <-> tokens <-> ids

    def tokenize(self, text: str, lang: str = "en") -> list[str]:
        if self.lowercase:
            text = text.lower()
        if self.level == "auto":
            return tokenize(text, "zh", "word") if lang == "zh" else text.split()
        return tokenize(text, lang if lang in ("zh", "en") else None, self.level)  # type: ignore[arg-type]

    def encode_tokens(self, tokens: Iterable[str]) -> list[int]:
        return [self.index.get(t, UNK) for t in tokens]

    def encode(self, text: str, lang: str = "en") -> list[int]:
        return self.encode_tokens(self.tokenize(text, lang))

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids -> tokens, stopping at <eos> and dropping <pad>/<bos>."""
        out = []
        for i in ids:
            if i == EOS:
                break
            if i not in (PAD, BOS):
                out.append(self.words[i])
        return out

    def detokenize(self, tokens: list[str], lang: str = "en") -> str:
        """Tokens -> text. Whitespace level: tokens joined by spaces (the inverse of ``str.split``, as
        PETER writes its output). Otherwise no space next to Chinese characters, and at the word level
        English punctuation is attached to the word before it."""
        if self.level == "whitespace":
            return " ".join(tokens)
        out = ""
        for tok in tokens:
            glue = (not out or _HAN_END.search(out) or _HAN_START.search(tok)
                    or (self.level in ("word", "char") and _NO_SPACE_BEFORE.search(tok)))
            out += tok if glue else " " + tok
        return out

    # ------------------------------------------------------------------ build / save / load

    @classmethod
    def build(cls, texts: Iterable[tuple[str, str]], level: str = "auto", max_size: int = 20000,
              min_count: int = 1, lowercase: bool = False) -> Vocab:
        """From (text, lang) pairs of the training split. ``max_size`` counts the specials."""
        probe = cls(SPECIALS, level, lowercase)
        counter: Counter[str] = Counter()
        for text, lang in texts:
            counter.update(probe.tokenize(text, lang))
        for special in SPECIALS:
            counter.pop(special, None)
        ranked = sorted(((w, n) for w, n in counter.items() if n >= min_count), key=lambda x: (-x[1], x[0]))
        ranked = ranked[: max(0, max_size - len(SPECIALS))]
        return cls(list(SPECIALS) + [w for w, _ in ranked], level, lowercase, [0, 0, 0, 0] + [n for _, n in ranked])

    def to_dict(self) -> dict:
        return {"level": self.level, "lowercase": self.lowercase, "words": self.words, "counts": self.counts}

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Vocab:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(d["words"], d["level"], d.get("lowercase", False), d.get("counts"))

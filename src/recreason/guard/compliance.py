"""Compliance: banned terms (absolute superlatives, cure and guarantee claims) in a reason.

The default lists (``terms/zh_default.txt``, ``terms/en_default.txt``) follow the Chinese advertising
law's ban on absolute terms (最佳, 第一, 国家级, 顶级 ...) and medical claims, and their English
counterparts ("best in the world", "guaranteed cure"). Users replace or extend them with their own
files (same format: a term a line, ``re:`` for a regular expression, ``#`` for comments), through
``BannedTerms.load(paths)`` or the environment variable ``RECREASON_BANNED_TERMS`` (paths separated
by ``os.pathsep``). Both languages' lists are applied to every reason (Chinese copy quotes English
words and the other way round). Text that repeats the item's own title is exempt: an item named
"最新款智能手机" may be named.

What to do with a hit (decided here): ``drop_clauses`` removes the clause that holds the term when the
rest still says something (at least one clause and half the text); otherwise the guard regenerates
the reason and, failing that, falls back to the template generator.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from recreason.text import EN, ZH, has_han

ENV = "RECREASON_BANNED_TERMS"
DEFAULT_FILES = ("zh_default.txt", "en_default.txt")
# a clause ends at a Chinese or English clause mark; "." and "," inside numbers ("0.9", "5,000") do not end one
_CLAUSE = re.compile(r"(?:[^，,；;。！？!?.]|[.,](?=[A-Za-z0-9]))+[，,；;。！？!?.]?")  # "3.2", "Amazon.com" stay whole


@dataclass(frozen=True)
class Hit:
    term: str  # the list entry that matched
    span: str  # the text as written in the reason
    start: int
    end: int


def _compile(entry: str) -> re.Pattern:
    if entry.startswith("re:"):
        return re.compile(entry[3:], re.IGNORECASE)
    escaped = re.escape(entry)
    if has_han(entry):
        return re.compile(escaped, re.IGNORECASE)
    return re.compile(rf"(?<![\w-]){escaped}(?![\w-])", re.IGNORECASE)


def parse_terms(lines: Iterable[str]) -> list[str]:
    return [s for line in lines if (s := line.strip()) and not s.startswith("#")]


class BannedTerms:
    """A list of banned terms and patterns, matched case-insensitively."""

    def __init__(self, entries: Iterable[str]):
        self.entries = list(dict.fromkeys(entries))
        self._patterns = [(e, _compile(e)) for e in self.entries]

    @classmethod
    def default(cls) -> BannedTerms:
        folder = resources.files("recreason.guard").joinpath("terms")
        lines: list[str] = []
        for name in DEFAULT_FILES:
            lines += folder.joinpath(name).read_text(encoding="utf-8").splitlines()
        return cls(parse_terms(lines))

    @classmethod
    def load(cls, paths: Sequence[str | Path] | str | Path | None = None, include_default: bool = False,
             ) -> BannedTerms:
        """Terms from ``paths`` (else ``$RECREASON_BANNED_TERMS``, else the defaults)."""
        if paths is None:
            env = os.environ.get(ENV)
            paths = [p for p in env.split(os.pathsep) if p] if env else None
        if paths is None:
            return cls.default()
        if isinstance(paths, (str, Path)):
            paths = [paths]
        entries = cls.default().entries if include_default else []
        for p in paths:
            entries += parse_terms(Path(p).read_text(encoding="utf-8").splitlines())
        return cls(entries)

    def find(self, text: str, allow: Iterable[str] = ()) -> list[Hit]:
        """Banned terms in ``text``, in order; spans inside an ``allow`` phrase (the item's title) are exempt."""
        exempt = []
        for phrase in allow:
            if phrase and len(phrase) >= 2:
                exempt += [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), text, re.IGNORECASE)]
        hits = []
        for entry, pattern in self._patterns:
            for m in pattern.finditer(text):
                if m.end() > m.start() and not any(a <= m.start() and m.end() <= b for a, b in exempt):
                    hits.append(Hit(entry, m.group(0), m.start(), m.end()))
        hits.sort(key=lambda h: (h.start, -h.end))
        out: list[Hit] = []
        for h in hits:  # overlapping entries ("最佳", "re:最...") count once
            if not out or h.start >= out[-1].end:
                out.append(h)
        return out


def drop_clauses(text: str, hits: Sequence[Hit]) -> str | None:
    """``text`` without the clauses that hold a hit, or None when too little would be left."""
    if not hits:
        return text
    clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(text) if m.group(0).strip()]
    keep = [(a, b) for a, b in clauses if not any(a <= h.start < b for h in hits)]
    if not keep or len(keep) == len(clauses):
        return None
    kept = "".join(text[a:b] for a, b in keep).strip()
    if len(kept) < len(text) * 0.5:
        return None
    kept = kept.rstrip("，,；;、 ")
    lang = ZH if has_han(kept) else EN  # by script: any Chinese in what is left makes it Chinese
    if kept[-1] not in "。！？.!?":
        kept += lang.full_stop
    return lang.capitalize(kept)

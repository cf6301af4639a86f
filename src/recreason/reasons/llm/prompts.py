"""Prompts for one recommendation reason: versioned template files, retrieved shots, cleaning, post-processing.

A prompt is a *completion* prompt (measured far better than chat mode on the small embedded models):
a short header, k worked examples (shots) retrieved from the training data by similarity, then the
query block ending in "Reason:" / "推荐理由：". Every value filled in (user profile, item profile,
reviews, descriptions, the shots' texts) is data, and is cleaned so that it cannot act as an
instruction: it is put on one line inside « » / 「」, stripped of chat-format tokens ("<|im_start|>",
"<start_of_turn>", "[INST]"), of markdown fences and "###" headings, of the prompt's own field labels,
and of sentences that read as instructions to the model ("ignore the above ...", "忽略以上 ..."), then
truncated. The model's continuation is cut to its first sentence(s), trimmed of labels and quotes, and
held to a per-language length (``Language.length``: words for English, characters for Chinese; cut by
``Language.clip``, so never inside a number: "片长101分钟" never becomes "片长1。").

Template files live in ``prompts/reason_<lang>_<version>.txt``; ``PromptTemplate.id`` (e.g.
``reason_en_v1``) goes into cache keys and into each Reason's notes.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from recreason.profiles.models import ItemProfile, UserProfile
from recreason.text import Language, language
from recreason.text.untrusted import reads_as_instruction, split_instructions

#: v1 stays the default. v2 (default shots true to their own data, a third shot) was measured on 300 real
#: requests (BENCHMARKS.md, "LLM reasons on real data"): fewer false first reasons, but read side by side its
#: Chinese reasons copy the shots' "你常买X，……" opening into circular text ("……，所以你常买酒店、蒙牛") that the
#: guard lets through, so a user is shown worse reasons than v1's (which the guard replaces by the template).
DEFAULT_VERSION = "v1"
#: per-language length of a reason: words (en) or characters (zh)
MAX_LENGTH = {"en": 50, "zh": 80}
#: characters of a user / item line in the prompt
FIELD_CHARS = {"en": {"user": 360, "item": 360}, "zh": {"user": 120, "item": 160}}
#: characters of a shot's user / item line: shots show the shape of an answer, the query carries the facts
SHOT_CHARS = {"en": 200, "zh": 80}
SENTENCE_STOPS = {"en": [". ", "! ", "? "], "zh": ["。", "！", "？"]}
#: what the prompt says of a user with nothing known, the label of the aspect to focus on, the context line
NEW_USER = {"en": "a new user with no known preferences", "zh": "新用户，暂无偏好"}
FOCUS = {"en": "focus", "zh": "重点"}
CONTEXT_LINE = {"en": "\nContext: «{}»", "zh": "\n场景：「{}」"}
#: characters a reason needs at least: anything shorter is not one
MIN_CHARS = {"en": 3, "zh": 4}

_SPECIAL = re.compile(
    r"<\|[^|<>]{0,40}\|>|</?s>|<(?:start|end)_of_turn>|<bos>|<eos>|<pad>|<unk>|\[/?INST\]|<</?SYS>>|"
    r"`{3,}|~{3,}|#{2,}|={3,}|-{3,}|\*{3,}", re.IGNORECASE)
_LABEL_EN = re.compile(r"\b(reasons?|users?|items?|context|focus|system|assistant|instructions?|prompt|answer)"
                       r"\s*:", re.IGNORECASE)
_LABEL_ZH = re.compile(r"(推荐理由|理由|用户|商品|场景|系统|助手|指令|提示|回答)\s*[:：]")
_DELIMS = re.compile(r"[«»「」]")
_WS = re.compile(r"\s+")
_LEAD = re.compile(r"^[\s*\-–—•:：»」』]+")
_TRAIL = re.compile(r"[\s*«「『]+$")
_QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’", "「": "」", "『": "』", "«": "»"}
_OUT_LABEL = re.compile(r"^(推荐理由|理由|reason|explanation)\s*[:：]\s*", re.IGNORECASE)
# a prompt label echoed as the last clause ("…，价格适中，推荐理由。"): not part of the reason
_TAIL_LABEL = re.compile(r"[，,；;]\s*(推荐理由|理由|reason|explanation)\s*[:：。.]?\s*$", re.IGNORECASE)
_SENT_END = re.compile(r"[。！？!?](?=.)|(?<=[a-z0-9\)\"”'])[.](?=\s+[A-Z\"“])")


@dataclass(frozen=True)
class Cleaned:
    text: str
    dropped: tuple[str, ...] = ()  # sentences removed because they read as instructions


def clean_field(text: str | None, lang: str, limit: int, known: str = "") -> Cleaned:
    """One line of untrusted data, safe to put between the prompt's delimiters. ``known``: the item's own data,
    whose contacts (a shop's link or phone number) are no advertisement (``recreason.text.untrusted``)."""
    if not text:
        return Cleaned("")
    kept, dropped = split_instructions(str(text), known)  # before the markup goes: "### Instruction" is one
    text = _SPECIAL.sub(" ", " ".join(kept))
    text = _LABEL_ZH.sub(r"\1 ", _LABEL_EN.sub(r"\1 ", text))
    text = _WS.sub(" ", _DELIMS.sub(" ", text)).strip()
    return Cleaned(shorten(text, lang, limit), tuple(dropped))


def shorten(text: str, lang: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (at a space where the language writes words apart), marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if language(lang).spaced and space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;，；、…") + "…"


def user_text(user: UserProfile, lang: str) -> str:
    """What the prompt says about the user: the profile summary plus any free profile text."""
    parts = [] if user.is_cold and not user.interests else [user.summary(lang, dislikes=False)]
    if user.profile_text:
        head = " ".join(user.profile_text.split())[:40]
        parts = [p.split(head)[0].rstrip("；; ") if head in " ".join(p.split()) else p for p in parts]
        parts = [p for p in parts if p]
        parts.append(user.profile_text)
    lang = language(lang)
    return lang.join_clauses(parts) if parts else NEW_USER[lang]


def _data_only(item: ItemProfile) -> ItemProfile:
    """``item`` without the attributes whose key or value reads as an instruction: the others stay in the line."""
    # an attribute's own link or phone number is the item's data: only instructions go
    attrs = {k: v for k, v in item.attributes.items()
             if not any(reads_as_instruction(x, contacts=False) for x in [k, *(v if isinstance(v, list) else [v])])}
    return item if len(attrs) == len(item.attributes) else item.model_copy(update={"attributes": attrs})


def known_data(item: ItemProfile) -> str:
    """The item's own values (title, category, attributes, brand) that read as no instruction, as one text."""
    return " ".join(v for k, v in item.facts() if k != "aspect" and not reads_as_instruction(v, contacts=False))


def item_text(item: ItemProfile, lang: str) -> str:
    """What the prompt says about the item: title, category, attributes, praised aspects, description."""
    item = _data_only(item)
    parts = [item.summary(lang, panned=False)]
    if item.description:
        head = " ".join(item.description.split())[:40]
        if head not in " ".join(parts[0].split()):
            parts.append(item.description)
        else:  # the summary holds a shortened description: give the whole one instead
            parts[0] = parts[0].split(head)[0].rstrip("；; ")
            parts.append(item.description)
    return language(lang).join_clauses(parts)


def context_text(context: dict[str, str], feature: str | None, lang: str) -> str:
    lang = language(lang)
    pairs = [lang.label(k, v) for k, v in context.items()]
    if feature:
        pairs.append(lang.label(FOCUS[lang], feature))
    if not pairs:
        return ""
    value = clean_field(lang.join_clauses(pairs), lang, 120).text
    return CONTEXT_LINE[lang].format(value)


@dataclass(frozen=True)
class Fields:
    """The cleaned values of one prompt block (a shot or the query)."""

    user: str
    item: str
    context: str = ""
    dropped: tuple[str, ...] = ()

    @classmethod
    def of(cls, user: UserProfile, item: ItemProfile, lang: str, context: dict[str, str] | None = None,
           feature: str | None = None) -> Fields:
        limits = FIELD_CHARS[language(lang)]
        known = known_data(item)
        u = clean_field(user_text(user, lang), lang, limits["user"], known)
        i = clean_field(item_text(item, lang), lang, limits["item"], known)
        return cls(u.text, i.text, context_text(context or {}, feature, lang), u.dropped + i.dropped)


@dataclass(frozen=True)
class PromptTemplate:
    lang: str
    version: str
    header: str
    shot: string.Template
    query: string.Template
    default_shots: str

    @property
    def id(self) -> str:
        return f"reason_{self.lang}_{self.version}"

    @classmethod
    def load(cls, lang: str, version: str = DEFAULT_VERSION) -> PromptTemplate:
        return _load(language(lang), version)

    def render(self, query: Fields, shots: Sequence[tuple[Fields, str]], defaults: bool = True) -> str:
        """Header, shots (or the file's default shots when there are none and ``defaults``), query."""
        blocks = [self.header]
        if shots:
            blocks += [self.shot.substitute(user=f.user, item=f.item, context=f.context, reason=text)
                       for f, text in shots]
        elif defaults:
            blocks.append(self.default_shots)
        blocks.append(self.query.substitute(user=query.user, item=query.item, context=query.context))
        return "\n\n".join(blocks)


@lru_cache(maxsize=16)
def _load(lang: str, version: str) -> PromptTemplate:
    name = f"reason_{lang}_{version}.txt"
    try:
        raw = resources.files("recreason.reasons.llm").joinpath("prompts", name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"no prompt file {name} (prompt version {version!r})") from None
    sections: dict[str, list[str]] = {}
    current = None
    for line in raw.splitlines():
        if line.startswith("#") and current is None:
            continue
        if m := re.fullmatch(r"\[(\w+)\]", line.strip()):
            current = m.group(1)
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    get = {k: "\n".join(v).strip("\n") for k, v in sections.items()}
    missing = {"header", "shot", "query", "default_shots"} - set(get)
    if missing:
        raise ValueError(f"{name}: missing sections {sorted(missing)}")
    shots = "\n\n".join(s.strip("\n") for s in get["default_shots"].split("\n---\n"))
    return PromptTemplate(lang, version, get["header"], string.Template(get["shot"]),
                          string.Template(get["query"]), shots)


def stops(lang: str, max_sentences: int = 1) -> list[str]:
    """Stop strings: the end of the line, and with one sentence wanted, the end of the sentence."""
    return ["\n"] + (SENTENCE_STOPS[language(lang)] if max_sentences == 1 else [])


def first_sentences(text: str, n: int = 1) -> str:
    out, start = [], 0
    for m in _SENT_END.finditer(text):
        out.append(text[start:m.end()])
        start = m.end()
        if len(out) == n:
            return "".join(out).strip()
    out.append(text[start:])
    return "".join(out[:n]).strip()


def _limit(text: str, lang: Language, max_len: int) -> str:
    """``text`` held to ``max_len`` (``lang.length``), its closing mark included: cut by ``lang.clip`` (at a
    clause mark, never inside a number or a Latin word) and closed by ``lang.end``."""
    if lang.fits(text, max_len):
        return text
    out = lang.end(lang.clip(text, max_len))
    return out if lang.fits(out, max_len) else lang.end(lang.clip(text, max_len - 1))  # room for the mark


def repetitive(text: str, n: int | None = None, times: int = 3) -> bool:
    """True when some n-gram occurs ``times`` or more: a decoding loop.

    n-grams of 4 words, or of 6 characters for text without spaces (Chinese, where short phrases such
    as "，裙身的" legitimately recur).
    """
    spaced = " " in text.strip()
    units = text.split() if spaced else list(text)
    n = n or (4 if spaced else 6)
    seen: dict[tuple, int] = {}
    for i in range(len(units) - n + 1):
        g = tuple(units[i:i + n])
        seen[g] = seen.get(g, 0) + 1
        if seen[g] >= times:
            return True
    return False


def _unquote(text: str) -> str:
    """Drop quotes wrapped round the whole reason, and a dangling opening or closing quote."""
    text = text.strip()
    while text and text[0] in _QUOTES:
        close = _QUOTES[text[0]]
        if text.endswith(close) and len(text) > 1:
            text = text[1:-1].strip()
        elif text.count(close) == (1 if close == text[0] else 0):
            text = text[1:].strip()  # opened, never closed
        else:
            break
    for q in ('"', "”", "」", "』", "»"):
        if text.endswith(q):
            opener = {v: k for k, v in _QUOTES.items()}[q]
            if text.count(opener) < text.count(q) or (q == '"' and text.count(q) % 2):
                text = text[:-1].strip()
    return text


def postprocess(text: str, lang: str, max_sentences: int = 1, max_len: int | None = None) -> str:
    """The reason from a raw continuation: first line, labels and quotes off, first sentence(s), length cap.

    Returns "" when nothing usable is left (empty, or a decoding loop).
    """
    lang = language(lang)
    text = text.strip().split("\n", 1)[0]
    text = _unquote(_OUT_LABEL.sub("", _LEAD.sub("", text)))
    text = _TRAIL.sub("", _SPECIAL.sub(" ", text)).strip()
    if not text or repetitive(text):
        return ""
    text = first_sentences(text, max_sentences)
    text = _TAIL_LABEL.sub("", text)
    text = _limit(text, lang, max_len or MAX_LENGTH[lang])
    text = _TRAIL.sub("", _unquote(text)).rstrip(",，;；、:：")
    if len(text) < MIN_CHARS[lang]:
        return ""
    return lang.end(text)

"""Vocabulary, tokenization and request encoding for the PETER-class model (zh + en).

Levels (``recreason.text.tokenize``): ``whitespace`` (pre-tokenized English, parity with the
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
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from recreason.text import detect, is_wide, language

SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")
PAD, BOS, EOS, UNK = range(4)
LEVELS = ("whitespace", "word", "char", "auto")
#: the ``auto`` level, per language code: the benchmarks' whitespace tokens for English, jieba words for Chinese
AUTO_LEVEL = {"en": "whitespace", "zh": "word"}
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
            lang = language(lang)
            return lang.tokenize(text, AUTO_LEVEL[lang])  # type: ignore[arg-type]
        try:
            words = language(lang, default=None)
        except ValueError:  # no language or an unknown one: the text's own
            words = detect(text)
        return words.tokenize(text, self.level)  # type: ignore[arg-type]

    def encode_tokens(self, tokens: Iterable[str]) -> list[int]:
        return [self.index.get(t, UNK) for t in tokens]

    def encode(self, text: str, lang: str = "en") -> list[int]:
        return self.encode_tokens(self.tokenize(text, lang))

    def decode(self, ids: Iterable[int], extra: list[str] = ()) -> list[str]:
        """Ids -> tokens, stopping at <eos> and dropping <pad>/<bos>; id len(self) + j is ``extra[j]``
        (a copied word outside the vocabulary)."""
        out = []
        for i in ids:
            if i == EOS:
                break
            if i not in (PAD, BOS):
                out.append(self.words[i] if i < len(self.words) else extra[i - len(self.words)])
        return out

    def detokenize(self, tokens: list[str], lang: str = "en") -> str:
        """Tokens -> text. Whitespace level: tokens joined by spaces (the inverse of ``str.split``, as
        PETER writes its output). Otherwise no space next to Chinese characters, and at the word level
        English punctuation is attached to the word before it."""
        if self.level == "whitespace":
            return " ".join(tokens)
        out = ""
        for tok in tokens:
            glue = (not out or is_wide(out[-1]) or (tok and is_wide(tok[0]))
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
        words, counts = [w for w, _ in ranked], [n for _, n in ranked]
        return cls(list(SPECIALS) + words, level, lowercase, [0] * len(SPECIALS) + counts)

    def to_dict(self) -> dict:
        return {"level": self.level, "lowercase": self.lowercase, "words": self.words, "counts": self.counts}

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Vocab:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(d["words"], d["level"], d.get("lowercase", False), d.get("counts"))


# ---------------------------------------------------------------------------- requests -> id tensors


def _pad(rows: list[list[int]], width: int) -> torch.Tensor:
    """Ragged id lists -> (N, width) long tensor padded with PAD."""
    out = torch.full((len(rows), width), PAD, dtype=torch.long)
    flat = [i for row in rows for i in row]
    if flat:
        r = torch.repeat_interleave(torch.arange(len(rows)), torch.tensor([len(row) for row in rows]))
        c = torch.cat([torch.arange(len(row)) for row in rows if row])
        out[r, c] = torch.tensor(flat, dtype=torch.long)
    return out


@dataclass
class RequestEncoder:
    """ReasonRequests (and reference texts) -> the model's padded id tensors, one row per request:
    user / item (index + 1 in the training id lists, 0 = unknown), user_toks / item_toks (known words
    of the profiles, first occurrences), feats (the feature's words; with ``copy`` a word outside the
    vocabulary gets the copy-only id V + slot, pointer-generator style, else it is dropped), seq
    (<bos> w1 .. wn <eos>, cut to ``max_words``; a copy-only feature word in the text gets its copy id),
    rating (``context["rating"]``, NaN when absent), and feature_tokens (for decoding copy-only ids)."""

    vocab: Vocab
    users: list[str]
    items: list[str]
    max_words: int
    max_user_tokens: int
    max_item_tokens: int
    feature_slots: int  # 0: not feature-conditioned
    copy: bool
    user_fields: list[str]
    item_fields: list[str]

    def item_values(self, item) -> list[str]:
        fields, values = self.item_fields, []
        if "category" in fields:
            values += item.category
        if "brand" in fields and item.brand:
            values.append(item.brand)
        if "attributes" in fields:
            for v in item.attributes.values():
                values += [x for x in (v if isinstance(v, list) else [v]) if len(x) <= 40]
        if "aspects" in fields:
            values += [a.feature for a in item.aspects]
        if "title" in fields and item.title:
            values.append(item.title)
        if "description" in fields and item.description:
            values.append(item.description)
        return values

    def user_values(self, user) -> list[str]:
        fields, values = self.user_fields, []
        if "interests" in fields:
            values += user.interests
        if "aspects" in fields:
            values += [a.feature for a in user.aspects if a.sentiment >= 0]
        if "categories" in fields:
            values += [c.name for c in user.categories]
        if "attributes" in fields:
            values += [a.value for a in user.attributes if len(a.value) <= 40]
        if "profile_text" in fields and user.profile_text:
            values.append(user.profile_text)
        return values

    def profile_ids(self, values: list[str], lang: str, limit: int) -> list[int]:
        ids = [i for v in values for i in self.vocab.encode(v, lang) if i != UNK]
        return list(dict.fromkeys(ids))[:limit]

    def feature_ids(self, feature: str | None, lang: str) -> tuple[list[int], list[str]]:
        if not feature or not self.feature_slots:
            return [], []
        V, toks = len(self.vocab), self.vocab.tokenize(feature, lang)[: self.feature_slots]
        if self.copy:
            return [self.vocab.index.get(t, V + j) for j, t in enumerate(toks)], toks
        kept = [(self.vocab.index[t], t) for t in toks if t in self.vocab.index]
        return [i for i, _ in kept], [t for _, t in kept]

    def __call__(self, requests: Sequence, texts: Sequence[str] | None = None) -> dict:
        V, L = len(self.vocab), self.max_words
        uidx = {u: i + 1 for i, u in enumerate(self.users)}
        iidx = {it: i + 1 for i, it in enumerate(self.items)}
        ucache: dict[str, list[int]] = {}  # one profile per id within a call
        icache: dict[str, list[int]] = {}
        rows: dict[str, list] = {k: [] for k in ("user", "item", "user_toks", "item_toks", "feats", "seq",
                                                 "rating", "feature_tokens")}
        for r, req in enumerate(requests):
            uid, iid = req.user.user_id, req.item.item_id
            if uid not in ucache:
                ucache[uid] = self.profile_ids(self.user_values(req.user), req.lang, self.max_user_tokens)
            if iid not in icache:
                icache[iid] = self.profile_ids(self.item_values(req.item), req.lang, self.max_item_tokens)
            f_ids, f_toks = self.feature_ids(req.feature, req.lang)
            for key, value in (("user", uidx.get(uid, 0)), ("item", iidx.get(iid, 0)),
                               ("user_toks", ucache[uid]), ("item_toks", icache[iid]), ("feats", f_ids),
                               ("feature_tokens", f_toks)):
                rows[key].append(value)
            if texts is not None:
                words = self.vocab.encode(texts[r], req.lang)[:L]
                ext = {t: i for i, t in zip(f_ids, f_toks) if i >= V}  # copy-only feature words
                if ext:
                    toks = self.vocab.tokenize(texts[r], req.lang)[:L]
                    words = [ext.get(t, w) if w == UNK else w for t, w in zip(toks, words)]
                rows["seq"].append([BOS, *words, EOS])
            else:
                rows["seq"].append([])
            try:
                rows["rating"].append(float(req.context.get("rating", "nan")))
            except ValueError:
                rows["rating"].append(math.nan)
        out = {k: torch.tensor(rows[k], dtype=torch.long) for k in ("user", "item")}
        for key, width in (("user_toks", self.max_user_tokens), ("item_toks", self.max_item_tokens),
                           ("feats", self.feature_slots), ("seq", L + 2)):
            out[key] = _pad(rows[key], width)
        out["rating"] = torch.tensor(rows["rating"], dtype=torch.float)
        out["feature_tokens"] = rows["feature_tokens"]
        return out

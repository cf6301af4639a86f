"""Few-shot examples retrieved from the training data by lexical similarity.

Each training example becomes a ``Shot``: the cleaned user and item lines of its prompt block and its
reference reason, cut to the same sentence count and length the generator will be asked for (so the
shots show the model the shape of the answer). ``ShotPool.nearest`` scores every shot of the request's
language by TF-IDF cosine of the item lines (weight 0.6) and of the user lines (0.4), plus a bonus
when the shot is about the same item (0.3) or the same user (0.15), and never returns the request's
own (user, item) pair. English is compared on lower-cased words of 3+ letters, Chinese on character
bigrams. Shots come back least similar first, so the closest one sits next to the query.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from recreason.reasons.llm.prompts import Fields, postprocess
from recreason.text import HAN_RUN

WEIGHTS = {"item": 0.6, "user": 0.4, "same_item": 0.3, "same_user": 0.15}
_EN = re.compile(r"[a-z][a-z0-9']{2,}")
_EN_STOP = frozenset(["the", "and", "for", "with", "that", "this", "are", "was", "its", "their", "they", "them", "who", "would", "enjoy", "user", "users", "likely", "business", "book", "books", "item", "items", "also", "from", "have", "has", "like", "likes", "which"])


def terms(text: str) -> list[str]:
    text = text.lower()
    out = [w for w in _EN.findall(text) if w not in _EN_STOP]
    for run in HAN_RUN.findall(text):
        out += [run[i:i + 2] for i in range(len(run) - 1)] or [run]
    return out


@dataclass(frozen=True)
class Shot:
    user_id: str
    item_id: str
    lang: str
    user: str
    item: str
    context: str
    text: str

    @property
    def fields(self) -> Fields:
        return Fields(self.user, self.item, self.context)


class _Tfidf:
    def __init__(self, docs: list[list[str]]):
        df = Counter(t for d in docs for t in set(d))
        n = len(docs)
        self.idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
        self.vectors = [self.vector(d) for d in docs]
        self.index: dict[str, list[int]] = {}
        for i, v in enumerate(self.vectors):
            for t in v:
                self.index.setdefault(t, []).append(i)

    def vector(self, tokens: list[str]) -> dict[str, float]:
        tf = Counter(tokens)
        v = {t: c * self.idf.get(t, math.log(1 + len(self.idf)) + 1.0) for t, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    def scores(self, tokens: list[str]) -> dict[int, float]:
        q = self.vector(tokens)
        out: dict[int, float] = {}
        for t, w in q.items():
            for i in self.index.get(t, ()):
                out[i] = out.get(i, 0.0) + w * self.vectors[i][t]
        return out


class ShotPool:
    """Training examples as shots, searchable by similarity; saved as JSON lines."""

    def __init__(self, shots: Iterable[Shot] = ()):
        self.shots = [s for s in shots if s.text]
        self._by_lang: dict[str, tuple[list[int], _Tfidf, _Tfidf]] = {}

    def __len__(self) -> int:
        return len(self.shots)

    @classmethod
    def from_examples(cls, examples: Sequence, max_sentences: int = 1, max_len: dict | None = None) -> ShotPool:
        shots = []
        for ex in examples:
            req = ex.request
            lang = req.lang
            f = Fields.of(req.user, req.item, lang, req.context, req.feature)
            text = postprocess(ex.text, lang, max_sentences, (max_len or {}).get(lang))
            shots.append(Shot(req.user.user_id, req.item.item_id, lang, f.user, f.item, f.context, text))
        return cls(shots)

    def fingerprint(self) -> str:
        import hashlib

        h = hashlib.sha256()
        for s in self.shots:
            h.update(f"{s.user_id}\t{s.item_id}\t{s.text}\n".encode())
        return h.hexdigest()[:12]

    def _lang(self, lang: str):
        if lang not in self._by_lang:
            ids = [i for i, s in enumerate(self.shots) if s.lang == lang]
            items = _Tfidf([terms(self.shots[i].item) for i in ids])
            users = _Tfidf([terms(self.shots[i].user) for i in ids])
            self._by_lang[lang] = (ids, items, users)
        return self._by_lang[lang]

    def nearest(self, query: Fields, lang: str, k: int, user_id: str = "", item_id: str = "") -> list[Shot]:
        """The ``k`` most similar shots of language ``lang``, least similar first."""
        if k <= 0 or not self.shots:
            return []
        ids, items, users = self._lang(lang)
        if not ids:
            return []
        score = Counter()
        for j, s in items.scores(terms(query.item)).items():
            score[j] += WEIGHTS["item"] * s
        for j, s in users.scores(terms(query.user)).items():
            score[j] += WEIGHTS["user"] * s
        for j, i in enumerate(ids):
            shot = self.shots[i]
            if item_id and shot.item_id == item_id:
                if user_id and shot.user_id == user_id:
                    score[j] = -1.0  # the query itself: never a shot
                    continue
                score[j] += WEIGHTS["same_item"]
            elif user_id and shot.user_id == user_id:
                score[j] += WEIGHTS["same_user"]
        chosen, seen = [], set()
        for j, s in sorted(score.items(), key=lambda x: (-x[1], x[0])):
            if s < 0:
                continue
            shot = self.shots[ids[j]]
            if shot.text in seen:
                continue
            seen.add(shot.text)
            chosen.append(shot)
            if len(chosen) == k:
                break
        if len(chosen) < k:  # too few overlapping ones: fill with the first unused shots
            for i in ids:
                shot = self.shots[i]
                if len(chosen) == k:
                    break
                if shot.text not in seen and not (shot.user_id == user_id and shot.item_id == item_id):
                    seen.add(shot.text)
                    chosen.append(shot)
        return chosen[::-1]

    def save(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(asdict(s), ensure_ascii=False) + "\n" for s in self.shots)

    @classmethod
    def load(cls, path: Path) -> ShotPool:
        with open(path, encoding="utf-8") as f:
            return cls(Shot(**json.loads(line)) for line in f if line.strip())

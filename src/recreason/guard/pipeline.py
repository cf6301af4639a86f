"""The one reason pipeline: generate → check → regenerate once → fall back to a fitted template.

``write_reasons(generator, requests, guard)`` is the path every caller takes (CLI, server, batch jobs,
evaluation and benchmarks); ``build_guard(dataset)`` builds the guard they share, from the catalog's own
values and with a template generator fitted on the workspace's references as the fallback.

For each reason, ``Guard.check`` looks for

* an empty reason (the generator produced nothing usable),
* a reason in the wrong language (``recreason.text``: a Chinese request gets Chinese text, an English one
  no Han text beyond the item's own names),
* a reason longer than the request's ``max_length`` (``Language.length``, the one measure),
* claims the data does not hold (``recreason.guard.claims.check_claims``: numbers and units, catalog
  values and kinds, a value said of the wrong attribute, judging words and details the item's data does
  not hold, popularity and other people, the user's taste or history, an item "a fit for fans of" what it
  does not offer),
* banned terms (``recreason.guard.compliance``). A banned term in a clause that can go is dropped
  with its clause (the reason stays ``primary``, with a note); otherwise it counts as a failure,
* a stance against the item or the user (``tone=True``, ``recreason.guard.style``): an aspect judged
  negatively ("a small battery life", "续航不好"), "不适合你", "despite the long lines",
* degeneration (loops, refusals, prompt echoes, next to no words) and raw attribute keys in the prose
  ("main_cat", "rank"),
* a reason that reads as an instruction or carries a link, phone number or account the item's data does not
  (``recreason.text.untrusted``: a second layer behind the prompts and the template, which drop such text
  from what they are given; a model may still write one from what it learned),
* a quote of another user's review (``recreason.guard.leakage``: 6 English words or 10 Chinese characters
  that another user wrote and the item's data does not hold): a reviewer's words are their personal data.

Failed reasons get one more try through ``Generator.regenerate`` (sampling generators sample again with
another seed; deterministic ones return None and skip it), in one batch, and are checked again; what
still fails is replaced by the fallback generator, whose reasons are built from the item's own facts. A
fallback reason that fails the same checks is not shown either: the reason comes back with no text and
``path="withheld"`` (counted in ``GuardStats.withheld``); callers show the item without a reason.
``Reason.path`` says which path produced each reason ("primary", "regenerated", "fallback", "withheld") and
``notes`` say why ("guard: number '1.9 kg' is not in the item's data", ...).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from recreason.data.dataset import Dataset
from recreason.guard.claims import check_claims
from recreason.guard.compliance import BannedTerms, drop_clauses
from recreason.guard.judge import Judgement, judge
from recreason.guard.leakage import ReviewIndex
from recreason.guard.style import degeneration_problems, fluency_problems, stance_problems
from recreason.reasons.base import Generator, Reason, ReasonRequest
from recreason.text.untrusted import reads_as_instruction

log = logging.getLogger("recreason.guard")


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    text: str = ""  # the reason's text after any dropped clause
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class GuardStats:
    checked: int = 0
    primary_ok: int = 0
    clause_dropped: int = 0
    regenerated: int = 0
    fallback: int = 0
    withheld: int = 0  # of the fallbacks: no reason shown, since the fallback failed the checks too
    more_candidates: int = 0  # requests that were given more candidates (best-of-n)
    improved: int = 0  # of those, a passing first reason replaced by a better candidate
    problems: dict[str, int] = field(default_factory=dict)

    def count(self, problems: list[str]) -> None:
        for p in problems:
            kind = p.split(":", 1)[0]
            self.problems[kind] = self.problems.get(kind, 0) + 1


class Guard:
    """Grounding and compliance checks with one regeneration and a fallback generator."""

    def __init__(self, fallback: Generator,
                 banned_terms: BannedTerms | Sequence[str | Path] | str | Path | None = None,
                 grounding: bool = True, catalog_values: set[str] | None = None, drop_clause: bool = True,
                 tone: bool = True, verifier=None, reviews: Dataset | None = None):
        self._fallback = fallback
        self._reviews_of, self._reviews, self._reviews_lock = reviews, None, threading.Lock()
        if isinstance(banned_terms, BannedTerms):
            self.banned = banned_terms
        else:
            self.banned = BannedTerms.load(banned_terms)
        self.grounding = grounding
        self.catalog_values = catalog_values
        self.drop_clause = drop_clause
        self.tone = tone
        self.verifier = verifier  # recreason.guard.verifier.LLMVerifier, opt-in: an entailment step per claim
        self.stats = GuardStats()

    @property
    def fallback(self) -> Generator:
        return self._fallback

    @property
    def reviews(self) -> ReviewIndex | None:
        """The index of who wrote what (built on first use: seconds on a large data set), or None."""
        if self._reviews is None and self._reviews_of is not None:
            with self._reviews_lock:
                if self._reviews is None:
                    self._reviews = ReviewIndex(self._reviews_of)
        return self._reviews

    def verdict(self, reason: Reason, request: ReasonRequest) -> Verdict:
        """What is wrong with one reason (an empty list of problems: nothing)."""
        text = reason.text.strip()
        v = Verdict(text=text)
        if not text:
            v.problems.append("empty: no usable text")
            return v
        allow = _names(request.item.title)
        hits = self.banned.find(text, allow=allow)
        if hits and self.drop_clause and (shorter := drop_clauses(text, hits)) is not None \
                and not self.banned.find(shorter, allow=allow):
            v.notes.append("guard: dropped a clause with banned term(s) " + ", ".join(f"'{h.span}'" for h in hits))
            v.text, hits = shorter, []
        v.problems += [f"banned: '{h.span}' (banned term {h.term!r})" for h in hits]
        lang = request.lang
        if not lang.reads_as(v.text, [value for _, value in request.item.facts()]):  # names in any script
            v.problems.append(f"language: the reason is not in {lang} ({lang.name} was asked for)")
        if not lang.fits(v.text, request.max_length):
            v.problems.append(f"length: {lang.length(v.text)} {lang.unit}, the request allows {request.max_length}")
        if self.tone:  # a reason speaks for the item and the user (the item's own name is no judgement)
            v.problems += stance_problems(v.text, request.item, lang)
        v.problems += degeneration_problems(v.text, lang, request.item.title)
        v.problems += [p for p in fluency_problems(v.text, request.item, lang) if p.startswith("raw_key")]
        if reads_as_instruction(v.text, " ".join(value for _, value in request.item.facts())):
            v.problems.append("instruction: the reason reads as an instruction, or carries a link, phone number or "
                              "account the item's data does not")
        if self.reviews is not None:
            v.problems += self.reviews.check(v.text, request)
        if self.grounding:
            report = check_claims(v.text, request.item, request.user, lang, catalog_values=self.catalog_values,
                                  verifier=self.verifier)
            v.problems += [str(f) for f in report.findings]
        return v

    def _accept(self, reason: Reason, v: Verdict, path: str, notes: list[str]) -> Reason:
        return reason.model_copy(update={"text": v.text, "path": path,
                                         "notes": [*reason.notes, *notes, *v.notes]})

    def _judge(self, v: Verdict, request: ReasonRequest) -> Judgement:
        return judge(v.text, request, self.catalog_values, self.banned, self.verifier)

    def check(self, reasons: Sequence[Reason], requests: Sequence[ReasonRequest],
              regenerate: Callable[[Sequence[ReasonRequest]], list[Reason] | None] | None = None,
              more: Callable[[Sequence[ReasonRequest]], list[list[Reason]]] | None = None) -> list[Reason]:
        """The reasons that pass, regenerated ones where they pass, fallback reasons for the rest.

        ``regenerate`` (usually ``Generator.regenerate``) makes a second try for the failed requests, or
        returns None when it has none. ``more`` (best-of-n, ``Generator.candidates``) gives further candidates
        for the requests whose first reason failed or is weak — not personal, not specific, or repeating a
        clause of a reason already chosen in this call for the same user or the same item; of the candidates
        that pass, the one a reader would take is kept (``choose``). With ``more``, ``regenerate`` is not used."""
        if len(reasons) != len(requests):
            raise ValueError(f"{len(reasons)} reasons for {len(requests)} requests")
        out: list[Reason | None] = [None] * len(reasons)
        failed: dict[int, list[str]] = {}
        weak: dict[int, tuple[Reason, Verdict, Judgement]] = {}
        said = _Said()
        for i, (r, q) in enumerate(zip(reasons, requests)):
            v = self.verdict(r, q)
            self.stats.checked += 1
            if not v.ok:
                self.stats.count(v.problems)
                failed[i] = v.problems
                continue
            if more is not None and not _strong(j := self._judge(v, q), said.repeats(v.text, q)):
                weak[i] = (r, v, j)
                continue
            self.stats.primary_ok += 1
            self.stats.clause_dropped += bool(v.notes)
            out[i] = self._accept(r, v, "primary", [])
            said.add(v.text, q)
        if more is not None and (failed or weak):
            idx = sorted([*failed, *weak])
            extra = more([requests[i] for i in idx])
            self.stats.more_candidates += len(idx)
            for i, cands in zip(idx, extra, strict=True):
                q = requests[i]
                passing = [(r, v, self._judge(v, q)) for r in cands if (v := self.verdict(r, q)).ok]
                first = weak.get(i)
                best = choose(([first] if first else []) + passing, q, said)
                if best is None:
                    failed[i] = failed[i] + [f"{len(cands)} more candidate(s) failed too"]
                    continue
                r, v, _ = best
                n = len(cands) + 1
                if first is not None and r is first[0]:
                    self.stats.primary_ok += 1
                    out[i] = self._accept(r, v, "primary", [f"guard: first of {n} candidates kept"])
                elif first is not None:
                    self.stats.primary_ok += 1
                    self.stats.improved += 1
                    why = "the first was not personal, not specific or repeated"
                    out[i] = self._accept(r, v, "primary", [f"guard: a better candidate of {n} kept ({why})"])
                else:
                    self.stats.regenerated += 1
                    out[i] = self._accept(r, v, "regenerated", [
                        f"guard: first reason rejected ({'; '.join(failed.pop(i))}); candidate of {n} kept"])
                said.add(v.text, q)
        elif failed and regenerate is not None:
            again = regenerate([requests[i] for i in failed])
            for i, r in zip(list(failed), again or [], strict=again is not None):
                v = self.verdict(r, requests[i])
                if v.ok:
                    self.stats.regenerated += 1
                    notes = [f"guard: first reason rejected ({'; '.join(failed.pop(i))})"]
                    out[i] = self._accept(r, v, "regenerated", notes)
                else:
                    failed[i] = failed[i] + [f"retry {p}" for p in v.problems]
        if failed:
            idx = list(failed)
            for i, r in zip(idx, self.fallback.generate([requests[i] for i in idx])):
                self.stats.fallback += 1
                notes = [f"guard: replaced the {reasons[i].generator} reason ({'; '.join(failed[i])})"]
                v = self.verdict(r, requests[i])
                if v.ok:
                    out[i] = self._accept(r, v, "fallback", notes).model_copy(
                        update={"seconds": r.seconds + reasons[i].seconds})
                    continue
                # the fallback fails too: no reason is shown rather than a bad one, and that is counted
                self.stats.withheld += 1
                log.info("no reason shown for %s/%s: %s", requests[i].user.user_id, requests[i].item.item_id,
                         "; ".join(v.problems))
                notes.append("guard: no reason shown, the fallback fails too: " + "; ".join(v.problems))
                out[i] = r.model_copy(update={"text": "", "path": "withheld", "notes": [*r.notes, *notes],
                                              "seconds": r.seconds + reasons[i].seconds})
        return [r for r in out if r is not None]


def _strong(j, repeats: bool) -> bool:
    """A passing reason that needs no other candidate: personal, specific, readable, and not a repeat."""
    return j.personal and j.specific and j.fluent >= 2 and not repeats


Candidate = tuple[Reason, Verdict, Judgement]


def choose(cands: list[Candidate], request: ReasonRequest, said: _Said) -> Candidate | None:
    """The passing candidate a reader would take: personal and specific first, then fluent, and one that does
    not repeat a clause already said to this user or of this item loses a point; the earlier candidate wins a
    tie (the first is the greedy one)."""
    best, key = None, None
    for k, (r, v, j) in enumerate(cands):
        score = int(j.personal) + int(j.specific) + j.fluent / 3 - int(said.repeats(v.text, request))
        if key is None or (score, -k) > key:
            best, key = (r, v, j), (score, -k)
    return best


class _Said:
    """The clauses of the reasons chosen so far in one call, per user and per item (repetition control: a
    user's list should not read as one formula, "……，适合看重性能的你" ten times, nor an item's reasons for
    different users as copies)."""

    def __init__(self):
        self.by_user: dict[str, set[str]] = {}
        self.by_item: dict[str, set[str]] = {}

    @staticmethod
    def clauses(text: str, request: ReasonRequest) -> set[str]:
        title = (request.item.title or "").strip()
        if title:
            text = text.replace(title, " ")
        out = set()
        for part in re.split(r"[，,;；。.!！?？:：]", text.lower()):
            part = " ".join(part.split())
            long_enough = len(part.split()) >= 4 if request.lang.spaced else len(part) >= 5
            if long_enough:
                out.add(part)
        return out

    def repeats(self, text: str, request: ReasonRequest) -> bool:
        mine = self.clauses(text, request)
        return bool(mine & (self.by_user.get(request.user.user_id, set())
                            | self.by_item.get(request.item.item_id, set())))

    def add(self, text: str, request: ReasonRequest) -> None:
        mine = self.clauses(text, request)
        self.by_user.setdefault(request.user.user_id, set()).update(mine)
        self.by_item.setdefault(request.item.item_id, set()).update(mine)


def _names(title: str | None) -> list[str]:
    """The item's name as a reason may write it: the title, and its main part before a subtitle or a series
    ("The Fairest Beauty" of "The Fairest Beauty (Hagenheim)"): a name is no advertising claim."""
    if not title:
        return []
    main = re.split(r"\s*[(:（：\[]", title, maxsplit=1)[0].strip()
    return [title] + ([main] if main and main != title and len(main) >= 4 else [])


def write_reasons(generator: Generator, requests: Sequence[ReasonRequest], guard: Guard) -> list[Reason]:
    """The one reason pipeline: ``generator`` writes, ``guard`` checks, rejected reasons get the generator's
    one regeneration and then the guard's fitted fallback. One reason per request, in order.

    A generator with ``best_of`` n > 1 (the LLM's sampled candidates) is asked for n - 1 more candidates for
    each request whose first reason failed or is weak, and the guard keeps the best that passes."""
    requests = list(requests)
    if not requests:
        return []
    n = getattr(generator, "best_of", 1)
    if n > 1:
        return guard.check(generator.generate(requests), requests, regenerate=generator.regenerate,
                           more=lambda reqs: generator.candidates(reqs, n - 1))
    return guard.check(generator.generate(requests), requests, regenerate=generator.regenerate)


def catalog_values(dataset: Dataset) -> set[str]:
    """Every categorical attribute value and category name of the catalog (colours, materials, genres, 帐篷,
    Laptops ...): the values a reason may name only when the item has them (``grounding``'s attribute-value
    rule, ``claims``' type rule)."""
    from recreason.data.schema import load_json

    values: set[str] = set()
    for cats in dataset.items["category"]:
        if isinstance(cats, (list, tuple)) or hasattr(cats, "tolist"):
            values.update(c.strip() for c in list(cats) if isinstance(c, str) and c.strip())
    for raw in dataset.items["attributes"]:
        attrs = load_json(raw) if isinstance(raw, str) else raw  # JSON text; None or NaN when missing
        if not isinstance(attrs, dict):
            continue
        for v in attrs.values():
            for x in (v if isinstance(v, list) else [v]):
                if isinstance(x, str) and x.strip():
                    values.add(x.strip())
    return values


#: references the fallback template learns from at most (fitting grows with them; a sample says enough)
FALLBACK_FIT_ROWS = 5_000


def build_guard(dataset: Dataset | None = None, *, fallback: Generator | None = None, split: str = "train",
                banned_terms: BannedTerms | Sequence[str | Path] | str | Path | None = None,
                grounding: bool = True, tone: bool = True, drop_clause: bool = True,
                cache: Path | None = None) -> Guard:
    """The guard every caller shares: the catalog's values for grounding, and as the fallback ``fallback`` or
    a template generator fitted on ``dataset``'s references in ``split`` (all splits when None; at most
    ``FALLBACK_FIT_ROWS``, a seeded sample beyond that); an unfitted template when there are none.

    ``cache``: a folder for the fitted template (a workspace's ``models/fallback-template``): fitting takes
    seconds (13 s on the demo's 2,400 references), so it is loaded from there while the references it was
    fitted on are unchanged, and fitted and saved again when they change."""
    if fallback is None:
        fallback = _fitted_template(dataset, split, cache)
    values = catalog_values(dataset) if dataset is not None and len(dataset.items) else None
    reviews = dataset if dataset is not None and dataset.interactions["review"].notna().any() else None
    return Guard(fallback=fallback, banned_terms=banned_terms, grounding=grounding, catalog_values=values,
                 drop_clause=drop_clause, tone=tone, reviews=reviews)


def workspace_guard(folder: Path, dataset: Dataset) -> Guard:
    """``build_guard`` for a workspace folder, its fitted fallback kept in ``FOLDER/models/fallback-template``."""
    return build_guard(dataset, cache=Path(folder) / "models" / "fallback-template")


def _fitted_template(dataset: Dataset | None, split: str, cache: Path | None) -> Generator:
    import hashlib

    import pandas as pd

    from recreason.reasons import Generator, make_generator
    from recreason.reasons.examples import RequestBuilder

    if dataset is None or not len(dataset.references):
        return make_generator("template")
    refs = dataset.references
    digest = hashlib.sha256(pd.util.hash_pandas_object(refs, index=False).values.tobytes())
    digest.update(f"{split}:{FALLBACK_FIT_ROWS}".encode())
    key, stamp = digest.hexdigest(), (Path(cache) / "references.sha256" if cache else None)
    if stamp is not None and stamp.is_file() and stamp.read_text().strip() == key:
        try:
            return Generator.load(cache)
        except (OSError, ValueError, KeyError, TypeError) as err:
            log.warning("fallback template in %s not loaded (%s); fitting it again", cache, err)
    fitted = make_generator("template")
    fitted.fit(RequestBuilder(dataset).examples([split] if split else None, limit=FALLBACK_FIT_ROWS))
    if stamp is not None:
        try:
            stamp.unlink(missing_ok=True)  # the stamp is written last: a half-saved folder is never trusted
            fitted.save(cache)
            stamp.write_text(key + "\n")
        except OSError as err:  # a read-only workspace: fit again next time
            log.warning("fallback template not cached in %s: %s", cache, err)
    return fitted

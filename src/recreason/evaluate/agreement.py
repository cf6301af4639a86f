"""How well the judge agrees with people: a labelled judgement set read, judged and compared.

A judgement set is a folder (``tests/data/judgements`` is the project's; its ``GUIDE.md`` says how it was
labelled) with ``pool.jsonl`` (each reason with the item's data and the user's profile), ``labels.jsonl``
(one reader's label per reason), ``pairs.jsonl`` (which of two reasons for the same request a reader would
rather be shown), and optionally ``catalogs.json`` (each source's attribute values and category names),
``references.json`` (the reference text of each request that has one) and ``compliance.jsonl`` (sentences
labelled with their absolute advertising terms). Every row has a ``split``: ``tune`` or ``heldout``;
figures are reported per split, and the held-out half is the one that counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from recreason.guard.compliance import BannedTerms
from recreason.guard.judge import Judgement, judge, prefer, request_of
from recreason.reasons.base import ReasonRequest


@dataclass
class JudgementSet:
    rows: dict[str, dict]
    labels: dict[str, dict]
    pairs: list[dict]
    catalogs: dict[str, frozenset[str]] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    compliance: list[dict] = field(default_factory=list)

    def request(self, rid: str) -> ReasonRequest:
        r = self.rows[rid]
        return request_of(r["item"], r["user"], r["lang"])

    def catalog(self, rid: str) -> frozenset[str] | None:
        source = self.rows[rid]["source"]
        return self.catalogs.get(source) or self.catalogs.get(source.split("-")[0])

    def ids(self, split: str | None) -> list[str]:
        return [i for i, r in self.rows.items() if split is None or r["split"] == split]


def _jsonl(path: Path) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: not JSON ({e})") from None
    return out


def load_judgement_set(folder: str | Path) -> JudgementSet:
    folder = Path(folder)
    rows = {r["id"]: r for r in _jsonl(folder / "pool.jsonl")}
    labels = {r["id"]: r for r in _jsonl(folder / "labels.jsonl")}
    missing = [i for i in labels if i not in rows]
    if missing:
        raise ValueError(f"{folder / 'labels.jsonl'}: labels for reasons not in pool.jsonl: {missing[:3]}")
    pairs = _jsonl(folder / "pairs.jsonl")
    cat_file, ref_file, comp_file = folder / "catalogs.json", folder / "references.json", folder / "compliance.jsonl"
    catalogs = ({k: frozenset(v) for k, v in json.loads(cat_file.read_text(encoding="utf-8")).items()}
                if cat_file.is_file() else {})
    refs = json.loads(ref_file.read_text(encoding="utf-8")) if ref_file.is_file() else {}
    comp = _jsonl(comp_file) if comp_file.is_file() else []
    return JudgementSet(rows, labels, pairs, catalogs, refs, comp)


def judge_set(js: JudgementSet, ids: Iterable[str], verifier=None) -> dict[str, Judgement]:
    banned = BannedTerms.load(None)
    return {i: judge(js.rows[i]["reason"], js.request(i), js.catalog(i), banned, verifier) for i in ids}


def binary(pred: Iterable[bool], gold: Iterable[bool]) -> dict:
    """Precision, recall and counts of a yes/no prediction against labels."""
    tp = fp = fn = tn = 0
    for p, g in zip(pred, gold, strict=True):
        tp += p and g
        fp += p and not g
        fn += g and not p
        tn += not p and not g
    return {"precision": tp / (tp + fp) if tp + fp else None, "recall": tp / (tp + fn) if tp + fn else None,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn, "n": tp + fp + fn + tn}


def reason_agreement(js: JudgementSet, judged: dict[str, Judgement]) -> dict:
    ids = list(judged)
    lab = [js.labels[i] for i in ids]
    jd = [judged[i] for i in ids]
    return {
        "false": binary([j.false for j in jd], [bool(x["false"]) for x in lab]),
        "against": binary([j.stance == "against" for j in jd], [x["stance"] == "against" for x in lab]),
        "degenerate": binary([j.degenerate for j in jd], [bool(x["degenerate"]) for x in lab]),
        "non_compliant": binary([not j.compliant for j in jd], [not x["compliant"] for x in lab]),
        "not_shown": binary([not j.show for j in jd], [not x["show"] for x in lab]),
        "personal": _accuracy([j.personal for j in jd], [bool(x["personal"]) for x in lab]),
        "specific": _accuracy([j.specific for j in jd], [bool(x["specific"]) for x in lab]),
        "fluent": _accuracy([j.fluent for j in jd], [int(x["fluent"]) for x in lab]),
    }


def _accuracy(pred: list, gold: list) -> dict:
    return {"accuracy": sum(p == g for p, g in zip(pred, gold)) / len(gold) if gold else None, "n": len(gold)}


def compliance_recall(js: JudgementSet, split: str | None, banned: BannedTerms | None = None) -> dict:
    """The compliance check against sentences labelled with their absolute terms (``compliance.jsonl``)."""
    banned = banned or BannedTerms.load(None)
    rows = [r for r in js.compliance if split is None or r.get("split") == split]
    return binary([bool(banned.find(r["text"])) for r in rows], [bool(r["absolute"]) for r in rows])


def pair_agreement(js: JudgementSet, split: str | None, judged: dict[str, Judgement],
                   scorers: dict[str, Callable[[str, str, str], float]] | None = None) -> dict:
    """Share of labelled pairs (a or b preferred, ties left out) where the judge, and each reference-based
    scorer (``scorer(candidate, reference, lang) -> score``), prefers the same reason. Scorers are compared
    on the pairs whose request has a reference, and the judge on those same pairs beside its figure on all."""
    pairs = [p for p in js.pairs if (split is None or p["split"] == split) and p["prefer"] in ("a", "b")]
    out = {"pairs": len(pairs), "judge": _share([prefer(judged[p["a"]], judged[p["b"]]) == p["prefer"] for p in pairs])}
    with_ref = [p for p in pairs if p["request"] in js.references]
    out["pairs_with_reference"] = len(with_ref)
    out["judge_on_reference_pairs"] = _share([prefer(judged[p["a"]], judged[p["b"]]) == p["prefer"] for p in with_ref])
    for name, score in (scorers or {}).items():
        hits = []
        for p in with_ref:
            ref, lang = js.references[p["request"]], js.rows[p["a"]]["lang"]
            sa, sb = score(js.rows[p["a"]]["reason"], ref, lang), score(js.rows[p["b"]]["reason"], ref, lang)
            hits.append(("a" if sa > sb else "b" if sb > sa else "tie") == p["prefer"])
        out[name] = _share(hits)
    return out


def _share(hits: list[bool]) -> float | None:
    return sum(hits) / len(hits) if hits else None

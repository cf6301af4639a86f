"""The pool of reasons that the judgement set labels (``tests/data/judgements/``): raw generator output, before
any guard, for seeded (user, item) requests of seven sources, each reason stored with the item's data and
the user's profile as the generator saw them, so that a reader (and a test) can judge it without
``../shared``.

    .venv/bin/python -m benchmarks.judgement_pool --out tests/data/judgements/pool.jsonl

Sources (``../shared/data`` unless noted) and generators:

* ``xrec-google``, ``xrec-amazon``: XRec's test rows; the template generator fitted on 1,000 other rows,
  the LLM few-shot (Qwen2.5 0.5B, shots from the other rows) and XRec's released outputs.
* ``giftcards``: Amazon gift cards 2018 (reviews + metadata): template fitted on the review references, LLM.
* ``clothing``: women's clothing reviews. The data has no user ids: each reviewer is one user whose history
  is their one review, and the request is another item of the same class (the template is unfitted: there
  are no references).
* ``zh-shopping``: the Chinese online-shopping reviews (10 categories, no users, no products): one item per
  category (its aspects mined from that category's reviews) and pseudo-users of three reviews each from
  random categories. Labelled synthetic grouping of real text.
* ``advertisegen``: the Chinese ad-copy dev set (no users): template fitted on other rows, LLM, PETER.
* ``sample-zh``, ``sample-en``: the embedded sample: template, LLM, a PETER model trained a few epochs.

Each record: id (``source/n/generator``), request (``source/n``), source, lang, generator, split (``tune``
or ``heldout``, by a hash of the request, so both reasons of a pair fall on the same side), item and user
(the profiles, long texts cut to 600 characters), reason.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

from benchmarks import real_sources
from benchmarks._common import load_dataset, load_xrec, shared_data, warn
from recreason.data.dataset import Dataset
from recreason.reasons import make_generator
from recreason.reasons.base import ReasonRequest, TrainingExample

CUT = 600


def split_of(request_id: str) -> str:
    """The fixed held-out half: by a hash of the request id (both reasons of a pair on one side)."""
    return "heldout" if hashlib.sha256(request_id.encode()).digest()[0] % 2 else "tune"


def _cut(value):
    if isinstance(value, str) and len(value) > CUT:
        return value[:CUT] + "…"
    return value


def _profile(model) -> dict:
    raw = model.model_dump(mode="json", exclude_defaults=True)
    for key in ("aspects", "categories", "attributes"):
        if isinstance(raw.get(key), list):
            raw[key] = raw[key][:8]
    for a in raw.get("aspects", []) if isinstance(raw.get("aspects"), list) else []:
        if "example" in a:
            a["example"] = _cut(a["example"])
    return {k: _cut(v) for k, v in raw.items()}


class Pool:
    """The rows written; with ``generate`` False, only each request's reference (``--references``)."""

    def __init__(self, generate: bool = True):
        self.rows: list[dict] = []
        self.references: dict[str, str] = {}
        self.generate = generate

    def add(self, source: str, requests: list[ReasonRequest], texts: dict[str, list[str | None]],
            references: list[str | None] | None = None) -> None:
        for n, req in enumerate(requests):
            rid = f"{source}/{n}"
            if references is not None and references[n]:
                self.references[rid] = references[n]
            for gen, out in texts.items():
                text = out[n]
                if text is None:
                    continue
                self.rows.append({"id": f"{rid}/{gen}", "request": rid, "source": source, "lang": str(req.lang),
                                  "generator": gen, "split": split_of(rid), "item": _profile(req.item),
                                  "user": _profile(req.user), "reason": text.strip()})
        print(f"{source}: {len(requests)} requests, generators {', '.join(texts)}", flush=True)


GENERATE = True  # False: requests and references only (``--references``), no generator is fitted or run


def _texts(generator, requests) -> list[str]:
    if not GENERATE:
        return [None] * len(requests)
    return [r.text for r in generator.generate(requests)]


def _llm(pool_examples: list[TrainingExample], backend):
    from recreason.reasons.llm import LLMGenerator

    if not GENERATE:
        return None

    return LLMGenerator(model="qwen2.5-coder-0.5b", backend=backend, seed=0).fit(pool_examples)


def _peter(train: list[TrainingExample], epochs: int):
    if not GENERATE:
        return None
    return make_generator("peter", epochs=epochs, d_model=128, d_ff=256, progress=False, seed=0,
                          threads=2).fit(train)


def xrec_source(name: str, n: int, backend, pool: Pool) -> None:
    data = load_xrec(shared_data("xrec", name))
    order = random.Random(0).sample(range(len(data)), len(data))
    test, rest = order[:n], order[n:]
    shots = data.examples(rest[:1000])
    reqs = [data.requests[i] for i in test]
    template = make_generator("template").fit(shots) if GENERATE else None
    pool.add(f"xrec-{name}", reqs, {"template": _texts(template, reqs), "llm-qwen0.5b": _texts(_llm(shots, backend), reqs),
                                    "xrec": [data.predictions[i] for i in test]}, [data.references[i] for i in test])


def dataset_source(source: str, dataset: Dataset, n: int, backend, pool: Pool, peter_epochs: int = 0,
                   lang: str | None = None) -> None:
    src = real_sources.dataset_source(source, dataset, n, 0, lang)
    reqs, train = src.requests, src.train
    texts = {"template": _texts(make_generator("template").fit(train[:5000]) if GENERATE else None, reqs),
             "llm-qwen0.5b": _texts(_llm(train[:2000], backend), reqs)}
    if peter_epochs:
        texts["peter"] = _texts(_peter(train[:20000], peter_epochs), reqs)
    pool.add(source, reqs, texts, src.references)


def clothing_source(n: int, backend, pool: Pool, folder: Path) -> None:
    reqs = real_sources.clothing(n, folder).requests
    shots = []  # no references: the LLM writes zero-shot, the template unfitted, as on a fresh workspace
    pool.add("clothing", reqs, {"template": _texts(make_generator("template"), reqs),
                                "llm-qwen0.5b": _texts(_llm(shots, backend), reqs)})


def zh_shopping_source(n: int, backend, pool: Pool, folder: Path) -> None:
    reqs = real_sources.zh_shopping(n, folder).requests
    pool.add("zh-shopping", reqs, {"template": _texts(make_generator("template"), reqs),
                                   "llm-qwen0.5b": _texts(_llm([], backend), reqs)})


def write_catalogs(path: Path, work: Path) -> None:
    """Each source's catalog: the attribute values and category names of all its items (what the claim
    checker's value and type rules compare against), so that the judgement set is checked without the data."""
    from benchmarks._common import ensure_sample
    from recreason.guard.pipeline import catalog_values

    sources = {"giftcards": lambda: load_dataset(shared_data("amazon-giftcards-2018")),
               "advertisegen": lambda: load_dataset(shared_data("zh-advertisegen-dev", "dev.json"), "advertisegen"),
               "sample": lambda: load_dataset(ensure_sample(work / "sample")),
               "clothing": lambda: load_dataset(work / "clothing"),
               "zh-shopping": lambda: load_dataset(work / "zh-shopping")}
    out = {}
    for name, load in sources.items():
        out[name] = sorted(catalog_values(load()))
    path.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    warn(f"catalogs of {', '.join(out)} in {path}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=Path("tests/data/judgements/pool.jsonl"))
    p.add_argument("--work", type=Path, default=Path(".recreason/bench/judgement_pool"))
    p.add_argument("--only", nargs="*", help="only these sources")
    p.add_argument("--references", type=Path, help="write only each request's reference text (JSON) to this "
                   "file: the same seeded requests, no generator run")
    p.add_argument("--catalogs", type=Path, help="write only the sources' catalogs to this JSON file "
                   "(after a run that made the work folder)")
    args = p.parse_args()
    if args.catalogs:
        return write_catalogs(args.catalogs, args.work)
    global GENERATE
    GENERATE = args.references is None
    from recreason.reasons.llm.backends import make_backend

    backend = make_backend("qwen2.5-coder-0.5b", threads=2) if GENERATE else None
    pool = Pool()
    want = (lambda s: not args.only or s in args.only)
    if want("xrec-google"):
        xrec_source("google", 25, backend, pool)
    if want("xrec-amazon"):
        xrec_source("amazon", 25, backend, pool)
    if want("giftcards"):
        dataset_source("giftcards", load_dataset(shared_data("amazon-giftcards-2018")), 25, backend, pool)
    if want("clothing"):
        clothing_source(22, backend, pool, args.work / "clothing")
    if want("zh-shopping"):
        zh_shopping_source(30, backend, pool, args.work / "zh-shopping")
    if want("advertisegen"):
        dataset_source("advertisegen", load_dataset(shared_data("zh-advertisegen-dev", "dev.json"), "advertisegen"),
                       35, backend, pool, peter_epochs=3)
    if want("sample-zh") or want("sample-en"):
        from benchmarks._common import ensure_sample

        sample = load_dataset(ensure_sample(args.work / "sample"))
        for lang in ("zh", "en"):
            if want(f"sample-{lang}"):
                dataset_source(f"sample-{lang}", sample, 30 if lang == "zh" else 20, backend, pool,
                               peter_epochs=3, lang=lang)
    if not GENERATE:
        args.references.write_text(json.dumps(pool.references, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        return warn(f"{len(pool.references)} references in {args.references}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for row in pool.rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    by_lang = defaultdict(int)
    for row in pool.rows:
        by_lang[row["lang"]] += 1
    warn(f"{len(pool.rows)} reasons ({dict(by_lang)}) in {args.out}")


if __name__ == "__main__":
    main()

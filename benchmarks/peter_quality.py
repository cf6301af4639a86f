"""PETER / PETER+ quality on NETE/PETER-format data built here from real reviews and from the sample.

    .venv/bin/python -m benchmarks.peter_quality --out /tmp/peter_quality                    # both data sets
    .venv/bin/python -m benchmarks.peter_quality --out DIR --parts giftcards --threads 1 --json DIR/giftcards.json
    .venv/bin/python -m benchmarks.peter_quality --out DIR --parts sample --splits 1 --epochs 1 --size small  # quick

For each source of reviews with user ids:

* ``giftcards``: the Amazon 2018 Gift Cards 5-core reviews (``shared/data/amazon-giftcards-2018``:
  reviewerID, asin, overall, reviewText), real text.
* ``sample``: the review events of the embedded SYNTHETIC sample (``recreason.sample.build_sample``),
  half Chinese, half English.

the script (1) mines one ``(feature, adjective, sentence, sentiment)`` per review with
``recreason.aspects.best_template`` (reviews without an aspect are dropped), lower-cased and
tokenized as NETE/PETER store them (English: regex words and punctuation; Chinese: jieba words),
joined by spaces; (2) writes PETER's layout: ``reviews.pickle`` (list of dicts with exactly user,
item, rating, template) and ``k/{train,validation,test}.index`` for k = 1..``--splits`` (one line of
indices, 8:1:1, split k shuffled with seed + k; as in PETER every user and item has a training record:
a validation / test record whose user or item would otherwise be missing from train is moved to
train, so the held-out parts come out smaller than 10 %); (3) reads each split back through
``recreason.data.ingest.ingest(folder, fmt="peter", opts=ReadOptions(split=k))``; (4) builds requests:
PETER data has ids only, so user and item profiles hold the aspects of their TRAINING records
(feature, count, sentiment, opinions, an example sentence), the pair's rating goes in
``context["rating"]``; (5) trains PETER+ (feature-conditioned: the test record's feature is given, as in
PETER+) and PETER (no feature) at PETER's size (``--size peter``: 2 layers, d 512; batch 32 by default
because these sets are small), and runs the template generator (given the same feature) for
comparison; PETER+ is decoded twice, with and without ``require_feature`` (no <eos> before the feature
is written); every generator writes through the reason pipeline (``write_reasons``; fallback: the template
generator fitted on the same training split), and the tables score what the generator wrote before the
guard ("fallback" is the share of reasons the guard replaced); (6) scores the test split with ``recreason.evaluate.suite.evaluate_reasons``: BLEU-1/4,
ROUGE-1/2/L F (PETER definitions, whitespace tokens, against the full reference sentence, which PETER
instead truncates to 15 words), USR, FMR / FCR / DIV (feature set = every feature of the data set),
the unsupported-claim rate and personalization, plus RMSE / MAE of the predicted ratings. Tables give
the mean over the splits (and the standard deviation of FMR and BLEU-4); "feat. in vocab" is the share
of test features whose words all occur in the training text (PETER itself can say no other; the
pointer of PETER+ here can copy such words).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import pickle
import random
import sys
from pathlib import Path

from benchmarks._common import fold_guard, peak_rss_mb, shared_data, timed, write
from recreason.aspects import best_template
from recreason.data.ingest import ingest
from recreason.data.readers.base import ReadOptions
from recreason.profiles.models import AspectPreference, AspectSummary, ItemProfile, UserProfile
from recreason.reasons import ReasonRequest, TrainingExample, make_generator
from recreason.text import detect, tokenize

PETER_SIZE = {"d_model": 512, "n_heads": 2, "n_layers": 2, "d_ff": 2048}


# ---------------------------------------------------------------------------- PETER-format data


def pretokenize(text: str, lang: str) -> str:
    """NETE/PETER store sentences lower-cased and tokenized, tokens joined by spaces."""
    return " ".join(tokenize(text.lower(), lang, "word"))


def giftcard_reviews() -> list[dict]:
    with gzip.open(shared_data("amazon-giftcards-2018", "Gift_Cards_5.json.gz"), "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [{"user": r["reviewerID"], "item": r["asin"], "rating": int(r["overall"]), "text": r["reviewText"]}
            for r in rows if isinstance(r.get("reviewText"), str) and r["reviewText"].strip()]


def sample_reviews() -> list[dict]:
    from recreason.sample import build_sample

    inter = build_sample().interactions
    rows = inter[inter["review"].notna() & inter["rating"].notna() & inter["user_id"].notna()]
    return [{"user": r.user_id, "item": r.item_id, "rating": round(r.rating), "text": r.review}
            for r in rows.itertuples(index=False)]


def to_records(reviews: list[dict]) -> list[dict]:
    """PETER records: user, item, rating, template = (feature, adjective, sentence, sentiment)."""
    out = []
    for r in reviews:
        lang = detect(r["text"])
        tpl = best_template(r["text"], lang)
        if tpl is None:
            continue
        feature, opinion, sentence, sentiment = tpl
        sentence = pretokenize(sentence, lang)
        if not sentence:
            continue
        out.append({"user": r["user"], "item": r["item"], "rating": r["rating"],
                    "template": (pretokenize(feature, lang), pretokenize(opinion, lang), sentence, sentiment)})
    return out


def split_indices(records: list[dict], seed: int) -> dict[str, list[int]]:
    """8:1:1, seeded; a held-out record whose user or item has no training record moves to train."""
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    n_train, n_valid = int(0.8 * len(order)), int(0.1 * len(order))
    parts = {"train": order[:n_train], "validation": order[n_train:n_train + n_valid],
             "test": order[n_train + n_valid:]}
    users = {records[i]["user"] for i in parts["train"]}
    items = {records[i]["item"] for i in parts["train"]}
    for name in ("validation", "test"):
        keep = []
        for i in parts[name]:
            if records[i]["user"] in users and records[i]["item"] in items:
                keep.append(i)
            else:
                parts["train"].append(i)
                users.add(records[i]["user"])
                items.add(records[i]["item"])
        parts[name] = keep
    return {k: sorted(v) for k, v in parts.items()}


def write_peter_layout(records: list[dict], folder: Path, seed: int, n_splits: int = 5) -> list[dict[str, int]]:
    """reviews.pickle plus split folders 1/ .. n/ (split k shuffled with seed + k); sizes per split."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "reviews.pickle", "wb") as f:
        pickle.dump(records, f)
    sizes = []
    for k in range(1, n_splits + 1):
        (folder / str(k)).mkdir(exist_ok=True)
        parts = split_indices(records, seed + k)
        for name, idx in parts.items():
            (folder / str(k) / f"{name}.index").write_text(" ".join(map(str, idx)), encoding="utf-8")
        sizes.append({key: len(v) for key, v in parts.items()})
    return sizes


# ---------------------------------------------------------------------------- training and scoring


def profiles_from_train(refs) -> tuple[dict, dict]:
    """PETER data has ids only: user and item profiles are the aspects of their TRAINING records
    (feature, how often, sentiment, top opinion words, one example sentence)."""
    from collections import Counter, defaultdict

    by_user, by_item = defaultdict(list), defaultdict(list)
    for r in refs.itertuples(index=False):
        if r.split == "train" and isinstance(r.feature, str):
            by_user[r.user_id].append(r)
            by_item[r.item_id].append(r)
    users, items = {}, {}
    for uid, rows in by_user.items():
        feats = Counter(r.feature for r in rows)
        aspects = [AspectPreference(feature=f, weight=n / len(rows), mentions=n,
                                    sentiment=sum(r.sentiment or 0 for r in rows if r.feature == f) / n)
                   for f, n in feats.most_common(8)]
        users[uid] = UserProfile(user_id=uid, language=detect(rows[0].text), aspects=aspects)
    for iid, rows in by_item.items():
        feats = Counter(r.feature for r in rows)
        aspects = []
        for f, n in feats.most_common(10):
            mine = [r for r in rows if r.feature == f]
            opinions = [o for o, _ in Counter(r.opinion for r in mine if isinstance(r.opinion, str)).most_common(3)]
            aspects.append(AspectSummary(feature=f, mentions=n, positive=sum((r.sentiment or 0) > 0 for r in mine),
                                         negative=sum((r.sentiment or 0) < 0 for r in mine), opinions=opinions,
                                         example=mine[0].text))
        items[iid] = ItemProfile(item_id=iid, language=detect(rows[0].text), aspects=aspects)
    return users, items


def examples_from(folder: Path, split: int = 1) -> tuple[dict[str, list[TrainingExample]], set[str], dict]:
    """Read the PETER folder back through the adapter (split folder ``split``); examples per split."""
    report = ingest(folder, fmt="peter", opts=ReadOptions(split=str(split)))
    ds = report.dataset
    inter, refs = ds.interactions, ds.references
    ratings = {(u, i, t): r for u, i, t, r in zip(inter.user_id, inter.item_id, inter.review, inter.rating)}
    users, items = profiles_from_train(refs)
    out: dict[str, list[TrainingExample]] = {"train": [], "validation": [], "test": []}
    for r in refs.itertuples(index=False):
        if r.split not in out:
            continue
        lang = detect(r.text)
        rating = ratings.get((r.user_id, r.item_id, r.text))
        ctx = {"rating": str(rating)} if rating is not None and not math.isnan(rating) else {}
        req = ReasonRequest(user=users.get(r.user_id) or UserProfile(user_id=r.user_id, language=lang),
                            item=items.get(r.item_id) or ItemProfile(item_id=r.item_id, language=lang),
                            feature=r.feature, language=lang, context=ctx)
        out[r.split].append(TrainingExample(request=req, text=r.text))
    features = {f for f in refs["feature"] if isinstance(f, str)}
    return out, features, {"read": report.read, "rejected": report.rejected, "notes": report.notes}


def score(name: str, gen, test: list[TrainingExample], features: set[str], guard, given: bool = True,
          normalise: bool = False) -> dict:
    """The test split's metric row of what ``gen`` wrote (through the pipeline, before the guard); ``given=False``
    takes the feature out of the requests (plain PETER) while FMR still checks the ground-truth feature.
    ``normalise``: lower-case and tokenize the outputs as the references are stored (for generators that
    write ordinary text, such as the template one)."""
    from recreason.evaluate.suite import evaluate_reasons

    truth = [ex.request.feature or "" for ex in test]
    reqs = [ex.request if given else ex.request.model_copy(update={"feature": None}) for ex in test]
    written = write(gen, reqs, guard)
    texts, gen_s = [r.text for r in written.raw], written.generate.wall
    if normalise:
        texts = [pretokenize(t, detect(t)) for t in texts]
    row = evaluate_reasons(texts, [ex.text for ex in test], [r.user for r in reqs], [r.item for r in reqs],
                           lang=None, tokenization="peter", semantic=False,
                           features=truth, feature_set=features)
    row.pop("details", None)
    if hasattr(gen, "predict_ratings"):
        stars = [float(r.context["rating"]) for r in reqs]
        pred = gen.predict_ratings(reqs)
        row["rmse"] = math.sqrt(sum((p - t) ** 2 for p, t in zip(pred, stars)) / len(stars))
        row["mae"] = sum(abs(p - t) for p, t in zip(pred, stars)) / len(stars)
    row["reasons_per_s"] = len(reqs) / gen_s
    row["paths"] = written.paths()
    row["fallback"] = row["paths"]["fallback"] / len(reqs)
    row["examples"] = [{"feature": r.feature, "reference": ex.text, "generated": t}
                       for r, ex, t in list(zip(reqs, test, texts))[:5]]
    print(f"  {name}: FMR {row.get('fmr', 0):.3f}  BLEU-4 {row.get('bleu_4', 0):.2f}  USR {row['usr']:.3f}",
          file=sys.stderr, flush=True)
    return row


def run_split(folder: Path, k: int, base: dict, only_template: bool = False) -> dict[str, dict]:
    """Train and score every generator on split folder ``k``."""
    splits, features, read = examples_from(folder, k)
    test, rows = splits["test"], {}
    vocab = {w for ex in splits["train"] for w in ex.text.split()}
    bound = sum(all(w in vocab for w in ex.request.feature.split()) for ex in test) / len(test)
    template = make_generator("template").fit(splits["train"])
    guard = fold_guard(template, splits["train"])  # the fallback: the template fitted on this training split
    for label, given in () if only_template else (("PETER+ (feature given)", True), ("PETER", False)):
        gen = make_generator("peter", **base, feature_conditioned=given)
        with timed() as fit:
            gen.fit(splits["train"], splits["validation"])  # plain PETER ignores the requests' feature
        row = score(f"split {k} {label}", gen, test, features, guard, given)
        row.update({"fit_seconds": fit.wall, "epochs_run": len(gen.history),
                    "best_epoch": min(gen.history, key=lambda h: h["val_loss"])["epoch"]})
        rows[label] = row
        if given:  # the same model decoded without the require_feature rule (plain greedy)
            gen.settings["require_feature"] = False
            rows["PETER+ without require_feature"] = score(f"split {k} PETER+ free", gen, test, features, guard)
    rows["template (feature given)"] = score(f"split {k} template", template, test, features, guard,
                                             normalise=True)
    for row in rows.values():
        row.update({"fmr_bound": bound, "ingest_rejected": read["rejected"], "features": len(features)})
    return rows


def mean_rows(per_split: list[dict[str, dict]]) -> dict[str, dict]:
    """Mean of every numeric metric over the splits, plus ``<key>_std`` for FMR and BLEU-4."""
    out = {}
    for label in per_split[0]:
        rows = [s[label] for s in per_split]
        keys = [k for k, v in rows[0].items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        out[label] = {k: sum(r[k] for r in rows) / len(rows) for k in keys if all(r.get(k) is not None for r in rows)}
        for k in ("fmr", "bleu_4"):
            if k in out[label] and len(rows) > 1:
                m = out[label][k]
                out[label][f"{k}_std"] = math.sqrt(sum((r[k] - m) ** 2 for r in rows) / (len(rows) - 1))
        out[label]["examples"] = rows[0].get("examples", [])
    return out


def run_source(name: str, reviews: list[dict], out: Path, args) -> dict:
    with timed() as mining:
        records = to_records(reviews)
    folder = out / name
    sizes = write_peter_layout(records, folder, args.seed, args.splits)
    print(f"== {name}: {len(reviews)} reviews -> {len(records)} records with an aspect "
          f"({mining.wall:.0f} s); splits {sizes}; written to {folder}", file=sys.stderr, flush=True)
    size = PETER_SIZE if args.size == "peter" else {"d_model": 256, "n_heads": 2, "n_layers": 2, "d_ff": 1024}
    base = {**size, "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
            "tokenization": "whitespace", "progress": args.progress, "threads": args.threads}
    per_split = [run_split(folder, k, base, args.only_template) for k in range(1, args.splits + 1)]
    return {"records": len(records), "reviews": len(reviews), "splits": sizes, "config": base,
            "rows": mean_rows(per_split), "per_split": per_split,
            "peak_rss_gb": peak_rss_mb() / 1024}


COLUMNS = [("bleu_1", "BLEU-1", 2), ("bleu_4", "BLEU-4", 2), ("bleu_4_std", "± sd", 2), ("rouge_1", "R-1 F", 2), ("rouge_2", "R-2 F", 2),
           ("rouge_l", "R-L F", 2), ("usr", "USR", 3), ("fmr", "FMR", 3), ("fmr_std", "± sd", 3),
           ("fmr_bound", "feat. in vocab", 3), ("fcr", "FCR", 3), ("div", "DIV", 3),
           ("unsupported_rate", "Unsup", 3), ("rmse", "RMSE", 3), ("mae", "MAE", 3), ("mean_length", "Len", 1),
           ("reasons_per_s", "reasons/s", 0), ("fit_seconds", "fit s", 0), ("fallback", "fallback", 3), ("n", "n", 0)]


def table(result: dict) -> str:
    lines = ["| generator | " + " | ".join(h for _, h, _ in COLUMNS) + " |", "|---|" + "---:|" * len(COLUMNS)]
    for label, row in result["rows"].items():
        cells = [("n/a" if row.get(k) is None else f"{row[k]:.{p}f}") for k, _, p in COLUMNS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the PETER-format data (not the repo)")
    parser.add_argument("--parts", default="giftcards,sample")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32, help="PETER uses 128; these sets are small")
    parser.add_argument("--splits", type=int, default=5, help="random 8:1:1 splits, as PETER (mean reported)")
    parser.add_argument("--size", choices=("peter", "small"), default="peter")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--only-template", action="store_true", help="only the template rows (seconds)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    results = {}
    for part in args.parts.split(","):
        if part == "giftcards":
            results[part] = run_source(part, giftcard_reviews(), args.out, args)
        elif part == "sample":
            try:
                reviews = sample_reviews()
            except ImportError as e:
                print(f"skip sample: recreason.sample is not importable ({e})", file=sys.stderr)
                continue
            results[part] = run_source(part, reviews, args.out, args)
        else:
            raise SystemExit(f"unknown part {part!r}")
        r = results[part]
        first = next(iter(r["per_split"][0].values()))
        print(f"\n### {part}: {r['records']} records ({r['reviews']} reviews), {args.splits} splits "
              f"(split 1: {r['splits'][0]}), {first['features']} features; mean over the splits; "
              f"peak RSS {r['peak_rss_gb']:.2f} GB\n")
        print(table(r), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""LLM reasons on AdvertiseGen dev (Chinese clothing attributes -> ad copy): five folds, seeded subsample.

    .venv/bin/python -m benchmarks.llm_adgen --model qwen2.5-coder-0.5b --rows 50 --out results/llm_adgen_qwen05.json
    .venv/bin/python -m benchmarks.llm_adgen --model qwen2.5-coder-0.5b --rows 50 --sentences 3 --max-len 150
    .venv/bin/python -m benchmarks.llm_adgen --rows 5 --folds 5   # a quick check that it runs

``dev.json`` is read by the project's ``advertisegen`` reader (``load_dataset``): each line is a reference
(the ad copy) for an item made from its ``content`` (``类型#上衣*材质#牛仔布*...``; lines with the same
content share one item). The request is for an anonymous user and an item whose title is its 类型
value(s) and whose attributes are the other pairs (a repeated key keeps every value). The 1,070 lines are
cut into ``--folds`` folds (seeded); ``rows / folds`` seeded rows of each fold get a reason from an
``LLMGenerator`` whose shot pool is the other folds' (request, ad copy) pairs, written through the reason
pipeline (``build_guard(dataset)``: the data set's attribute values as the catalog, so a colour or
material the item does not have is an unsupported claim; one sampled regeneration; an unfitted template
as the fallback). Scores: AdGen BLEU-4 (characters, as ChatGLM's ptuning scores it, ``adgen_bleu4``),
ROUGE-L F on characters (PETER's rouge), mean length, and the unsupported-claim rate before and after the
guard. The references are whole ad paragraphs (111 characters on average); the generator's product
setting is one sentence of at most 80 characters, so ``--sentences`` / ``--max-len`` show the length
effect. ``--rows-out FILE.jsonl`` keeps every finished row, so that a restart with the same settings
skips them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from benchmarks._common import RowLog, load_dataset, machine, markdown_table, peak_rss_mb, shared_data, write
from recreason.data.schema import load_json
from recreason.evaluate.lexical import adgen_bleu4, peter_rouge
from recreason.guard.judge import judge_reasons
from recreason.guard.pipeline import build_guard
from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons import ReasonRequest, TrainingExample, make_generator
from recreason.reasons.llm import LLMGenerator

ANON = UserProfile(user_id="anonymous", language="zh")
TYPE_KEY = "类型"


def requests_of(dataset) -> list[ReasonRequest]:
    """One request per reference row, in file order: title = the 类型 value(s), attributes = the rest."""
    items = {}
    for row in dataset.items.itertuples(index=False):
        attrs = load_json(row.attributes) if isinstance(row.attributes, str) else dict(row.attributes or {})
        attrs.pop(TYPE_KEY, None)
        items[row.item_id] = ItemProfile(item_id=row.item_id, title="、".join(row.category) or None,
                                         language="zh", attributes=attrs)
    return [ReasonRequest(user=ANON, item=items[iid], language="zh") for iid in dataset.references["item_id"]]


def chars(texts: list[str]) -> list[list[str]]:
    return [[c for c in t if not c.isspace()] for t in texts]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="qwen2.5-coder-0.5b")
    p.add_argument("--lora", default=None)
    p.add_argument("--data", type=Path, default=None, help="AdvertiseGen file (default: shared dev.json)")
    p.add_argument("--rows", type=int, default=50)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shots", type=int, default=2)
    p.add_argument("--sentences", type=int, default=1)
    p.add_argument("--max-len", type=int, default=None, help="characters (default: the generator's 80)")
    p.add_argument("--rows-out", type=Path, default=None, help="JSONL of finished rows; a restart skips them")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)

    from recreason.reasons.llm.backends import make_backend

    dataset = load_dataset(args.data or shared_data("zh-advertisegen-dev", "dev.json"), "advertisegen")
    requests, texts = requests_of(dataset), list(dataset.references["text"])
    guard = build_guard(dataset, fallback=make_generator("template"))
    catalog = guard.catalog_values
    order = np.random.default_rng(args.seed).permutation(len(requests))
    backend = make_backend(args.model, lora=args.lora)
    log = RowLog(args.rows_out, {k: getattr(args, k) for k in ("model", "lora", "shots", "sentences", "max_len",
                                                                "seed", "folds")})
    idx_all = []
    for f, test in enumerate(np.array_split(order, args.folds)):
        sample = [int(j) for j in test[: args.rows // args.folds]]
        idx_all += sample
        todo = [j for j in sample if f"adgen:{j}" not in log.done]
        if not todo:
            continue
        held = set(test.tolist())
        pool = [TrainingExample(request=requests[j], text=texts[j]) for j in range(len(requests)) if j not in held]
        gen = LLMGenerator(model=args.model, backend=backend, shots=args.shots, max_sentences=args.sentences,
                           max_length={"zh": args.max_len} if args.max_len else None).fit(pool)
        part = write(gen, [requests[j] for j in todo], guard)
        for j, r, g in zip(todo, part.raw, part.final, strict=True):
            log.add(f"adgen:{j}", {"raw": r.text, "final": g.text, "path": g.path,
                                   "wall_s": part.generate.wall / len(todo), "notes": g.notes})
        print(f"  fold {f + 1}: {len(todo)} reasons, paths {part.paths()}, load {os.getloadavg()[0]:.1f}",
              file=sys.stderr)
    done = [log.done[f"adgen:{j}"] for j in idx_all]
    refs = [texts[j] for j in idx_all]
    table = {}
    for name in ("raw", "final"):
        cands = [d[name] for d in done]
        claims = judge_reasons(cands, [requests[j] for j in idx_all], catalog_values=catalog)  # the judge (#12)
        table["guard" if name == "final" else name] = {
            "bleu_4": adgen_bleu4(refs, cands), "rouge_l": peter_rouge(chars(refs), chars(cands))["rouge_l/f_score"],
            "unsupported_rate": claims["false_rate"], "mean_chars": float(np.mean([len(c) for c in cands])),
            "examples": claims["examples"][:5]}
    paths = [d["path"] for d in done]
    out = {"model": args.model, "lora": args.lora, "rows": len(done), "shots": args.shots,
           "sentences": args.sentences, "max_len": args.max_len, "table": table,
           "seconds_per_reason": sum(d["wall_s"] for d in done) / len(done),
           "paths": {k: paths.count(k) for k in ("primary", "regenerated", "fallback")},
           "guard_problems_this_run": dict(guard.stats.problems), "peak_rss_gb": peak_rss_mb() / 1024,
           "machine": machine(),
           "examples": [{"reference": refs[i], "raw": d["raw"], "final": d["final"], "path": d["path"]}
                        for i, d in enumerate(done[:6])]}
    print(markdown_table(["model", "rows", "BLEU-4 (char)", "ROUGE-L F (char)", "unsupported", "mean chars",
                          "s/reason"],
                         [[f"{args.model} {name}", len(done), f"{row['bleu_4']:.2f}", f"{row['rouge_l']:.2f}",
                           f"{row['unsupported_rate']:.3f}", f"{row['mean_chars']:.1f}",
                           f"{out['seconds_per_reason']:.2f}"] for name, row in table.items()]))
    print(json.dumps({k: out[k] for k in ("paths", "guard_problems_this_run", "peak_rss_gb")}, ensure_ascii=False))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The judge's table: every generator as a careful reader would score it, raw and after the guard.

    .venv/bin/python -m benchmarks.judge_table                    # both parts, printed
    .venv/bin/python -m benchmarks.judge_table --write            # and into BENCHMARKS.md
    .venv/bin/python -m benchmarks.judge_table --part pool        # only the judgement set's reasons

Part ``pool``: the 559 reasons of ``tests/data/judgements`` (seven sources, template / LLM few-shot / PETER /
XRec's released outputs; no ``../shared`` needed), per source and generator, as written (raw) and as a user
would be shown them (``shown``: each passed through the guard with the template fallback, then judged;
``withheld``: no reason passed). Part ``xrec``: every test row of XRec's google and amazon domains (3,000
each; ``../shared``): XRec's released outputs, and the template generator under XRec's protocol (5 folds,
fitted on the other four, through the guard). The judge (``recreason.guard.judge``): share of checkable
reasons with a false claim, claim precision, personal, specific, mean fluency, against, degenerate, and the
share a careful editor would show.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

from benchmarks._common import (
    add_write_option,
    load_xrec,
    machine_note,
    markdown_table,
    shared_data,
    write_section,
)
from recreason.evaluate.agreement import load_judgement_set
from recreason.guard.judge import judge_reasons
from recreason.guard.pipeline import Guard
from recreason.reasons import Reason, make_generator

HEAD = ["source", "generator", "n", "false", "claim prec.", "personal", "specific", "fluent", "against",
        "degenerate", "editor shows"]


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.0f} %"


def _cells(j: dict) -> list[str]:
    return [str(j["n"]), _pct(j["false_rate"]), _pct(j["claim_precision"]), _pct(j["personal"]), _pct(j["specific"]),
            f"{j['fluent']:.2f}", _pct(j["against"]), _pct(j["degenerate"]), _pct(j["show"])]


def pool_part() -> tuple[str, list]:
    from benchmarks.judge_agreement import FOLDER

    js = load_judgement_set(FOLDER)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for i, r in js.rows.items():
        groups[(r["source"], r["generator"])].append(i)
    rows, fallback = [], make_generator("template")
    for (source, gen), ids in groups.items():
        requests = [js.request(i) for i in ids]
        texts = [js.rows[i]["reason"] for i in ids]
        raw = judge_reasons(texts, requests, catalog_values=js.catalog(ids[0]))
        guard = Guard(fallback=fallback, catalog_values=js.catalog(ids[0]))
        reasons = [Reason(text=t, language=q.lang, user_id=q.user.user_id, item_id=q.item.item_id, generator=gen)
                   for t, q in zip(texts, requests)]
        final = guard.check(reasons, requests)
        shown = [(r.text, q) for r, q in zip(final, requests) if r.path != "withheld"]
        after = judge_reasons([t for t, _ in shown], [q for _, q in shown], catalog_values=js.catalog(ids[0])) \
            if shown else None
        paths = f"{guard.stats.primary_ok} / {guard.stats.fallback - guard.stats.withheld} / {guard.stats.withheld}"
        rows.append([source, gen, *_cells(raw), paths, *((_pct(after["personal"]), _pct(after["specific"]),
                                                           f"{after['fluent']:.2f}") if after else ("n/a",) * 3)])
    # (false and shown after the guard are 0 % and 100 % by construction: the guard runs this judge's checks)
    head = [*HEAD, "guard: primary / fallback / withheld", "shown: personal", "shown: specific", "shown: fluent"]
    return markdown_table(head, rows, left=2), rows


def xrec_part() -> str:
    from benchmarks.xrec_protocol import run_protocol

    rows = []
    for domain in ("google", "amazon"):
        data = load_xrec(shared_data("xrec", domain))
        print(f"== xrec {domain}: {len(data)} rows", file=sys.stderr)
        have = [i for i, p in enumerate(data.predictions) if p]
        j = judge_reasons([data.predictions[i] for i in have], [data.requests[i] for i in have])
        rows.append([f"xrec-{domain}", "XRec (released)", *_cells(j)])
        written, _, order = run_protocol(data, "template", {}, 5, 0)
        reqs = [data.requests[i] for i in order]
        rows.append([f"xrec-{domain}", "template (raw)", *_cells(judge_reasons([r.text for r in written.raw], reqs))])
        shown = [(r.text, q) for r, q in zip(written.final, reqs) if r.path != "withheld"]
        withheld = len(reqs) - len(shown)
        j = judge_reasons([t for t, _ in shown], [q for _, q in shown])
        rows.append([f"xrec-{domain}", f"template + guard ({withheld} withheld)", *_cells(j)])
    return markdown_table(HEAD, rows, left=2)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--part", choices=["pool", "xrec", "all"], default="all")
    add_write_option(p)
    args = p.parse_args()
    parts = []
    if args.part in ("pool", "all"):
        table, _ = pool_part()
        parts.append("Judgement-set reasons (raw generator output, then through the guard):\n\n" + table)
    if args.part in ("xrec", "all"):
        parts.append("XRec, every test row:\n\n" + xrec_part())
    text = "\n\n".join(parts)
    print(text)
    if args.write:
        note = f"Command: `.venv/bin/python -m benchmarks.judge_table --part {{part}} --write` — {machine_note()}."
        for part, body in zip([p for p in ("pool", "xrec") if args.part in (p, "all")], parts):
            write_section(args.write, f"judge-table-{part}", note.format(part=part) + "\n\n" + body)


if __name__ == "__main__":
    main()

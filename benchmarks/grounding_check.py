"""Unsupported-claim rate on XRec (every domain), and the checker's precision on hand-checked rows.

    .venv/bin/python -m benchmarks.grounding_check              # rates of references, XRec, a grounded baseline
    .venv/bin/python -m benchmarks.grounding_check --data DIR   # the same for every domain of an XRec-layout folder
    .venv/bin/python -m benchmarks.grounding_check --sample     # print the hand-check sample (flagged + unflagged)
    .venv/bin/python -m benchmarks.grounding_check --precision  # score the hand labels in HAND_LABELS below
    .venv/bin/python -m benchmarks.grounding_check --json       # rates as JSON
    .venv/bin/python -m benchmarks.grounding_check --write      # also update its table in BENCHMARKS.md

Profiles per test row, as the data allows: ``ItemProfile(title, description=item_summary)`` and
``UserProfile(profile_text=user_summary)``; the rules are ``recreason.guard.grounding``'s. Three
systems: (a) the reference explanations, (b) XRec's released predictions (``xrec_pred``), (c) the
trivial grounded baseline "The user would enjoy {title}." (must be 0). Rows come from
``benchmarks._common.load_xrec``; a row without an XRec prediction is counted in a warning and left
out of the XRec rate. The hand check is on ``shared/data/xrec`` (amazon, google).

Hand check. The copied-aspect rule's word lists and the "about the item" markers were tuned by
reading flagged XRec rows among the first 300 of each test set; the sample is drawn afterwards, with a
fixed seed, from rows 1500-2999 only: 15 flagged and 15 unflagged XRec predictions per data set.
A label says whether the prediction truly holds an unsupported claim *as the metric defines it*: a
number, or an aspect the user's profile mentions, that the reason credits to the item while the
item's title and summary do not support it. (The metric does not see other inventions, e.g. an aspect
neither profile mentions; those are not counted as misses.)

A first round (seed 20261129, same rows) found two bugs, since fixed: stopwords of the title ("the")
counted as item markers, and the noun "love" ("themes of hope, love and redemption") as a taste verb.
On that round precision was 22/30 strict (24/30 lenient) and 3/30 unflagged rows were misses. The
labels below are the second round, drawn after the fixes with a new seed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from benchmarks._common import (
    XRecTest,
    add_write_option,
    load_xrec,
    markdown_table,
    shared_data,
    timed,
    warn,
    write_section,
    xrec_domains,
)
from recreason.evaluate.faithfulness import unsupported_claim_rate
from recreason.guard import find_unsupported

HAND_CHECKED = ("amazon", "google")
SEED, HELD_OUT_FROM, PER_CELL = 20261130, 1500, 15
SECTION = "grounding-check"
SYSTEMS = {"reference": "references", "xrec": "XRec released outputs",
           "grounded baseline": '"The user would enjoy {title}."'}

# (data set, row) -> (label, note); label "yes" (truly unsupported as defined above), "no", or
# "borderline" (a reader could take the item's data to imply the claim). Read from --sample, seed above.
HAND_LABELS: dict[tuple[str, int], tuple[str, str]] = {
    # amazon, flagged
    ("amazon", 1501): ("yes", "'patriarchal society' credited to the book; summary: psychology, tragedy"),
    ("amazon", 1648): ("yes", "'mystery', 'crime novel' credited; summary: urban fantasy, romance, intrigue"),
    ("amazon", 1729): ("no", "'romance' = the summary's 'love stories' (synonym)"),
    ("amazon", 1805): ("no", "'romance' = the summary's 'epic love stories' (synonym)"),
    ("amazon", 1879): ("yes", "'redemption' copied from the user; not in the summary"),
    ("amazon", 1963): ("no", "'leaves', 'evoke' are verbs, not aspects"),
    ("amazon", 2183): ("yes", "'1917' stated nowhere in the data"),
    ("amazon", 2218): ("yes", "'romance' credited; summary: fantasy, mystery, magic"),
    ("amazon", 2256): ("yes", "'blend of science fiction and romance': summary has no romance"),
    ("amazon", 2279): ("yes", "'science fiction' credited; summary: dark fantasy"),
    ("amazon", 2735): ("yes", "'humor, romance, and mystery': summary has no romance"),
    ("amazon", 2850): ("no", "'connection between Mac and Liz': generic for a romance"),
    ("amazon", 2883): ("yes", "'science fiction' credited; summary: 'genre-blending' only"),
    ("amazon", 2898): ("yes", "'blend of mystery and romance': summary has no romance"),
    ("amazon", 2932): ("no", "'50' is from '50-word summary', a generation artifact, not a claim"),
    # amazon, not flagged
    ("amazon", 1564): ("no", "invented era details, not from the user's profile"),
    ("amazon", 1670): ("no", "female protagonist and dystopia are in the summary"),
    ("amazon", 1687): ("no", "generic praise"),
    ("amazon", 1693): ("no", "invented plot details, not from the user's profile"),
    ("amazon", 1763): ("no", "Texas is in the title"),
    ("amazon", 1996): ("no", "invented names, not from the user's profile"),
    ("amazon", 2033): ("borderline", "'a mix of humor and sadness' copied from the user, said as their taste"),
    ("amazon", 2037): ("no", "invented 'drug trade', not from the user's profile"),
    ("amazon", 2120): ("no", "'five-year-old' is a number word (not read by design)"),
    ("amazon", 2197): ("no", "crime is in the summary"),
    ("amazon", 2377): ("yes", "'story of healing' copied from the user ('-ing' words are not content words)"),
    ("amazon", 2415): ("no", "'five minutes': the title says 5"),
    ("amazon", 2506): ("no", "invented themes, not from the user's profile"),
    ("amazon", 2555): ("no", "invented themes, not from the user's profile"),
    ("amazon", 2893): ("no", "'emotional depth': generic"),
    # google, flagged
    ("google", 1653): ("no", "'activities like beach volleyball': volleyball is in the summary"),
    ("google", 1683): ("yes", "'Mexican dishes' at Applebee's; summary: American cuisine"),
    ("google", 1825): ("no", "'hiking trails': the summary says hiking"),
    ("google", 2054): ("yes", "'shopping there for 20 years': a number the data does not state"),
    ("google", 2074): ("yes", "'360-degree view' from a restaurant: neither is in the data"),
    ("google", 2155): ("yes", "'live music and entertainment': the summary is empty boilerplate"),
    ("google", 2161): ("yes", "'over 20 years': a number the data does not state"),
    ("google", 2188): ("yes", "'brand-name stores' copied from the user (span shows only 'name')"),
    ("google", 2220): ("yes", "'burgers' at a brewery; summary: gourmet bar food"),
    ("google", 2285): ("yes", "'ice cream' at a fashion mall, copied from the user"),
    ("google", 2677): ("borderline", "'view of the bay'; summary: 'rocky coastline'"),
    ("google", 2857): ("borderline", "'views of the coastline'; summary: lighthouse"),
    ("google", 2861): ("yes", "'beautiful view' at a hotel; summary has no view"),
    ("google", 2881): ("yes", "'over 10 years': a number the data does not state"),
    ("google", 2906): ("no", "'fishing gear' = 'equipment' for anglers (paraphrase)"),
    # google, not flagged
    ("google", 1592): ("no", "generic praise"),
    ("google", 1615): ("no", "generic praise"),
    ("google", 1724): ("no", "invented complaint, not from the user's profile"),
    ("google", 1821): ("yes", "'dinner with a view of the water' copied from the user ('to enjoy a ...' read as theirs)"),
    ("google", 1890): ("no", "generic praise"),
    ("google", 1936): ("no", "generic praise"),
    ("google", 2111): ("no", "invented 'Venice', not from the user's profile"),
    ("google", 2294): ("no", "generic praise"),
    ("google", 2401): ("no", "generic praise"),
    ("google", 2405): ("no", "views are in the summary"),
    ("google", 2501): ("no", "generic praise"),
    ("google", 2595): ("no", "margaritas are in the summary"),
    ("google", 2683): ("no", "invented 'tacos' (Mexican is in the summary)"),
    ("google", 2694): ("no", "generic"),
    ("google", 2949): ("no", "generic praise"),
}


def load(name: str) -> XRecTest:
    return load_xrec(shared_data("xrec", name))


def systems(data: XRecTest) -> dict[str, tuple[list[int], list[str]]]:
    """system -> (rows, texts); XRec's row leaves out the rows without a released prediction."""
    have = [i for i, p in enumerate(data.predictions) if p is not None]
    if len(have) < len(data):
        warn(f"{data.name}: {len(data) - len(have)} rows have no XRec prediction; left out of the xrec rate")
    every = list(range(len(data)))
    return {"reference": (every, data.references),
            "xrec": (have, [data.predictions[i] for i in have]),
            "grounded baseline": (every, [f"The user would enjoy {r.item.title}." for r in data.requests])}


def rates(folders: list[Path]) -> dict:
    out = {}
    for folder in folders:
        data = load_xrec(folder)
        for system, (rows, texts) in systems(data).items():
            if not texts:
                continue
            items = [data.requests[i].item for i in rows]
            users = [data.requests[i].user for i in rows]
            with timed() as t:
                r = unsupported_claim_rate(texts, items, users, lang="en", max_examples=0)
            out[f"{data.name}/{system}"] = {"rate": r["rate"], "count": r["count"], "n": r["n"],
                                            "rate_by_kind": r["rate_by_kind"], "claims": r["by_kind"],
                                            "reasons_per_s": round(len(texts) / t.wall)}
    return out


def table(result: dict) -> str:
    domains = list(dict.fromkeys(key.split("/")[0] for key in result))
    rows = [[d] + [f"{result[f'{d}/{s}']['rate']:.3f}" if f"{d}/{s}" in result else "n/a" for s in SYSTEMS]
            for d in domains]
    return markdown_table(["domain", *SYSTEMS.values()], rows)


def sample() -> list[tuple[str, int, bool]]:
    """(data set, row, flagged) of the hand-check sample."""
    rng = random.Random(SEED)
    picked = []
    for name in HAND_CHECKED:
        data = load(name)
        rows = range(HELD_OUT_FROM, len(data))
        flagged = [i for i in rows if data.predictions[i] is not None
                   and find_unsupported(data.predictions[i], data.requests[i].item, data.requests[i].user, lang="en")]
        unflagged = sorted({i for i in rows if data.predictions[i] is not None} - set(flagged))
        picked += [(name, i, True) for i in sorted(rng.sample(flagged, PER_CELL))]
        picked += [(name, i, False) for i in sorted(rng.sample(unflagged, PER_CELL))]
    return picked


def print_sample() -> None:
    data = {name: load(name) for name in HAND_CHECKED}
    for name, i, flagged in sample():
        req, pred = data[name].requests[i], data[name].predictions[i]
        print(f"===== ({name!r}, {i}) flagged={flagged}  {req.item.title}")
        print(f"ITEM: {req.item.description}\nUSER: {req.user.profile_text}\nPRED: {pred.strip()}")
        for c in find_unsupported(pred, req.item, req.user, lang="en"):
            print(f"   -> {c.kind}: {c.span!r} ({c.reason})")


def precision() -> dict:
    """Precision of the flags and the share of unflagged rows that hold a claim the rule should flag:
    strict counts "borderline" labels as supported, lenient as unsupported."""
    picked = sample()
    missing = [(n, i) for n, i, _ in picked if (n, i) not in HAND_LABELS]
    if missing:
        sys.exit(f"{len(missing)} sampled rows have no hand label, e.g. {missing[:3]}; run --sample")

    def share(keys: list, lenient: bool) -> float:
        ok = ("yes", "borderline") if lenient else ("yes",)
        return sum(HAND_LABELS[k][0] in ok for k in keys) / len(keys)

    out = {}
    for scope in ("all", *HAND_CHECKED):
        flagged = [(n, i) for n, i, f in picked if f and scope in ("all", n)]
        unflagged = [(n, i) for n, i, f in picked if not f and scope in ("all", n)]
        out[scope] = {"flagged": len(flagged), "unflagged": len(unflagged),
                      "precision_strict": share(flagged, False), "precision_lenient": share(flagged, True),
                      "miss_rate_strict": share(unflagged, False), "miss_rate_lenient": share(unflagged, True)}
    out["wrong_flags"] = {f"{n}:{i}": HAND_LABELS[(n, i)][1] for n, i, f in picked
                          if f and HAND_LABELS[(n, i)][0] != "yes"}
    out["misses"] = {f"{n}:{i}": HAND_LABELS[(n, i)][1] for n, i, f in picked
                     if not f and HAND_LABELS[(n, i)][0] != "no"}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="XRec-layout folder (default: shared xrec)")
    parser.add_argument("--sample", action="store_true", help="print the hand-check sample")
    parser.add_argument("--precision", action="store_true", help="score HAND_LABELS")
    parser.add_argument("--json", action="store_true", help="print rates as JSON")
    add_write_option(parser)
    args = parser.parse_args(argv)
    if args.sample:
        print_sample()
        return 0
    if args.precision:
        print(json.dumps(precision(), indent=2, ensure_ascii=False))
        return 0
    result = rates(xrec_domains(args.data or shared_data("xrec")))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{'data/system':<28}{'rate':>7}{'number':>8}{'aspect':>8}{'claims':>8}{'reasons/s':>11}", file=sys.stderr)
    for key, r in result.items():
        k = r["rate_by_kind"]
        print(f"{key:<28}{r['rate']:>7.3f}{k['number']:>8.3f}{k['user_aspect']:>8.3f}"
              f"{sum(r['claims'].values()):>8}{r['reasons_per_s']:>11}", file=sys.stderr)
    print(table(result))
    if args.write:
        write_section(args.write, SECTION, table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

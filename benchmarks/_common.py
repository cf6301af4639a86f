"""What the benchmark drivers share: the data, timing, peak memory, the machine note, tables, the reason path.

* ``shared_data(*parts)``: a path in the shared data folder (``$RECREASON_SHARED``, else ``../shared``
  beside the repository), or exit naming the path that is missing.
* ``load_dataset(path, fmt)``: any supported source through ``recreason.data.ingest``;
  ``load_xrec(folder)``: one XRec-layout folder's test rows as requests, references and XRec's released
  predictions (``recreason.data.readers.xrec``); ``xrec_domains(folder)``; ``folds_of``, ``subsample``.
* ``score_xrec(texts, data)``, ``score_released(data)``: the XRec-protocol metric row
  (``recreason.evaluate.suite``); a row without a released prediction is reported and left out;
  ``xrec_table(rows)``: the table of those rows.
* ``write(generator, requests, guard)``: the one reason pipeline (``recreason.guard.pipeline.write_reasons``)
  with what the generator wrote before the guard and how long it took; ``fold_guard(gen, pool)``;
  ``RowLog``: finished rows of a long run in a JSONL file, skipped on restart.
* ``ensure_sample``, ``free_port``, ``start_server``: the demo workspace and a server on loopback.
* ``timed()``, ``peak_rss_mb()``, ``machine()``, ``machine_note()``.
* ``markdown_table``, ``rate``, ``write_section`` / ``read_section`` (a marked section of BENCHMARKS.md),
  ``add_write_option`` (``--write``: nothing is written to BENCHMARKS.md without it).

Peak memory is the kernel's peak resident set size: ``getrusage(RUSAGE_SELF).ru_maxrss`` for this
process, ``VmHWM`` in ``/proc/PID/status`` for another running one (the same counter). It counts native
memory (torch, llama.cpp, Arrow), which ``tracemalloc`` does not see, costs nothing while the code runs
and needs no extra package; a benchmark that wants one figure per variant runs each in a fresh process.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import numpy as np

from recreason.reasons import Generator, Reason, ReasonRequest, TrainingExample

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = REPO / "BENCHMARKS.md"


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- data


def shared_data(*parts: str, must_exist: bool = True) -> Path:
    """``$RECREASON_SHARED/data/<parts>`` (``$RECREASON_SHARED`` may also be the data folder itself), else
    ``<repo>/../shared/data/<parts>``; exits with the missing path named when it is not there (unless
    ``must_exist`` is false: then the caller checks)."""
    env = os.environ.get("RECREASON_SHARED")
    base = Path(env) if env else REPO.parent / "shared"
    data = base / "data" if (base / "data").is_dir() or not base.is_dir() else base
    path = data.joinpath(*parts)
    if must_exist and not path.exists():
        how = f"RECREASON_SHARED={env}" if env else f"no RECREASON_SHARED, so {base}"
        raise SystemExit(f"{path}: not found ({how}); set RECREASON_SHARED to the shared folder")
    return path


def load_dataset(path: Path, fmt: str | None = None):
    """A validated ``Dataset`` through the project's readers and ``ingest``; rejects are counted on stderr."""
    from recreason.data.ingest import ingest

    report = ingest(Path(path), fmt=fmt)
    if report.rejected:
        warn(f"{path}: {report.rejected:,} of {report.read:,} records rejected on ingest")
    return report.dataset


def _id(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass
class XRecTest:
    """One XRec domain's test rows: a request (id-only profiles with the row's summaries), the reference
    explanation and XRec's released prediction (None where the release has none) per row, in file order."""

    name: str
    lang: str
    requests: list[ReasonRequest]
    references: list[str]
    predictions: list[str | None]

    def __len__(self) -> int:
        return len(self.requests)

    def take(self, idx: Sequence[int]) -> XRecTest:
        idx = [int(i) for i in idx]
        return XRecTest(self.name, self.lang, [self.requests[i] for i in idx], [self.references[i] for i in idx],
                        [self.predictions[i] for i in idx])

    def examples(self, idx: Sequence[int]) -> list[TrainingExample]:
        return [TrainingExample(request=self.requests[int(i)], text=self.references[int(i)]) for i in idx]

    def row_id(self, i: int) -> str:
        return f"{self.requests[i].user.user_id}/{self.requests[i].item.item_id}"


def load_xrec(folder: Path, limit: int | None = None) -> XRecTest:
    """The test rows of one XRec-layout folder (``tst.jsonl``, else ``tst.pkl``), read by
    ``recreason.data.readers.xrec`` as released (no trimming); rows without an explanation are left out
    (counted on stderr). ``limit``: only the first N rows."""
    from recreason.data.readers import xrec
    from recreason.data.readers.base import ReadOptions
    from recreason.data.rejects import InputError
    from recreason.profiles.models import ItemProfile, UserProfile
    from recreason.text import detect

    folder = Path(folder)
    test = next((folder / f for f in xrec.TEST_FILES if (folder / f).is_file()), None)
    if test is None:
        raise SystemExit(f"{folder}: no {' or '.join(xrec.TEST_FILES)} (the XRec layout: shared/data/xrec/SOURCE.md)")
    result = xrec.read(test, ReadOptions())
    tables = {t.table: t.frame for t in result.tables}
    refs = tables["references"]
    lang = detect(" ".join(t for t in refs["text"].iloc[:200] if isinstance(t, str)))
    items: dict[str, ItemProfile] = {}
    for iid, title, desc in zip(tables["items"]["item_id"], tables["items"]["title"], tables["items"]["description"]):
        items.setdefault(_id(iid), ItemProfile(item_id=_id(iid), title=_text(title), description=_text(desc),
                                               language=lang))
    users: dict[str, UserProfile] = {}
    for uid, text in zip(tables["users"]["user_id"], tables["users"]["profile_text"]):
        users.setdefault(_id(uid), UserProfile(user_id=_id(uid), profile_text=_text(text), language=lang))
    pairs = [(_id(u), _id(i)) for u, i in zip(refs["user_id"], refs["item_id"])]
    keep = [j for j, ((u, i), t) in enumerate(zip(pairs, refs["text"])) if _text(t) and u in users and i in items]
    if result.rejects or len(keep) < len(refs):
        warn(f"{test}: skipped {len(result.rejects)} broken lines and {len(refs) - len(keep)} rows without an "
             f"explanation or an id")
    keep = keep[: limit or None]
    pairs, texts = [pairs[j] for j in keep], [refs["text"].iat[j] for j in keep]
    requests = [ReasonRequest(user=users[u], item=items[i], language=lang) for u, i in pairs]
    released: dict[tuple[str, str], deque] = defaultdict(deque)
    if test.suffix == ".jsonl":
        try:
            for p in xrec.load_predictions(folder):
                released[(p["uid"], p["iid"])].append(p["xrec_pred"])
        except InputError as e:  # load_predictions refuses a file with a broken line
            warn(f"XRec's predictions not read, so none is scored: {e}")
    predictions = [released[pair].popleft() if released.get(pair) else None for pair in pairs]
    return XRecTest(folder.resolve().name, lang, requests, texts, predictions)


def xrec_domains(folder: Path) -> list[Path]:
    """``folder`` itself when it is one XRec domain, else its subfolders that are (sorted)."""
    from recreason.data.readers import xrec

    folder = Path(folder)
    if any((folder / f).is_file() for f in xrec.TEST_FILES):
        return [folder]
    found = [d for d in sorted(folder.iterdir()) if d.is_dir() and any((d / f).is_file() for f in xrec.TEST_FILES)]
    if not found:
        raise SystemExit(f"{folder}: no XRec domain (a folder with {' or '.join(xrec.TEST_FILES)}) in it")
    return found


def folds_of(n: int, k: int, seed: int) -> list[np.ndarray]:
    """The XRec protocol's folds: a seeded permutation of the rows cut into ``k`` parts (each sorted)."""
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(part) for part in np.array_split(order, k)]


def subsample(n: int, k: int, seed: int, per_fold: int) -> list[np.ndarray]:
    """The first ``per_fold`` rows of each fold after a second seeded shuffle (a prefix of a larger draw)."""
    rng = np.random.default_rng(seed + 1)
    return [np.sort(rng.permutation(test)[:per_fold]) for test in folds_of(n, k, seed)]


# ---------------------------------------------------------------------------- scoring


def score_xrec(texts: Sequence[str], data: XRecTest, semantic: bool = False) -> dict:
    """The metric row of ``recreason.evaluate.suite.evaluate_reasons`` with XRec tokenization."""
    from recreason.evaluate.suite import evaluate_reasons

    row = evaluate_reasons(list(texts), data.references, [r.user for r in data.requests],
                           [r.item for r in data.requests], lang=data.lang, tokenization="xrec", semantic=semantic)
    details = row.pop("details", {})
    row["unsupported_examples"] = details.get("judge", {}).get("examples", [])[:5]
    return row


XREC_ROW = "XRec (released outputs)"
#: (key, header) of the XRec-protocol tables, in order
XREC_COLUMNS = [("bleu_1", "BLEU-1"), ("bleu_4", "BLEU-4"), ("rouge_1", "ROUGE-1 F"), ("rouge_2", "ROUGE-2 F"),
                ("rouge_l", "ROUGE-L F"), ("usr", "USR"), ("semantic", "semantic sim."),
                ("unsupported_rate", "unsupported-claim rate"), ("interest_hit_rate", "interest hit rate"),
                ("distinct_per_item", "distinct/item"), ("mean_length", "mean length"), ("reasons_per_s", "reasons/s"),
                ("reasons_per_cpu_s", "reasons/CPU-s"), ("n", "n")]


def _xrec_cell(key: str, value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    if key in ("bleu_1", "bleu_4", "rouge_1", "rouge_2", "rouge_l"):
        return f"{value:.2f}"
    if key == "mean_length":
        return f"{value:.1f}"
    if key in ("reasons_per_s", "reasons_per_cpu_s"):
        return rate(value)
    return str(int(value)) if key == "n" else f"{value:.3f}"


def xrec_table(rows: dict[str, dict]) -> str:
    """The XRec-protocol table: one row per generator (``XREC_COLUMNS``; a missing value reads n/a)."""
    return markdown_table(["generator", *(h for _, h in XREC_COLUMNS)],
                          [[name, *(_xrec_cell(k, r.get(k)) for k, _ in XREC_COLUMNS)] for name, r in rows.items()])


def score_released(data: XRecTest, semantic: bool = False) -> tuple[dict | None, str]:
    """XRec's released outputs scored on the rows that have one, and a note (empty when none is missing).
    A row without a prediction is left out, with a warning that counts them and names the first few."""
    have = [i for i, p in enumerate(data.predictions) if p is not None]
    note = ""
    if len(have) < len(data):
        missing = [data.row_id(i) for i, p in enumerate(data.predictions) if p is None]
        note = (f"{data.name}: {len(missing)} of {len(data)} rows have no XRec prediction and are left out of "
                f"the XRec row (user/item {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})")
        warn(note)
    if not have:
        return None, note
    sub = data.take(have)
    return score_xrec(sub.predictions, sub, semantic), note


# ---------------------------------------------------------------------------- timing, memory, machine


@dataclass
class Clock:
    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed() -> Iterator[Clock]:
    """Wall-clock and process CPU seconds of the block: ``with timed() as t: ...; t.wall, t.cpu``."""
    clock, w0, c0 = Clock(), time.perf_counter(), time.process_time()
    try:
        yield clock
    finally:
        clock.wall, clock.cpu = time.perf_counter() - w0, time.process_time() - c0


def peak_rss_mb(pid: int | None = None) -> float | None:
    """Peak resident memory in MB: this process's ``ru_maxrss``, or the running process ``pid``'s VmHWM."""
    if pid is None:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def machine() -> dict:
    """Where and when a figure was measured."""
    return {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(), "load_average": round(os.getloadavg()[0], 1),
            "python": platform.python_version()}


def machine_note() -> str:
    m = machine()
    return f"{m['cpus']} CPU cores ({m['processor']}), load average {m['load_average']:.1f}, {m['date'][:10]}"


# ---------------------------------------------------------------------------- the reason pipeline


class Recorded(Generator):
    """A generator seen through: what it wrote before the guard (``first``) and the seconds its calls took."""

    name = "recorded"

    def __init__(self, inner: Generator):
        self.inner = inner
        self.best_of = inner.best_of
        self.first: list[Reason] = []
        self.clock = Clock()

    def generate(self, requests: Sequence[ReasonRequest]) -> list[Reason]:
        with timed() as t:
            out = self.inner.generate(requests)
        self.first += out
        self.clock.wall, self.clock.cpu = self.clock.wall + t.wall, self.clock.cpu + t.cpu
        return out

    def regenerate(self, requests: Sequence[ReasonRequest], attempt: int = 1) -> list[Reason] | None:
        return self.inner.regenerate(requests, attempt)

    def candidates(self, requests: Sequence[ReasonRequest], n: int) -> list[list[Reason]]:
        return self.inner.candidates(requests, n)


@dataclass
class Written:
    raw: list[Reason] = field(default_factory=list)  # the generator's reasons, before the guard
    final: list[Reason] = field(default_factory=list)  # what the pipeline returned
    generate: Clock = field(default_factory=Clock)  # the generator's first call(s) only
    total: Clock = field(default_factory=Clock)  # generate + guard + regeneration + fallback

    def __iadd__(self, other: Written) -> Self:
        self.raw += other.raw
        self.final += other.final
        for mine, theirs in ((self.generate, other.generate), (self.total, other.total)):
            mine.wall, mine.cpu = mine.wall + theirs.wall, mine.cpu + theirs.cpu
        return self

    def paths(self) -> dict[str, int]:
        counts = Counter(r.path for r in self.final)
        return {p: counts.get(p, 0) for p in ("primary", "regenerated", "fallback")}


def write(generator: Generator, requests: Sequence[ReasonRequest], guard, batch: int | None = None) -> Written:
    """``write_reasons(generator, requests, guard)`` (in batches of ``batch``), keeping the raw reasons."""
    from recreason.guard.pipeline import write_reasons

    requests, out = list(requests), Written()
    for start in range(0, len(requests), batch or max(1, len(requests))):
        rec = Recorded(generator)
        with timed() as t:
            final = write_reasons(rec, requests[start:start + (batch or len(requests))], guard)
        out += Written(rec.first, final, rec.clock, t)
    return out


def fold_guard(generator: Generator, pool: Sequence[TrainingExample], dataset=None):
    """``build_guard`` with the template generator fitted on ``pool`` as the fallback (the generator itself
    when it is such a template already, which saves fitting it twice)."""
    from recreason.guard.pipeline import build_guard
    from recreason.reasons.template import TemplateGenerator

    fallback = generator if isinstance(generator, TemplateGenerator) else TemplateGenerator().fit(pool)
    return build_guard(dataset, fallback=fallback)


class RowLog:
    """Finished rows of a long run, one JSON object a line in ``path``, so that a restart skips them.
    A row counts as done only when it was written with the same ``config`` (model, seed, shots ...)."""

    def __init__(self, path: Path | None, config: dict):
        self.path, self.config = path, json.dumps(config, sort_keys=True, default=str)
        self.done: dict[str, dict] = {}
        if path is not None and Path(path).is_file():
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                rec = json.loads(line) if line.strip() else None
                if rec and rec.get("config") == self.config:
                    self.done[rec["key"]] = rec
            print(f"{path}: {len(self.done)} finished rows with this configuration are reused", file=sys.stderr)

    def add(self, key: str, record: dict) -> None:
        self.done[key] = {"key": key, "config": self.config, **record}
        if self.path is not None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(self.done[key], ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------------- a server to load (load_test, crash_test)


DEMO_WORKSPACE = REPO / ".recreason" / "demo" / "workspace"
EVENT_KEY, ADMIN_KEY = "bench-event-key", "bench-admin-key"


def ensure_sample(folder: Path) -> Path:
    """The demo workspace (written like ``recreason demo`` does) if it is not there yet."""
    if (folder / "manifest.json").is_file():
        return folder
    from recreason.data.ingest import ingest_to_workspace
    from recreason.sample import write_sample

    raw = folder.parent / "raw"
    write_sample(raw)
    ingest_to_workspace(raw, folder, name="sample")
    return folder


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workspace: Path, db_url: str, port: int, env: dict | None = None, log: Path | None = None,
                 timeout: float = 180.0):
    """``python -m recreason.serve`` on 127.0.0.1:port with the benchmark keys (``recreason.serve.run.spawn``);
    returns the process once /healthz answers, exits naming the log otherwise."""
    from recreason.serve.run import spawn

    try:
        return spawn(workspace, port, db_url, {"RECREASON_EVENT_KEYS": EVENT_KEY, "RECREASON_ADMIN_KEYS": ADMIN_KEY,
                                               **(env or {})}, log, timeout)
    except RuntimeError as err:
        raise SystemExit(str(err)) from None


# ---------------------------------------------------------------------------- tables and BENCHMARKS.md


def rate(value: float | None) -> str:
    """A per-second rate with the digits it needs (0.52 stays 0.52 instead of printing as 1)."""
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A Markdown table; the first ``left`` columns are left-aligned, the rest right-aligned."""
    rule = "|" + "---|" * left + "---:|" * (len(header) - left)
    return "\n".join(["| " + " | ".join(header) + " |", rule, *("| " + " | ".join(map(str, r)) + " |" for r in rows)])


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def read_section(path: Path, name: str) -> str | None:
    """The text between ``<!-- name:begin -->`` and ``<!-- name:end -->`` in ``path``, or None."""
    begin, end = _markers(name)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    m = re.search(re.escape(begin) + r"\n?(.*?)\n?" + re.escape(end), text, re.DOTALL)
    return m.group(1) if m else None


def write_section(path: Path, name: str, body: str) -> None:
    """Put ``body`` between the section's markers in ``path`` (the section is appended when absent)."""
    begin, end = _markers(name)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    section = f"{begin}\n{body.strip()}\n{end}"
    m = re.search(re.escape(begin) + r".*?" + re.escape(end), text, re.DOTALL)
    if m:
        text = text[:m.start()] + section + text[m.end():]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    path.write_text(text, encoding="utf-8")
    print(f"updated section {name} of {path}", file=sys.stderr)


def add_write_option(parser) -> None:
    parser.add_argument("--write", nargs="?", type=Path, const=BENCHMARKS_MD, default=None, metavar="FILE",
                        help="also update this result's marked section of FILE (default: BENCHMARKS.md); "
                             "nothing is written without it")

"""Render metric rows (``suite.evaluate_reasons``, one per generator) as a terminal table, JSON or HTML.

The HTML file is self-contained: inline CSS and inline SVG plots drawn here (no plotting library, no
script, no external URL), so it opens offline and can be mailed as one file. It holds the metric
table, a length-distribution plot, metric bars per generator, and the judge's examples of what it rejects.
Every table shows USR and semantic similarity beside BLEU and ROUGE ("n/a" when not computed).
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

from recreason.evaluate.suite import ALWAYS, COLUMNS, compare

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
_SCALE_100 = ("bleu_1", "bleu_4", "rouge_1", "rouge_2", "rouge_l", "sacrebleu")
_RATIOS = ("usr", "semantic", "unsupported_rate", "interest_hit_rate", "distinct_per_item", "fmr", "fcr",
           "claim_precision", "personal", "specific", "against", "degenerate", "shown")


def _fmt(key: str, value) -> str:
    if value is None:
        return "n/a"
    if key in _SCALE_100:
        return f"{value:.2f}"
    if key == "mean_length":
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def shown_columns(rows: dict[str, dict]) -> list[tuple[str, str, str]]:
    """The columns any row has a value for, plus USR and semantic similarity always."""
    return [c for c in COLUMNS if c[0] in ALWAYS or any(r.get(c[0]) is not None for r in rows.values())]


def terminal_table(rows: dict[str, dict]) -> str:
    """A plain-text table, one line per generator, with a legend of the columns shown."""
    cols = shown_columns(rows)
    header = ["generator", "n"] + [short for _, short, _ in cols]
    body = [[name, str(r.get("n", ""))] + [_fmt(k, r.get(k)) for k, _, _ in cols] for name, r in rows.items()]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    out = [line(header), "  ".join("-" * w for w in widths), *(line(b) for b in body), ""]
    out += [f"{short:>9}  {what}" for _, short, what in cols]
    return "\n".join(out)


def _jsonable(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def to_json(rows: dict[str, dict], path: Path | None = None, details: bool = True) -> str:
    """``{"columns": [...], "generators": {name: row}}``; ``details=False`` drops per-reason data."""
    data = {
        "columns": [{"key": k, "header": s, "description": d} for k, s, d in COLUMNS],
        "generators": {name: _jsonable(r if details else {k: v for k, v in r.items() if k != "details"})
                       for name, r in rows.items()},
    }
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if path is not None:
        Path(path).write_text(text + "\n", encoding="utf-8")
    return text


# --------------------------------------------------------------------------- SVG plots


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{html.escape(label)}">' + "".join(body) + "</svg>")


def _text(x: float, y: float, s: str, anchor: str = "middle", size: int = 11, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" {extra}>'
            f"{html.escape(s)}</text>")


def _legend(names: list[str], x: float, y: float) -> list[str]:
    out = []
    for i, name in enumerate(names):
        yy = y + 16 * i
        out.append(f'<rect x="{x}" y="{yy - 9}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(_text(x + 15, yy, name, anchor="start"))
    return out


def length_plot(rows: dict[str, dict], width: int = 720, height: int = 300, bins: int = 25) -> str:
    """Share of reasons per length bin, one outline per generator."""
    lengths = {name: r.get("details", {}).get("lengths") or [] for name, r in rows.items()}
    everything = [v for ls in lengths.values() for v in ls]
    if not everything:
        return "<p>No lengths to plot.</p>"
    top = max(everything) + 1
    step = max(1, -(-top // bins))
    nbins = -(-top // step)
    shares = {}
    for name, ls in lengths.items():
        counts = [0] * nbins
        for v in ls:
            counts[min(v // step, nbins - 1)] += 1
        shares[name] = [c / len(ls) for c in counts] if ls else counts
    ymax = max(max(s) for s in shares.values()) or 1.0
    left, right, top_pad, bottom = 50, 170, 15, 40
    pw, ph = width - left - right, height - top_pad - bottom
    body = [f'<line x1="{left}" y1="{top_pad + ph}" x2="{left + pw}" y2="{top_pad + ph}" stroke="#333"/>',
            f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + ph}" stroke="#333"/>']
    for frac in (0.0, 0.5, 1.0):
        y = top_pad + ph - frac * ph
        body.append(_text(left - 5, y + 4, f"{frac * ymax:.2f}", anchor="end", size=10))
    for b in range(0, nbins + 1, max(1, nbins // 6)):
        x = left + pw * b / nbins
        body.append(_text(x, top_pad + ph + 15, str(b * step), size=10))
    body.append(_text(left + pw / 2, height - 5, "length (words en / characters zh)"))
    for i, (name, s) in enumerate(shares.items()):
        points = []
        for b, v in enumerate(s):
            y = top_pad + ph - v / ymax * ph
            points += [(left + pw * b / nbins, y), (left + pw * (b + 1) / nbins, y)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="2"/>')
    body += _legend(list(shares), left + pw + 15, top_pad + 10)
    return _svg(width, height, body, "length distribution per generator")


def metric_bars(rows: dict[str, dict], keys: tuple[str, ...], vmax: float, width: int = 720,
                height: int = 280) -> str:
    """Grouped bars: one group per metric in ``keys`` (those any row has), one bar per generator."""
    keys = tuple(k for k in keys if any(r.get(k) is not None for r in rows.values()))
    if not keys:
        return "<p>No metrics to plot.</p>"
    names = list(rows)
    headers = {k: s for k, s, _ in COLUMNS}
    left, right, top_pad, bottom = 50, 170, 15, 35
    pw, ph = width - left - right, height - top_pad - bottom
    group = pw / len(keys)
    bar = group * 0.8 / len(names)
    body = [f'<line x1="{left}" y1="{top_pad + ph}" x2="{left + pw}" y2="{top_pad + ph}" stroke="#333"/>']
    for frac in (0.0, 0.5, 1.0):
        y = top_pad + ph - frac * ph
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 5, y + 4, f"{frac * vmax:g}", anchor="end", size=10))
    for g, key in enumerate(keys):
        x0 = left + g * group + group * 0.1
        body.append(_text(left + g * group + group / 2, top_pad + ph + 16, headers.get(key, key)))
        for i, name in enumerate(names):
            value = rows[name].get(key)
            if value is None:
                continue
            h = max(0.0, min(value, vmax)) / vmax * ph
            x = x0 + i * bar
            body.append(f'<rect x="{x:.1f}" y="{top_pad + ph - h:.1f}" width="{bar * 0.9:.1f}" height="{h:.1f}" '
                        f'fill="{PALETTE[i % len(PALETTE)]}"><title>{html.escape(name)} '
                        f'{html.escape(headers.get(key, key))} {_fmt(key, value)}</title></rect>')
    body += _legend(names, left + pw + 15, top_pad + 10)
    return _svg(width, height, body, "metrics per generator")


# --------------------------------------------------------------------------- HTML

_CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}td.best{font-weight:bold;background:#eef7ee}
.note{color:#555;font-size:0.9em}.claim{color:#a00}li{margin:0.3em 0}h2{margin-top:1.6em}"""


def _table_html(rows: dict[str, dict]) -> str:
    cols = shown_columns(rows)
    lined = {o["generator"]: o for o in compare(rows)}
    head = "".join(f'<th title="{html.escape(what)}">{html.escape(short)}</th>' for _, short, what in cols)
    out = [f"<table><tr><th>generator</th><th>n</th>{head}</tr>"]
    for name, r in rows.items():
        best = set(lined[name]["best"])
        cells = "".join(f'<td class="{"best" if k in best else ""}">{_fmt(k, r.get(k))}</td>' for k, _, _ in cols)
        out.append(f"<tr><td>{html.escape(name)}</td><td>{r.get('n', '')}</td>{cells}</tr>")
    out.append("</table>")
    legend = "".join(f"<li><b>{html.escape(s)}</b>: {html.escape(d)}</li>" for _, s, d in cols)
    return "".join(out) + f'<ul class="note">{legend}</ul>'


def _examples_html(rows: dict[str, dict], per_generator: int = 5) -> str:
    """What the judge found, per generator: how many reasons it could check, and examples with the reasons."""
    out = []
    for name, r in rows.items():
        judged = r.get("details", {}).get("judge")
        if not judged:
            continue
        rate = judged["false_rate"]
        said = (f"{judged['checked']} of {judged['n']} reasons state a checkable claim; "
                + (f"{rate:.1%} of them state something the data does not hold" if rate is not None
                   else "none could be checked, so no false-claim rate is given"))
        out.append(f"<h3>{html.escape(name)}</h3><p class='note'>{html.escape(said)}; shown by a careful editor: "
                   f"{judged['show']:.1%}</p><ul>")
        for ex in judged["examples"][:per_generator]:
            out.append(f"<li>{html.escape(ex['text'])}<br><span class='claim'>"
                       f"{html.escape('; '.join(ex['problems']))}</span></li>")
        out.append("</ul>")
    return "".join(out) or "<p>No reason was judged (the judge needs the items' data).</p>"


def html_report(rows: dict[str, dict], path: Path | None = None, title: str = "recreason evaluation") -> str:
    """The self-contained HTML report (module docstring); written to ``path`` when given."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        ("<p class='note'>No metric stands alone: a single generic sentence for every row can top ROUGE-L, "
         "so USR, semantic similarity, unsupported claims and personalization are shown beside BLEU and "
         "ROUGE. Bold: the best value of a column.</p>"),
        "<h2>Metrics</h2>", _table_html(rows),
        "<h2>Overlap with the references (0–100)</h2>", metric_bars(rows, _SCALE_100, 100.0),
        "<h2>Diversity, the judge, personalization (0–1)</h2>", metric_bars(rows, _RATIOS, 1.0),
        "<h2>Length distribution</h2>", length_plot(rows),
        "<h2>The judge: what a careful reader would reject (examples)</h2>", _examples_html(rows),
        "</body></html>",
    ]
    text = "\n".join(parts)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text

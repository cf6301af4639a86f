"""Benchmark drivers. Run each one as a module from the repository root, e.g.

    .venv/bin/python -m benchmarks.xrec_protocol --data ../shared/data/xrec/google

What they share (finding the data, timing, peak memory, the machine note, Markdown tables, the
reason pipeline) is in ``benchmarks._common``.
"""

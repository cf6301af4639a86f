"""``python -m recreason.serve [--workspace W] [--host H] [--port P] [--db URL] [--ranker DIR] ...``.

The server started from ``recreason.serve`` itself (tests and benchmarks use it); ``recreason serve`` is the
same with the CLI's help and subcommands. Options left out come from ``RECREASON_*`` variables.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recreason.serve.run import run
from recreason.serve.settings import Settings


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m recreason.serve", description=__doc__.splitlines()[0])
    p.add_argument("--workspace", "-w", type=Path)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--ranker", type=Path)
    p.add_argument("--experiments", type=Path)
    p.add_argument("--db")
    p.add_argument("--llm-timeout", type=float, dest="llm_timeout_s")
    p.add_argument("--llm-online", action=argparse.BooleanOptionalAction)
    p.add_argument("--precompute-users", type=int)
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = vars(p.parse_args(argv))
    host, port, log_level = args.pop("host"), args.pop("port"), args.pop("log_level")
    try:
        run(Settings(**{k: v for k, v in args.items() if v is not None}), host, port, log_level)
    except (FileNotFoundError, LookupError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

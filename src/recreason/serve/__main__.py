"""``python -m recreason.serve ARGS`` = ``recreason serve ARGS`` (used by tests and benchmarks)."""

from recreason.cli.serve import main

main()

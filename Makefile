# Set-up is part of every target: the venv is created or refreshed when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/recreason demo

test: $(STAMP)
	$(BIN)/pytest

# The fast loop: everything but the real-model, browser and process-kill tests (`make test` runs all).
check: $(STAMP)
	$(BIN)/pytest -m "not slow and not model and not browser and not kill"

# The quick benchmarks (each under ~2 minutes on 2 cores, no model download), tables printed only: a
# script's --write updates BENCHMARKS.md, this target never does. Needs ../shared (or $RECREASON_SHARED).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.aspect_precision
	$(BIN)/python -m benchmarks.xrec_reproduce
	$(BIN)/python -m benchmarks.grounding_check
	$(BIN)/python -m benchmarks.xrec_protocol --limit 1000
	$(BIN)/python -m benchmarks.peter_quality --out .recreason/bench/peter_quality --only-template --threads 1
	$(BIN)/python -m benchmarks.ingest_benchmark
	$(BIN)/python -m benchmarks.rank_benchmark --rankers popularity itemknn als

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) workspace .recreason

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

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) workspace .recreason

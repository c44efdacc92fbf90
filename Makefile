# Two commands for a fresh clone (Python 3.11+ and make): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench fewshot

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "需要 Python 3.11 或更高版本" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Replays a session recorded against the real local model: no network, no model, seconds.
demo: $(STAMP)
	$(BIN)/duizhao draft examples/2023-zhuti.yaml --max-rounds 1 --replay examples/sessions/2023-zhuti.yaml \
		-o out/demo.md --report out/demo-report.json
	@echo "初稿：out/demo.md　报告：out/demo-report.json"

test: $(STAMP)
	scripts/ensure-chromium
	$(BIN)/ruff check agent tests benchmarks
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check agent tests benchmarks
	$(BIN)/ruff format --check agent tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/check_bench.py

fewshot: $(STAMP)
	$(BIN)/duizhao fewshot build

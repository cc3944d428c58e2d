# flowmark — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.flowmark-installed
TORCH_SPEC ?= torch==2.13.0

# The headless pass: every core module imported, and a fast part of tests/core (about a minute;
# the whole of tests/core runs in the first pass).
HEADLESS_TESTS := tests/core/test_headless.py tests/core/test_stabilize.py \
	tests/core/config/test_config.py tests/core/test_geometry.py tests/core/test_model_cards.py \
	tests/core/test_flow.py tests/core/animate/test_track_frames.py tests/core/animate/test_framing.py \
	tests/core/animate/test_pipeline.py tests/core/cli/test_cli_light.py

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
	@echo ">> the core once more without Qt (PySide6, pyqtgraph and the app unimportable)"
	$(PY) -m pytest -q -p tests.headless -p no:pytest-qt $(HEADLESS_TESTS)

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

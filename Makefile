# Two commands after cloning: `make demo` and `make check`. Both create .venv from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo dashboard dashboard-shots check lint type test bench clean

# The official Cognigy client judges the emulator (tests/contract/cognigy): installed from the
# folder's own package-lock.json whenever node_modules is missing or older than the lock.
CONTRACT      := tests/contract/cognigy
CONTRACT_DEPS := $(CONTRACT)/node_modules/.package-lock.json

# The editable install also compiles the RFC 8785 encoder (hatch_build.py) into
# src/cxops/model/, so editing its C source re-installs.
$(STAMP): pyproject.toml hatch_build.py src/cxops/model/_jcs.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@$(BIN)/python -c 'import cxops.model._jcs' 2>/dev/null || echo "WARNING: the compiled \
	RFC 8785 encoder (src/cxops/model/_jcs.c) was not built; hashing uses the numpy path" >&2
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m cxops.demo

# The dashboard on what `make demo` left: its store and both repositories (loopback only).
dashboard: $(STAMP)
	$(BIN)/cxops serve --store sqlite:///demo-repo/.cxops/state.db \
		--repo demo-repo/dev --repo demo-repo/prod --port $${PORT:-8080}

# Re-take docs/dashboard/*.png with the browser tests (Debian's chromium).
dashboard-shots: $(STAMP)
	CXOPS_DASHBOARD_SHOTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/web/test_browser.py

check: lint type test

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

type: $(STAMP)
	$(BIN)/mypy

# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: $(STAMP) $(CONTRACT_DEPS)
	$(BIN)/pytest -q -n $(TEST_WORKERS)

$(CONTRACT_DEPS): $(CONTRACT)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(CONTRACT) && npm ci --ignore-scripts --no-audit --no-fund; \
	elif [ "$$CI" = "true" ]; then \
	  echo "npm is required for $(CONTRACT) (the official Cognigy client)" >&2; exit 1; \
	else \
	  echo "npm not found: the Cognigy contract tests will skip" >&2; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache demo-repo .cxops $(CONTRACT)/node_modules

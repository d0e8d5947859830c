# The two commands: `make demo` and `make test`. Both set everything up from a bare Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast bench lint-imports mutate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pdpsim demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# the fast tier: everything but the long reproductions, subprocess sweeps and the browser, on both
# cores (under 2 minutes on 2 cores)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n 2

# the layering contract (pyproject.toml [tool.importlinter]); the test suite checks it too
lint-imports: $(STAMP)
	$(BIN)/lint-imports

# mutation testing of the rule modules (dev/README.md); long: run it on purpose, not in CI
mutate: $(STAMP)
	$(BIN)/python dev/mutate.py --jobs 2

bench: $(STAMP)
	$(BIN)/pdpsim bench

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache

# The two commands: `make demo` and `make test`. Both set everything up from a bare Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DOCS_VENV  := .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed

.PHONY: demo test test-fast bench lint-imports mutate fuzz docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pdpsim demo

# the whole suite on both cores (work stealing: a worker that runs out takes tests queued for the other)
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist worksteal

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

# the fuzzing campaign over every file format pdpsim reads (pdpsim.tools.fuzz); the tests run a
# bounded share of it. FUZZ_N mutants a format; crashers are kept in fuzz-crashers/
FUZZ_N ?= 3000
fuzz: $(STAMP)
	$(BIN)/python -m pdpsim.tools.fuzz --per-format $(FUZZ_N) --save-crashers fuzz-crashers

$(DOCS_STAMP): pyproject.toml
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DOCS_VENV)/bin/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

# the documentation site into site/ (docs/, the lessons, the API from docstrings); warnings are errors.
# PDPSIM_DOCS_EXECUTE=true also runs the lessons while building (minutes)
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs build --strict

bench: $(STAMP)
	$(BIN)/pdpsim bench

clean:
	rm -rf $(VENV) $(DOCS_VENV) site build src/*.egg-info .pytest_cache

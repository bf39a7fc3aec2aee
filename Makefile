# Two commands do all set-up on a fresh machine (see README):
#   make report   # executes every notebook on the embedded demo data -> reports/
#   make test     # the whole test suite, notebooks included
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: env report test lab bench lint clean

env: $(STAMP)

# PYTHONWARNINGS: setuptools' "Editable installation" banner is advice for package authors
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	PYTHONWARNINGS='ignore:Editable installation' $(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# make report SOURCE=demo|local|bigquery (default: $TOOLKIT_SOURCE, else auto) JOBS=1|2 REPORT_OUT=dir
SOURCE     ?=
JOBS       ?=
REPORT_OUT ?= reports

report: $(STAMP)
	$(PY) -m toolkit report --out $(REPORT_OUT) $(if $(SOURCE),--source $(SOURCE)) $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP)
	$(PY) -m pytest

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf reports benchmarks/results .pytest_cache

# The Follow-up Workbook: `make lab` to use it, `make test` to check it.
# Both create .venv on first use; a second run with pyproject.toml unchanged installs nothing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HASH   := $(shell $(PYTHON) -c "import hashlib,pathlib;print(hashlib.sha1(pathlib.Path('pyproject.toml').read_bytes()).hexdigest()[:12])")
RUNTIME_STAMP := $(VENV)/.runtime-$(HASH)
TEST_STAMP    := $(VENV)/.test-$(HASH)
ALLOW_ROOT    := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
PORT ?= 8888
# Quiet the news pop-up in JupyterLab; coaches have a workshop to run.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: lab app test quick lint bench notebooks demo info clean browser tone-model

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	rm -f $(VENV)/.runtime-*
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.runtime-* $(VENV)/.test-*
	touch $(RUNTIME_STAMP) $@

$(LAB_OVERRIDES): | $(PY)
	mkdir -p $(dir $@)
	echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $@

## lab: set up, load the demo cohort into an empty store, open JupyterLab on notebooks/
lab: $(RUNTIME_STAMP) $(LAB_OVERRIDES)
	$(PY) -m followup_kit demo --if-empty
	@echo "Opening JupyterLab on http://127.0.0.1:$(PORT)/lab (the full URL with its token follows)."
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 --port=$(PORT) --no-browser $(ALLOW_ROOT)

## app: serve the client notebooks without code (Voila), loopback only, with a token
app: $(RUNTIME_STAMP)
	$(PY) -m followup_kit demo --if-empty
	$(PY) -m followup_kit.app --port $(PORT)

## browser: Debian's chromium for the browser tests (installed when we are root with apt)
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "Could not install chromium; browser tests will be skipped (or fail under CI)."; \
	else echo "No /usr/bin/chromium and not root: browser tests will be skipped (or fail under CI)."; fi

## test: set up with the test tools, lint, run every test and every notebook
test: $(TEST_STAMP) $(LAB_OVERRIDES) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

## quick: lint, then every test not marked slow, browser or postgres (the daily loop)
quick: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	FOLLOWUP_PROPERTY_SCALE=0.1 $(PY) -m pytest -q -m "not slow and not browser and not postgres"

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## bench: print the speed figures (store, agenda, analytics, workshop load)
bench: $(TEST_STAMP)
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

## notebooks: re-run the notebooks on the demo cohort and store the outputs nbval compares
notebooks: $(TEST_STAMP)
	$(PY) tests/refresh_notebooks.py

## tone-model: retrain the tone model shipped in the package from followup_kit/tone_corpus.tsv
## (coaches: `python -m followup_kit.tone_model train` adds data/tone_sentences.tsv and
## writes data/tone_model.npz, leaving the package alone)
tone-model: $(RUNTIME_STAMP)
	$(PY) -m followup_kit.tone_model train --builtin

demo: $(RUNTIME_STAMP)
	$(PY) -m followup_kit demo

info: $(RUNTIME_STAMP)
	$(PY) -m followup_kit info

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info

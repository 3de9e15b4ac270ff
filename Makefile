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

.PHONY: lab app hub hub-env hub-tools postgres test quick lint bench notebooks demo info clean browser tone-model

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

# Client pages' kernels run with -OO (followup_kit/page_kernel.py): compiled once for it here,
# so that no page has to compile the libraries it loads.
OPT2_STAMP := $(VENV)/.opt2-$(HASH)
$(OPT2_STAMP): | $(PY)
	@echo "Compiling the venv for the client pages' lean kernels (once)..."
	-$(PY) -m compileall -q -o 2 -j 0 $(VENV)/lib >/dev/null 2>&1
	rm -f $(VENV)/.opt2-*
	touch $@

$(LAB_OVERRIDES): | $(PY)
	mkdir -p $(dir $@)
	echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $@

## Which store the pages of `make lab` and `make app` open (FOLLOWUP_DB_URL for the server
## and its kernels): STORE=demo (the default) is data/demo.sqlite, the demo cohort dated
## for today (loaded or refreshed first); STORE=live is your own, data/workbook.sqlite
## (or $FOLLOWUP_DB_URL if set), which never gets the demo; or a SQLite file or a URL.
STORE ?= demo
comma := ,
DEMO_URL = sqlite:///$$($(PY) -c "from followup_kit.paths import demo_store; print(demo_store())")
OPEN_STORE = $(if $(filter demo,$(STORE)),$(DEMO_URL),$(if $(filter live,$(STORE)),$$FOLLOWUP_DB_URL,$(STORE)))
define SAY_STORE
$(if $(filter demo,$(STORE)),$(PY) -m followup_kit demo --refresh && echo "The pages open the demo store; \`make $@ STORE=live\` opens your own (see README).",@echo "The pages open $(if $(filter live,$(STORE)),your own store$(comma) $${FOLLOWUP_DB_URL:-data/workbook.sqlite},$(STORE)) (no demo is loaded).")
endef

## lab: set up, then open JupyterLab on notebooks/ (the demo store unless STORE says otherwise)
lab: $(RUNTIME_STAMP) $(LAB_OVERRIDES)
	$(SAY_STORE)
	@echo "Opening JupyterLab on http://127.0.0.1:$(PORT)/lab (the full URL with its token follows)."
	FOLLOWUP_DB_URL="$(OPEN_STORE)" $(VENV)/bin/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 --port=$(PORT) --no-browser $(ALLOW_ROOT)

## app: serve the client notebooks without code (Voila), loopback only, with a token
## (the demo store unless STORE says otherwise, as for lab)
app: $(RUNTIME_STAMP) $(OPT2_STAMP)
	$(SAY_STORE)
	FOLLOWUP_DB_URL="$(OPEN_STORE)" $(PY) -m followup_kit.app --port $(PORT)

## hub: the workshop server (JupyterHub + PostgreSQL with a role per client); run as root.
## HUB_IP=0.0.0.0 for a room, HUB_PORT, COACH=name, TRIAL=1 for a single-person trial,
## HUB_SSL_KEY/HUB_SSL_CERT for https. See "Run a workshop" in the README.
HUB_VENV ?= /opt/followup-kit/venv
HUB_NODE := .hub-node
CHP      := $(HUB_NODE)/node_modules/.bin/configurable-http-proxy
HUB_CODE := $(wildcard followup_kit/*.py followup_kit/*/*.py followup_kit/*.toml followup_kit/*.npz followup_kit/*.tsv followup_kit/script_library/*.md)
HUB_DEPS_STAMP := $(HUB_VENV)/.deps-$(HASH)
HUB_CODE_STAMP := $(HUB_VENV)/.code-stamp
HUB_OPT2_STAMP := $(HUB_VENV)/.opt2-stamp

hub: $(RUNTIME_STAMP) hub-env
	$(PY) -m pip install --quiet -e '.[hub]'
	FOLLOWUP_HUB_VENV=$(HUB_VENV) FOLLOWUP_HUB_PROXY=$(CURDIR)/$(CHP) $(PY) -m followup_kit.hub $(if $(TRIAL),--single-person-trial)

## hub-env: what the hub needs: PostgreSQL, the proxy, and a venv every system user can read
hub-env: postgres hub-tools $(HUB_OPT2_STAMP)

hub-tools: $(CHP)

$(CHP):
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null); } \
	  || echo "npm is missing: the hub tests will be skipped (or fail under CI)."
	-npm install --prefix $(HUB_NODE) --no-fund --no-audit --silent configurable-http-proxy@5

## postgres: Debian's postgresql and python3-venv (installed when we are root with apt)
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && /usr/bin/python3 -c "import ensurepip" 2>/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's postgresql and python3-venv for the workshop hub..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql python3-venv >/dev/null) \
	    || echo "Could not install postgresql; hub tests will be skipped (or fail under CI)."; \
	else echo "No PostgreSQL and not root: hub tests will be skipped (or fail under CI)."; fi

# Built from Debian's /usr/bin/python3: the default python3 may live where other system
# users cannot enter. The package is installed (not linked) so every user can read it.
$(HUB_DEPS_STAMP): pyproject.toml
	@if [ -x /usr/bin/python3 ] && [ "$$(id -u)" = 0 ]; then \
	  mkdir -p $(dir $(HUB_VENV)) && chmod 755 $(dir $(HUB_VENV)) && \
	  /usr/bin/python3 -m venv $(HUB_VENV) && \
	  $(HUB_VENV)/bin/pip install --quiet --upgrade pip && \
	  $(HUB_VENV)/bin/pip install --quiet '.[hub]' && \
	  rm -f $(HUB_VENV)/.deps-* && touch $@; \
	else echo "Not root (or no /usr/bin/python3): no venv for the clients' servers."; fi

$(HUB_CODE_STAMP): $(HUB_DEPS_STAMP) $(HUB_CODE)
	@if [ -f $(HUB_DEPS_STAMP) ]; then \
	  $(HUB_VENV)/bin/pip install --quiet --no-deps --force-reinstall . && \
	  chmod -R a+rX $(HUB_VENV) && touch $@; fi

# The clients' page kernels run with -OO: compiled for it here, as for app mode above.
$(HUB_OPT2_STAMP): $(HUB_CODE_STAMP)
	@if [ -f $(HUB_DEPS_STAMP) ]; then \
	  $(HUB_VENV)/bin/python -m compileall -q -o 2 -j 0 $(HUB_VENV)/lib >/dev/null 2>&1; \
	  chmod -R a+rX $(HUB_VENV) && touch $@; fi

## browser: Debian's chromium for the browser tests (installed when we are root with apt)
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "Could not install chromium; browser tests will be skipped (or fail under CI)."; \
	else echo "No /usr/bin/chromium and not root: browser tests will be skipped (or fail under CI)."; fi

## test: set up with the test tools, lint, run every test and every notebook
test: $(TEST_STAMP) $(OPT2_STAMP) $(LAB_OVERRIDES) browser hub-env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

## quick: lint, then every test not marked slow, browser or postgres, notebooks left to make test
quick: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	FOLLOWUP_PROPERTY_SCALE=0.1 $(PY) -m pytest -q -n 2 -m "not slow and not browser and not postgres" followup_kit tests

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

## demo: load the demo cohort into its own store, dated for today (again: a fresh copy);
## `python -m followup_kit demo --remove` takes it out
demo: $(RUNTIME_STAMP)
	$(PY) -m followup_kit demo

info: $(RUNTIME_STAMP)
	$(PY) -m followup_kit info

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info

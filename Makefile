# mlsysgen — every target installs what it needs (virtualenv, pip packages, Debian packages).
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
DEV     := $(VENV)/.installed-dev
CORPUS  ?= ../shared/corpus/mlsysbook
OUT     ?= _site
CHROMIUM_STAMP := $(VENV)/.chromium

.PHONY: html pdf epub test lint compat bench clean snapshots deps

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $(STAMP)

# Test tools: pytest, ruff, playwright (driving Debian's chromium), pandoc for comparisons.
$(DEV): $(STAMP)
	$(PY) -m pip install -q -e '.[dev]'
	touch $(DEV)

deps: $(DEV)

# Debian's chromium for the headless-browser smoke tests (no browser download).
# Debian packages the tests use: chromium (browser smoke tests; no browser download),
# a Java runtime (epubcheck), Pango and fonts (WeasyPrint).
SYSTEM_PACKAGES := chromium default-jre-headless libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
  fonts-liberation fonts-symbola
$(CHROMIUM_STAMP): $(DEV)
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (no root): the tests that need them will be skipped"; fi; \
	fi
	touch $(CHROMIUM_STAMP)

html: $(STAMP)
	$(PY) -m mlsysgen build content --to html --out $(OUT)

# The site is rebuilt with the document, so its download menu links a file that exists.
pdf: $(STAMP)
	$(PY) -m pip install -q -e '.[pdf]'
	$(PY) -m mlsysgen build content --to html --to pdf --out $(OUT)

epub: $(STAMP)
	$(PY) -m pip install -q -e '.[epub]'
	$(PY) -m mlsysgen build content --to html --to epub --out $(OUT)

test: $(DEV) $(CHROMIUM_STAMP)
	$(PY) -m pytest -q

lint: $(DEV)
	$(VENV)/bin/ruff check mlsysgen tests
	$(VENV)/bin/ruff format --check mlsysgen tests

# The real textbook (acceptance test; needs ../shared).
compat: $(STAMP)
	$(PY) -m mlsysgen build $(CORPUS) --out /tmp/mlsysgen-compat

bench: $(DEV)
	$(PY) bench/bench.py --corpus $(CORPUS)

snapshots: $(DEV)
	MLSYSGEN_SNAPSHOTS=overwrite $(PY) -m pytest -q tests
	git diff --stat tests

clean:
	rm -rf $(OUT) content/.mlsysgen .mlsysgen .pytest_cache

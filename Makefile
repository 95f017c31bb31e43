# 整改公示 — every target sets itself up: a virtual environment in .venv with the project installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
# The date the portal reports on: any day of the campaign (make site AS_OF=2025-06-30); rectify takes
# today in the city's time zone when it is not given. The same ledgers and AS_OF give the same bytes.
AS_OF ?=
AS_OF_OPTION = $(if $(AS_OF),--as-of $(AS_OF))

.PHONY: site serve test validate bench schema golden contributing constraints clean

# constraints.txt pins every package to the versions the tests last passed with, so a checkout
# installs the same tools next year; `make constraints` moves them forward deliberately.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# The YAML language server VS Code runs (tools/editor, pinned in its package-lock.json): tests/test_editor_server.py
# drives it over the broken-file cases and compares what the editor says with `rectify validate`.
EDITOR_STAMP := tools/editor/node_modules/.installed
$(EDITOR_STAMP): tools/editor/package.json tools/editor/package-lock.json
	cd tools/editor && npm ci --no-audit --no-fund
	touch $(EDITOR_STAMP)

## site: validate the ledgers, generate the pages and build the portal into site/
site: $(STAMP)
	$(BIN)/rectify site $(AS_OF_OPTION)

## serve: live preview on http://127.0.0.1:8000, regenerating when a ledger changes
serve: $(STAMP)
	$(BIN)/rectify serve $(AS_OF_OPTION)

## test: lint and run every test (browser tests need /usr/bin/chromium, the editor test node; see README)
test: $(STAMP) $(EDITOR_STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/python -m pytest

## validate: check the ledgers as a pull request's CI does
validate: $(STAMP)
	$(BIN)/rectify validate ledgers

## schema: regenerate schema/*.schema.json from the models
schema: $(STAMP)
	$(BIN)/rectify schema --out schema

## contributing: regenerate CONTRIBUTING.md from the filing guide's pull-request section
contributing: $(STAMP)
	$(BIN)/python -m generator.rendering.contributing

## golden: regenerate the golden output under tests/golden after an intended change
golden: $(STAMP)
	$(BIN)/python -m tests.golden

## bench: the scale benchmark (1,000 and 10,000 synthetic problems; make bench SIZES=1000,10000,100000 adds a province-sized city)
SIZES ?= 1000,10000
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes $(SIZES)

## constraints: upgrade every dependency to its newest release and pin the result (then run make test)
constraints:
	rm -rf /tmp/rectify-constraints && $(PYTHON) -m venv /tmp/rectify-constraints
	/tmp/rectify-constraints/bin/python -m pip install --quiet -e '.[test]'
	/tmp/rectify-constraints/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
	rm -rf /tmp/rectify-constraints $(STAMP)

clean:
	rm -rf site bench/out
	git clean -fdXq docs  # the generated part of docs/ (git-ignored); docs/assets/css and js stay

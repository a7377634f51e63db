# Two commands do all the set-up on a fresh machine:
#   make chat   installs everything (models included), indexes corpus/, starts the chat
#   make test   installs everything, then runs the whole test suite (what CI runs)
VENV ?= .venv
.PHONY: setup chat test test-fast eval bench
setup:
	bash scripts/bootstrap.sh
chat: setup
	$(VENV)/bin/rag ingest
	$(VENV)/bin/rag serve
test:
	bash scripts/bootstrap.sh --browser
	$(VENV)/bin/python -m pytest -q
test-fast:
	$(VENV)/bin/python -m pytest -q -m "not slow and not browser"
eval: setup
	$(VENV)/bin/rag ingest
	$(VENV)/bin/rag eval
bench: setup
	$(VENV)/bin/python bench/bench.py

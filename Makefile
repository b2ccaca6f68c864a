.PHONY: setup site test lint serve
setup:
	python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && npm ci
site: setup
	.venv/bin/podium build
test:
	.venv/bin/python -m pytest
lint:
	.venv/bin/ruff check generator tests
serve:
	.venv/bin/podium serve

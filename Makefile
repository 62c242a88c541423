.PHONY: demo test setup build lint bench

demo:   ## set up and start the demo (SQLite, in-process bus, demo website, rep logins printed)
	scripts/demo

test:   ## set up and run lint, type checks and the whole test suite
	scripts/test

setup:
	scripts/setup --browser

build:
	cd web && node build.mjs

lint:
	.venv/bin/ruff check src tests bench && .venv/bin/ruff format --check src tests bench && .venv/bin/mypy

.PHONY: demo test setup build lint bench wheel types

demo:   ## set up and start the demo (SQLite, in-process bus, demo website, rep logins printed)
	scripts/demo

test:   ## set up and run lint, type checks and the whole test suite
	scripts/test

setup:
	scripts/setup --browser

build:  ## build web/ into src/frontdesk/static (on a fresh clone, installs the front-end packages first)
	@[ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund --loglevel=error)
	cd web && node build.mjs

types:  ## regenerate web/generated/ (the console's and widget's types) from the pydantic models
	PYTHONPATH=src .venv/bin/python -m frontdesk.protocol.dump > web/generated/openapi.json
	cd web && node gen-types.mjs generated/openapi.json generated/openapi.ts

bench:  ## every benchmark at a small size (about 10 minutes; full sizes: bench/README.md)
	scripts/bench-quick

lint:
	.venv/bin/ruff check src tests bench && .venv/bin/ruff format --check src tests bench && .venv/bin/mypy

wheel:  ## build dist/frontdesk-*.whl with the console, widget and IP data in it (needs Node.js and npm)
	.venv/bin/python -m pip wheel --no-deps -w dist .

# Benchside: the two commands a new machine needs are `make run` and `make test`.
# Everything else here is a convenience for developers.

.PHONY: run dev test lint schema openapi stop-test-db help frontend dev-frontend

## run: build (release) and run Benchside; with no DATABASE_URL it starts its own PostgreSQL.
## Builds the web app first when frontend/dist is missing or older than its sources (needs npm).
run:
	./scripts/frontend.sh build-if-stale
	cargo run --release --locked -- serve

## dev: the same with a debug build (faster to build, slower to run)
dev:
	./scripts/frontend.sh build-if-stale
	cargo run -- serve

## frontend: build the web app into frontend/dist (npm ci first when needed)
frontend:
	./scripts/frontend.sh build

## dev-frontend: Vite's dev server on http://127.0.0.1:5173 with live reload, /api proxied to
## the API on http://127.0.0.1:8080 (run `make dev` or `make run` beside it)
dev-frontend:
	./scripts/frontend.sh deps
	cd frontend && npm run dev

## test: every test (unit, HTTP, database, CLI), then rustfmt and clippy; prints a summary
test:
	./scripts/test.sh

## lint: rustfmt and clippy only
lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --locked -- -D warnings

## schema: regenerate src/db/schema.rs from the migrations (needs diesel_cli)
schema:
	./scripts/schema.sh

## openapi: accept the current API as the new docs/openapi.json snapshot
openapi:
	BLESS=1 cargo test --test it openapi::the_openapi_document_matches_the_committed_snapshot

## stop-test-db: stop the private cluster the tests use
stop-test-db:
	cargo run -q -- cluster stop --dir target/tmp/benchside-test-pg

help:
	@grep -E '^## ' Makefile | sed 's/^## /  make /'

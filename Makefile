# Benchside: the two commands a new machine needs are `make run` and `make test`.
# Everything else here is a convenience for developers.

.PHONY: run dev test lint schema openapi stop-test-db help

## run: build (release) and run Benchside; with no DATABASE_URL it starts its own PostgreSQL
run:
	cargo run --release --locked -- serve

## dev: the same with a debug build (faster to build, slower to run)
dev:
	cargo run -- serve

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

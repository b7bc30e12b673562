# The two commands a newcomer needs: `make demo` and `make test`.

GO ?= go
FUZZTIME ?= 10s

.PHONY: demo test build vet fuzz bench clean assets

## demo: fill a demo workspace on the embedded database and serve it
demo: assets
	$(GO) run ./cmd/cxm demo

## test: vet, every test (PostgreSQL too when CXM_TEST_DATABASE_URL is set), then short fuzz runs
test: assets vet
	$(GO) test -count=1 ./...
	$(MAKE) fuzz

vet:
	$(GO) vet ./...

## fuzz: run each fuzz target for FUZZTIME
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeInteractions$$' -fuzztime=$(FUZZTIME) ./ingest/
	$(GO) test -run='^$$' -fuzz='^FuzzCSVInteractions$$' -fuzztime=$(FUZZTIME) ./ingest/
	$(GO) test -run='^$$' -fuzz='^FuzzCustomers$$' -fuzztime=$(FUZZTIME) ./ingest/
	$(GO) test -run='^$$' -fuzz='^FuzzTokenize$$' -fuzztime=$(FUZZTIME) ./text/

## assets: htmx and ECharts from npm (package-lock.json) into web/ui/static/vendor/, embedded in the binary
assets:
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund && npm run build; \
	else echo "npm not found: skipping the browser assets (pages render without them; browser tests need them)"; fi

## build: the cxm binary, pure Go
build:
	CGO_ENABLED=0 $(GO) build -o bin/cxm ./cmd/cxm

## bench: the ingest benchmark
bench: build
	./bin/cxm bench ingest --events 200000 --json

clean:
	rm -rf bin cxm-data

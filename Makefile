# plandata: build the dataset from the curated sources and test the pipeline.
GO      ?= go
BIN     := bin/plandata
OUT     ?= outputs
FUZZTIME ?= 30s

# The DuckDB writer hands rows to DuckDB as Arrow record batches, which the driver offers only
# under this build tag; without it the writer falls back to DuckDB's appender, which writes
# the file a third slower at a million measures (pipeline/write/duckdb/rows_arrow.go).
TAGS    ?= duckdb_arrow

export CGO_ENABLED := 1

.PHONY: build run test validate verify bench fuzz check-outputs clean

build:
	$(GO) build -tags '$(TAGS)' -o $(BIN) ./cmd/plandata

run: build
	./$(BIN) build --sources sources --out $(OUT)
	./$(BIN) verify $(OUT)/latest

# test also runs the DuckDB writer's tests without the tag, on the appender.
test:
	$(GO) vet -tags '$(TAGS)' ./...
	$(GO) test -tags '$(TAGS)' ./...
	$(GO) vet ./pipeline/write/duckdb
	$(GO) test ./pipeline/write/duckdb

# Every fuzz target in the repository, $(FUZZTIME) each. A crasher is saved under its
# package's testdata/fuzz/<target>/, where go test then runs it as a regression case. Go 1.26
# can fail a target with a bare "context deadline exceeded" when -fuzztime runs out
# (go.dev/issue/75804, fixed in Go 1.27); that is reported and not counted as a failure.
fuzz:
	@list=$$($(GO) test -tags '$(TAGS)' -list '^Fuzz' ./...) || { echo "$$list"; exit 1; }; \
	log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	echo "$$list" | awk '/^Fuzz/ { names[n++] = $$1; next } /^ok/ { for (i = 0; i < n; i++) print $$2, names[i]; n = 0 }' | { \
		failed=; \
		while read pkg name; do \
			echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
			$(GO) test -tags '$(TAGS)' -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg </dev/null 2>&1 | tee "$$log"; \
			if grep -q '^ok' "$$log"; then continue; fi; \
			if grep -q 'context deadline exceeded' "$$log" && ! grep -q 'Failing input written' "$$log"; then \
				echo "fuzz: $$name stopped on Go's -fuzztime race, not on an input (go.dev/issue/75804)"; continue; \
			fi; \
			failed="$$failed $$pkg.$$name"; \
		done; \
		if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi; \
	}

validate: build
	./$(BIN) validate --sources sources

verify: build
	./$(BIN) verify $(OUT)/latest

# bench: the per-stage Go benchmarks on 10 000 synthetic measures (pipeline/bench_test.go),
# then whole builds at 100 000 and 1 000 000 measures timed against DuckDB and openpyxl
# (scripts/bench.sh; docs/benchmarks.md). The 1M build takes many minutes on two cores;
# BENCH_SIZES=100000 makes a quick run.
bench: build
	$(GO) test -tags '$(TAGS)' ./pipeline -run '^$$' -bench . -benchmem
	PLANDATA=$(CURDIR)/$(BIN) scripts/bench.sh $(BENCH_SIZES)

# check-outputs: the independent check with a user's tools (DuckDB's Node client, openpyxl,
# the Frictionless JS library). Builds a release into a temporary folder, or checks
# RELEASE=DIR (e.g. make check-outputs RELEASE=outputs/latest) without building one.
check-outputs: build
	scripts/check-outputs.sh $(RELEASE)

clean:
	rm -rf bin $(OUT)/releases $(OUT)/latest $(OUT)/.lock

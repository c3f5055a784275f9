# plandata: build the dataset from the curated sources and test the pipeline.
GO      ?= go
BIN     := bin/plandata
OUT     ?= outputs
FUZZTIME ?= 30s

export CGO_ENABLED := 1

.PHONY: build run test validate verify bench fuzz check-outputs clean

build:
	$(GO) build -o $(BIN) ./cmd/plandata

run: build
	./$(BIN) build --sources sources --out $(OUT)
	./$(BIN) verify $(OUT)/latest

test:
	$(GO) vet ./...
	$(GO) test ./...

validate: build
	./$(BIN) validate --sources sources

verify: build
	./$(BIN) verify $(OUT)/latest

# check-outputs: the independent check with a user's tools (DuckDB's Node client, openpyxl,
# the Frictionless JS library). Builds a release into a temporary folder, or checks
# RELEASE=DIR (e.g. make check-outputs RELEASE=outputs/latest) without building one.
check-outputs: build
	scripts/check-outputs.sh $(RELEASE)

clean:
	rm -rf bin $(OUT)/releases $(OUT)/latest $(OUT)/.lock

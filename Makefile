# medtwin — make targets. `make build` then `./bin/medtwin run scenarios/mmc.lua`;
# `make test` runs the tests (what .ci/run runs on a clean checkout).
GO      ?= go
BIN     := bin/medtwin
PKGS    := ./...

.PHONY: build test test-go test-arrowjs test-cluster bench verify lint fmt fuzz clean

FUZZTIME ?= 30s

build:
	$(GO) build -o $(BIN) ./cmd/medtwin

# The whole test suite: vet, unit tests, and an independent Arrow reader (Arrow JS)
# over the files a real run writes.
test: lint test-go test-arrowjs

test-go:
	$(GO) test -count=1 -timeout 15m $(PKGS)

# Reads a run's Arrow files with Arrow JS (npm apache-arrow), checking that what
# medtwin writes is readable by an implementation other than arrow-go.
test-arrowjs: build
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  .ci/arrowjs/check.sh $(BIN); \
	else echo "test-arrowjs: node/npm not found; skipped"; fi

# A one-node Slurm cluster runs a sweep and a run as 4-task array jobs; the merged
# parts must equal a one-machine run byte for byte (needs root; installs Slurm).
test-cluster: build
	.ci/cluster-test.sh

# Benchmarks reported in README's performance table, each with the ratio to the
# reference floor in ../shared/bench measured in the same run.
bench: build
	$(GO) test -run '^$$' -bench 'VsFloor|MMc' -benchtime 3x ./engine/ ./scripts/
	./$(BIN) bench des
	./$(BIN) bench lua

# Go fuzz targets for every parser of outside input built so far (seed corpora
# run as ordinary tests in `make test`).
fuzz:
	$(GO) test ./scripts/ -run '^$$' -fuzz '^FuzzScenario$$' -fuzztime $(FUZZTIME)
	$(GO) test ./scripts/ -run '^$$' -fuzz '^FuzzSet$$' -fuzztime $(FUZZTIME)
	$(GO) test ./scripts/ -run '^$$' -fuzz '^FuzzPatientsCSV$$' -fuzztime $(FUZZTIME)
	$(GO) test ./scripts/ -run '^$$' -fuzz '^FuzzTrial$$' -fuzztime $(FUZZTIME)
	$(GO) test ./scripts/plan/ -run '^$$' -fuzz '^FuzzGrid$$' -fuzztime $(FUZZTIME)
	$(GO) test ./scripts/plan/ -run '^$$' -fuzz '^FuzzConstraint$$' -fuzztime $(FUZZTIME)
	$(GO) test ./physio/pk/ -run '^$$' -fuzz '^FuzzDosesCSV$$' -fuzztime $(FUZZTIME)
	$(GO) test ./engine/results/ -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME)
	$(GO) test ./plugins/fhir/ -run '^$$' -fuzz '^FuzzImport$$' -fuzztime $(FUZZTIME)

verify: build
	./$(BIN) verify

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin out

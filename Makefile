# medtwin — make targets. `make build` then `./bin/medtwin run scenarios/mmc.lua`;
# `make test` runs the tests (what .ci/run runs on a clean checkout).
GO      ?= go
BIN     := bin/medtwin
PKGS    := ./...

.PHONY: build pgo test test-go test-arrowjs notebook-deps report-deps test-cluster bench verify lint fmt fuzz clean cuda-toolkit ptx cuda cuda-check

FUZZTIME ?= 30s

# The binary is built with profile-guided optimisation (go.dev/doc/pgo): PGO is
# CPU profiles of the benchmarks' workloads, merged (`make pgo` takes them again
# after a change to the interpreter or the kernel's hot paths). It is not named
# default.pgo, so that `go test` and `go run` build without it (PGO recompiles
# every dependency once: minutes on 2 cores, which the tests need not pay).
PGO     := cmd/medtwin/medtwin.pgo

build:
	$(GO) build -pgo=$(PGO) -o $(BIN) ./cmd/medtwin

# PGO's workloads: the Lua M/M/c, the peers' examples, the ED and sepsis models,
# each run by the binary built without a profile. Results are not kept.
PGO_RUN := --checkpoint off --quiet --workers 1
pgo:
	$(GO) build -pgo=off -o $(BIN).nopgo ./cmd/medtwin
	rm -rf .pgo && mkdir -p .pgo
	./$(BIN).nopgo run scenarios/mmc.lua -r 1 --set customers=1000000 --horizon 100000d --warmup 0 $(PGO_RUN) --out .pgo/o --cpuprofile .pgo/mmc.prof >/dev/null
	for s in movie_renege:4000 bank_renege:20000 gas_station_refuel:10000 machine_shop:60 ciw_tutorial_iv:1500 ciw_priorities:120; do \
	  ./$(BIN).nopgo run scenarios/peers/$${s%%:*}.lua -r $${s##*:} $(PGO_RUN) --out .pgo/o --cpuprofile .pgo/$${s%%:*}.prof >/dev/null || exit 1; done
	./$(BIN).nopgo run scenarios/ed_staffing.lua -r 20 $(PGO_RUN) --out .pgo/o --cpuprofile .pgo/ed.prof >/dev/null
	./$(BIN).nopgo run scenarios/sepsis_ed.lua -r 6 $(PGO_RUN) --out .pgo/o --cpuprofile .pgo/sepsis.prof >/dev/null
	$(GO) tool pprof -proto .pgo/*.prof > $(PGO)
	rm -rf .pgo $(BIN).nopgo

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

# Debian's Jupyter (nbconvert, ipykernel) and matplotlib, with which
# TestNotebooksExecute runs notebooks/*.ipynb (needs root; .ci/run calls it).
notebook-deps:
	@if command -v jupyter-nbconvert >/dev/null 2>&1 && /usr/bin/python3 -c "import ipykernel, matplotlib" 2>/dev/null; then :; else \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends jupyter-nbconvert python3-ipykernel python3-matplotlib; fi

# Headless Chromium renders the HTML reports to PNG in the report tests (they
# check the page's structure without it, and the screenshot decodes with it).
report-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; }

# A one-node Slurm cluster runs a sweep and a run as 4-task array jobs; the merged
# parts must equal a one-machine run byte for byte (needs root; installs Slurm).
test-cluster: build
	.ci/cluster-test.sh

# Benchmarks reported in README's performance table, each with the ratio to the
# reference floor in ../shared/bench measured in the same run.
bench: build
	$(GO) test -run '^$$' -bench 'VsFloor|MMc' -benchtime 3x ./engine/ ./scripts/
	$(GO) test -run '^$$' -bench 'MAP' -benchtime 5000x ./physio/fit/
	$(GO) test -run '^$$' -bench 'FOCEITheoph' -benchtime 20x ./physio/fit/
	$(GO) test -run '^$$' -bench 'Compile50|ReferenceCohortExact|MichaelisMentenTaylor' -benchtime 3x ./physio/modlang/
	./$(BIN) bench des
	./$(BIN) bench lua
	@Rscript -e 'library(deSolve)' >/dev/null 2>&1 && ./$(BIN) bench tmdd || echo "bench tmdd skipped: no deSolve (make r-reference)"

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
	$(GO) test ./physio/fit/ -run '^$$' -fuzz '^FuzzDataSet$$' -fuzztime $(FUZZTIME)
	$(GO) test ./physio/modlang/ -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime $(FUZZTIME)
	$(GO) test ./engine/results/ -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME)
	$(GO) test ./plugins/fhir/ -run '^$$' -fuzz '^FuzzImport$$' -fuzztime $(FUZZTIME)

# --- CUDA backend (plugins/cuda; README, "GPU cohorts") -------------------------
# The toolkit comes from Debian non-free (CUDA 11.8: nvcc, cuda.h, the libcuda
# stub), unpacked under .cuda/ (ignored; about 860 MB downloaded, nothing
# installed system-wide except the non-free apt source). Needs root for apt.
CUDA_ROOT ?= $(CURDIR)/.cuda/root
NVCC      := $(CUDA_ROOT)/usr/lib/nvidia-cuda-toolkit/bin/nvcc
CUDA_ENV  := CGO_CFLAGS=-I$(CUDA_ROOT)/usr/include CGO_LDFLAGS=-L$(CUDA_ROOT)/usr/lib/x86_64-linux-gnu/stubs

cuda-toolkit: $(NVCC)
$(NVCC):
	@test -f /etc/apt/sources.list.d/medtwin-nonfree.sources || printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: contrib non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > /etc/apt/sources.list.d/medtwin-nonfree.sources
	apt-get update -qq
	mkdir -p .cuda/debs $(CUDA_ROOT)
	cd .cuda/debs && apt-get download nvidia-cuda-toolkit nvidia-cuda-dev libcuda1
	for d in .cuda/debs/*.deb; do dpkg-deb -x $$d $(CUDA_ROOT); done
	# nvcc.profile points at /etc and /usr; make it relative to where nvcc is
	rm -f $(CUDA_ROOT)/usr/lib/nvidia-cuda-toolkit/bin/nvcc.profile
	printf 'NVVMIR_LIBRARY_DIR = $$(_HERE_)/../libdevice\nPATH += $$(_HERE_):\nINCLUDES += "-I$$(_HERE_)/../../../include" $$(_SPACE_)\n' > $(CUDA_ROOT)/usr/lib/nvidia-cuda-toolkit/bin/nvcc.profile

# Regenerates plugins/cuda/device/kernels.ptx (committed, embedded in the
# worker) and checks that ptxas assembles it for sm_90 (H100/H200).
ptx: cuda-toolkit
	$(NVCC) -ccbin $$(command -v g++) -allow-unsupported-compiler -ptx -arch=sm_90 -o plugins/cuda/device/kernels.ptx plugins/cuda/kernels.cu
	$(CUDA_ROOT)/usr/bin/ptxas -arch=sm_90 plugins/cuda/device/kernels.ptx -o /dev/null

# The CUDA worker (the only program linked with gorgonia.org/cu and libcuda,
# against the stub here; the GPU machine's driver provides the real
# libcuda.so.1, and NVRTC is opened at run time), then medtwin with the worker
# embedded: bin/medtwin-cuda runs on any machine and starts the worker only
# when a device is asked for (--backend cuda|auto). bin/cuda.test finds
# bin/medtwin-cuda-worker beside it; bin/cudadev.test drives the device
# directly (NVRTC compile and launch of a generated model).
cuda: cuda-toolkit
	$(CUDA_ENV) $(GO) build -tags cuda -o bin/medtwin-cuda-worker ./cmd/medtwin-cuda-worker
	cp bin/medtwin-cuda-worker cmd/medtwin/medtwin-cuda-worker
	$(CUDA_ENV) $(GO) vet -tags cuda ./plugins/cuda/... ./cmd/medtwin-cuda-worker ./cmd/medtwin
	$(GO) build -tags cuda -o bin/medtwin-cuda ./cmd/medtwin
	$(GO) test -c -tags cuda -o bin/cuda.test ./plugins/cuda
	$(CUDA_ENV) $(GO) test -c -tags cuda -o bin/cudadev.test ./plugins/cuda/device

# On the GPU machine (carry bin/): every parity test, then the benchmarks.
# MEDTWIN_CUDA_TRACE=1 prints each launch's phases (pack, upload, kernel,
# download, unpack).
cuda-check:
	./bin/cuda.test -test.v -test.run GPU
	./bin/cudadev.test -test.v -test.run GPU -test.bench GPUModel -test.benchtime 1x
	./bin/medtwin-cuda bench cohort --backend cuda --subjects 1000000 --stream 0 --rounds 2
	./bin/medtwin-cuda bench cohort --model tmdd_qss --backend cuda --subjects 100000 --rounds 2

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

# --- R reference for physio/fit (optional; `make test` does not need it) -----
# Installs R (Debian r-base-core) and deSolve (r-cran-desolve, for
# `medtwin bench tmdd`) so that physio/fit's tests compare MAP with
# R's optim on the same objective and read datasets::Theoph; without Rscript
# those tests skip and say so. Needs root for apt.
.PHONY: r-reference
r-reference:
	@command -v Rscript >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends r-base-core; }
	@Rscript -e 'library(deSolve)' >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends r-cran-desolve; }
	$(GO) test -count=1 ./physio/fit/ -run 'R$$' -v

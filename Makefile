# vizsite — `make site` builds the tutorial, `make test` runs the test suite.
# Both install the C libraries they need (Debian/Ubuntu, apt-get) when missing.

SWIFT ?= swift
APT_PACKAGES := libpng-dev libcmark-gfm-dev libcmark-gfm-extensions-dev zlib1g-dev libopenblas-dev libhdf5-dev \
  libturbojpeg0-dev pkg-config git rsync
VIZSITE := .build/release/vizsite

.PHONY: all deps build site serve test sanitize check-site check-snippets fuzz bench bench-models format clean

all: site

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
	@# Node runs the playground's JavaScript in the tests (any node will do; Debian's nodejs otherwise).
	@if ! command -v node >/dev/null 2>&1; then \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq nodejs; \
	fi

build: deps
	$(SWIFT) build -c release --product vizsite

# Trains the reference model once (cached in .vizsite/), computes every figure not
# cached, and swaps the finished site into Output/.
site: build
	$(VIZSITE) build --strict

# Serve the site on http://127.0.0.1:8000/, rebuilding on every change.
serve: build
	$(VIZSITE) serve

# Release mode: the numerical code is what is under test, and it is ~50× faster optimized.
# The second run covers the paths CPUs without AVX2 take: im2col convolutions, the
# Swift max pooling and dense layers (the hand-written kernels switched off).
test: deps
	$(SWIFT) test -c release
	VIZSITE_CONV_KERNELS=0 $(SWIFT) test -c release --skip-build --filter 'CNNTests|ExplainTests'

# The whole test suite built with AddressSanitizer (Swift and C) and UndefinedBehaviorSanitizer
# (C: the kernels and shims), every overflow and bounds check on: each reader, dataset, image
# and model path, gray and colour, every input size the tests use. Not part of `make test`
# (it takes several minutes); run it before changing a reader or a kernel.
sanitize: deps
	VIZSITE_CHECKED=1 ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(SWIFT) test -c release --scratch-path .build-sanitize --sanitize=address \
	  -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined

# The built site against the W3C Nu HTML checker, its own links, and headless Chromium
# (needs Java and chromium; not part of `make test`, since it needs the built site).
check-site: site
	Tools/check-site.sh Output

# Runs every Python box of the lessons (Captum, pytorch-grad-cam, tf-keras-vis, Quantus,
# matplotlib) in its own virtualenvs with pinned versions (Tools/snippets/requirements-*.txt,
# installed on first use), compares what each computes with the built figures' raw values, and
# records the agreement each box states (Content/lessons/checked-snippets.json). Chinese
# matplotlib labels need a CJK font (fonts-noto-cjk). Not part of `make test`.
check-snippets: build
	@fc-list 2>/dev/null | grep -q "Noto Sans CJK" || { \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq fonts-noto-cjk fontconfig; }
	python3 Tools/check_snippets.py --vizsite $(VIZSITE)

# libFuzzer with the address sanitizer over every reader of user files, 10 minutes per
# target (FUZZ_SECONDS=60 make fuzz for a quick pass); findings land in Fuzz/Findings/.
fuzz: deps
	Tools/fuzz.sh

# Side-by-side speed against PyTorch (installs PyTorch into Benchmarks/.venv).
bench: build
	Benchmarks/compare.sh

# Imported models (ResNets, MobileNets, EfficientNet, SqueezeNet, RegNet at 224²) against ONNX
# Runtime, PyTorch and pytorch-grad-cam (installs them into Benchmarks/.venv).
bench-models:
	Benchmarks/bench_models.sh

# Formats the Swift sources with swift-format (in the toolchain) and .swift-format:
# 120 columns, 4-space indents.
format:
	$(SWIFT) format format --in-place --recursive --configuration .swift-format Sources Tests Fuzz Package.swift

clean:
	rm -rf .build .vizsite Output

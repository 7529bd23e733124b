#!/usr/bin/env bash
# Builds the libFuzzer driver (address sanitizer, bounds checks on) and runs each fuzz
# target for FUZZ_SECONDS (default 600), two at a time.
#
#   Tools/fuzz.sh                 every target
#   Tools/fuzz.sh png lesson      some of them
#   FUZZ_SECONDS=60 Tools/fuzz.sh
#
# Corpora grow in .build-fuzz/corpus/<target>/ (seeded from Fuzz/Seeds/<target>/ and the
# committed, minimized corpus of earlier campaigns, Fuzz/Corpus/<target>/: refresh it with
#   VIZSITE_FUZZ_TARGET=T .build-fuzz/vizsite-fuzz -merge=1 Fuzz/Corpus/T .build-fuzz/corpus/T). A crash,
# leak, timeout or out-of-memory input is written to Fuzz/Findings/<target>/; once fixed,
# move it to Fuzz/Regressions/<target>/ so `make test` replays it forever.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
JOBS=${FUZZ_JOBS:-2}
BUILD=.build-fuzz
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(lesson site-config selector model-spec safetensors idx png onnx keras hdf5 zip tex http)
fi

# The hdf5 target reads whole Keras files through HDF5Guard, whose child is the release
# vizsite; its time limit is cut to 3 s so that a looping file is found within libFuzzer's.
swift build -c release --product vizsite
export VIZSITE_FUZZ_HELPER=$PWD/.build/release/vizsite VIZSITE_HDF5_SECONDS=3

SANITIZE=-sanitize=fuzzer,address
VIZSITE_FUZZ=1 swift build -c release --build-path "$BUILD" --product VizsiteFuzz \
    -Xswiftc "$SANITIZE" -Xswiftc -g
swiftc "$SANITIZE" -use-ld=lld -g "$BUILD/release/libVizsiteFuzz.a" \
    $(pkg-config --libs libpng zlib openblas libcmark-gfm hdf5 libturbojpeg) -lcmark-gfm-extensions -o "$BUILD/vizsite-fuzz"

run_target() {
    local target=$1
    local corpus="$BUILD/corpus/$target" findings="Fuzz/Findings/$target"
    mkdir -p "$corpus" "$findings"
    local dict=() max_len=65536
    # The corpus earlier campaigns reached, minimized and committed (Fuzz/Corpus/<target>/).
    local committed=()
    if [ -d "Fuzz/Corpus/$target" ]; then committed=("Fuzz/Corpus/$target"); fi
    local leaks=1
    # Foundation's Process keeps 32 bytes (a weak-reference side table) per child it starts,
    # which LeakSanitizer reports; the hdf5 target starts one child per input.
    case $target in hdf5) max_len=262144 leaks=0 ;; zip) max_len=524288 ;; esac
    if [ -f "Fuzz/Dictionaries/$target.dict" ]; then dict=(-dict="Fuzz/Dictionaries/$target.dict"); fi
    # Timeouts of 10 s per input and 2 GB of memory are bugs: no input a person writes
    # should take that.
    local started=$SECONDS
    VIZSITE_FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no \
        "$BUILD/vizsite-fuzz" "$corpus" "Fuzz/Seeds/$target" "${committed[@]}" "${dict[@]}" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -detect_leaks="$leaks" \
        -print_final_stats=1 -artifact_prefix="$findings/" \
        >"$BUILD/$target.log" 2>&1 || true
    local elapsed=$((SECONDS - started)) runs found
    # The final statistics count executions; when a finding stopped the run there are
    # none, and the last progress line ("#12345 ...") counts them.
    runs=$(grep -o 'number_of_executed_units: *[0-9]*' "$BUILD/$target.log" | grep -o '[0-9]*$' ||
           grep -o '^#[0-9][0-9]*' "$BUILD/$target.log" | tail -1 | tr -d '#')
    found=$(find "$findings" -type f | wc -l)
    echo "$target: ${runs:-0} executions in ${elapsed}s, corpus $(find "$corpus" -type f | wc -l) inputs, $found findings (log: $BUILD/$target.log)"
}

export -f run_target
export BUILD SECONDS_PER_TARGET
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_target {}'
if find Fuzz/Findings -type f 2>/dev/null | grep -q .; then
    echo "fuzzing found problems: see Fuzz/Findings/" >&2
    exit 1
fi

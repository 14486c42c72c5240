#!/usr/bin/env bash
# CPU and peak memory of each newsflow process, for sizing (docs/production.md,
# deploy/kubernetes resource requests). Two runs on the same pages:
#   1. offline, one stage at a time: `newsflow process --stages S` (CPU per page, peak RSS)
#   2. the pipeline as separate processes on the embedded broker: broker, the three
#      stages, a sink, and `newsflow produce` of the pages (peak RSS and CPU of each,
#      librdkafka's buffers included)
# Pages: the trafilatura evaluation set in the shared corpus (real HTML news pages).
# usage: bench/install/stage_resources.sh BUILD_DIR [PAGES_DIR] [REPEAT]
set -euo pipefail
build="$(cd "${1:?usage: stage_resources.sh BUILD_DIR [PAGES_DIR] [REPEAT]}" && pwd)"
corpus="${NEWSFLOW_CORPUS_DIR:-$(dirname "$0")/../../../shared/corpus}"
pages_src="${2:-$corpus/cleaning-dev/trafilatura-eval/html}"
repeat="${3:-3}"
nf="$build/app/newsflow"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/newsflow-resources.XXXXXX")"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME="$tmp/home"   # fresh state (clean's learnt templates)
mkdir -p "$tmp/pages" "$HOME"
i=0
for f in "$pages_src"/*; do
  i=$((i + 1))
  case "$f" in *.gz) gunzip -c "$f" >"$tmp/pages/$i.html" ;; *) cp "$f" "$tmp/pages/$i.${f##*.}" ;; esac
done
echo "pages: $i files, $(du -sh "$tmp/pages" | cut -f1)"
cd "$tmp"
"$nf" run "$tmp/pages" --stages=passthrough --output raw.jsonl --dead-letters raw-dlq.jsonl --log-level error >/dev/null 2>&1
n="$(wc -l <raw.jsonl)"
echo "envelopes: $n ($(wc -l <raw-dlq.jsonl) over the size limit or undecodable)"

echo "== offline, one stage at a time (newsflow process), $repeat runs"
in=raw.jsonl
for s in clean langid entities; do
  for ((r = 1; r <= repeat; r++)); do
    /usr/bin/time -f "$s cpu_s=%U+%S peak_rss_kb=%M" nice -n 10 "$nf" process --stages "$s" --input "$in" \
      --output "$s.jsonl" --dead-letters "$s-dlq.jsonl" --log-level error 2>&1 >/dev/null | grep "cpu_s="
  done
  in="$s.jsonl"
done

echo "== separate processes on the embedded broker (produce -> clean -> langid -> entities -> sink)"
mkdir -p k && cd k
"$nf" broker --log-level warn >broker.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s var/broker.bootstrap ]] && break; sleep 0.2; done
timed() {  # timed NAME CMD...: runs CMD under /usr/bin/time, in the background
  local name="$1"; shift
  /usr/bin/time -o "time-$name.txt" -f "$name cpu_s=%U+%S peak_rss_kb=%M" nice -n 10 "$@" >"$name.log" 2>&1 &
  pids+=($!)
}
timed clean "$nf" stage clean --log-level warn
timed langid "$nf" stage langid --log-level warn
timed entities "$nf" stage entities --log-level warn
timed sink "$nf" sink --output articles.jsonl --log-level warn
sleep 3
start=$SECONDS
/usr/bin/time -o time-produce.txt -f "produce cpu_s=%U+%S peak_rss_kb=%M" "$nf" produce "$tmp/pages" --log-level error >/dev/null 2>&1
want="$(wc -l <../entities.jsonl)"
for _ in $(seq 1200); do
  [[ "$(cat articles.jsonl 2>/dev/null | wc -l)" -ge "$want" ]] && break
  sleep 0.5
done
echo "articles: $(wc -l <articles.jsonl) of $want in $((SECONDS - start)) s"
for p in "${pids[@]:1}"; do
  child="$(pgrep -P "$p" || true)"   # /usr/bin/time's child: nice exec'd newsflow
  [[ -n "$child" ]] && kill -TERM "$child"
done
for p in "${pids[@]:1}"; do wait "$p" 2>/dev/null || true; done
kill -TERM "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
pids=()
cat time-*.txt

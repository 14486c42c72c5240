#!/usr/bin/env bash
# RealKafkaInstall.UnitsPipeline: the installed systemd units' command lines,
# run without systemd. Installs into a temporary prefix under the build folder,
# then runs, as systemd would expand them (unit_exec.py: Environment=,
# EnvironmentFile=, %i, $VAR), the ExecStart of newsflow-kafka.service (the
# installed newsflow-kafka: a real single-node KRaft broker; free ports instead
# of 9092), of newsflow-stage@clean/@langid/@entities and of
# newsflow-sink@articles/@dead-letters, with only the broker address, metrics
# ports and output files overridden. The demo's samples go in with the
# installed `newsflow produce`; every article and dead letter must come out,
# once. Then ExecStop stops the broker.
# Usage: realkafka_units_test.sh SOURCE_DIR BUILD_DIR. Exit 77 without Java.
set -euo pipefail
src="$(cd "$1" && pwd)" build="$(cd "$2" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v java >/dev/null || { echo "SKIP: java is missing (default-jre-headless): no real broker"; exit 77; }
export NEWSFLOW_KAFKA_LIB="${NEWSFLOW_KAFKA_LIB:-$src/.cache/kafka/lib}"

tmp="$(mktemp -d "$build/test-install-units.XXXXXX")"
p="$tmp/p" units="$tmp/p/lib/systemd/system" state="$tmp/state"
pids=() wpid=""
cleanup() {
  local rc=$?
  [[ -n "$wpid" ]] && kill -TERM "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -f "$state/kafka/cluster.env" ]]; then
    NEWSFLOW_STATE_DIR="$state" "$p/bin/newsflow-kafka" stop >/dev/null 2>&1 || true
  fi
  if ((rc == 0)); then rm -rf "$tmp"; else echo "kept $tmp for inspection" >&2; fi
}
trap cleanup EXIT
"${CMAKE:-cmake}" --install "$build" --prefix "$p" >"$tmp/install.log"
mkdir -p "$state" "$tmp/home" "$tmp/out"

argv() {  # argv UNIT INSTANCE KEY [KEY=VALUE...] -> the global array A
  mapfile -d '' A < <(python3 "$here/unit_exec.py" "$units/$1" "$2" "$3" "${@:4}")
  ((${#A[@]})) || fail "no $3 in $1"
}
# TMPDIR kept: kafka.sh claims its ports in $TMPDIR (the run's, not /tmp's).
run_env=(env -i PATH=/usr/bin:/bin HOME="$tmp/home" NEWSFLOW_STATE_DIR="$state" NEWSFLOW_KAFKA_LIB="$NEWSFLOW_KAFKA_LIB"
  TMPDIR="${TMPDIR:-/tmp}")

# The broker: newsflow-kafka.service's ExecStart, ports left to kafka.sh (a test must not take 9092).
argv newsflow-kafka.service "" ExecStart
[[ "${A[0]}" == "$p/bin/newsflow-kafka" && "${A[1]}" == start ]] || fail "kafka unit runs ${A[*]}"
start=()
for ((i = 0; i < ${#A[@]}; i++)); do
  if [[ "${A[$i]}" == --port ]]; then i=$((i + 1)); continue; fi
  start+=("${A[$i]}")
done
"${run_env[@]}" "${start[@]}" >"$tmp/kafka-start.log" 2>&1 || { cat "$tmp/kafka-start.log"; fail "newsflow-kafka start"; }
# Type=forking with PIDFile=: start returned with the broker up, its pid in the file the unit names.
pidfile="$(sed -n 's/^PIDFile=//p' "$units/newsflow-kafka.service")"
pidfile="${pidfile/\/var\/lib\/newsflow/$state}"
kpid="$(cat "$pidfile")" || fail "no PIDFile $pidfile after start"
grep -q java "/proc/$kpid/cmdline" 2>/dev/null || fail "PIDFile $pidfile holds $kpid, not the running broker"
bootstrap="$("${run_env[@]}" "$p/bin/newsflow-kafka" bootstrap)"
echo "broker: pid $kpid, $bootstrap (data in $state/kafka)"

over=(NEWSFLOW_BROKERS="$bootstrap")
for s in clean langid entities; do
  argv "newsflow-stage@.service" "$s" ExecStart "${over[@]}" NEWSFLOW_STAGE_ARGS="--metrics-addr=127.0.0.1:0"
  [[ "${A[*]}" == "$p/bin/newsflow stage $s --pipeline $p/etc/newsflow/pipeline.yaml --brokers $bootstrap"* ]] ||
    fail "stage unit runs: ${A[*]}"
  "${run_env[@]}" "${A[@]}" >"$tmp/out/$s.log" 2>&1 &
  pids+=($!)
done
argv "newsflow-sink@.service" articles ExecStart "${over[@]}" \
  NEWSFLOW_SINK_ARGS="--topic=news.tagged --output=$tmp/out/articles.jsonl --metrics-addr=127.0.0.1:0"
"${run_env[@]}" "${A[@]}" >"$tmp/out/sink.log" 2>&1 &
pids+=($!)
argv "newsflow-sink@.service" dead-letters ExecStart "${over[@]}" \
  NEWSFLOW_SINK_ARGS="--topic=news.dlq --output=$tmp/out/dead-letters.jsonl --metrics-addr=127.0.0.1:0"
"${run_env[@]}" "${A[@]}" >"$tmp/out/dlq-sink.log" 2>&1 &
pids+=($!)
# The sink@articles env file the package ships names the topic and a file under /var/lib/newsflow.
grep -q -- '--topic=news.tagged' "$p/etc/newsflow/sink-articles.env" || fail "sink-articles.env does not read news.tagged"

# The watcher's unit with a feed list in place: it must start, poll (a closed
# loopback port here: the feed fails, the watcher stays up) and drain on SIGTERM.
printf 'feeds:\n  - url: http://127.0.0.1:9/feed.xml\n    source: loopback\n' >"$p/etc/newsflow/feeds.yaml"
argv newsflow-watch.service "" ExecStart "${over[@]}" \
  NEWSFLOW_WATCH_ARGS="--metrics-addr=127.0.0.1:0 --allow-private-addresses"
[[ "${A[*]}" == "$p/bin/newsflow watch --feeds $p/etc/newsflow/feeds.yaml --brokers $bootstrap"* ]] ||
  fail "watch unit runs: ${A[*]}"
"${run_env[@]}" "${A[@]}" >"$tmp/out/watch.log" 2>&1 &
wpid=$!

samples=("$p/share/newsflow/samples/pages" "$p/share/newsflow/samples/feed.jsonl")
"${run_env[@]}" "$p/bin/newsflow" produce --brokers "$bootstrap" "${samples[@]}" --log-level warn \
  >"$tmp/out/produce.log" 2>&1 || { cat "$tmp/out/produce.log"; fail "produce"; }
in_pages="$(find "${samples[0]}" -type f | wc -l)"
in_lines="$(grep -c . "${samples[1]}")"
want=$((in_pages + in_lines))
deadline=$((SECONDS + 180))
count() { cat "$tmp/out/$1" 2>/dev/null | wc -l; }
until (($(count articles.jsonl) + $(count dead-letters.jsonl) >= want)); do
  ((SECONDS < deadline)) || { tail -n 5 "$tmp"/out/*.log; fail "after 180 s: $(count articles.jsonl) articles, $(count dead-letters.jsonl) dead letters of $want records"; }
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { tail -n 20 "$tmp"/out/*.log; fail "a unit's process exited"; }; done
  sleep 0.5
done
sleep 2   # anything extra (a duplicate) would land now
kill -0 "$wpid" 2>/dev/null || { cat "$tmp/out/watch.log"; fail "the watcher's unit command exited"; }
kill -TERM "$wpid"
wait "$wpid" || { cat "$tmp/out/watch.log"; fail "the watcher did not exit 0 on SIGTERM"; }
wpid=""
echo "watch unit: started with $p/etc/newsflow/feeds.yaml, stopped cleanly on SIGTERM"
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || fail "a unit's process did not exit 0 on SIGTERM (drain)"; done
pids=()

python3 - "$tmp/out" "$want" <<'PY'
import json, sys
out, want = sys.argv[1], int(sys.argv[2])
arts = [json.loads(l) for l in open(f"{out}/articles.jsonl", encoding="utf-8")]
dlq = [json.loads(l) for l in open(f"{out}/dead-letters.jsonl", encoding="utf-8")]
ids = [a["id"] for a in arts]
dups = len(ids) - len(set(ids))
ents = sum(len(a.get("entities") or []) for a in arts)
print(f"{want} records in: {len(arts)} articles, {len(dlq)} dead letters, {dups} duplicates, "
      f"{want - len(arts) - len(dlq)} lost; {ents} entities")
assert dups == 0 and len(arts) + len(dlq) == want
assert all(a.get("clean") and a.get("lang") and "entities" in a for a in arts), "an article skipped a stage"
assert ents > 0
PY

argv newsflow-kafka.service "" ExecStop
"${run_env[@]}" "${A[@]}" >"$tmp/kafka-stop.log" 2>&1 || { cat "$tmp/kafka-stop.log"; fail "ExecStop"; }
# Ended: gone, or exited and not yet reaped by its new parent (a zombie still
# answers kill -0; scripts/kafka.sh stop returns once the process has exited).
state="$(cat "/proc/$kpid/stat" 2>/dev/null || true)"
[[ -z "$state" || "${state##*) }" == Z* ]] || fail "the broker $kpid still runs after ExecStop"
echo "ExecStop: broker stopped"
echo PASS

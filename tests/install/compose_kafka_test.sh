#!/usr/bin/env bash
# RealKafkaInstall.ComposeKafkaConfig: the broker configuration of
# deploy/compose.yaml, run. The apache/kafka image turns every KAFKA_* variable
# into a server property (KAFKA_NODE_ID -> node.id: prefix dropped, lower case,
# '___' -> '-', '__' -> '_', '_' -> '.', the *_OPTS ones left to the JVM) and
# formats its storage with CLUSTER_ID; this does the same with the Kafka jars of
# deploy/kafka/pom.xml (4.1.1, the image's version), on loopback with free ports
# instead of kafka:9092/9093, then sends the samples through it as compose's
# services would: produce, `stage clean` and a sink, both exactly once (which
# needs the single-node transaction-log settings), and counts what arrives.
# Usage: compose_kafka_test.sh SOURCE_DIR BUILD_DIR. Exit 77 without Java or the jars.
set -euo pipefail
src="$(cd "$1" && pwd)" build="$(cd "$2" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v java >/dev/null || { echo "SKIP: java is missing (default-jre-headless)"; exit 77; }
lib="${NEWSFLOW_KAFKA_LIB:-$src/.cache/kafka/lib}"
ls "$lib"/kafka_2.13-*.jar >/dev/null 2>&1 || { echo "SKIP: no Kafka jars in $lib (scripts/kafka.sh install)"; exit 77; }
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml is missing"; exit 77; }
nf="$build/app/newsflow"

tmp="$(mktemp -d "$build/test-compose-kafka.XXXXXX")"
pids=() kpid=""
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  if [[ -n "$kpid" ]]; then
    kill -TERM "$kpid" 2>/dev/null || true
    for _ in $(seq 600); do kill -0 "$kpid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$kpid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  if ((rc == 0)); then rm -rf "$tmp"; else echo "kept $tmp" >&2; fi
}
trap cleanup EXIT
{ read -r p1; read -r p2; } < <(python3 "$src/scripts/free_ports.py" 2)

python3 - "$src/deploy/compose.yaml" "$tmp" "$p1" "$p2" >"$tmp/cluster_id" <<'PY'
import re, sys, yaml
compose, tmp, p1, p2 = sys.argv[1:]
env = yaml.safe_load(open(compose))["services"]["kafka"]["environment"]
props = []
for k, v in env.items():
    if not k.startswith("KAFKA_") or k.endswith("_OPTS"):
        continue
    name = k[len("KAFKA_"):].lower().replace("___", "-").replace("__", "\0").replace("_", ".").replace("\0", "_")
    v = str(v).replace("kafka:9092", f"127.0.0.1:{p1}").replace("kafka:9093", f"127.0.0.1:{p2}")
    v = v.replace("://:9092", f"://127.0.0.1:{p1}").replace("://:9093", f"://127.0.0.1:{p2}")
    if name == "log.dirs":
        v = f"{tmp}/data"
    props.append(f"{name}={v}")
open(f"{tmp}/server.properties", "w").write("\n".join(props) + "\n")
print(env["CLUSTER_ID"])
PY
cid="$(cat "$tmp/cluster_id")"
echo "compose's broker config ($(wc -l <"$tmp/server.properties") properties, cluster $cid) on 127.0.0.1:$p1"
java -Xmx256m -cp "$lib/*" -Dlog4j2.configurationFile="$src/deploy/kafka/log4j2-tools.properties" \
  kafka.tools.StorageTool format -t "$cid" -c "$tmp/server.properties" >"$tmp/format.log" 2>&1 ||
  { cat "$tmp/format.log"; fail "kafka-storage format refused compose's config or CLUSTER_ID"; }
(cd "$tmp" && exec java -Xms256m -Xmx768m -cp "$lib/*" -Dlog4j2.configurationFile="$src/deploy/kafka/log4j2.properties" \
  -Dkafka.logs.dir="$tmp/logs" kafka.Kafka "$tmp/server.properties" >"$tmp/kafka.log" 2>&1) &
kpid=$!
for _ in $(seq 1200); do
  grep -q "Kafka Server started" "$tmp/kafka.log" && break
  kill -0 "$kpid" 2>/dev/null || { tail -n 30 "$tmp/kafka.log"; fail "Kafka exited with compose's config"; }
  sleep 0.1
done
grep -q "Kafka Server started" "$tmp/kafka.log" || fail "Kafka not up after 120 s"
b="127.0.0.1:$p1"
export NEWSFLOW_STATE_DIR="$tmp/state"   # clean's learnt templates and the transactional-id slots: this run's own

"$nf" stage clean --brokers "$b" --delivery exactly_once --metrics-addr 127.0.0.1:0 \
  --pipeline "$src/deploy/pipeline.yaml" >"$tmp/clean.log" 2>&1 &
pids+=($!)
"$nf" sink --brokers "$b" --topic news.clean --delivery exactly_once --output "$tmp/clean.jsonl" \
  --metrics-addr 127.0.0.1:0 >"$tmp/sink.log" 2>&1 &
pids+=($!)
"$nf" produce --brokers "$b" "$src/samples/pages" --log-level warn >"$tmp/produce.log" 2>&1 ||
  { cat "$tmp/produce.log"; fail produce; }
want="$(find "$src/samples/pages" -type f | wc -l)"
for _ in $(seq 1200); do
  [[ "$(cat "$tmp/clean.jsonl" 2>/dev/null | wc -l)" -ge "$want" ]] && break
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { tail -n 20 "$tmp"/*.log; fail "a newsflow process exited"; }; done
  sleep 0.1
done
sleep 2
for p in "${pids[@]}"; do kill -TERM "$p"; done
for p in "${pids[@]}"; do wait "$p" || fail "a newsflow process did not drain cleanly"; done
pids=()
got="$(wc -l <"$tmp/clean.jsonl")"
uniq_ids="$(python3 -c 'import json,sys; print(len({json.loads(l)["id"] for l in open(sys.argv[1])}))' "$tmp/clean.jsonl")"
echo "$want pages in: $got cleaned articles out exactly once ($uniq_ids distinct ids) through compose's Kafka config"
[[ "$got" == "$want" && "$uniq_ids" == "$want" ]] || fail "expected $want articles, once each"
echo PASS

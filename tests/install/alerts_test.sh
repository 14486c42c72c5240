#!/usr/bin/env bash
# Install.AlertRules: deploy/prometheus/alerts.yml passes `promtool check rules`,
# its unit tests (tests/install/alerts_test.yml: each alert fires on the series
# it is for, healthy stages raise nothing) pass `promtool test rules`, and the
# compose Prometheus config that loads it passes `promtool check config`.
# Usage: alerts_test.sh SOURCE_DIR BUILD_DIR. Exit 77 without promtool.
set -euo pipefail
src="$(cd "$1" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v promtool >/dev/null || { echo "SKIP: promtool is missing (Debian package prometheus): alerts not checked"; exit 77; }
promtool --version 2>&1 | head -1
promtool check rules "$src/deploy/prometheus/alerts.yml" || fail "promtool check rules"
(cd "$src/tests/install" && promtool test rules alerts_test.yml) || fail "promtool test rules"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/newsflow-alerts.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp "$src/deploy/compose/prometheus.yml" "$src/deploy/prometheus/alerts.yml" "$tmp/"
promtool check config "$tmp/prometheus.yml" || fail "promtool check config deploy/compose/prometheus.yml"
echo PASS

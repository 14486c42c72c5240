#!/usr/bin/env bash
# Install.SystemdUnits: installs into a temporary prefix and runs
# `systemd-analyze verify` on every unit (templates through an instance:
# newsflow-stage@clean, newsflow-sink@articles), which fails on unknown keys,
# bad values and missing executables; checks that the units name the installed
# binary and /etc files, that every env file they read exists, and prints
# `systemd-analyze security --offline` exposure for each service.
# Usage: systemd_test.sh SOURCE_DIR BUILD_DIR. Exit 77 (ctest SKIP) without systemd-analyze.
set -euo pipefail
src="$(cd "$1" && pwd)" build="$(cd "$2" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v systemd-analyze >/dev/null ||
  { echo "SKIP: systemd-analyze is missing (Debian package systemd): units not verified"; exit 77; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/newsflow-systemd.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
"${CMAKE:-cmake}" --install "$build" --prefix "$tmp/p" >"$tmp/install.log"
units="$tmp/p/lib/systemd/system"
cp "$units/newsflow-stage@.service" "$units/newsflow-stage@clean.service"
cp "$units/newsflow-sink@.service" "$units/newsflow-sink@articles.service"
check=(newsflow-kafka.service newsflow-stage@clean.service newsflow-sink@articles.service
  newsflow-watch.service newsflow.target)
# The unit search path: these units first, then the system's (trailing colon).
if ! (cd "$units" && SYSTEMD_UNIT_PATH="$units:" systemd-analyze verify --man=no "${check[@]/#/$units/}") \
  >"$tmp/verify.log" 2>&1; then
  cat "$tmp/verify.log"
  fail "systemd-analyze verify"
fi
# verify prints problems it tolerates (e.g. ignored keys) without failing: none allowed for ours.
if grep -E 'newsflow' "$tmp/verify.log"; then fail "systemd-analyze verify reported the lines above"; fi
echo "verify: ${#check[@]} units clean ($(systemd-analyze --version | head -1))"

for u in "${check[@]}"; do
  f="$units/$u"
  while read -r line; do
    exe="${line#*=}"; exe="${exe%% *}"; exe="${exe#-}"
    [[ "$exe" == "$tmp/p/bin/"* || "$exe" == /bin/kill ]] || fail "$u runs $exe, not the installed binary"
  done < <(grep -E '^Exec(Start|Stop|Reload)=' "$f" || true)
  if grep -q "$src\|$build" "$f"; then fail "$u mentions the source or build tree"; fi
done
# Every instance newsflow.target wants has its env file (metrics port, topic, output).
for inst in $(grep -o 'newsflow-\(stage\|sink\)@[a-z-]*' "$units/newsflow.target"); do
  kind="${inst#newsflow-}"; kind="${kind%@*}"; name="${inst#*@}"
  [[ -f "$tmp/p/etc/newsflow/$kind-$name.env" ]] || fail "$inst has no etc/newsflow/$kind-$name.env"
done
ports="$(cat "$tmp/p/etc/newsflow/"*.env | grep -o 'metrics-addr=[0-9.:]*' | sort)"
[[ "$(uniq -d <<<"$ports")" == "" ]] || fail "two services share a metrics port: $(uniq -d <<<"$ports")"
# They match the ports deploy/prometheus/prometheus.yml scrapes.
for p in $(grep -o '127.0.0.1:94[0-9][0-9]' <<<"$ports"); do
  grep -q "${p#*:}" "$src/deploy/prometheus/prometheus.yml" || fail "prometheus.yml does not scrape $p"
done
echo "env files: ok ($(wc -l <<<"$ports") metrics ports, all scraped by deploy/prometheus/prometheus.yml)"

for u in newsflow-kafka.service newsflow-stage@clean.service newsflow-sink@articles.service newsflow-watch.service; do
  systemd-analyze security --offline=true "$units/$u" 2>/dev/null | tail -n 1 || true
done
echo PASS

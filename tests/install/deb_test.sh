#!/usr/bin/env bash
# Install.DebianPackage: builds newsflow_<version>_<arch>.deb with CPack (DEB,
# dpkg-shlibdeps) from the build folder and checks it: the file name, the file
# list (binary, stage data, units, conffiles in /etc/newsflow; no lid.176.ftz, no
# /usr/local, no build or source paths), the Depends: line (the Debian package of
# every shared library the binary needs, as dpkg -S names it), the maintainer
# scripts, and the unpacked binary running from the unpacked tree.
# Usage: deb_test.sh SOURCE_DIR BUILD_DIR. Exit 77 (ctest SKIP) without dpkg tools.
set -euo pipefail
src="$(cd "$1" && pwd)" build="$(cd "$2" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
for t in dpkg-deb dpkg-shlibdeps dpkg objdump file; do
  command -v "$t" >/dev/null || { echo "SKIP: $t is missing (Debian packages dpkg-dev, binutils, file)"; exit 77; }
done
[[ -x "$build/app/newsflow" ]] || fail "$build/app/newsflow is not built"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/newsflow-deb.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
"${CPACK:-cpack}" --config "$build/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; fail "cpack failed"; }
version="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")"
arch="$(dpkg --print-architecture)"
deb="$tmp/out/newsflow_${version}_${arch}.deb"
[[ -f "$deb" ]] || fail "expected $deb; cpack made: $(ls "$tmp/out")"
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/files"
echo "files: $(grep -vc '/$' "$tmp/files")"
for f in /usr/bin/newsflow /usr/bin/newsflow-kafka /usr/bin/newsflow-fetch-models \
  /usr/share/newsflow/stages/clean/data/stoplists.tsv /usr/share/newsflow/stages/entities/data/ar.model \
  /usr/share/newsflow/stages/entities/data/en.model /usr/share/newsflow/schemas/article.v1.schema.json \
  /usr/share/newsflow/scripts/kafka.sh /usr/share/newsflow/scripts/free_ports.py /usr/share/newsflow/deploy/kafka/pom.xml \
  /usr/lib/systemd/system/newsflow-kafka.service /usr/lib/systemd/system/newsflow-stage@.service \
  /usr/lib/systemd/system/newsflow-sink@.service /usr/lib/systemd/system/newsflow-watch.service \
  /usr/lib/systemd/system/newsflow.target /usr/lib/sysusers.d/newsflow.conf \
  /etc/newsflow/pipeline.yaml /etc/newsflow/newsflow.env /usr/share/doc/newsflow/copyright \
  /usr/share/doc/newsflow/production.md; do
  grep -qx "$f" "$tmp/files" || fail "package lacks $f"
done
if grep -E 'lid\.176|/usr/local/|\.cache/' "$tmp/files"; then fail "package holds files it must not (above)"; fi

dpkg-deb -e "$deb" "$tmp/control"
for s in postinst prerm postrm; do [[ -x "$tmp/control/$s" ]] || fail "no executable $s"; done
sort "$tmp/control/conffiles" >"$tmp/conffiles"
grep '^/etc/' "$tmp/files" | grep -v '/$' | sort >"$tmp/etc-files"
diff "$tmp/etc-files" "$tmp/conffiles" || fail "every /etc file must be a conffile, and only those"
grep -q 'CC BY-SA 3.0' "$tmp/control/control" || fail "the description must name lid.176.ftz's licence"

depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
# Each library the binary is linked against must bring its package into Depends.
sed 's/([^)]*)//g; s/[,|]/\n/g' <<<"$depends" | tr -d ' ' | sed '/^$/d' >"$tmp/depends-names"
ldconfig -p >"$tmp/ldcache"
n=0
while read -r lib; do
  path="$(awk -v l="$lib" '$1 == l && /x86-64|AArch64|64bit/ {print $NF; exit}' "$tmp/ldcache")"
  [[ -n "$path" ]] || path="$(awk -v l="$lib" '$1 == l {print $NF; exit}' "$tmp/ldcache")"
  [[ -n "$path" ]] || fail "$lib (NEEDED by newsflow) is not in the linker cache"
  pkg="$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | sed -n '1s/:.*//p' || true)"
  [[ -n "$pkg" ]] || pkg="$(dpkg -S "$path" 2>/dev/null | sed -n '1s/:.*//p' || true)"
  [[ -n "$pkg" ]] || fail "no Debian package owns $path ($lib)"
  # The package, or a virtual package it provides (libspdlog1.10 provides libspdlog1.10-fmt9).
  names=("$pkg")
  for p in $(dpkg-query -W -f='${Provides}' "$pkg" | tr ',' ' ' | sed 's/([^)]*)//g'); do names+=("$p"); done
  ok=0
  for p in "${names[@]}"; do grep -Fqx "$p" "$tmp/depends-names" && ok=1; done
  ((ok)) || fail "Depends lacks $pkg (for $lib)"
  n=$((n + 1))
done < <(objdump -p "$build/app/newsflow" | awk '/NEEDED/ {print $2}')
echo "Depends names the package of all $n shared libraries"
grep -Eq 'librdkafka1 \(>= ' <<<"$depends" || fail "librdkafka1 without a version from its symbols file"

# Debian's own checks, where lintian is installed: no errors (warnings are printed).
if command -v lintian >/dev/null; then
  # lintian leaves mldbm-elf-* directories in its TMPDIR: give it ours, removed on exit.
  mkdir -p "$tmp/lintian-tmp"
  TMPDIR="$tmp/lintian-tmp" lintian --allow-root "$deb" >"$tmp/lintian.log" 2>&1 || true
  grep -E '^[WI]:' "$tmp/lintian.log" | sed 's/^/  lintian /' || true
  if grep -E '^E:' "$tmp/lintian.log"; then fail "lintian errors (above)"; fi
  echo "lintian: 0 errors, $(grep -c '^W:' "$tmp/lintian.log" || true) warnings"
else
  echo "lintian: not installed, not run"
fi

# The unpacked tree is an installed prefix like any other: its binary runs there.
dpkg-deb -x "$deb" "$tmp/root"
unit="$tmp/root/usr/lib/systemd/system/newsflow-stage@.service"
grep -q '^ExecStart=/usr/bin/newsflow stage %i --pipeline /etc/newsflow/pipeline.yaml' "$unit" ||
  fail "the packaged unit does not run /usr/bin/newsflow with /etc/newsflow: $(grep ExecStart "$unit")"
grep -rq "$src\|$build" "$tmp/root/usr/lib/systemd" "$tmp/root/etc" && fail "build or source paths in units or /etc"
(cd "$tmp" && env -i PATH=/usr/bin:/bin HOME="$tmp/home" "$tmp/root/usr/bin/newsflow" validate \
  "$tmp/root/etc/newsflow/pipeline.yaml") >"$tmp/validate.log" 2>&1 || { cat "$tmp/validate.log"; fail "validate"; }
(cd "$tmp" && env -i PATH=/usr/bin:/bin HOME="$tmp/home" "$tmp/root/usr/bin/newsflow" run \
  --pipeline "$tmp/root/usr/share/newsflow/pipeline.yaml" "$tmp/root/usr/share/newsflow/samples/pages" \
  --output out.jsonl --dead-letters dlq.jsonl --log-level error) >"$tmp/run.log" 2>&1 ||
  { cat "$tmp/run.log"; fail "run with the unpacked binary"; }
pages="$(find "$tmp/root/usr/share/newsflow/samples/pages" -type f | wc -l)"
python3 - "$tmp/out.jsonl" "$pages" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
want = int(sys.argv[2])
assert len(rows) == want, f"{want} sample pages in, {len(rows)} articles out"
assert all(r.get("clean", {}).get("text") and r.get("lang", {}).get("code") for r in rows), rows
ents = sum(len(r.get("entities") or []) for r in rows)
assert ents > 0, "no entities: the unpacked entities data was not found"
print(f"unpacked binary: {len(rows)} of {want} sample pages through clean, langid, entities; {ents} entities")
PY
echo PASS

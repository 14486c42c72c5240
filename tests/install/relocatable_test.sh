#!/usr/bin/env bash
# Install.Relocatable: `cmake --install` into a temporary prefix, move the prefix
# elsewhere, hide the source and build trees (a private mount namespace with an
# empty tmpfs over them), clear every NEWSFLOW_* variable, and run the demo's
# samples through the installed binary from an unrelated folder. The articles
# must equal, field for field, what the build tree's binary makes of the same
# samples; state must land in $HOME/.local/state/newsflow, nowhere else.
# Usage: relocatable_test.sh SOURCE_DIR BUILD_DIR. Exit 77 (ctest SKIP) when no
# mount namespace can be had (needs root or unprivileged user namespaces).
set -euo pipefail
src="$(cd "$1" && pwd)" build="$(cd "$2" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }

ns=()
if unshare -m true 2>/dev/null; then ns=(unshare -m)
elif unshare -rm true 2>/dev/null; then ns=(unshare -rm)
else echo "SKIP: no mount namespace (unshare -m / -rm refused): cannot hide the source tree"; exit 77; fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/newsflow-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
case "$tmp/" in "$src/"* | "$build/"*) fail "temporary folder $tmp is inside the trees it must hide" ;; esac

"${CMAKE:-cmake}" --install "$build" --prefix "$tmp/staged" >"$tmp/install.log"
mkdir -p "$tmp/moved"
mv "$tmp/staged" "$tmp/moved/newsflow"   # relocation: nothing may remember the install prefix
prefix="$tmp/moved/newsflow"
for f in bin/newsflow bin/newsflow-kafka bin/newsflow-fetch-models \
  share/newsflow/stages/clean/data/stoplists.tsv share/newsflow/stages/entities/data/ar.model \
  share/newsflow/stages/entities/data/en.model share/newsflow/schemas/article.v1.schema.json \
  share/newsflow/pipeline.yaml share/newsflow/scripts/kafka.sh share/newsflow/scripts/free_ports.py share/newsflow/deploy/kafka/pom.xml \
  share/newsflow/deploy/grafana/dashboards/newsflow.json lib/systemd/system/newsflow-stage@.service \
  etc/newsflow/pipeline.yaml include/newsflow/plugin_abi.h; do
  [[ -e "$prefix/$f" ]] || fail "installed prefix lacks $f"
done
echo "layout: ok ($(find "$prefix" -type f | wc -l) files)"

# The fastText model is a download: give both runs the same one (or none).
model="${NEWSFLOW_MODELS_DIR:-$src/.cache/models}/lid.176.ftz"
if [[ -s "$model" ]]; then
  mkdir -p "$prefix/share/newsflow/models" && cp "$model" "$prefix/share/newsflow/models/"
  ref_models="$(dirname "$model")"
  echo "model: lid.176.ftz copied into the installed prefix"
else
  ref_models="$tmp/no-models"
  echo "model: lid.176.ftz absent; both runs use CLD2 only"
fi

samples=(share/newsflow/samples/pages share/newsflow/samples/feed.jsonl)

# Reference: the build tree's binary on the source tree's samples.
mkdir -p "$tmp/ref/home" "$tmp/ref/work"
(cd "$tmp/ref/work" && env -i PATH=/usr/bin:/bin HOME="$tmp/ref/home" NEWSFLOW_MODELS_DIR="$ref_models" \
  NEWSFLOW_STATE_DIR="$tmp/ref/state" \
  "$build/app/newsflow" run --pipeline "$src/deploy/pipeline.yaml" "$src/samples/pages" "$src/samples/feed.jsonl" \
  --output articles.jsonl --dead-letters dlq.jsonl --log-level warn) >"$tmp/ref.log" 2>&1 ||
  { cat "$tmp/ref.log"; fail "build-tree run failed"; }

# The installed binary, moved, with the trees hidden and no NEWSFLOW_* set.
mkdir -p "$tmp/inst/home" "$tmp/inst/work"
hide="mount -t tmpfs newsflow-hidden '$src'"
case "$build/" in "$src/"*) ;; *) hide+=" && mount -t tmpfs newsflow-hidden '$build'" ;; esac
"${ns[@]}" bash -c "$hide && set -e
  [ -z \"\$(ls -A '$src')\" ] || { echo 'source tree still visible' >&2; exit 1; }
  cd '$tmp/inst/work'
  exec env -i PATH=/usr/bin:/bin HOME='$tmp/inst/home' '$prefix/bin/newsflow' run \
    --pipeline '$prefix/share/newsflow/pipeline.yaml' '$prefix/${samples[0]}' '$prefix/${samples[1]}' \
    --output articles.jsonl --dead-letters dlq.jsonl --log-level warn" >"$tmp/inst.log" 2>&1 ||
  { cat "$tmp/inst.log"; fail "installed run failed"; }
cat "$tmp/inst.log"
if [[ -s "$model" ]] && grep -q "fastText model not found" "$tmp/inst.log"; then
  fail "installed binary did not find share/newsflow/models/lid.176.ftz"
fi

python3 - "$tmp/ref/work" "$tmp/inst/work" <<'PY'
import json, sys
def load(d):
    arts = {}
    for line in open(f"{d}/articles.jsonl", encoding="utf-8"):
        r = json.loads(line)
        c, l = r.get("clean") or {}, r.get("lang") or {}
        arts[r["id"]] = (c.get("title"), c.get("text"), l.get("code"),
                         [(e["text"], e["type"], e["start"], e["end"]) for e in r.get("entities") or []])
    dlq = sorted(json.loads(x)["reason_code"] for x in open(f"{d}/dlq.jsonl", encoding="utf-8"))
    return arts, dlq
ref, ref_dlq = load(sys.argv[1])
got, got_dlq = load(sys.argv[2])
ents = sum(len(v[3]) for v in got.values())
print(f"build tree: {len(ref)} articles, {len(ref_dlq)} dead letters; "
      f"installed: {len(got)} articles, {len(got_dlq)} dead letters, {ents} entities")
assert len(got) >= 6, f"expected the demo's 6 articles, got {len(got)}"
assert all(v[1] for v in got.values()), "an article has no clean.text (clean stage data missing?)"
assert all(v[2] for v in got.values()), "an article has no lang.code"
assert ents > 0, "no entities: the entities stage's models were not found"
assert got.keys() == ref.keys(), f"article ids differ: {sorted(set(got) ^ set(ref))}"
diff = [k for k in got if got[k] != ref[k]]
assert not diff, f"{len(diff)} articles differ from the build tree's, e.g. {diff[0]}: {got[diff[0]]} vs {ref[diff[0]]}"
assert got_dlq == ref_dlq, f"dead letters differ: {got_dlq} vs {ref_dlq}"
PY

# State: under $HOME/.local/state/newsflow, not in the prefix or the working folder.
[[ -f "$tmp/inst/home/.local/state/newsflow/clean/clean_templates.txt" ]] ||
  fail "clean's learnt templates are not in \$HOME/.local/state/newsflow/clean/"
[[ ! -e "$tmp/inst/work/var" ]] || fail "the installed binary wrote var/ into its working folder"
stray="$(find "$prefix" -newer "$tmp/install.log" -type f ! -path "*/share/newsflow/models/*" | head -5)"
[[ -z "$stray" ]] || fail "the run wrote into the installed prefix: $stray"
echo "state: ok ($tmp/inst/home/.local/state/newsflow)"
echo "PASS"

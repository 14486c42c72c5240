#!/usr/bin/env bash
# The demo: the bundled sample articles through producer -> clean -> langid ->
# entities -> JSON Lines sink, on the embedded Kafka broker, in one process.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"
out="$root/var/demo"
rm -rf "$out"
mkdir -p "$out"
cd "$root"
"$build_dir/app/newsflow" validate deploy/pipeline.yaml
"$build_dir/app/newsflow" run --pipeline deploy/pipeline.yaml samples/pages samples/feed.jsonl \
  --output "$out/articles.jsonl" --dead-letters "$out/dead-letters.jsonl" \
  --metrics-snapshot "$out/metrics.txt" --log-level warn
echo
echo "What came out (title | language | entities):"
python3 - "$out/articles.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    clean, lang = r.get("clean") or {}, r.get("lang") or {}
    ents = (r.get("title_entities") or []) + (r.get("entities") or [])  # the headline's first
    names = ", ".join(f"{e['text']} ({e['type']})" for e in ents[:6])
    title = (clean.get("title") or r.get("meta", {}).get("title") or "(no title found: " + r["id"] + ")")[:70]
    print(f"- {title} | {lang.get('code', '?')} {lang.get('confidence', 0):.2f} | {len(ents)}: {names}")
PY
echo
echo "Dead letters (reason):"
python3 -c 'import json,sys; [print("-", r["stage"], r["reason_code"], "-", r["reason"]) for r in map(json.loads, open(sys.argv[1]))]' "$out/dead-letters.jsonl"
echo
echo "Run it yourself: $build_dir/app/newsflow run --help   (and: newsflow broker | produce | stage | sink | process)"

#!/usr/bin/env python3
"""A Python pass-through that parses and re-serialises each record, as a real stage would."""
import json
import sys

out = sys.stdout.buffer
for line in iter(sys.stdin.buffer.readline, b""):
    req = json.loads(line)
    out.write(json.dumps({"id": req["id"], "record": req["record"]}, ensure_ascii=False).encode() + b"\n")
    out.flush()

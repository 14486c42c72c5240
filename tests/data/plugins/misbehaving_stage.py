#!/usr/bin/env python3
"""A subprocess stage that misbehaves on purpose, for the tests.

Per record, by a marker in the body:
  CRASH_ALWAYS  exits (status 3) every time it sees the record
  CRASH_ONCE    exits the first time (remembered in $STATE_DIR), then forwards
  HANG          never answers
  GARBAGE       writes a line that is not a result
  WRONG_ID      answers with an id that was never sent
  DROP          {"drop": "asked_to"}
  REJECT        {"dead_letter": "asked to reject"}
  HUGE_LINE     writes one line of 65 MiB (over newsflow's limit) and no result
anything else is forwarded unchanged. Each line is also logged to stderr.
While the file named by $DOWN_FILE exists, it exits (status 5) as it starts.
"""
import json
import os
import sys
import time

down = os.environ.get("DOWN_FILE")
if down and os.path.exists(down):
    print("DOWN_FILE exists: exiting", file=sys.stderr, flush=True)
    sys.exit(5)
state = os.environ.get("STATE_DIR", "/tmp")
out = sys.stdout.buffer
for line in iter(sys.stdin.buffer.readline, b""):
    req = json.loads(line)
    rec = req["record"]
    body = rec.get("body", "")
    print(f"got {rec['id']}", file=sys.stderr, flush=True)
    if "CRASH_ALWAYS" in body:
        os._exit(3)
    if "CRASH_ONCE" in body:
        mark = os.path.join(state, "crashed-" + rec["id"])
        if not os.path.exists(mark):
            open(mark, "w").close()
            os._exit(4)
    if "HANG" in body:
        time.sleep(3600)
    if "GARBAGE" in body:
        out.write(b"this is not json\n")
        out.flush()
        continue
    if "HUGE_LINE" in body:
        out.write(b"x" * (65 << 20) + b"\n")
        out.flush()
        continue
    if "WRONG_ID" in body:
        res = {"id": req["id"] + 1000, "record": rec}
    elif "DROP" in body:
        res = {"id": req["id"], "drop": "asked_to"}
    elif "REJECT" in body:
        res = {"id": req["id"], "dead_letter": "asked to reject"}
    else:
        res = {"id": req["id"], "record": rec}
    out.write(json.dumps(res, ensure_ascii=False).encode() + b"\n")
    out.flush()

#!/usr/bin/env python3
"""A newsflow subprocess stage in plain Python (standard library only).

newsflow writes one request per line on stdin:   {"id": 7, "record": {...article...}}
and reads one result per request on stdout:       {"id": 7, "record": {...}}      forward
                                                  {"id": 7, "drop": "reason"}     filter out
                                                  {"id": 7, "dead_letter": "reason"}
Anything written to stderr goes to newsflow's log. See docs/plugins.md.

This stage counts the words of the article (clean text when a `clean` stage ran
before it, else the raw body), adds them as its own section `wordcount`, and
drops articles shorter than MIN_WORDS (environment, default 0).
"""
import json
import os
import sys

MIN_WORDS = int(os.environ.get("MIN_WORDS", "0"))


def process(record):
    text = (record.get("clean") or {}).get("text") or record.get("body", "")
    words = len(text.split())
    if words < MIN_WORDS:
        return {"drop": "too_short"}
    record["wordcount"] = {"words": words}
    return {"record": record}


def main():
    print(f"wordcount stage ready (MIN_WORDS={MIN_WORDS})", file=sys.stderr, flush=True)
    out = sys.stdout.buffer
    for line in iter(sys.stdin.buffer.readline, b""):
        request = json.loads(line)
        try:
            result = process(request["record"])
        except Exception as e:  # a bad record must not take the stage down
            result = {"dead_letter": f"{type(e).__name__}: {e}"}
        result["id"] = request["id"]
        out.write(json.dumps(result, ensure_ascii=False).encode("utf-8") + b"\n")
        out.flush()


if __name__ == "__main__":
    main()

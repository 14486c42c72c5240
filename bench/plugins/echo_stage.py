#!/usr/bin/env python3
"""The cheapest Python subprocess stage: a request line is already a valid
forward result ({"id": N, "record": {...}}), so echo it unchanged."""
import sys

out = sys.stdout.buffer
for line in iter(sys.stdin.buffer.readline, b""):
    out.write(line)
    out.flush()

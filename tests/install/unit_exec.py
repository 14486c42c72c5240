#!/usr/bin/env python3
"""Prints the argv of a systemd unit's Exec line, NUL-separated, expanded as
systemd does: %i (instance), ${VAR} (one word), $VAR (split on whitespace,
nothing when empty), from the unit's Environment= lines, then its
EnvironmentFile= files (in order; a leading '-' makes a file optional), then
overrides given as KEY=VALUE arguments (as a drop-in would).
usage: unit_exec.py UNIT_FILE INSTANCE KEY [KEY=VALUE...]   (KEY: ExecStart, ExecStop)"""
import os, re, shlex, sys

unit, instance, key = sys.argv[1:4]
overrides = dict(a.split("=", 1) for a in sys.argv[4:])
env, exec_line = {}, None

def spec(s):
    return s.replace("%i", instance).replace("%%", "%")

def load_env_file(path):
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        k, v = line.split("=", 1)
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            v = v[1:-1]
        env[k.strip()] = v

for raw in open(unit, encoding="utf-8"):
    line = raw.strip()
    if line.startswith("Environment="):
        for kv in shlex.split(spec(line[len("Environment="):])):
            k, v = kv.split("=", 1)
            env[k] = v
    elif line.startswith("EnvironmentFile="):
        path = spec(line[len("EnvironmentFile="):])
        optional = path.startswith("-")
        path = path.lstrip("-")
        if os.path.exists(path):
            load_env_file(path)
        elif not optional:
            sys.exit(f"{unit}: EnvironmentFile {path} is missing")
    elif line.startswith(key + "="):
        exec_line = spec(line[len(key) + 1:])
if exec_line is None:
    sys.exit(f"{unit}: no {key}=")
env.update(overrides)
argv = []
for word in shlex.split(exec_line.lstrip("-@:+!")):
    m = re.fullmatch(r"\$\{(\w+)\}", word)
    if m:
        argv.append(env.get(m.group(1), ""))
        continue
    m = re.fullmatch(r"\$(\w+)", word)
    if m:
        argv.extend(env.get(m.group(1), "").split())
        continue
    argv.append(re.sub(r"\$\{(\w+)\}", lambda g: env.get(g.group(1), ""), word))
sys.stdout.write("\0".join(argv) + "\0")

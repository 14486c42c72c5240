#!/usr/bin/env python3
"""Prints the final stage of a Dockerfile as a shell script to run inside a root
file system made from its base image's distribution (no Docker engine): RUN
lines run as they are (continuations joined, ARG defaults exported; a RUN
whose command fails stops the stage, as it stops docker build), ENV
exports, WORKDIR cds, COPY --from=STAGE SRC DST copies from $STAGE_DIR/SRC (the
caller provides what the build stage would have made), USER is printed last as
'#USER <spec>' for the caller, FROM names the base for the caller to check.
usage: dockerfile_stage.py DOCKERFILE"""
import re, shlex, sys

text = open(sys.argv[1], encoding="utf-8").read()
lines, cur = [], ""
for raw in text.splitlines():
    s = raw.rstrip()
    if not cur and (not s.strip() or s.lstrip().startswith("#")):
        continue
    if s.endswith("\\"):
        cur += s[:-1] + " "
        continue
    if cur and s.lstrip().startswith("#"):
        continue
    lines.append(cur + s)
    cur = ""
stages, cur_stage = [], None
for l in lines:
    m = re.match(r"\s*(\w+)\s+(.*)", l, re.S)
    if not m:
        continue
    ins, arg = m.group(1).upper(), m.group(2).strip()
    if ins == "FROM":
        cur_stage = {"from": arg, "ins": []}
        stages.append(cur_stage)
    elif cur_stage is not None:
        cur_stage["ins"].append((ins, arg))
final = stages[-1]
out = ["set -e", f"# FROM {final['from']}"]
user = ""
for ins, arg in final["ins"]:
    if ins == "ARG":
        name, _, default = arg.partition("=")
        out.append(f"export {name}={shlex.quote(default)}")
    elif ins == "ENV":
        for kv in shlex.split(arg):
            k, _, v = kv.partition("=")
            out.append(f"export {k}={shlex.quote(v)}")
    elif ins == "RUN":
        # Its own shell's status, as docker build checks it: `set -e` alone
        # lets a failure pass when it is not the last of an && list.
        out.append(f"( {arg}\n) || exit $?")
    elif ins == "WORKDIR":
        out.append(f"mkdir -p {shlex.quote(arg)} && cd {shlex.quote(arg)}")
    elif ins == "COPY":
        parts = shlex.split(arg)
        stage = next((p.split("=", 1)[1] for p in parts if p.startswith("--from=")), None)
        paths = [p for p in parts if not p.startswith("--")]
        src, dst = paths[:-1], paths[-1]
        if stage is None:
            sys.exit(f"COPY from the build context is not supported here: {arg}")
        for s in src:
            if s.endswith("/"):  # a folder's contents into DST, as COPY does
                out.append(f'mkdir -p {shlex.quote(dst)} && cp -a "$STAGE_DIR/{stage}{s}." {shlex.quote(dst)}')
            else:
                out.append(f'mkdir -p "$(dirname {shlex.quote(dst)})" && cp -a "$STAGE_DIR/{stage}{s}" {shlex.quote(dst)}')
    elif ins == "USER":
        user = arg
    elif ins in ("LABEL", "EXPOSE", "VOLUME", "ENTRYPOINT", "CMD", "HEALTHCHECK", "STOPSIGNAL", "SHELL"):
        out.append(f"# {ins} {arg}")
    else:
        sys.exit(f"unsupported instruction {ins}")
out.append(f"#USER {user}")
entry = [a for i, a in final["ins"] if i == "ENTRYPOINT"]
out.append(f"#ENTRYPOINT {entry[-1] if entry else ''}")
print("\n".join(out))

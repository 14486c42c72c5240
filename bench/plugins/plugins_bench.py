#!/usr/bin/env python3
"""Overhead of plug-in stages vs the same pass-through built in, records/s on one core.

Every variant runs `newsflow process` (offline: decode -> stage -> encode, no
Kafka) over the same generated input, pinned to one CPU with taskset (the
subprocess inherits the pin, so the child's work counts against the same core).
Prints the median of --repeat runs per variant and its ratio to the built-in.

  python3 bench/plugins/plugins_bench.py build --records 20000 --repeat 3
"""
import argparse
import atexit
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_input(path, n, size):
    filler = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * (size // 56 + 1))[:size]
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"v": 1, "id": f"c{i:08d}", "source": "bench",
                                "fetched_at": "2026-11-23T10:00:00Z", "content_type": "text/plain",
                                "body": f"Article {i}. {filler}"}) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=os.path.join(ROOT, "build"))
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--body-bytes", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cpu", default="1")
    a = ap.parse_args()
    nf = os.path.join(a.build, "app", "newsflow")
    tagger = os.path.join(a.build, "tests", "unit", "plugins", "libtest_tagger_plugin.so")
    tmp = tempfile.mkdtemp(prefix="nf-plugins-bench-")
    atexit.register(shutil.rmtree, tmp, True)  # however the run ends (sys.exit included)
    inp = os.path.join(tmp, "in.jsonl")
    write_input(inp, a.records, a.body_bytes)

    def pipeline(name, stage_yaml):
        p = os.path.join(tmp, name + ".yaml")
        with open(p, "w") as f:
            f.write("stages:\n  - name: " + name + "\n" + stage_yaml)
        return ["--pipeline", p]

    here = os.path.join(ROOT, "bench", "plugins")
    variants = [
        ("built-in passthrough", ["--stages", "passthrough"]),
        ("shared object (example tagger .so)", pipeline("tagger", f"    plugin: {tagger}\n")),
        ("subprocess: cat (C)", pipeline("cat", "    command: [cat]\n")),
        ("subprocess: Python echo", pipeline("pyecho", f"    command: [python3, {here}/echo_stage.py]\n")),
        ("subprocess: Python json round trip", pipeline("pyjson", f"    command: [python3, {here}/json_stage.py]\n")),
    ]
    if not os.path.exists(tagger):
        variants = [v for v in variants if "shared" not in v[0]]
    results, per_cpu = {}, {}
    for rep in range(a.repeat):
        for name, args in variants:  # interleaved, so machine noise hits all variants alike
            out = os.path.join(tmp, "out.jsonl")
            cmd = ["taskset", "-c", a.cpu, nf, "process", *args, "--input", inp, "--output", out]
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
            dt = time.perf_counter() - t0
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            # newsflow reaps its stage program, so its CPU time is included.
            cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
            if r.returncode != 0:
                sys.exit(f"{name}: {' '.join(cmd)} failed:\n{r.stderr}")
            with open(out) as f:
                n = sum(1 for _ in f)
            if n != a.records:
                sys.exit(f"{name}: {n} records out of {a.records}\n{r.stderr[-2000:]}")
            results.setdefault(name, []).append(a.records / dt)
            per_cpu.setdefault(name, []).append(a.records / cpu)
    base = statistics.median(results[variants[0][0]])
    base_cpu = statistics.median(per_cpu[variants[0][0]])
    print(f"{a.records} records of ~{a.body_bytes} B body, newsflow process, CPU {a.cpu} only, "
          f"median of {a.repeat}")
    print("records/s: wall clock on the pinned core; per CPU-s: records per second of CPU time "
          "(newsflow + stage program, user + sys), steadier on a busy machine")
    print(f"{'variant':38s} {'records/s':>10s} {'ratio':>6s} {'per CPU-s':>10s} {'ratio':>6s}   wall runs")
    for name, _ in variants:
        m = statistics.median(results[name])
        c = statistics.median(per_cpu[name])
        runs = ", ".join(f"{x:.0f}" for x in results[name])
        print(f"{name:38s} {m:10.0f} {m / base:5.2f}x {c:10.0f} {c / base_cpu:5.2f}x   {runs}")


if __name__ == "__main__":
    main()

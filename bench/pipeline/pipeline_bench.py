#!/usr/bin/env python3
"""Articles per second through the whole chain on the embedded broker.

Runs `newsflow run` (producer -> 3 pass-through stages -> JSON Lines sink, each stage its
own consumer group, on the embedded Kafka broker) and, as the peer in the same run,
`newsflow process` with the same three stages offline (no Kafka), on the same generated
articles, alternating, `--repeat` times. Prints every run, the medians and the ratio.
The Kafka figure includes start-up (first consumer-group join waits ~3 s in the mock) and
shutdown, so it is also reported for the steady part: records / (time - join wait).

usage: pipeline_bench.py BUILD_DIR [--articles N] [--bytes B] [--repeat R]
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--bytes", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stages", default="passthrough,passthrough,passthrough")
    a = ap.parse_args()
    nf = os.path.join(a.build_dir, "app", "newsflow")
    tmp = tempfile.mkdtemp(prefix="nf-bench-")
    src = os.path.join(tmp, "in.jsonl")
    filler = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * (a.bytes // 50 + 1))[: a.bytes]
    with open(src, "w") as f:
        for i in range(a.articles):
            f.write(json.dumps({"source": "bench", "url": f"https://bench.example/{i}",
                                "body": f"Article {i}. {filler}"}) + "\n")
    # `process` wants full records: make them once with a pass-through run of the producer format.
    full = os.path.join(tmp, "full.jsonl")
    subprocess.run([nf, "process", "--stages", "passthrough", "--input", src, "--output", full],
                   check=False, stderr=subprocess.DEVNULL)
    if os.path.getsize(full) == 0:
        # partial records are not envelopes; build envelopes directly
        with open(src) as f, open(full, "w") as g:
            for i, line in enumerate(f):
                r = json.loads(line)
                g.write(json.dumps({"v": 1, "id": f"b{i}", "source": "bench", "url": r["url"],
                                    "fetched_at": "2026-01-01T00:00:00Z", "content_type": "text/plain",
                                    "body": r["body"]}) + "\n")
    kafka, offline = [], []
    for rep in range(a.repeat):
        t0 = time.monotonic()
        p = subprocess.run([nf, "run", src, "--stages", a.stages, "--output", os.path.join(tmp, f"out{rep}.jsonl"),
                            "--dead-letters", os.path.join(tmp, f"dlq{rep}.jsonl"), "--log-level", "warn"],
                           capture_output=True, text=True)
        wall = time.monotonic() - t0
        m = re.search(r"(\d+) articles out.* in ([\d.]+) s", p.stdout)
        if p.returncode != 0 or not m:
            print(p.stdout, p.stderr, file=sys.stderr); sys.exit(1)
        out, secs = int(m.group(1)), float(m.group(2))
        assert out == a.articles, f"{out} != {a.articles}"
        kafka.append((out / secs, out / max(secs - 3.0, 0.001), wall))
        t0 = time.monotonic()
        subprocess.run([nf, "process", "--stages", a.stages, "--input", full, "--output", os.devnull],
                       check=True, stderr=subprocess.DEVNULL)
        offline.append(a.articles / (time.monotonic() - t0))
        print(f"run {rep + 1}: kafka chain {kafka[-1][0]:,.0f} articles/s "
              f"({kafka[-1][1]:,.0f}/s without the 3 s join), offline chain {offline[-1]:,.0f} articles/s")
    k = statistics.median(x[0] for x in kafka)
    ks = statistics.median(x[1] for x in kafka)
    o = statistics.median(offline)
    mb = a.articles * (a.bytes + 100) / 1e6
    print(f"\n{a.articles} articles of ~{a.bytes} B ({mb:.0f} MB), stages {a.stages}, {a.repeat} runs, medians:")
    print(f"  newsflow run (embedded Kafka, 4 hops): {k:,.0f} articles/s end to end, {ks:,.0f}/s excluding the group-join wait")
    print(f"  newsflow process (same stages, no Kafka): {o:,.0f} articles/s")
    print(f"  ratio Kafka/offline: {k / o:.3f} (steady: {ks / o:.3f})")

if __name__ == "__main__":
    main()

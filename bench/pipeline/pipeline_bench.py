#!/usr/bin/env python3
"""Articles per second through the whole chain on the embedded broker.

Runs `newsflow run` (producer -> 3 pass-through stages -> JSON Lines sink, each stage its
own consumer group, on the embedded Kafka broker) and, as the peer in the same run,
`newsflow process` with the same three stages offline (no Kafka), on the same generated
articles, alternating, `--repeat` times. Prints every run, the medians and the ratio.
The Kafka figure includes start-up (first consumer-group join waits ~3 s in the mock) and
shutdown, so it is also reported for the steady part: records / (time - join wait).

With --real-kafka, each repeat also runs the same chain on Apache Kafka's own broker (a fresh
single-node KRaft cluster started by scripts/kafka.sh, data on disk, topics made with its
tools), so embedded and real are compared in one run. End-to-end latency p50/p99 (raw
produce to the sink's write) is read from each run's metrics snapshot (the sink's
newsflow_end_to_end_latency_seconds{since="produced"} histogram, interpolated in its buckets).

usage: pipeline_bench.py BUILD_DIR [--articles N] [--bytes B] [--repeat R] [--real-kafka]
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KAFKA = os.path.join(ROOT, "scripts", "kafka.sh")


def chain_topics(stages):
    """The topics `newsflow run --stages` uses (app/commands.cc ChainTopics)."""
    routes = {"clean": "news.clean", "langid": "news.lang", "entities": "news.tagged"}
    used, out = {"news.raw", "news.dlq"}, ["news.raw", "news.dlq"]
    for i, name in enumerate(stages.split(",")):
        t = routes.get(name, "news." + name)
        if t in used:
            t = f"news.{name}.{i + 1}"
        used.add(t)
        out.append(t)
    return out


def quantiles(snapshot, qs=(0.5, 0.99)):
    """Quantiles of the sink's produce-to-sink latency histogram in a metrics snapshot."""
    buckets = []
    for line in open(snapshot):
        if line.startswith("newsflow_end_to_end_latency_seconds_bucket") and 'stage="sink"' in line \
                and 'since="produced"' in line:
            le = re.search(r'le="([^"]+)"', line).group(1)
            buckets.append((float("inf") if le == "+Inf" else float(le), float(line.rsplit(" ", 1)[1])))
    buckets.sort()
    if not buckets or buckets[-1][1] == 0:
        return [float("nan")] * len(qs)
    total, res = buckets[-1][1], []
    for q in qs:
        want, lo_b, lo_c = q * total, 0.0, 0.0
        for b, c in buckets:
            if c >= want:
                hi = b if b != float("inf") else lo_b
                res.append(lo_b + (hi - lo_b) * ((want - lo_c) / max(c - lo_c, 1e-9)))
                break
            lo_b, lo_c = b, c
    return res


def start_real(tmp, rep, topics, partitions):
    d = os.path.join(tmp, f"kafka{rep}")
    subprocess.run([KAFKA, "start", "--dir", d, "--nodes", "1"], check=True, capture_output=True)
    boot = subprocess.run([KAFKA, "bootstrap", "--dir", d], check=True, capture_output=True,
                          text=True).stdout.strip()
    for t in topics:
        subprocess.run([KAFKA, "tool", "topics", "--bootstrap-server", boot, "--create", "--if-not-exists",
                        "--topic", t, "--partitions", str(partitions), "--replication-factor", "1"],
                       check=True, capture_output=True)
    return d, boot


def run_chain(nf, src, tmp, tag, a, extra):
    snap = os.path.join(tmp, f"metrics-{tag}.prom")
    t0 = time.monotonic()
    p = subprocess.run([nf, "run", src, "--stages", a.stages, "--output", os.path.join(tmp, f"out-{tag}.jsonl"),
                        "--dead-letters", os.path.join(tmp, f"dlq-{tag}.jsonl"), "--log-level", "warn",
                        "--partitions", str(a.partitions), "--metrics-snapshot", snap] + extra,
                       capture_output=True, text=True)
    wall = time.monotonic() - t0
    m = re.search(r"(\d+) articles out.* in ([\d.]+) s", p.stdout)
    if p.returncode != 0 or not m:
        print(p.stdout, p.stderr, file=sys.stderr); sys.exit(1)
    out, secs = int(m.group(1)), float(m.group(2))
    assert out == a.articles, f"{out} != {a.articles}"
    return out / secs, wall, quantiles(snap)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--bytes", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stages", default="passthrough,passthrough,passthrough")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--real-kafka", action="store_true",
                    help="also run the chain on a real single-node Apache Kafka (scripts/kafka.sh)")
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
    kafka, real, offline = [], [], []
    for rep in range(a.repeat):
        kafka.append(run_chain(nf, src, tmp, f"embedded{rep}", a, []))
        line = (f"run {rep + 1}: embedded chain {kafka[-1][0]:,.0f} articles/s "
                f"(p50 {kafka[-1][2][0] * 1000:.0f} ms, p99 {kafka[-1][2][1] * 1000:.0f} ms)")
        if a.real_kafka:
            d, boot = start_real(tmp, rep, chain_topics(a.stages), a.partitions)
            try:
                real.append(run_chain(nf, src, tmp, f"real{rep}", a, ["--brokers", boot]))
            finally:
                subprocess.run([KAFKA, "stop", "--dir", d], capture_output=True)
            line += (f", real Kafka chain {real[-1][0]:,.0f} articles/s "
                     f"(p50 {real[-1][2][0] * 1000:.0f} ms, p99 {real[-1][2][1] * 1000:.0f} ms)")
        t0 = time.monotonic()
        subprocess.run([nf, "process", "--stages", a.stages, "--input", full, "--output", os.devnull],
                       check=True, stderr=subprocess.DEVNULL)
        offline.append(a.articles / (time.monotonic() - t0))
        print(line + f", offline chain {offline[-1]:,.0f} articles/s", flush=True)
    med = lambda rows, f: statistics.median(f(x) for x in rows)
    o = statistics.median(offline)
    mb = a.articles * (a.bytes + 100) / 1e6
    hops = len(a.stages.split(",")) + 1
    print(f"\n{a.articles} articles of ~{a.bytes} B ({mb:.0f} MB), stages {a.stages}, {a.partitions} partitions, "
          f"{a.repeat} runs, medians:")
    for name, rows in (("embedded Kafka", kafka), ("real Kafka, 1 node", real)):
        if not rows:
            continue
        k = med(rows, lambda x: x[0])
        print(f"  newsflow run ({name}, {hops} hops): {k:,.0f} articles/s end to end (incl. start-up), "
              f"latency produce->sink p50 {med(rows, lambda x: x[2][0]) * 1000:.0f} ms, "
              f"p99 {med(rows, lambda x: x[2][1]) * 1000:.0f} ms; ratio to offline {k / o:.3f}")
    print(f"  newsflow process (same stages, no Kafka): {o:,.0f} articles/s")
    if real:
        print(f"  ratio real/embedded: {med(real, lambda x: x[0]) / med(kafka, lambda x: x[0]):.3f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Articles per second through a stage chain on a real single-node Apache Kafka broker,
at_least_once vs exactly_once (Kafka transactions).

Starts a one-node KRaft cluster with scripts/kafka.sh under BUILD_DIR/bench-delivery, then
`--repeat` times per mode, alternating: recreates the chain's topics (4 partitions each)
and runs `newsflow run --brokers ... --delivery MODE` (producer -> N pass-through stages
-> JSON Lines sink, every stage its own consumer group, threads of one process). The figure
is the run's own "in X s" (first produce to last article in the sink, group joins
included). Prints every run and the medians; stops the cluster at the end.

usage: delivery_bench.py BUILD_DIR [--articles N] [--bytes B] [--repeat R] [--stages S]
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KAFKA = os.path.join(ROOT, "scripts", "kafka.sh")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--bytes", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stages", default="passthrough,passthrough")
    a = ap.parse_args()
    nf = os.path.join(os.path.abspath(a.build_dir), "app", "newsflow")
    cluster = os.path.join(os.path.abspath(a.build_dir), "bench-delivery")
    tmp = tempfile.mkdtemp(prefix="nf-delivery-bench-")
    src = os.path.join(tmp, "in.jsonl")
    filler = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * (a.bytes // 50 + 1))[: a.bytes]
    with open(src, "w") as f:
        for i in range(a.articles):
            f.write(json.dumps({"source": "bench", "url": f"https://bench.example/{i}",
                                "body": f"Article {i}. {filler}"}) + "\n")
    shutil.rmtree(cluster, ignore_errors=True)
    subprocess.run([KAFKA, "start", "--dir", cluster], check=True, stdout=subprocess.DEVNULL)
    try:
        boot = subprocess.run([KAFKA, "bootstrap", "--dir", cluster], check=True, capture_output=True,
                              text=True).stdout.strip()
        # The topics `run --stages a,b` uses: news.raw -> news.<a> -> news.<b> (or news.<b>.2).
        names = a.stages.split(",")
        topics, used = ["news.raw", "news.dlq"], {"news.raw", "news.dlq"}
        for i, n in enumerate(names):
            t = f"news.{n}"
            if t in used:
                t = f"news.{n}.{i + 1}"
            used.add(t)
            topics.append(t)

        def tool(*args):
            return subprocess.run([KAFKA, "tool", "topics", "--bootstrap-server", boot, *args],
                                  capture_output=True, text=True)

        results = {"at_least_once": [], "exactly_once": []}
        for rep in range(a.repeat):
            for mode in ("at_least_once", "exactly_once"):
                tool("--delete", "--if-exists", "--topic", "news\\..*")
                for t in topics:
                    for _ in range(30):  # deletion completes in the background
                        if tool("--create", "--if-not-exists", "--topic", t, "--partitions", "4",
                                "--replication-factor", "1").returncode == 0:
                            break
                env = dict(os.environ, NEWSFLOW_STATE_DIR=os.path.join(tmp, "state"))
                p = subprocess.run([nf, "run", src, "--stages", a.stages, "--brokers", boot,
                                    "--delivery", mode, "--output", os.path.join(tmp, f"out-{mode}-{rep}.jsonl"),
                                    "--dead-letters", os.path.join(tmp, f"dlq-{mode}-{rep}.jsonl"),
                                    "--log-level", "warn", "--metrics-addr", "",
                                    "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1000"],
                                   capture_output=True, text=True, env=env)
                m = re.search(r"(\d+) articles out.* in ([\d.]+) s", p.stdout)
                if p.returncode != 0 or not m:
                    print(p.stdout, p.stderr[-4000:], file=sys.stderr)
                    sys.exit(1)
                out, secs = int(m.group(1)), float(m.group(2))
                assert out == a.articles, f"{out} != {a.articles}"
                results[mode].append(out / secs)
                print(f"run {rep + 1} {mode:13s}: {out / secs:8,.0f} articles/s ({out} in {secs:.2f} s)",
                      flush=True)
        alo = statistics.median(results["at_least_once"])
        eo = statistics.median(results["exactly_once"])
        print(f"median at_least_once {alo:,.0f} articles/s, exactly_once {eo:,.0f} articles/s "
              f"({eo / alo:.2f}x); {a.articles} articles of ~{a.bytes} B, stages {a.stages}, "
              f"real single-node Kafka, 4 partitions")
    finally:
        subprocess.run([KAFKA, "stop", "--dir", cluster], stdout=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

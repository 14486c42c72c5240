#!/usr/bin/env python3
"""End-to-end throughput and latency of `newsflow run`, beside `newsflow process`.

Input: real articles from the news corpus ($NEWSFLOW_CORPUS_DIR/news/ar, default
../shared/corpus) when present, else generated multilingual text; each body is cut or
joined to about --kb kilobytes. Every article is distinct (no template learning
across copies).

For each of --repeat rounds, in one run (the machine is shared: compare within a round):
  * throughput: `newsflow run -` with the stages (clean,langid,entities by default) on
    the embedded broker: one warm-up article through the chain first (models loaded,
    partitions assigned: "ready after"), then all articles at once; articles/s and MB/s from the
    first write to the last article in the articles file (fill and drain included) and
    sustained (between the arrivals of the 10th and 90th percentile articles), CPU
    seconds of the whole process per article over that span, and each stage's time in
    Process per article (newsflow_process_seconds); CPU and context switches (voluntary:
    the thread slept and was woken; involuntary: it was preempted) per article by thread
    (stage threads, Kafka clients, embedded broker, sinks, reader, flow control);
  * the same with `run --fuse` (the whole chain behind one consumer of the raw topic: one
    trip through the broker instead of one per stage; on the embedded broker, as without
    --fuse, the last worker writes the articles file itself, with no sink), throughput and latency, and as
    separate processes with one `stage clean,langid,entities`;
  * the same stages offline: `newsflow process` on one core, and --jobs processes on
    parts of the input at once (the same cores `run` had), start-up (loading models, timed
    on one article) taken out as for `run`; the ratio run / process (the --jobs run right
    before or after `run --fuse`, alternating between rounds, so their ratio is paired);
  * the same chain as separate processes (`broker`, one `stage` each, `sink`, `produce`),
    articles/s measured the same way;
  * latency: `newsflow run -` fed at a steady --rate for --seconds (after one warm-up
    article has gone through), each article's time from the write to the producer's
    stdin to its line in the articles file: p50, p99.
With --against OTHER_BUILD_DIR, each round also runs the same burst through that build's
`run --fuse` and `run` (beside this build's, same input, same flags, which build goes first
alternating between rounds): a before/after on one noisy machine; with --fused-ab as well, only
those two builds' `run --fuse` bursts, --repeat rounds (many paired rounds, for a change to the
rails). With --real-kafka the throughput and latency runs are repeated on a fresh single-node
Apache Kafka (scripts/kafka.sh, data on disk; latency twice on one fresh broker, as its
first run, while the JVM compiles, and again, the steady figure). With --scale, instead, a table of
throughput by article size (1, 4, 16, 64 KB) and partitions (1, 8, 64). With --idle S,
instead, the CPU an idle `run --fuse --follow` uses (after one article went through: models
loaded, groups joined) over S seconds, in total and by thread name (rdk:main, rdk:mock, ...),
--repeat times, alternated with --against's build when given. With --ratio, instead, --repeat
pairs of one `run --fuse` burst and `process` x --jobs seconds apart (alternating which goes
first): #16's ratio as the median of many pairs, with its quartiles; with --separate as well,
the same for the chain as separate processes (broker, one fused `stage`, sink, produce).

usage: pipeline_bench.py BUILD_DIR [--articles N] [--kb K] [--repeat R] [--instances I]
         [--rate R --seconds S] [--real-kafka] [--scale] [--idle S] [--ratio] [--stages a,b,c] [--against BUILD_DIR]
"""
import argparse, json, os, random, re, resource, shutil, signal, statistics, subprocess, sys
import tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KAFKA = os.path.join(ROOT, "scripts", "kafka.sh")


def corpus_file():
    base = os.environ.get("NEWSFLOW_CORPUS_DIR", os.path.join(ROOT, "..", "shared", "corpus"))
    p = os.path.join(base, "news", "ar", "saudinewsnet.jsonl")
    return p if os.path.exists(p) else None


WORDS = {  # generated text when the corpus is absent: a few scripts, real words
    "en": "the government said on monday that talks with unions would resume next week in the capital".split(),
    "fr": "le gouvernement a annoncé lundi que les discussions avec les syndicats reprendront la semaine prochaine".split(),
    "de": "die regierung teilte am montag mit dass die gespräche mit den gewerkschaften nächste woche weitergehen".split(),
    "ar": "قالت الحكومة يوم الاثنين إن المحادثات مع النقابات ستستأنف الأسبوع المقبل في العاصمة".split(),
}


def make_articles(n, kb, seed=7):
    """n distinct envelopes with bodies of about kb KB."""
    want = int(kb * 1024)
    out, src = [], corpus_file()
    if src:
        texts = []
        with open(src, encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                texts.append((o["id"], o["source"], (o.get("title", "") + "\n" + o["text"]).strip()))
                if len(texts) >= n * max(1, int(kb // 3) + 1) + 10:
                    break
        k = 0
        for i in range(n):
            parts, size, first = [], 0, texts[k % len(texts)]
            while size < want:
                t = texts[k % len(texts)][2]
                k += 1
                parts.append(t)
                size += len(t.encode())
            body = "\n".join(parts).encode()[:want].decode("utf-8", "ignore")
            out.append({"v": 1, "id": f"{first[0]}-b{i}", "source": first[1],
                        "url": f"https://bench.example/{i}", "fetched_at": "2026-01-01T00:00:00Z",
                        "content_type": "text/plain", "body": body})
        return out, "news/ar corpus"
    rnd = random.Random(seed)
    for i in range(n):
        lang = list(WORDS)[i % len(WORDS)]
        lines, size = [f"Article {i}"], 0
        while size < want:
            s = " ".join(rnd.choice(WORDS[lang]) for _ in range(rnd.randint(8, 20))).capitalize() + "."
            lines.append(s)
            size += len(s.encode()) + 1
        out.append({"v": 1, "id": f"gen-{i}", "source": f"gen-{lang}", "url": f"https://bench.example/{i}",
                    "fetched_at": "2026-01-01T00:00:00Z", "content_type": "text/plain",
                    "body": "\n".join(lines)})
    return out, "generated text (en, fr, de, ar)"


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


class Tail:
    """Follows a JSON Lines file; records when each id's line appears. Light on CPU: it
    shares the cores with the run it measures (a regex over every line of the 200 MB a
    20,000-article burst writes took 0.5 s of CPU; bounded finds take 0.07 s). It reads
    at most every 2 ms (until 2026-12-07 it read again at once after any new bytes: a
    loop of small reads all through a burst), so an arrival is stamped at most 2 ms late."""

    def __init__(self, path):
        self.path, self.got, self.stop = path, {}, False
        open(path, "wb").close()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def note(self, buf, start, now):
        """The id of the line at buf[start:]: the envelope's second key, {"v":1,"id":"..."."""
        i = buf.find(b'"id":"', start, start + 64)
        if i >= 0:
            self.got.setdefault(buf[i + 6:buf.find(b'"', i + 6)].decode(), now)

    def run(self):
        # Into one reused buffer (a fresh bytes object for every read faulted in new
        # pages: most of this thread's CPU); an unended line moves to its start.
        buf, fill = bytearray(1 << 22), 0
        with open(self.path, "rb", buffering=0) as f:
            while True:
                with memoryview(buf) as mv:
                    n = f.readinto(mv[fill:])
                now = time.monotonic()
                fill += n
                end = buf.rfind(b"\n", 0, fill) + 1
                pos = 0
                while pos < end:
                    self.note(buf, pos, now)
                    pos = buf.find(b"\n", pos, end) + 1
                if end:
                    buf[:fill - end] = buf[end:fill]
                    fill -= end
                elif fill == len(buf):
                    buf.extend(bytes(len(buf)))  # a line longer than the buffer
                if not n and self.stop:
                    return
                time.sleep(0.002)

    def close(self):
        self.stop = True
        self.t.join()


def quantile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def metric_sum(snapshot, name, stage):
    total = 0.0
    for line in open(snapshot):
        if line.startswith(name) and f'stage="{stage}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def instances(a):
    # Builds from before --instances existed run with 1.
    return ["--instances", str(a.instances)] if a.instances != 1 else []


def env_for(tmp):
    state = os.path.join(tmp, "state")
    shutil.rmtree(state, ignore_errors=True)  # template learning starts empty every run
    return dict(os.environ, NEWSFLOW_STATE_DIR=state)


def proc_cpu(pid):
    """CPU seconds (user + system) a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(tail, key, seconds=120):
    deadline = time.monotonic() + seconds
    while key not in tail.got and time.monotonic() < deadline:
        time.sleep(0.01)
    if key not in tail.got:
        sys.exit(f"{key} never reached the sink")


def steady_rate(times):
    """Articles/s while the chain is full: between the arrivals of the 10th and the 90th
    percentile article in the sink (the burst's fill and drain left out)."""
    t = sorted(times)
    lo, hi = int(0.1 * len(t)), int(0.9 * len(t))
    return (hi - lo) / max(1e-6, t[hi] - t[lo])


# Where a run's CPU goes, by the names newsflow gives its threads (since
# 2026-12-06; older builds show as "other"): what the rails cost beside the stages.
THREAD_GROUPS = ["stages", "Kafka clients", "embedded broker", "sinks", "reader", "flow control", "other"]


def thread_group(name, main, stages):
    if main:
        return "reader"  # the main thread: reads the input and produces it to the raw topic
    if name == "rdk:mock":
        return "embedded broker"
    if name.startswith("rdk:"):
        return "Kafka clients"
    if name in ("sink", "dlq-sink"):
        return "sinks"
    if name.startswith("flow "):
        return "flow control"
    # A runner's thread is named after its stage or fused chain (cut at 15 bytes),
    # its other copies "#2 <name>", "#3 <name>".
    if name.startswith("#") or any(st.startswith(name) or name.startswith(st) for st in stages):
        return "stages"
    return "other"


class ThreadSampler:
    """CPU of each thread of a process from now until `end()` (the burst's last article
    in the sink) or, if that never comes, until the process ends: /proc is read once a
    second (a thread's figures vanish when it ends, so the last reading before the end
    stands for it) and once more at `end()`. Until 2026-12-07 it read every 0.1 s:
    three /proc files for each of `run`'s 30-odd threads, about 2.5 % of two cores taken
    from the run it measured and not from `process`, its peer."""

    def __init__(self, pid, stages):
        self.pid, self.stages = pid, stages
        self.first = thread_cpu(pid)
        self.last = dict(self.first)
        self.done = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.done.wait(1.0):
            try:
                self.last.update(thread_cpu(self.pid))
            except OSError:
                return  # the process ended

    def end(self):
        """The final reading, now (the threads are all still there)."""
        if not self.done.is_set():
            self.done.set()
            self.t.join()
            try:
                self.last.update(thread_cpu(self.pid))
            except OSError:
                pass

    def by_group(self, n):
        """ms of CPU per article (n articles) by THREAD_GROUPS."""
        self.done.set()
        self.t.join()
        key = lambda tid, name: thread_group(name, tid == str(self.pid), self.stages)
        sec = cpu_between(self.first, self.last, key)
        vol, inv = (between(self.first, self.last, key, f) for f in (2, 3))
        # Context switches per article: a thread that sleeps and wakes per record
        # (a wake-up costs more than its work on a VM) shows here before its CPU.
        self.switches = {g: (vol.get(g, 0) / n, inv.get(g, 0) / n) for g in THREAD_GROUPS}
        return {g: sec.get(g, 0.0) * 1000.0 / n for g in THREAD_GROUPS}


def fmt_threads(g):
    return ", ".join(f"{k} {g[k]:.3f}" for k in THREAD_GROUPS if g.get(k, 0) > 0)


def run_throughput(nf, rows, tmp, a, extra):
    """`newsflow run -`: one warm-up article through the chain (models loaded, groups
    joined), then all articles at once; articles/s from the first write to the last
    article in the sink's file, CPU of the process over the same span."""
    out, snap = os.path.join(tmp, "out.jsonl"), os.path.join(tmp, "metrics.prom")
    tail = Tail(out)
    t_start, c_before = time.monotonic(), child_cpu()
    p = subprocess.Popen([nf, "run", "-", "--format", "jsonl", "--stages", a.stages, "--output", out,
                          "--dead-letters", os.path.join(tmp, "dlq.jsonl"), "--log-level", "warn",
                          "--metrics-snapshot", snap, "--partitions", str(a.partitions)] + instances(a) + extra,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         env=env_for(tmp))
    p.stdin.write(json.dumps(dict(rows[-1], id="warm-up"), ensure_ascii=False) + "\n")
    p.stdin.flush()
    wait_for(tail, "warm-up")
    ready = time.monotonic() - t_start
    # The input, serialised and encoded before the clock starts: done inside
    # the span (as until 2026-12-05) it charged `run` with about a second of
    # this script's own json.dumps and UTF-8 encoding of 20,000 articles, while
    # `process` reads a file written beforehand.
    payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    p.stdin.flush()
    stages = list(dict.fromkeys(a.stages.split(",")))
    sampler = ThreadSampler(p.pid, stages + ["+".join(stages)])
    cpu0, t0 = proc_cpu(p.pid), time.monotonic()
    p.stdin.buffer.write(payload)
    p.stdin.close()
    ids = {r["id"] for r in rows}
    # The threads' CPU is read when the last article arrives (the stop left out);
    # dead letters never arrive, so a run with some ends the wait by ending.
    while p.poll() is None and len(tail.got) <= len(rows):
        time.sleep(0.01)
    sampler.end()
    stdout = p.stdout.read()  # `run` ends once every record is accounted for
    tail.close()
    threads_ms = sampler.by_group(len(rows))
    switches = sampler.switches
    if p.wait() != 0:
        sys.exit(f"newsflow run failed: {stdout}")
    m = re.search(r"(\d+) in, (\d+) articles out, (\d+) dead letters, (\d+) dropped", stdout)
    inn, outn, dead, dropped = map(int, m.groups())
    assert inn == len(rows) + 1 and outn + dead + dropped == inn, stdout
    times = [t for i, t in tail.got.items() if i in ids]
    span = max(times) - t0
    sustained = steady_rate(times)
    cpu = child_cpu() - c_before - cpu0  # the burst and the stop, not start-up
    per_stage = {s: metric_sum(snap, "newsflow_process_seconds_sum", s) * 1000 /
                 max(1.0, metric_sum(snap, "newsflow_process_seconds_count", s)) for s in stages}
    return {"rate": len(rows) / span, "sustained": sustained, "ready": ready, "cpu_ms": cpu * 1000 / len(rows),
            "stages_ms": per_stage, "threads_ms": threads_ms, "switches": switches, "out": len(times),
            "dropped": dropped}


def run_separate(nf, src, n_in, expect_out, tmp, a, fused=False):
    """The same chain as separate processes on one `newsflow broker`: stages (each with
    --instances; fused: one `stage a,b,c` process), a sink, and `newsflow produce -`
    fed as `run -` is (one warm-up article through the chain first, then the articles
    at once); articles/s as for `run`. Until 2026-12-07 the articles came from a second
    `newsflow produce FILE` started with the clock running: its start-up (about 0.3 s,
    most of it learning the topic's partitions) was charged to the chain."""
    boot, out = os.path.join(tmp, "broker.bootstrap"), os.path.join(tmp, "sep.jsonl")
    env = env_for(tmp)
    common = ["--bootstrap-file", boot, "--log-level", "warn", "--metrics-addr", ""]
    procs = [subprocess.Popen([nf, "broker", "--partitions", str(a.partitions)] + common,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    producer = None
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(boot) and time.monotonic() < deadline:
            time.sleep(0.05)
        tail = Tail(out)
        for s in ([a.stages] if fused else a.stages.split(",")):
            procs.append(subprocess.Popen([nf, "stage", s] + instances(a) + common, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, env=env))
        procs.append(subprocess.Popen([nf, "sink", "--output", out] + common, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, env=env))
        with open(src, "rb") as f:
            payload = f.read()
        warm = json.dumps(dict(json.loads(payload[:payload.index(b"\n")]), id="warm-up"), ensure_ascii=False)
        producer = subprocess.Popen([nf, "produce", "-"] + common, stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        producer.stdin.write((warm + "\n").encode())
        producer.stdin.flush()
        wait_for(tail, "warm-up")
        t0 = time.monotonic()
        producer.stdin.write(payload)
        producer.stdin.close()
        deadline = time.monotonic() + 300
        while len(tail.got) < expect_out + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        tail.close()
        if producer.wait(60) != 0:
            sys.exit("newsflow produce failed")
    finally:
        for p in ([producer] if producer else []) + list(reversed(procs)):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
            p.wait(60)
    times = [t for i, t in tail.got.items() if i != "warm-up"]
    assert len(times) == expect_out, f"separate processes: {len(times)} of {expect_out} articles"
    return n_in / (max(times) - t0)


def run_process(nf, src, n, tmp, stages, jobs):
    """`newsflow process` on `jobs` parts of the input at once: articles/s of the steady part
    (the wall time minus that of the same processes on one article each: loading models), and
    CPU ms per article taken the same way."""
    lines = open(src, encoding="utf-8").readlines()

    def timed(per_job):
        parts = []
        for j in range(jobs):
            part = os.path.join(tmp, f"part{j}.jsonl")
            with open(part, "w", encoding="utf-8") as f:
                f.writelines(per_job(j))
            parts.append(part)
        env = env_for(tmp)
        t0, c0 = time.monotonic(), child_cpu()
        # Output to files, as `run`'s sink writes its own (not /dev/null, as until 2026-12-05).
        procs = [subprocess.Popen([nf, "process", "--stages", stages, "--input", part, "--output", part + ".out"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                 for part in parts]
        for p in procs:
            if p.wait() not in (0, 3):  # 3: some records dead-lettered
                sys.exit("newsflow process failed")
        return time.monotonic() - t0, child_cpu() - c0

    start, start_cpu = timed(lambda j: lines[j:j + 1])
    full, full_cpu = timed(lambda j: lines[j::jobs])
    return {"rate": n / max(1e-3, full - start), "cpu_ms": (full_cpu - start_cpu) * 1000 / n}


def start_following(nf, rows, tmp, a, extra, name):
    """`newsflow run - --follow` writing to TMP/NAME.jsonl, with one warm-up article sent
    (id "warm-up"): the process, the Tail of its output and a function that sends a row."""
    out = os.path.join(tmp, name + ".jsonl")
    tail = Tail(out)
    p = subprocess.Popen([nf, "run", "-", "--format", "jsonl", "--follow", "--stages", a.stages, "--output", out,
                          "--dead-letters", os.path.join(tmp, name + "-dlq.jsonl"), "--log-level", "warn",
                          "--partitions", str(a.partitions)] + instances(a) + extra,
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
                         env=env_for(tmp))

    def send(r):
        p.stdin.write(json.dumps(r, ensure_ascii=False) + "\n")
        p.stdin.flush()

    send(dict(rows[-1], id="warm-up"))
    return p, tail, send


def run_latency(nf, rows, tmp, a, extra):
    p, tail, send = start_following(nf, rows, tmp, a, extra, "lat")
    deadline = time.monotonic() + 60
    while "warm-up" not in tail.got and time.monotonic() < deadline:
        time.sleep(0.01)
    n = int(a.rate * a.seconds)
    sent, t0 = {}, time.monotonic()
    for k in range(n):
        d = t0 + k / a.rate - time.monotonic()
        if d > 0:
            time.sleep(d)
        r = dict(rows[k % (len(rows) - 1)], id=f"lat-{k}")
        sent[r["id"]] = time.monotonic()
        send(r)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(i in tail.got for i in sent) < n * 0.99:
        time.sleep(0.05)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    p.stdin.close()
    p.wait(120)
    tail.close()
    lat = [(tail.got[i] - t) * 1000 for i, t in sent.items() if i in tail.got]
    return {"p50": quantile(lat, 0.5), "p99": quantile(lat, 0.99), "got": len(lat), "sent": n}


def start_real(tmp, a):
    d = os.path.join(tmp, "kafka")
    shutil.rmtree(d, ignore_errors=True)
    subprocess.run([KAFKA, "start", "--dir", d, "--nodes", "1"], check=True, capture_output=True)
    boot = subprocess.run([KAFKA, "bootstrap", "--dir", d], check=True, capture_output=True,
                          text=True).stdout.strip()
    return d, boot


def fmt_stages(ms):
    return ", ".join(f"{s} {v:.3f}" for s, v in ms.items())


def scale(nf, a, tmp):
    print(f"| article size | partitions | `run` articles/s | MB/s | `process` x{a.jobs} articles/s | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kb in (1, 4, 16, 64):
        n = max(300, int(a.articles * 4 / kb))
        rows, _ = make_articles(n, kb)
        src = os.path.join(tmp, f"in-{kb}.jsonl")
        write_jsonl(src, rows)
        mb = sum(len(r["body"].encode()) for r in rows) / 1e6
        proc = run_process(nf, src, n, tmp, a.stages, a.jobs)["rate"]
        for parts in (1, 8, 64):
            a.partitions = parts
            r = run_throughput(nf, rows, tmp, a, [])
            print(f"| {kb} KB ({n} articles) | {parts} | {r['rate']:,.0f} | {r['rate'] * mb / n:.1f} | "
                  f"{proc:,.0f} | {r['rate'] / proc:.2f} |", flush=True)


def round_line(g):
    """One round of another build's run: rate, sustained rate, CPU."""
    return f"{g['rate']:,.0f} articles/s (sustained {g['sustained']:,.0f}), CPU {g['cpu_ms']:.2f} ms/article"


def thread_cpu(pid):
    """Per live thread of `pid` so far: {tid: (name, CPU ticks (user + system), voluntary
    context switches, involuntary ones)}."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                x = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                st = dict(l.split(":", 1) for l in f if "ctxt_switches" in l)
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                out[tid] = (f.read().strip(), int(x[11]) + int(x[12]),
                            int(st["voluntary_ctxt_switches"]), int(st["nonvoluntary_ctxt_switches"]))
        except (OSError, KeyError):
            pass  # the thread ended meanwhile
    return out


def between(before, after, key, field):
    """Growth of thread_cpu's `field` (1 ticks, 2 voluntary, 3 involuntary switches) between
    two snapshots, summed by key(tid, name) (a thread new since `before` counts from zero)."""
    out = {}
    for tid, now in after.items():
        k = key(tid, now[0])
        out[k] = out.get(k, 0) + now[field] - before.get(tid, (now[0], 0, 0, 0))[field]
    return out


def cpu_between(before, after, key):
    """CPU seconds used between two thread_cpu snapshots, summed by key(tid, name)."""
    hz = os.sysconf("SC_CLK_TCK")
    return {k: v / hz for k, v in between(before, after, key, 1).items()}


def run_idle(nf, rows, tmp, a, extra, seconds):
    """CPU of an idle `newsflow run - --fuse --follow` (one article through first), % of one
    core over `seconds`: total and by thread name."""
    p, tail, _ = start_following(nf, rows, tmp, a, extra + ["--fuse"], "idle")
    try:
        wait_for(tail, "warm-up")
        time.sleep(2)  # the last commits and flow-control checks of the warm-up
        before = thread_cpu(p.pid)
        time.sleep(seconds)
        after = thread_cpu(p.pid)
    finally:
        tail.close()
        p.send_signal(signal.SIGINT)
        p.stdin.close()
        p.wait()
    pct = {k: 100.0 * v / seconds for k, v in cpu_between(before, after, lambda tid, name: name).items()}
    return sum(pct.values()), pct


def idle(nf, a, tmp, extra):
    rows, _ = make_articles(1, a.kb)
    builds = [("this build", nf)] + ([(a.against, os.path.join(a.against, "app", "newsflow"))] if a.against else [])
    res = {label: [] for label, _ in builds}
    for rep in range(a.repeat):
        for label, binary in builds:
            total, pct = run_idle(binary, rows, tmp, a, extra, a.idle)
            res[label].append(total)
            top = ", ".join(f"{k} {v:.2f}" for k, v in sorted(pct.items(), key=lambda kv: -kv[1]) if v > 0)
            print(f"round {rep + 1}: {label}: idle run --fuse {total:.1f} % of one core ({top})", flush=True)
    for label, totals in res.items():
        print(f"median of {len(totals)}: {label}: {statistics.median(totals):.1f} % of one core while idle")


def rails_ms(x):
    return sum(x["threads_ms"].values()) - x["threads_ms"]["stages"]


def fused_ab(nf, other, rows, tmp, a, extra):
    """This build's `run --fuse` burst and --against's, alternated (ABBA) for --repeat rounds:
    many paired rounds in the time the full bench takes for a few, for a change to the rails.
    Per round and as medians: articles/s, CPU per article of the stage threads and of the
    rails, and how often a stage thread was preempted per article."""
    builds = [("this build", nf), (a.against, other)]
    res = {label: [] for label, _ in builds}
    for rep in range(a.repeat):
        for label, binary in (builds if rep % 2 == 0 else builds[::-1]):
            x = run_throughput(binary, rows, tmp, a, extra + ["--fuse"])
            res[label].append(x)
            print(f"round {rep + 1}: {label}: run --fuse {x['rate']:,.0f} articles/s (sustained "
                  f"{x['sustained']:,.0f}); CPU ms/article: stage threads {x['threads_ms']['stages']:.3f}, "
                  f"rails {rails_ms(x):.3f}; stage threads preempted {x['switches']['stages'][1]:.2f} "
                  f"an article", flush=True)
    med = statistics.median
    mine, theirs = res["this build"], res[a.against]
    wins = sum(m["rate"] > t["rate"] for m, t in zip(mine, theirs))
    for label, runs in res.items():
        print(f"median of {a.repeat}: {label}: {med(x['rate'] for x in runs):,.0f} articles/s, "
              f"stage threads {med(x['threads_ms']['stages'] for x in runs):.3f} ms, rails "
              f"{med(rails_ms(x) for x in runs):.3f} ms an article, stage threads preempted "
              f"{med(x['switches']['stages'][1] for x in runs):.2f} an article")
    ratios = [m["rate"] / t["rate"] for m, t in zip(mine, theirs)]
    print(f"this build / that one, round by round: {', '.join(f'{r:.2f}' for r in ratios)} "
          f"(median {med(ratios):.2f}); faster in {wins} of {a.repeat}")


def ratio_pairs(nf, rows, src, tmp, a, extra):
    """#16's figure alone: --repeat pairs of one `run --fuse` burst and `process` on --jobs
    processes, the two seconds apart, which goes first alternating between pairs (ABBA).
    On a shared machine the ratio of one pair moves by 0.1 or more (a neighbour's load
    lands on one side of it), so the median of many pairs is the figure, with its spread."""
    res = []
    name = "separate processes (fused)" if a.separate else "run --fuse"
    if a.separate:
        # The separate processes' sink is waited for until every article that
        # comes out is in: how many do, `process` says (its outputs, counted).
        run_process(nf, src, a.articles, tmp, a.stages, a.jobs)
        expect = sum(sum(1 for _ in open(os.path.join(tmp, f"part{j}.jsonl.out"), encoding="utf-8"))
                     for j in range(a.jobs))
    for rep in range(a.repeat):
        steps = ["fuse", "process"] if rep % 2 == 0 else ["process", "fuse"]
        got = {}
        for step in steps:
            if step == "fuse" and a.separate:
                got[step] = {"rate": run_separate(nf, src, a.articles, expect, tmp, a, fused=True)}
            elif step == "fuse":
                got[step] = run_throughput(nf, rows, tmp, a, extra + ["--fuse"])
            else:
                got[step] = run_process(nf, src, a.articles, tmp, a.stages, a.jobs)
        f, p = got["fuse"], got["process"]
        res.append((f["rate"], p["rate"], f["rate"] / p["rate"]))
        detail = "" if a.separate else (f" (rails {rails_ms(f):.3f}, stage threads "
                                        f"{f['threads_ms']['stages']:.3f} ms an article)")
        print(f"pair {rep + 1} ({' first, '.join(steps)} second): {name} {f['rate']:,.0f} articles/s{detail}; "
              f"process x{a.jobs} {p['rate']:,.0f} articles/s ({p['cpu_ms']:.3f} ms an article); "
              f"ratio {f['rate'] / p['rate']:.2f}", flush=True)
    med = statistics.median
    ratios = sorted(r for _, _, r in res)
    q = lambda x: ratios[min(len(ratios) - 1, int(x * len(ratios)))]
    print(f"medians of {a.repeat} pairs: {name} {med(f for f, _, _ in res):,.0f} articles/s, process "
          f"x{a.jobs} {med(p for _, p, _ in res):,.0f} articles/s; {name} / process x{a.jobs} median "
          f"{med(ratios):.2f} (quartiles {q(0.25):.2f} / {q(0.75):.2f}; lowest {ratios[0]:.2f}, highest "
          f"{ratios[-1]:.2f}); at least 0.85 in {sum(r >= 0.85 for r in ratios)} of {a.repeat}")


def main():
    # Every run's articles, outputs and brokers live in one temporary directory
    # (hundreds of MB), removed however the run ends: --scale, --idle and
    # --fused-ab returned before the removal and a failed run never reached it.
    tmp = tempfile.mkdtemp(prefix="nf-bench-")
    try:
        bench(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench(tmp):
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--kb", type=float, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stages", default="clean,langid,entities")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--instances", type=int, default=os.cpu_count() or 1,
                    help="copies of each stage in `run` (default: the number of cores)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="`newsflow process` processes at once, the peer on the same cores")
    ap.add_argument("--rate", type=float, default=200, help="articles/s offered in the latency run")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--real-kafka", action="store_true")
    ap.add_argument("--scale", action="store_true", help="table by article size and partitions")
    ap.add_argument("--idle", type=float, help="seconds: CPU of an idle `run --fuse --follow` instead")
    ap.add_argument("-X", action="append", default=[], help="librdkafka property for `run` (as newsflow -X)")
    ap.add_argument("--against", help="another build directory: its `run --fuse` and `run` alternated with this one's")
    ap.add_argument("--ratio", action="store_true",
                    help="only #16's ratio: --repeat pairs of `run --fuse` and `process` x --jobs, alternated")
    ap.add_argument("--separate", action="store_true",
                    help="with --ratio: the chain as separate processes (broker, one fused `stage`, sink, "
                         "produce) instead of `run --fuse`")
    ap.add_argument("--fused-ab", action="store_true",
                    help="with --against: only the two builds' `run --fuse` bursts, alternated, --repeat rounds")
    a = ap.parse_args()
    nf = os.path.join(a.build_dir, "app", "newsflow")
    extra = [x for kv in a.X for x in ("-X", kv)]
    if a.scale:
        scale(nf, a, tmp)
        return
    if a.idle:
        idle(nf, a, tmp, extra)
        return
    rows, origin = make_articles(a.articles, a.kb)
    src = os.path.join(tmp, "in.jsonl")
    write_jsonl(src, rows)
    mb = sum(len(r["body"].encode()) for r in rows) / 1e6
    print(f"{a.articles} articles of ~{a.kb:g} KB ({mb:.1f} MB of text) from {origin}; stages {a.stages}; "
          f"{a.partitions} partitions; run --instances {a.instances}; process x1 and x{a.jobs}; "
          f"{os.cpu_count()} cores", flush=True)
    if a.ratio:
        ratio_pairs(nf, rows, src, tmp, a, extra)
        return
    if a.fused_ab:
        if not a.against:
            sys.exit("--fused-ab needs --against OTHER_BUILD_DIR")
        fused_ab(nf, os.path.join(a.against, "app", "newsflow"), rows, tmp, a, extra)
        return
    res = {"emb": [], "sep": [], "real": [], "p1": [], "pj": [], "lat": [], "lat_real": [], "lat_real_cold": [],
           "fused": [], "lat_fused": [], "sep_fused": [], "against": [], "against_chain": [], "real_fused": []}
    # `run --fuse` (the chain behind one consumer of the raw topic), when the build has it.
    fuse = "--fuse" in subprocess.run([nf, "run", "--help"], capture_output=True, text=True).stdout
    other = os.path.join(a.against, "app", "newsflow") if a.against else None

    def paired(rep, flags, mine_key, other_key):
        """This build's burst and, with --against, the other build's, in an order that
        alternates between rounds (ABBA): on this VM the second of two runs in a row
        was faster (chain: 0.96 of the other build with this build always first, 1.05
        in ABBA order, 2026-12-06), so a fixed order favours one build."""
        order = [(nf, mine_key), (other, other_key)] if other else [(nf, mine_key)]
        for binary, key in (order if rep % 2 == 0 else order[::-1]):
            res[key].append(run_throughput(binary, rows, tmp, a, extra + flags))
        return res[mine_key][-1]

    for rep in range(a.repeat):
        e = paired(rep, [], "emb", "against_chain")
        # `process` on --jobs processes right beside `run --fuse`, which goes first
        # alternating between rounds: their ratio is #16's figure, and this machine
        # drifts by 10 % over the minutes a round takes.
        def jobs():
            res["pj"].append(run_process(nf, src, a.articles, tmp, a.stages, a.jobs))

        def fused():
            paired(rep, ["--fuse"], "fused", "against")

        for step in ([fused, jobs] if rep % 2 == 0 else [jobs, fused]) if fuse else [jobs]:
            step()
        if fuse:
            res["lat_fused"].append(run_latency(nf, rows, tmp, a, extra + ["--fuse"]))
            if a.stages == "clean,langid,entities":
                res["sep_fused"].append(run_separate(nf, src, a.articles, e["out"], tmp, a, fused=True))
        res["p1"].append(run_process(nf, src, a.articles, tmp, a.stages, 1))
        # Separate `stage` processes find their topics by the default chain only.
        if a.stages == "clean,langid,entities":
            res["sep"].append(run_separate(nf, src, a.articles, e["out"], tmp, a))
        lat = run_latency(nf, rows, tmp, a, extra)
        res["lat"].append(lat)
        print(f"round {rep + 1}: run {e['rate']:,.0f} articles/s (sustained {e['sustained']:,.0f}; "
              f"{e['rate'] * mb / a.articles:.1f} MB/s; ready "
              f"after {e['ready']:.1f} s), CPU {e['cpu_ms']:.2f} ms/article, "
              f"in Process ms/article: {fmt_stages(e['stages_ms'])}; CPU ms/article by thread: "
              f"{fmt_threads(e['threads_ms'])}; "
              f"{'separate processes %s/s; ' % format(round(res['sep'][-1]), ',') if res['sep'] else ''}process x1 {res['p1'][-1]['rate']:,.0f}/s, "
              f"x{a.jobs} {res['pj'][-1]['rate']:,.0f}/s (CPU {res['pj'][-1]['cpu_ms']:.2f} ms/article); latency at {a.rate:g}/s p50 {lat['p50']:.0f} ms "
              f"p99 {lat['p99']:.0f} ms ({lat['got']}/{lat['sent']})", flush=True)
        if fuse:
            f, fl = res["fused"][-1], res["lat_fused"][-1]
            print(f"         run --fuse {f['rate']:,.0f} articles/s (sustained {f['sustained']:,.0f}), "
                  f"CPU {f['cpu_ms']:.2f} ms/article, in Process ms/article: {fmt_stages(f['stages_ms'])}; "
                  f"CPU ms/article by thread: {fmt_threads(f['threads_ms'])}; "
                  f"latency p50 {fl['p50']:.0f} ms p99 {fl['p99']:.0f} ms ({fl['got']}/{fl['sent']})"
                  f"{'; separate processes, fused: %s/s' % format(round(res['sep_fused'][-1]), ',') if res['sep_fused'] else ''}",
                  flush=True)
            if res["against"]:
                print(f"         {a.against}: run --fuse {round_line(res['against'][-1])}", flush=True)
        if res["against_chain"]:
            print(f"         {a.against}: run {round_line(res['against_chain'][-1])}", flush=True)
        if a.real_kafka:
            d, boot = start_real(tmp, a)
            try:
                r = run_throughput(nf, rows, tmp, a, extra + ["--brokers", boot])
                res["real"].append(r)
                subprocess.run([KAFKA, "stop", "--dir", d], capture_output=True)
                if fuse:
                    d, boot = start_real(tmp, a)
                    res["real_fused"].append(run_throughput(nf, rows, tmp, a, extra + ["--fuse", "--brokers", boot]))
                    subprocess.run([KAFKA, "stop", "--dir", d], capture_output=True)
                d, boot = start_real(tmp, a)
                # Twice on one fresh broker: its first seconds are slow (the JVM
                # compiling its code paths: 250-400 ms at the start of the first
                # run, under 70 ms afterwards and in a second run, 2026-12-07),
                # so the first run is the cold figure and the second the steady one.
                cold = run_latency(nf, rows, tmp, a, extra + ["--brokers", boot])
                res["lat_real_cold"].append(cold)
                lat = run_latency(nf, rows, tmp, a, extra + ["--brokers", boot])
                res["lat_real"].append(lat)
            finally:
                subprocess.run([KAFKA, "stop", "--dir", d], capture_output=True)
            rf = res["real_fused"][-1] if res["real_fused"] else None
            print(f"         real Kafka: run {r['rate']:,.0f} articles/s, CPU {r['cpu_ms']:.2f} ms/article "
                  f"(by thread: {fmt_threads(r['threads_ms'])}); "
                  f"{'run --fuse %s articles/s, CPU %.2f ms/article; ' % (format(round(rf['rate']), ','), rf['cpu_ms']) if rf else ''}"
                  f"latency p50 {lat['p50']:.0f} ms p99 {lat['p99']:.0f} ms (a fresh broker's first run: "
                  f"p50 {cold['p50']:.0f} ms p99 {cold['p99']:.0f} ms)", flush=True)
    med = statistics.median
    emb = med(x["rate"] for x in res["emb"])
    p1, pj = med(x["rate"] for x in res["p1"]), med(x["rate"] for x in res["pj"])
    print(f"\nmedians of {a.repeat}:")
    sus = med(x["sustained"] for x in res["emb"])
    print(f"  newsflow run (embedded): {emb:,.0f} articles/s, {emb * mb / a.articles:.1f} MB/s, "
          f"CPU {med(x['cpu_ms'] for x in res['emb']):.2f} ms/article; sustained (10th to 90th "
          f"percentile arrival) {sus:,.0f} articles/s")
    if res["sep"]:
        print(f"  separate processes (broker, {len(a.stages.split(','))} stages, sink, produce): "
              f"{med(res['sep']):,.0f} articles/s")
    print(f"  newsflow process: x1 {p1:,.0f} articles/s, x{a.jobs} {pj:,.0f} articles/s, CPU "
          f"{med(x['cpu_ms'] for x in res['pj']):.2f} ms/article; "
          f"run / process x{a.jobs} = {emb / pj:.2f} (sustained {sus / pj:.2f}), run / process x1 = {emb / p1:.2f}")
    print(f"  latency at {a.rate:g} articles/s: p50 {med(x['p50'] for x in res['lat']):.0f} ms, "
          f"p99 {med(x['p99'] for x in res['lat']):.0f} ms")
    if res["fused"]:
        fr = med(x["rate"] for x in res["fused"])
        fs = med(x["sustained"] for x in res["fused"])
        print(f"  newsflow run --fuse (embedded): {fr:,.0f} articles/s, CPU "
              f"{med(x['cpu_ms'] for x in res['fused']):.2f} ms/article; sustained {fs:,.0f} articles/s; "
              f"run --fuse / process x{a.jobs} = {fr / pj:.2f} (sustained {fs / pj:.2f}); latency at "
              f"{a.rate:g}/s p50 {med(x['p50'] for x in res['lat_fused']):.0f} ms, "
              f"p99 {med(x['p99'] for x in res['lat_fused']):.0f} ms")
        # The same ratio round by round (`process` ran beside `run --fuse`; a
        # shared machine drifts between rounds).
        per = [f["rate"] / p["rate"] for f, p in zip(res["fused"], res["pj"])]
        print(f"  run --fuse / process x{a.jobs}, round by round: "
              f"{', '.join(f'{r:.2f}' for r in per)} (median {med(per):.2f})")
    def threads(label, runs):
        g = {k: med(x["threads_ms"][k] for x in runs) for k in THREAD_GROUPS}
        print(f"  {label}, CPU ms/article by thread (medians): {fmt_threads(g)}; the rails "
              f"(all but the stage threads) {sum(g.values()) - g['stages']:.3f}")
        sw = {k: tuple(med(x["switches"][k][i] for x in runs) for i in (0, 1)) for k in THREAD_GROUPS}
        print(f"  {label}, context switches per article by thread, voluntary/involuntary (medians): "
              + ", ".join(f"{k} {v:.2f}/{i:.2f}" for k, (v, i) in sw.items() if v + i > 0)
              + f"; all {sum(v for v, _ in sw.values()):.2f}/{sum(i for _, i in sw.values()):.2f}")
    threads("run", res["emb"])
    if res["fused"]:
        threads("run --fuse", res["fused"])
    if res["real"]:
        threads("run on Apache Kafka (its broker's CPU not counted)", res["real"])
    if res["real_fused"]:
        threads("run --fuse on Apache Kafka", res["real_fused"])

    def versus(label, runs, mine):
        gr = med(x["rate"] for x in runs)
        print(f"  {a.against}: {label} {gr:,.0f} articles/s, sustained "
              f"{med(x['sustained'] for x in runs):,.0f}, CPU {med(x['cpu_ms'] for x in runs):.2f} "
              f"ms/article; this build / that one {mine / gr:.2f} (medians of {a.repeat} alternated rounds)")
    if res["against"]:
        versus("run --fuse", res["against"], med(x["rate"] for x in res["fused"]))
    if res["against_chain"]:
        versus("run", res["against_chain"], emb)
    if res["sep_fused"]:
        print(f"  separate processes, fused (broker, `stage {a.stages}`, sink, produce): "
              f"{med(res['sep_fused']):,.0f} articles/s")
    if res["real"]:
        real = med(x["rate"] for x in res["real"])
        print(f"  newsflow run (Apache Kafka, 1 node): {real:,.0f} articles/s; real / embedded "
              f"{real / emb:.2f}; latency p50 {med(x['p50'] for x in res['lat_real']):.0f} ms, "
              f"p99 {med(x['p99'] for x in res['lat_real']):.0f} ms (a fresh broker's first run: p50 "
              f"{med(x['p50'] for x in res['lat_real_cold']):.0f} ms, p99 "
              f"{med(x['p99'] for x in res['lat_real_cold']):.0f} ms)")
        if res["real_fused"]:
            rf = med(x["rate"] for x in res["real_fused"])
            print(f"  newsflow run --fuse (Apache Kafka, 1 node): {rf:,.0f} articles/s, CPU "
                  f"{med(x['cpu_ms'] for x in res['real_fused']):.2f} ms/article (the broker's own CPU not counted: "
                  f"it is another process on the same cores); run --fuse / process x{a.jobs} {rf / pj:.2f}")


if __name__ == "__main__":
    main()

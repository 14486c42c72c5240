#!/usr/bin/env python3
"""Soak: the whole pipeline running for a long time, memory and file descriptors sampled.

Starts a loopback feed server (in this process: live RSS feeds that gain an item every
--item-ms, each item's page an HTML article built from ../shared/corpus/news/ar when present,
else from samples/pages), then as separate processes: the embedded broker, `watch` on those
feeds, the stages clean, langid and entities, a sink of news.tagged and a sink of the dead
letters. Every --sample-s seconds it prints, for each process, its resident memory (VmRSS)
and open file descriptors (/proc/PID/fd), and the articles delivered so far. At the end it
stops everything with SIGTERM and judges each process flat or not: resident memory of the
trend inside the last third of the run (the first third is warm-up: models, caches; the
embedded broker grows until its retention, 5 MiB a partition, is full), and the spread of its
descriptors. At the end the watcher stops first and the chain drains before the rest stops, so
every page fetched must be delivered or dead-lettered.

usage: soak.py BUILD_DIR [--minutes 60] [--feeds 4] [--item-ms 1000] [--sample-s 60] [--dir D]
Exit status: 0 when every process stayed flat and stopped cleanly, 1 otherwise.
"""
import argparse, html, http.server, json, os, re, signal, statistics, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_articles(corpus):
    """(title, paragraphs) of real articles: the news corpus when present, else the samples."""
    path = os.path.join(corpus, "news", "ar", "saudinewsnet.jsonl")
    out = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                a = json.loads(line)
                paras = [p for p in re.split(r"\n+", a.get("text", "")) if p.strip()]
                if a.get("title") and paras:
                    out.append((a["title"], paras))
                if len(out) >= 2000:
                    break
    if not out:
        for name in sorted(os.listdir(os.path.join(ROOT, "samples", "pages"))):
            if name.endswith(".txt"):
                lines = open(os.path.join(ROOT, "samples", "pages", name), encoding="utf-8").read().splitlines()
                lines = [l for l in lines if l.strip()]
                if len(lines) > 2:
                    out.append((lines[0], lines[1:]))
    return out


class Feeds:
    """Live feeds: feed i gains item k at start + k * item_ms."""

    def __init__(self, n, item_ms, articles):
        self.n, self.item_ms, self.articles = n, item_ms, articles
        self.start = time.time()
        self.pages = 0
        self.lock = threading.Lock()

    def latest(self):
        return int((time.time() - self.start) * 1000 / self.item_ms)

    def rss(self, name, host):
        k = self.latest()
        items = []
        for j in range(k, max(-1, k - 40), -1):
            title = html.escape(self.articles[(hash(name) + j) % len(self.articles)][0])
            items.append(f"<item><guid isPermaLink=\"false\">{name}-{j}</guid>"
                         f"<link>http://{host}/page/{name}/{j}</link><title>{title}</title></item>")
        return ("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>"
                f"{name}</title>{''.join(items)}</channel></rss>").encode()

    def page(self, name, j):
        title, paras = self.articles[(hash(name) + j) % len(self.articles)]
        with self.lock:
            self.pages += 1
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
        return (f"<!doctype html><html lang=\"ar\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
                f" | {name}</title></head><body><nav><a href=\"/\">الرئيسية</a> <a href=\"/s\">رياضة</a>"
                f" <a href=\"/e\">اقتصاد</a></nav><article><h1>{html.escape(title)}</h1>"
                f"<p class=\"id\">{name}/{j}</p>{body}</article><footer>جميع الحقوق محفوظة</footer>"
                f"</body></html>").encode()


def serve(feeds):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            host = self.headers.get("Host", "127.0.0.1")
            m = re.match(r"^/feed/(\w+)\.xml$", self.path)
            p = re.match(r"^/page/(\w+)/(\d+)$", self.path)
            if m:
                body, ctype = feeds.rss(m.group(1), host), "application/rss+xml"
            elif p:
                body, ctype = feeds.page(p.group(1), int(p.group(2))), "text/html; charset=utf-8"
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def proc_sample(pid):
    try:
        rss = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) // 1024
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return rss, fds
    except OSError:
        return None, None


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--feeds", type=int, default=4)
    ap.add_argument("--item-ms", type=int, default=1000)
    ap.add_argument("--sample-s", type=float, default=60)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--corpus", default=os.environ.get("NEWSFLOW_CORPUS_DIR",
                                                       os.path.join(ROOT, "..", "shared", "corpus")))
    a = ap.parse_args()
    nf = os.path.join(os.path.abspath(a.build), "app", "newsflow")
    d = os.path.abspath(a.dir or os.path.join(a.build, "soak"))
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if os.path.isfile(os.path.join(d, f)):
            os.remove(os.path.join(d, f))
    articles = load_articles(a.corpus)
    feeds = Feeds(a.feeds, a.item_ms, articles)
    srv = serve(feeds)
    port = srv.server_address[1]
    with open(os.path.join(d, "feeds.yaml"), "w") as f:
        f.write("feeds:\n")
        for i in range(a.feeds):
            f.write(f"  - url: http://127.0.0.1:{port}/feed/f{i}.xml\n    source: f{i}\n    interval_s: 5\n")
    boot = os.path.join(d, "broker.bootstrap")
    env = dict(os.environ, NEWSFLOW_STATE_DIR=os.path.join(d, "state"))
    procs = {}

    def start(name, args):
        log = open(os.path.join(d, name + ".log"), "w")
        procs[name] = subprocess.Popen([nf] + args, stdout=log, stderr=subprocess.STDOUT, env=env)

    start("broker", ["broker", "--bootstrap-file", boot])
    for _ in range(100):
        if os.path.exists(boot):
            break
        time.sleep(0.1)
    k = ["--bootstrap-file", boot]
    for s in ("clean", "langid", "entities"):
        start(s, ["stage", s] + k)
    start("sink", ["sink", "--output", os.path.join(d, "articles.jsonl")] + k)
    start("dlq-sink", ["sink", "--topic", "news.dlq", "--group", "newsflow-dlq-sink",
                       "--output", os.path.join(d, "dead-letters.jsonl")] + k)
    start("watch", ["watch", "--feeds", os.path.join(d, "feeds.yaml"), "--state",
                    os.path.join(d, "feeds.state"), "--allow-private-addresses",
                    # one loopback host serves every feed: no politeness wait between its pages
                    "--per-host", "4", "--politeness-ms", "0"] + k)
    print(f"soak: {a.minutes} min, {a.feeds} feeds, an item every {a.item_ms} ms each, "
          f"{len(articles)} source articles, folder {d}", flush=True)
    names = list(procs)
    print("min  articles  dead  " + "  ".join(f"{n:>16}" for n in names) + "   (RSS MiB/fds)", flush=True)
    samples = {n: [] for n in names}
    t0 = time.time()
    end = t0 + a.minutes * 60
    failed = []
    while True:
        now = time.time()
        row = []
        for n in names:
            rss, fds = proc_sample(procs[n].pid)
            if procs[n].poll() is not None and n not in failed:
                failed.append(n)
            samples[n].append((rss, fds))
            row.append(f"{rss if rss is not None else '-':>10}/{fds if fds is not None else '-':<5}")
        print(f"{(now - t0) / 60:4.0f}  {count_lines(os.path.join(d, 'articles.jsonl')):8d}  "
              f"{count_lines(os.path.join(d, 'dead-letters.jsonl')):4d}  " + "  ".join(row), flush=True)
        if now >= end or failed:
            break
        time.sleep(min(a.sample_s, max(0.1, end - time.time())))
    items = feeds.latest() + 1
    codes = {}

    def stop(n):
        procs[n].send_signal(signal.SIGTERM)
        try:
            codes[n] = procs[n].wait(90)
        except subprocess.TimeoutExpired:
            procs[n].kill()
            codes[n] = "hung"

    # The watcher first; then the chain drains (the embedded broker is
    # memory-only: what is still in it when it stops is gone), then the rest
    # in chain order, the broker last.
    stop("watch")
    out_path, dlq_path = os.path.join(d, "articles.jsonl"), os.path.join(d, "dead-letters.jsonl")
    # Until every fetched page is out (stages may drop some: pages with no
    # article), or nothing has moved for 15 s.
    drain_end, last, still_since = time.time() + 120, -1, time.time()
    while time.time() < drain_end:
        n = count_lines(out_path) + count_lines(dlq_path)
        if n >= feeds.pages:
            break
        if n != last:
            last, still_since = n, time.time()
        elif time.time() - still_since > 15:
            break
        time.sleep(1)
    for n in ("clean", "langid", "entities", "sink", "dlq-sink", "broker"):
        stop(n)
    srv.shutdown()
    ok = not failed
    # What the stages dropped (pages with no article) and lost, from their stop lines.
    dropped = lost = 0
    for n in ("clean", "langid", "entities"):
        text = open(os.path.join(d, n + ".log"), encoding="utf-8", errors="replace").read()
        m = re.findall(r"stopped: received \d+ sent \d+ dropped (\d+) dead-lettered \d+ lost (\d+)", text)
        if m:
            dropped += int(m[-1][0])
            lost += int(m[-1][1])
    delivered, dead = count_lines(out_path), count_lines(dlq_path)
    unaccounted = feeds.pages - delivered - dead - dropped
    print(f"\nsoak: {items * a.feeds} feed items offered, {feeds.pages} pages fetched, {delivered} articles "
          f"delivered, {dead} dead letters, {dropped} dropped by stages, {lost} reported lost, "
          f"{unaccounted} unaccounted for", flush=True)
    ok = ok and unaccounted == 0 and lost == 0
    for n in names:
        s = [x for x in samples[n] if x[0] is not None]
        third = max(1, len(s) // 3)
        mid = statistics.median(x[0] for x in s[third:2 * third] or s)
        last = statistics.median(x[0] for x in s[2 * third:] or s)
        # The trend inside the last third: its first samples against its last
        # ones. A cache or the embedded broker's retention (5 MiB a partition)
        # filling up levels off; a leak keeps climbing.
        tail_rss = [x[0] for x in s[2 * third:]] or [x[0] for x in s]
        k = max(1, len(tail_rss) // 4)
        start, end = statistics.median(tail_rss[:k]), statistics.median(tail_rss[-k:])
        trend = (end - start) / max(1, start)
        fds = [x[1] for x in s]
        tail = fds[third:] or fds
        flat = trend <= 0.05 and (max(tail) - min(tail)) <= 8
        ok = ok and flat and codes[n] == 0
        print(f"  {n:10s} RSS median middle third {mid} MiB, last third {last} MiB; within the last third "
              f"{start} -> {end} MiB ({trend:+.1%}); fds after warm-up {min(tail)}..{max(tail)}; "
              f"exit {codes[n]}; {'flat' if flat else 'NOT FLAT'}")
    if failed:
        print("soak: processes that ended early: " + ", ".join(failed))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

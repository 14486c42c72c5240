#!/usr/bin/env python3
"""Loopback HTTP server for the feed watcher tests and bench (no outside network).

Usage: feed_server.py ROOT [PORT...]   prints "PORT <n>" per listening port, then serves.

  /feed/NAME      the file ROOT/NAME with a content-hash ETag (If-None-Match -> 304).
                  ROOT/NAME.mode, if present, makes the feed misbehave instead:
                  500 | 429 (Retry-After: 1) | slow (answers after 5 s) | garbage |
                  huge (50 MB, no Content-Length) | redirect (endless) |
                  bomb (gzip: 64 MiB of zeros in ~64 KiB) | gzip (the file, gzip-encoded) |
                  live:P (generated: a new item every P ms, links carry ?created=<unix ms>) |
                  delay:MS (the file, answered after MS ms) |
                  truncate:N (the file's first N bytes, with the whole file's ETag, then the
                  connection closed: a transfer cut short that looks complete)
  /page/ID        a small HTML page naming ID; /page/missing/... -> 404;
                  /page/same/... -> one fixed page whatever the rest of the path;
                  /page/slow/MS/... -> a small HTML page, answered after MS ms;
                  /page/pdf/... -> a PDF (application/pdf); /page/png/... -> a PNG (image/png);
                  /page/untyped/... -> a PDF's bytes with no Content-Type;
                  /page/latin1/... -> windows-1252 bytes with charset=iso-8859-1;
                  /page/big/N/... -> an HTML page of N bytes;
                  /page/enc/CODEC/... -> Arabic test text encoded with Python codec CODEC
                  (cp1256, iso8859_6), declared only in <meta charset>
  /redirect/N     302 to /redirect/N+1, forever
  /_stats         one line per path: "<path> <requests> <not_modified>"
  /_times         one line per request: "<unix ms> <path>"
"""
import gzip
import hashlib
import os
import sys
import zlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = sys.argv[1]
STATS = {}
TIMES = []  # (unix ms, path) of every counted request, for politeness checks
LOCK = threading.Lock()
BOMB = None


def live_rss(name, k_latest, phase, period, host):
    items = []
    for k in range(k_latest, k_latest - 5, -1):
        created = phase + k * period
        link = f"http://{host}/page/{name}-{k}?created={created}"
        items.append(f"<item><guid isPermaLink=\"false\">{name}-{k}</guid><link>{link}</link>"
                     f"<title>{name} {k}</title><description>item {k}</description></item>")
    return ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + name +
            "</title>" + "".join(items) + "</channel></rss>").encode()


def bomb_bytes():
    global BOMB
    if BOMB is None:
        BOMB = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
    return BOMB


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def count(self, not_modified=False):
        with LOCK:
            s = STATS.setdefault(self.path, [0, 0])
            s[0] += 1
            TIMES.append((int(time.time() * 1000), self.path))
            if not_modified:
                s[1] += 1

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path
        if path == "/_stats":
            with LOCK:
                body = "".join(f"{p} {c[0]} {c[1]}\n" for p, c in sorted(STATS.items()))
            return self.send(200, body.encode(), [("Content-Type", "text/plain")])
        if path == "/_times":
            with LOCK:
                body = "".join(f"{t} {p}\n" for t, p in TIMES)
            return self.send(200, body.encode(), [("Content-Type", "text/plain")])
        if path.startswith("/feed/"):
            return self.feed(path[len("/feed/"):])
        if path.startswith("/redirect/"):
            self.count()
            n = int(path.rsplit("/", 1)[1]) + 1
            return self.send(302, b"", [("Location", f"/redirect/{n}")])
        if path.startswith("/page/"):
            self.count()
            if path.startswith("/page/missing/"):
                return self.send(404, b"gone", [("Content-Type", "text/html")])
            if path.startswith(("/page/pdf/", "/page/png/", "/page/untyped/")):
                kind = path.split("/")[2]
                magic = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" if kind == "png" else b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
                headers = {"pdf": [("Content-Type", "application/pdf")], "png": [("Content-Type", "image/png")]}
                return self.send(200, magic + bytes(range(256)) * 8, headers.get(kind, []))
            if path.startswith("/page/slow/"):
                time.sleep(int(path.split("/")[3]) / 1000.0)
                return self.send(200, f"<html><body><p>Slow {path}</p></body></html>".encode(),
                                 [("Content-Type", "text/html")])
            if path.startswith("/page/same/"):
                return self.send(200, b"<html><body><p>One story, many URLs</p></body></html>",
                                 [("Content-Type", "text/html")])
            if path.startswith("/page/big/"):
                n = int(path.split("/")[3])
                body = b"<html><body><p>" + b"big " * (n // 4) + b"</p></body></html>"
                return self.send(200, body, [("Content-Type", "text/html; charset=utf-8")])
            if path.startswith("/page/enc/"):
                codec = path.split("/")[3]
                label = {"cp1256": "windows-1256", "iso8859_6": "iso-8859-6"}.get(codec, codec)
                text = "\u0630\u0647\u0628 \u0627\u0644\u0648\u0644\u062f \u0625\u0644\u0649 \u0627\u0644\u0633\u0648\u0642"
                body = (f'<html><head><meta charset="{label}"><title>{path}</title></head>'
                        f"<body><p>{text}</p></body></html>").encode(codec)
                return self.send(200, body, [("Content-Type", "text/html")])
            if path.startswith("/page/latin1/"):
                body = ("<html><body><p>Caf\u00e9 cr\u00e8me " + path + "</p></body></html>").encode("cp1252")
                return self.send(200, body, [("Content-Type", "text/html; charset=iso-8859-1")])
            body = f"<html><head><title>{path}</title></head><body><p>Page {path}</p></body></html>".encode()
            return self.send(200, body, [("Content-Type", "text/html; charset=utf-8")])
        self.count()
        self.send(404, b"not found")

    def live(self, name, period):
        phase = zlib.crc32(name.encode()) % period
        k_latest = (int(time.time() * 1000) - phase) // period
        etag = f'"{k_latest}"'
        if self.headers.get("If-None-Match") == etag:
            self.count(not_modified=True)
            return self.send(304, b"", [("ETag", etag)])
        self.count()
        body = live_rss(name, k_latest, phase, period, self.headers.get("Host", "127.0.0.1"))
        self.send(200, body, [("Content-Type", "application/rss+xml"), ("ETag", etag)])

    def feed(self, name):
        file = os.path.join(ROOT, os.path.basename(name))
        mode = ""
        if os.path.exists(file + ".mode"):
            with open(file + ".mode") as f:
                mode = f.read().strip()
        if mode == "500":
            self.count()
            return self.send(500, b"boom")
        if mode == "429":
            self.count()
            return self.send(429, b"slow down", [("Retry-After", "1")])
        if mode == "slow":
            self.count()
            time.sleep(5)
            return self.send(200, b"<rss/>")
        if mode == "garbage":
            self.count()
            return self.send(200, b"\x00\x01 this is <not> xml &&& <<<", [("Content-Type", "application/rss+xml")])
        if mode == "redirect":
            self.count()
            return self.send(302, b"", [("Location", "/redirect/0")])
        if mode == "huge":
            self.count()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<rss>" + b"x" * (1 << 20)
            try:
                for _ in range(50):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
            return
        if mode == "bomb":
            self.count()
            return self.send(200, bomb_bytes(), [("Content-Type", "application/rss+xml"),
                                                  ("Content-Encoding", "gzip")])
        if mode.startswith("live:"):
            return self.live(name, int(mode.split(":")[1]))
        if mode.startswith("delay:"):
            time.sleep(int(mode.split(":")[1]) / 1000.0)
        try:
            with open(file, "rb") as f:
                body = f.read()
        except FileNotFoundError:
            self.count()
            return self.send(404, b"no such feed")
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.count(not_modified=True)
            return self.send(304, b"", [("ETag", etag)])
        self.count()
        if mode.startswith("truncate:"):
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[:int(mode.split(":")[1])])
            self.close_connection = True
            return
        headers = [("Content-Type", "application/rss+xml; charset=utf-8"), ("ETag", etag)]
        if mode == "gzip" and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        self.send(200, body, headers)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hang up on purpose (size caps, timeouts)


def main():
    ports = [int(p) for p in sys.argv[2:]] or [0]
    servers = []
    for p in ports:
        srv = Server(("127.0.0.1", p), Handler)
        servers.append(srv)
        print(f"PORT {srv.server_address[1]}", flush=True)
    for srv in servers[1:]:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    main()

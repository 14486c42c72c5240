#!/usr/bin/env python3
"""Split, score and error classes for the HTML dev set (cleaning-dev, 990 pages).

The set is split into two fixed halves by a hash of each page's file name
(sha1 of the name, even -> A, odd -> B), so rules can be tuned on half A while
half B stays unseen.

  html_dev.py score EVALDATA PRED.json
      P/R/F1 on all pages, half A and half B, each by language.
  html_dev.py errors EVALDATA PRED.json --tool build/bench/clean/clean_tool \
      --html DIR [--half A] [--show CLASS] [--limit N]
      Classifies half A's (never B's, unless asked) error snippets by the
      block that holds them (NEWSFLOW_CLEAN_DEBUG=tsv output): lost content
      (a 'with' snippet missing) and kept boilerplate (a 'without' snippet
      present), by main-container flag, reason, hint and link density.
Scoring is the same as snippet_score.py's (substring after whitespace
normalisation, micro-averaged).
"""
import argparse
import collections
import hashlib
import json
import os
import re
import subprocess
import sys


def norm(t):
    return re.sub(r"\s+", " ", t).strip()


def half(fname):
    return "A" if int(hashlib.sha1(fname.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "B"


def key_of(fid):
    return fid[:-5] if fid.endswith(".html") else fid


def load(evaldata, pred):
    with open(evaldata, encoding="utf-8") as f:
        ev = list(json.load(f).values())
    with open(pred, encoding="utf-8") as f:
        p = json.load(f)
    return ev, p


def score(items, pred):
    tp = fp = fn = 0
    for it in items:
        res = (pred.get(key_of(it["file"])) or {}).get("articleBody")
        r = norm(res) if isinstance(res, str) else None
        t = sum(1 for w in it["with"] if r is not None and norm(w) in r)
        f = sum(1 for w in it["without"] if r is not None and norm(w) in r)
        tp += t
        fp += f
        fn += len(it["with"]) - t
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return len(items), p, r, (2 * p * r / (p + r) if p + r else 0.0), tp, fp, fn


def cmd_score(a):
    ev, pred = load(a.evaldata, a.pred)
    groups = {"all": ev, "A": [i for i in ev if half(i["file"]) == "A"],
              "B": [i for i in ev if half(i["file"]) == "B"]}
    print(f"{'group':<14}{'n':>5}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}")
    for g, items in groups.items():
        n, p, r, f1, tp, fp, fn = score(items, pred)
        print(f"{g:<14}{n:>5}{p:>7.3f}{r:>7.3f}{f1:>7.3f}{tp:>6}{fp:>5}{fn:>5}")
        langs = collections.defaultdict(list)
        for i in items:
            langs[i.get("lang_detected_from_with")].append(i)
        for lang, li in sorted(langs.items(), key=lambda x: -len(x[1])):
            if len(li) < 5:
                continue
            n, p, r, f1, tp, fp, fn = score(li, pred)
            print(f"  {g}:{lang:<10}{n:>5}{p:>7.3f}{r:>7.3f}{f1:>7.3f}{tp:>6}{fp:>5}{fn:>5}")


def blocks_of(tool, path):
    env = dict(os.environ, NEWSFLOW_CLEAN_DEBUG="tsv")
    pr = subprocess.run([tool, "show", "html", path], env=env, capture_output=True, text=True,
                        errors="replace")
    out = []
    for line in pr.stderr.splitlines():
        if not line.startswith("@@"):
            continue
        f = line.split("\t")
        if len(f) < 11:
            continue
        out.append(dict(main=f[0][2] == "M", init=f[1], fin=f[2], reason=f[3], ld=float(f[4]),
                        hint=int(f[5]), stop=float(f[6]), title=f[7] == "1", li=f[8] == "1",
                        head=f[9] == "1", text=norm("\t".join(f[10:]))))
    return out


def ld_bucket(x):
    return "ld0" if x < 0.01 else ("ld<.5" if x < 0.5 else "ld>=.5")


def classify(blocks, snip, lost):
    s = norm(snip)
    hit = [b for b in blocks if s in b["text"]]
    if not hit:
        part = [b for b in blocks if len(b["text"]) >= 8 and b["text"] in s]
        if not part:
            return "not_in_any_block", None
        hit = part
    # A snippet printed twice: a lost one is explained by a dropped copy, a
    # kept one by a kept copy.
    kept_hit = [h for h in hit if h["fin"] == "G" and h["reason"] == "-"]
    b = (kept_hit or hit)[0] if not lost else ([h for h in hit if h not in kept_hit] or hit)[0]
    kept = b["fin"] == "G" and b["reason"] == "-"
    where = "main" if b["main"] else "out"
    if lost:
        if kept:
            return ("title" if b["title"] else "kept_block_but_missing(split)"), b
        why = b["reason"] if b["reason"] != "-" else f"{b['init']}>{b['fin']}"
        return f"{where} {why} hint={b['hint']} {ld_bucket(b['ld'])}", b
    if not kept:
        return ("title" if b["title"] else "dropped_block_but_present(other copy)"), b
    how = "own" if b["init"] == "G" else f"{b['init']}>G"
    ln = len(b["text"])
    size = "<50" if ln < 50 else ("<150" if ln < 150 else ">=150")
    return f"{where} {how} hint={b['hint']} {ld_bucket(b['ld'])} len{size}", b


def cmd_errors(a):
    ev, pred = load(a.evaldata, a.pred)
    lost = collections.Counter()
    kept = collections.Counter()
    ex = collections.defaultdict(list)
    for it in ev:
        if half(it["file"]) != a.half:
            continue
        res = (pred.get(key_of(it["file"])) or {}).get("articleBody") or ""
        r = norm(res)
        miss = [w for w in it["with"] if norm(w) not in r]
        bad = [w for w in it["without"] if norm(w) in r]
        if not miss and not bad:
            continue
        blocks = blocks_of(a.tool, os.path.join(a.html, it["file"] + ".gz"))
        for w in miss:
            c, b = classify(blocks, w, True)
            lost[c] += 1
            ex["L " + c].append((it["file"], w, b))
        for w in bad:
            c, b = classify(blocks, w, False)
            kept[c] += 1
            ex["K " + c].append((it["file"], w, b))
    print(f"lost content (with missing): {sum(lost.values())}")
    for c, n in lost.most_common():
        print(f"  {n:4d}  {c}")
    print(f"kept boilerplate (without present): {sum(kept.values())}")
    for c, n in kept.most_common():
        print(f"  {n:4d}  {c}")
    if a.show:
        for k, lst in ex.items():
            if a.show not in k:
                continue
            print(f"== {k}")
            for fn, w, b in lst[: a.limit]:
                bt = (b["text"][:160] if b else "")
                print(f"  {fn}: {w[:100]!r}\n      block: {bt!r}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("score")
    s.add_argument("evaldata")
    s.add_argument("pred")
    e = sub.add_parser("errors")
    e.add_argument("evaldata")
    e.add_argument("pred")
    e.add_argument("--tool", required=True)
    e.add_argument("--html", required=True)
    e.add_argument("--half", default="A")
    e.add_argument("--show")
    e.add_argument("--limit", type=int, default=30)
    a = ap.parse_args()
    {"score": cmd_score, "errors": cmd_errors}[a.cmd](a)


if __name__ == "__main__":
    main()

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
  html_dev.py pages EVALDATA PRED.json --html DIR [--half A] [--limit N] [--show]
      Per-page recall and precision of the keep/drop snippets of one half
      (A unless asked), worst pages first (lost + kept snippets), each lost
      snippet with the structure that holds it in the raw page (table, list,
      definition list, blockquote, noscript, <br>-separated text, script or
      JSON-LD articleBody only, attribute only, not found) and each page's
      JSON-LD articleBody length against the prediction's; then the totals
      by mechanism (a small tree of html.parser: no third-party module).
  html_dev.py changed EVALDATA BEFORE.json AFTER.json [--half A]
      Pages whose prediction differs between two runs. Half A (the default):
      each page with the snippets it gained or lost and the lines removed or
      added; half B: only the number of pages changed and the totals, so a
      candidate rule can be checked on B without reading B's pages.
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


def page_errors(a, ev, pred):
    """Per page of half `a.half`: (item, its normalised prediction, snippets missed, snippets
    kept that should not be)."""
    for it in ev:
        if half(it["file"]) != a.half:
            continue
        r = norm((pred.get(key_of(it["file"])) or {}).get("articleBody") or "")
        yield (it, r, [w for w in it["with"] if norm(w) not in r], [w for w in it["without"] if norm(w) in r])


def cmd_errors(a):
    ev, pred = load(a.evaldata, a.pred)
    lost = collections.Counter()
    kept = collections.Counter()
    ex = collections.defaultdict(list)
    for it, _, miss, bad in page_errors(a, ev, pred):
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


STRUCT_TAGS = ("table", "li", "dl", "blockquote", "noscript", "pre", "figure", "aside",
               "footer", "header", "nav", "form")


def jsonld_bodies(html):
    out = []
    for m in re.finditer(r'<script[^>]*ld\+json[^>]*>(.*?)</script>', html, re.S | re.I):
        for b in re.finditer(r'"articleBody"\s*:\s*"((?:[^"\\]|\\.)*)"', m.group(1)):
            try:
                out.append(json.loads('"' + b.group(1) + '"'))
            except ValueError:
                out.append(b.group(1))
    return out


class Node:
    __slots__ = ("tag", "parent", "parts", "text")

    def __init__(self, tag, parent):
        self.tag, self.parent, self.parts, self.text = tag, parent, [], None

    def getparent(self):
        return self.parent


VOID = {"br", "img", "meta", "link", "input", "hr", "source", "wbr", "area", "base", "col",
        "embed", "param", "track"}


def parse_tree(raw):
    """Elements in document order; each element's text is its whole content."""
    from html.parser import HTMLParser

    nodes = []

    class P(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack = [Node("#root", None)]

        def handle_starttag(self, tag, attrs):
            n = Node(tag, self.stack[-1])
            self.stack[-1].parts.append(n)
            nodes.append(n)
            if tag in VOID:
                if tag == "br":
                    self.stack[-1].parts.append("\n")
                    n.parent.text = None
                return
            self.stack.append(n)

        def handle_endtag(self, tag):
            for i in range(len(self.stack) - 1, 0, -1):
                if self.stack[i].tag == tag:
                    del self.stack[i:]
                    return

        def handle_data(self, data):
            self.stack[-1].parts.append(data)

    p = P()
    p.feed(raw)
    p.close()

    def text_of(n):
        if n.text is None:
            n.text = "".join(x if isinstance(x, str) else
                             ("" if x.tag in ("script", "style") else " " + text_of(x) + " ")
                             for x in n.parts)
        return n.text

    import sys as _s
    _s.setrecursionlimit(100000)
    for n in nodes:
        text_of(n)
    return nodes


def has_br(n):
    return any(isinstance(x, Node) and x.tag == "br" for x in n.parts)


def locate(doc, raw, jl, snip):
    """Where a snippet sits in the raw page: the tags of structure above the
    deepest element whose text holds it, or where else it is."""
    s = norm(snip)
    best = None
    for el in doc:
        if el.tag in ("script", "style"):
            continue
        if s in norm(el.text):
            best = el  # document order: later hits are deeper
    if best is None or best.tag in ("html", "body"):
        if any(s in norm(b) for b in jl):
            return "jsonld_only"
        if s in norm(re.sub(r"<[^>]*>", " ", raw)):
            return "split_by_markup"
        if s in norm(raw):
            return "attribute_or_script"
        return "not_found"
    tags = []
    el = best
    while el is not None:
        t = el.tag
        if t in STRUCT_TAGS and t not in tags:
            tags.append(t)
        if t == "script":
            return "script"
        el = el.getparent()
    if best.tag not in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dd", "dt") \
            and has_br(best):
        tags.append("br_text")
    return "+".join(tags) if tags else "plain:" + best.tag


def cmd_pages(a):
    import gzip
    ev, pred = load(a.evaldata, a.pred)
    rows = []
    mech = collections.Counter()
    for it, r, miss, bad in page_errors(a, ev, pred):
        tp = len(it["with"]) - len(miss)
        rec = tp / len(it["with"]) if it["with"] else 1.0
        prec = tp / (tp + len(bad)) if tp + len(bad) else 0.0
        if not miss and not bad:
            continue
        with gzip.open(os.path.join(a.html, it["file"] + ".gz"), "rb") as f:
            raw = f.read().decode("utf-8", "replace")
        doc = parse_tree(raw)
        jl = jsonld_bodies(raw)
        where = [locate(doc, raw, jl, w) for w in miss]
        for w in where:
            mech["lost " + w] += 1
        for w in bad:
            mech["kept " + locate(doc, raw, jl, w)] += 1
        jlen = max((len(norm(b)) for b in jl), default=0)
        if jlen and jlen > 2 * len(r):
            mech["page jsonld_body_longer_than_prediction_x2"] += 1
        rows.append((len(miss) + len(bad), it["file"], rec, prec, len(miss), len(bad), len(r), jlen,
                     list(zip(miss, where)), bad))
    rows.sort(key=lambda x: (-x[0], x[2]))
    print(f"{'file':<48}{'R':>6}{'P':>6}{'lost':>5}{'kept':>5}{'chars':>7}{'jsonld':>7}")
    for n, fn, rec, prec, nm, nb, ln, jlen, miss, bad in rows[: a.limit]:
        print(f"{fn[:47]:<48}{rec:>6.2f}{prec:>6.2f}{nm:>5}{nb:>5}{ln:>7}{jlen:>7}")
        if a.show:
            for w, where in miss:
                print(f"    - lost [{where}] {w[:90]!r}")
            for w in bad:
                print(f"    + kept {w[:90]!r}")
    print("by mechanism (snippets; 'page' rows count pages):")
    for c, n in mech.most_common():
        print(f"  {n:4d}  {c}")


def cmd_changed(a):
    ev, before = load(a.evaldata, a.before)
    _, after = load(a.evaldata, a.after)
    changed = 0
    for it in ev:
        if half(it["file"]) != a.half:
            continue
        k = key_of(it["file"])
        r0 = (before.get(k) or {}).get("articleBody") or ""
        r1 = (after.get(k) or {}).get("articleBody") or ""
        if r0 == r1:
            continue
        changed += 1
        if a.half != "A":
            continue
        n0, n1 = norm(r0), norm(r1)
        print(f"{it['file']}  {len(r0)} -> {len(r1)} chars")
        for w in it["with"]:
            if (norm(w) in n0) != (norm(w) in n1):
                print(f"    {'+' if norm(w) in n1 else '-'}content {w[:90]!r}")
        for w in it["without"]:
            if (norm(w) in n0) != (norm(w) in n1):
                print(f"    {'+' if norm(w) in n1 else '-'}boilerplate {w[:90]!r}")
        l0, l1 = r0.split("\n"), r1.split("\n")
        s0, s1 = set(l0), set(l1)
        for l in l0:
            if l not in s1:
                print(f"    removed: {l[:140]}")
        for l in l1:
            if l not in s0:
                print(f"    added:   {l[:140]}")
    items = [it for it in ev if half(it["file"]) == a.half]
    for name, pred in (("before", before), ("after", after)):
        _, p, r, f1, tp, fp, fn = score(items, pred)
        print(f"{a.half} {name}: tp/fp/fn {tp}/{fp}/{fn}  P {p:.3f} R {r:.3f} F1 {f1:.4f}")
    print(f"{a.half}: {changed} of {len(items)} pages changed")


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
    g = sub.add_parser("pages")
    g.add_argument("evaldata")
    g.add_argument("pred")
    g.add_argument("--html", required=True)
    g.add_argument("--half", default="A")
    g.add_argument("--limit", type=int, default=40)
    g.add_argument("--show", action="store_true")
    c = sub.add_parser("changed")
    c.add_argument("evaldata")
    c.add_argument("before")
    c.add_argument("after")
    c.add_argument("--half", default="A")
    a = ap.parse_args()
    {"score": cmd_score, "errors": cmd_errors, "pages": cmd_pages, "changed": cmd_changed}[a.cmd](a)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Round 12 (issue 14): does a learned line classifier generalise across templates?

Exports per-line features of every dev page (gen_ardev.py) through the real
stage (`clean_tool features`, NEWSFLOW_CLEAN_DEBUG=features), labels each line
from labels.jsonl, and compares the rules alone against rules + a classifier
trained with numpy only (logistic regression, or small gradient-boosted trees)
by GROUPED cross-validation over templates: the folds hold out whole templates
of the tuning set T01..T36, so every score is on templates the model never saw.

  learn_lines.py export DEV_DIR OUT.npz [--clean-tool BIN] [--learn off|on]
  learn_lines.py cv DATA.npz [--model lr|gbt] [--mode full|veto]
  learn_lines.py heldout DATA.npz [--model ...]   train on T01..T36, score T37..T40:
                                                   totals only, never its lines
  learn_lines.py save DATA.npz MODEL.txt [--model ...]   train on T01..T36, write the model

Line scores count as score_ardev.py does: body lines kept (TP), body lines
dropped (FN), boilerplate lines kept (FP); title and optional lines are not
counted. (A page the rules rescue with no line passing, `low confidence`, is
scored here by the rules' decisions before the rescue; see the README.)
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import unicodedata

import numpy as np

HELD_OUT = {"T37", "T38", "T39", "T40"}


def key(s):
    s = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in s if ch.isalnum() and ch != "\u0640")


def export(a):
    recs = [json.loads(l) for l in open(os.path.join(a.dev_dir, "labels.jsonl"), encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "pages.tsv")
        with open(lst, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(f"{os.path.join(a.dev_dir, r['file'])}\t{r['source']}\t{r['fetched_at']}\tdev-{r['file']}\n")
        err = os.path.join(tmp, "feat.tsv")
        with open(err, "w") as ef:
            p = subprocess.run([a.clean_tool, "features", lst, a.learn], stdout=subprocess.DEVNULL, stderr=ef)
        if p.returncode != 0:
            sys.exit("learn_lines: clean_tool features failed")
        by_file = {r["file"]: r for r in recs}
        names, rows, ys, pages, texts = None, [], [], [], []
        page_rows, pools = [], []
        cur = None
        gold = None
        page_idx = -1
        page_tpl = []
        unmatched = 0
        for line in open(err, encoding="utf-8"):
            line = line.rstrip("\n")
            if line.startswith("@@H\t"):
                names = line.split("\t")[1:-1]
            elif line.startswith("@@P\t"):
                if cur is not None:
                    pools.append(kept_pool)
                cur = by_file[os.path.basename(line.split("\t", 1)[1])]
                page_idx += 1
                page_tpl.append(cur["template"])
                gold = collections.defaultdict(collections.deque)
                kept_pool = collections.Counter()
                page_rows.append([])
                for lab, t in cur["lines"]:
                    gold[key(t)].append(lab)
            elif line.startswith("@@T\t"):
                kept_pool[key(line[4:])] += 1
            elif line.startswith("@@F\t"):
                parts = line.split("\t")
                vals = [float(v) for v in parts[1:1 + len(names)]]
                text = "\t".join(parts[1 + len(names):])
                q = gold[key(text)]
                lab = q.popleft() if q else None
                if lab is None:
                    unmatched += 1
                page_rows[-1].append((len(rows), key(text)))
                rows.append(vals)
                ys.append({"body": 1, "boilerplate": 0}.get(lab, -1))
                pages.append(page_idx)
                texts.append(text)
    pools.append(kept_pool)
    # The stage's own final decision per line, matched as score_ardev.py
    # matches kept text (by key, each kept line once), scored lines first.
    final = np.zeros(len(rows), dtype=np.int8)
    yy = np.array(ys)
    for pr, pool in zip(page_rows, pools):
        for only_scored in (True, False):
            for idx, k in pr:
                if (yy[idx] >= 0) == only_scored and pool[k] > 0 and not final[idx]:
                    pool[k] -= 1
                    final[idx] = 1
    X = np.array(rows, dtype=np.float32)
    np.savez_compressed(a.out, X=X, y=np.array(ys, dtype=np.int8), final=final, page=np.array(pages, dtype=np.int32),
                        page_tpl=np.array(page_tpl), names=np.array(names))
    print(f"{len(page_tpl)} pages, {len(rows)} lines, {len(names)} features, "
          f"{int((np.array(ys) >= 0).sum())} scored, {unmatched} lines without a gold line")


def load(path, plain=None):
    d = np.load(path)
    names = list(d["names"])
    tpl = d["page_tpl"][d["page"]]
    X, y, page, final = d["X"], d["y"], d["page"], d["final"] > 0
    if plain:
        # Plain articles (export-plain): training lines only, template "PLAIN".
        e = np.load(plain)
        assert list(e["names"]) == names
        X = np.concatenate([X, e["X"]])
        y = np.concatenate([y, e["y"]])
        page = np.concatenate([page, e["page"] + page.max() + 1])
        tpl = np.concatenate([tpl, np.array(["PLAIN"] * len(e["X"]))])
        final = np.concatenate([final, e["final"] > 0])
    return X, y, page, tpl, names, final


def read_articles(clean_tool, start, count, skip_ids=()):
    """Features of news/ar articles [start, ...) as text pages, learning off:
    (names, rows, page of each row, kept-line count per page)."""
    src = os.path.join(os.environ.get("NEWSFLOW_CORPUS_DIR", "../shared/corpus"), "news/ar/saudinewsnet.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "pages.tsv")
        n = 0
        with open(src, encoding="utf-8") as f, open(lst, "w", encoding="utf-8") as out:
            for i, l in enumerate(f):
                if i < start or n >= count:
                    continue
                o = json.loads(l)
                if o["id"] in skip_ids:
                    continue
                path = os.path.join(tmp, f"{i:05d}.txt")
                open(path, "w", encoding="utf-8").write(o["text"])
                out.write(f"{path}\tsnn\t2015-07-22T12:00:00Z\t{o['id']}\n")
                n += 1
        err = os.path.join(tmp, "feat.tsv")
        with open(err, "w") as ef:
            subprocess.run([clean_tool, "features", lst, "off"], stdout=subprocess.DEVNULL, stderr=ef, check=True)
        names, rows, pg, kept_lines = None, [], [], collections.Counter()
        p = -1
        for line in open(err, encoding="utf-8"):
            if line.startswith("@@H\t"):
                names = line.rstrip("\n").split("\t")[1:-1]
            elif line.startswith("@@P\t"):
                p += 1
            elif line.startswith("@@T\t"):
                kept_lines[p] += 1
            elif line.startswith("@@F\t"):
                rows.append([float(v) for v in line.split("\t")[1:1 + len(names)]])
                pg.append(p)
    return names, np.array(rows), np.array(pg), kept_lines, p + 1


def export_plain(a):
    """news/ar articles outside the first 5,000 (the news/ar check) and outside
    the dev set, as pages that are all article: the lines the rules keep are
    labelled body (training only; never scored)."""
    dev_ids = {json.loads(l)["id"] for l in open(os.path.join(a.dev_dir, "labels.jsonl"), encoding="utf-8")}
    names, X, pg, _, npg = read_articles(a.clean_tool, a.start, a.count, dev_ids)
    rk = X[:, names.index("rule_keep")] > 0.5
    y = np.where(rk, 1, -1).astype(np.int8)
    np.savez_compressed(a.out, X=X.astype(np.float32), y=y, final=rk.astype(np.int8), page=pg.astype(np.int32),
                        page_tpl=np.array(["PLAIN"] * npg), names=np.array(names))
    print(f"{npg} plain articles, {len(X)} lines, {int(rk.sum())} labelled body")


def rescued_lines(page, rule_keep, final):
    """Lines of pages where no line passed and the stage rescued some (low confidence)."""
    npg = page.max() + 1
    rk = np.bincount(page, weights=rule_keep, minlength=npg)
    fk = np.bincount(page, weights=final, minlength=npg)
    return ((rk == 0) & (fk > 0))[page]


# ---------------------------------------------------------------- models

class LR:
    def __init__(self, l2=1e-3, iters=300):
        self.l2, self.iters = l2, iters

    def fit(self, X, y, w=None):
        self.mu = X.mean(0)
        self.sd = X.std(0) + 1e-6
        Z = (X - self.mu) / self.sd
        n, d = Z.shape
        w8 = np.ones(n) if w is None else w
        beta = np.zeros(d)
        b = 0.0
        # Newton-free: L-BFGS is not in numpy; plain gradient descent with
        # Adam steps converges well on ~60k x 75.
        m = np.zeros(d + 1)
        v = np.zeros(d + 1)
        lr = 0.05
        for t in range(1, self.iters + 1):
            p = 1 / (1 + np.exp(-(Z @ beta + b)))
            g = (p - y) * w8
            gb = np.concatenate([Z.T @ g / w8.sum() + self.l2 * beta, [g.sum() / w8.sum()]])
            m = 0.9 * m + 0.1 * gb
            v = 0.999 * v + 0.001 * gb * gb
            step = lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
            beta -= step[:-1]
            b -= step[-1]
        self.beta, self.b = beta, b
        return self

    def predict(self, X):
        return 1 / (1 + np.exp(-(((X - self.mu) / self.sd) @ self.beta + self.b)))


class GBT:
    """Gradient-boosted trees (log loss), histogram splits on quantile bins."""

    def __init__(self, rounds=100, depth=3, lr=0.1, bins=32, min_leaf=20, l2=1.0):
        self.rounds, self.depth, self.lr, self.bins, self.min_leaf, self.l2 = rounds, depth, lr, bins, min_leaf, l2

    def fit(self, X, y, w=None):
        n, d = X.shape
        self.edges = []
        B = np.zeros((n, d), dtype=np.int32)
        for j in range(d):
            qs = np.unique(np.quantile(X[:, j], np.linspace(0, 1, self.bins + 1)[1:-1]))
            self.edges.append(qs)
            B[:, j] = np.searchsorted(qs, X[:, j], side="left")  # bin k: edges[k-1] < x <= edges[k]
        off = (np.arange(d) * (self.bins + 1)).astype(np.int32)
        Bo = B + off
        f = np.zeros(n)
        base = np.log((y.mean() + 1e-6) / (1 - y.mean() + 1e-6))
        self.base = base
        f += base
        self.trees = []
        for _ in range(self.rounds):
            p = 1 / (1 + np.exp(-f))
            g = p - y
            h = p * (1 - p)
            tree = []  # nodes: [feature, threshold, left, right, value]
            self._grow(tree, np.arange(n), B, Bo, g, h, 0, d)
            # predict on train by the tree
            f += self.lr * self._apply_tree(tree, X)
            self.trees.append(tree)
        return self

    def _grow(self, tree, rows, B, Bo, g, h, depth, d):
        me = len(tree)
        tree.append(None)
        G, H = g[rows].sum(), h[rows].sum()
        leaf_value = float(np.clip(-G / (H + self.l2), -4.0, 4.0))
        if depth == self.depth or len(rows) < 2 * self.min_leaf:
            tree[me] = [-1, 0.0, -1, -1, leaf_value]
            return me
        nb = self.bins + 1
        hg = np.bincount(Bo[rows].ravel(), weights=np.repeat(g[rows], d), minlength=d * nb).reshape(d, nb)
        hh = np.bincount(Bo[rows].ravel(), weights=np.repeat(h[rows], d), minlength=d * nb).reshape(d, nb)
        hc = np.bincount(Bo[rows].ravel(), minlength=d * nb).reshape(d, nb)
        cg, ch, cc = hg.cumsum(1), hh.cumsum(1), hc.cumsum(1)
        gain = cg ** 2 / (ch + self.l2) + (G - cg) ** 2 / (H - ch + self.l2) - G ** 2 / (H + self.l2)
        ok = (cc >= self.min_leaf) & (len(rows) - cc >= self.min_leaf)
        gain = np.where(ok, gain, -np.inf)
        j, k = np.unravel_index(np.argmax(gain), gain.shape)
        if not np.isfinite(gain[j, k]) or gain[j, k] <= 1e-9 or k >= len(self.edges[j]):
            tree[me] = [-1, 0.0, -1, -1, leaf_value]
            return me
        thr = float(self.edges[j][k])  # left: x <= thr
        left = rows[B[rows, j] <= k]
        right = rows[B[rows, j] > k]
        li = self._grow(tree, left, B, Bo, g, h, depth + 1, d)
        ri = self._grow(tree, right, B, Bo, g, h, depth + 1, d)
        tree[me] = [int(j), thr, li, ri, 0.0]
        return me

    @staticmethod
    def _apply_tree(tree, X):
        out = np.zeros(len(X))
        stack = [(0, np.arange(len(X)))]
        while stack:
            node, rows = stack.pop()
            j, thr, l, r, v = tree[node]
            if j < 0:
                out[rows] = v
                continue
            m = X[rows, j] <= thr
            stack.append((l, rows[m]))
            stack.append((r, rows[~m]))
        return out

    def predict(self, X):
        f = np.full(len(X), self.base)
        for t in self.trees:
            f += self.lr * self._apply_tree(t, X)
        return 1 / (1 + np.exp(-f))


def make(kind):
    return LR() if kind == "lr" else GBT()


# ---------------------------------------------------------------- scoring

def counts(y, keep):
    s = y >= 0
    tp = int(((y == 1) & keep & s).sum())
    fn = int(((y == 1) & ~keep & s).sum())
    fp = int(((y == 0) & keep & s).sum())
    return tp, fn, fp


def f1(c):
    tp, fn, fp = c
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def decide(model, X, rule_keep, final, rescued, mode, thr):
    """Rules + model: the model's decision (full) or the rules' kept lines the
    model does not take out (veto); a page the stage rescued stays as it was."""
    p = model.predict(X.astype(np.float64))
    keep = p > thr
    if mode == "veto":
        keep = rule_keep & keep
    return np.where(rescued, final, keep)


# Features that carry the rules' own decisions (classes, reasons, kept or not,
# and positions measured from kept lines); --features shape leaves them out.
RULE_FEATURES = ("cls_", "out_good", "has_reason", "rule_keep", "hit", "r_", "before_first_keep",
                 "after_last_keep", "log_dist_keep", "page_keep_share", "log_cp_vs_page", "above_title",
                 "under_title")


# Features of the whole page (its length, share kept, position in it): the dev
# pages all carry site furniture around the article, the news/ar articles
# alone are a few lines; --features local leaves these out.
PAGE_FEATURES = ("log_lines", "page_keep_share", "log_cp_vs_page", "rel_pos")


def columns(names, which):
    if which == "all":
        return list(range(len(names)))
    if which == "local":
        return [i for i, nm in enumerate(names) if nm not in PAGE_FEATURES]
    def rule(nm):
        base = nm[3:] if nm[:3] in ("p1_", "n1_", "p2_", "n2_") else nm
        return base.startswith(RULE_FEATURES)
    return [i for i, nm in enumerate(names) if not rule(nm)]


TRAIN_ON = "kept"


def train(X, y, kind, mode, rule_keep):
    s = y >= 0
    if mode == "veto" and TRAIN_ON == "kept":
        s = s & rule_keep  # learns only which kept lines to take out
    return make(kind).fit(X[s].astype(np.float64), y[s].astype(np.float64))


FOLDS_SEED = 12


def folds(tpls, k=8):
    rng = np.random.RandomState(FOLDS_SEED)
    t = np.array(sorted(tpls))
    rng.shuffle(t)
    return [sorted(t[i::k]) for i in range(k)]


def cv(a):
    X, y, page, tpl, names, final = load(a.data, getattr(a, "plain", None))
    rk = X[:, names.index("rule_keep")] > 0.5
    resc = rescued_lines(page, rk, final)
    X = X[:, columns(names, a.features)]
    tuning = sorted(set(t for t in tpl if t not in HELD_OUT and t != "PLAIN"))
    tot_r, tot_m = np.zeros(3, int), np.zeros(3, int)
    print(f"model {a.model}, mode {a.mode}, threshold {a.threshold}, features {a.features}; grouped CV over {len(tuning)} tuning templates")
    print(f"{'fold':4} {'templates':24} {'rules P/R/F1':>21} {'+model P/R/F1':>21} {'dF1':>7}")
    for i, fold in enumerate(folds(tuning, a.folds)):
        te = np.isin(tpl, fold)
        tr = ~te & ~np.isin(tpl, list(HELD_OUT))
        m = train(X[tr], y[tr], a.model, a.mode, rk[tr])
        keep = decide(m, X[te], rk[te], final[te], resc[te], a.mode, a.threshold)
        cr, cm = counts(y[te], final[te]), counts(y[te], keep)
        tot_r += cr
        tot_m += cm
        pr, pm = f1(cr), f1(cm)
        print(f"{i:4d} {','.join(fold):24} {pr[0]:.3f}/{pr[1]:.3f}/{pr[2]:.3f} {pm[0]:.3f}/{pm[1]:.3f}/{pm[2]:.3f} "
              f"{pm[2] - pr[2]:+.3f}")
        if a.by_template:
            for t in fold:
                mt = tpl[te] == t
                print(f"       {t} rules {f1(counts(y[te][mt], final[te][mt]))[2]:.3f} "
                      f"model {f1(counts(y[te][mt], keep[mt]))[2]:.3f}")
    pr, pm = f1(tot_r), f1(tot_m)
    print(f"pooled {'':23} {pr[0]:.3f}/{pr[1]:.3f}/{pr[2]:.4f} {pm[0]:.3f}/{pm[1]:.3f}/{pm[2]:.4f} {pm[2] - pr[2]:+.4f}")


def heldout(a):
    X, y, page, tpl, names, final = load(a.data, getattr(a, "plain", None))
    rk = X[:, names.index("rule_keep")] > 0.5
    resc = rescued_lines(page, rk, final)
    X = X[:, columns(names, a.features)]
    tr = ~np.isin(tpl, list(HELD_OUT))
    te = np.isin(tpl, list(HELD_OUT))
    assert not a.plain, "the held-out check was run once, without --plain"
    m = train(X[tr], y[tr], a.model, a.mode, rk[tr])
    keep = decide(m, X[te], rk[te], final[te], resc[te], a.mode, a.threshold)
    pr, pm = f1(counts(y[te], final[te])), f1(counts(y[te], keep))
    # Totals only: no template, page or line of T37..T40 is printed.
    print(f"held-out T37-T40 ({int(te.sum())} lines): rules {pr[0]:.3f}/{pr[1]:.3f}/{pr[2]:.3f}, "
          f"+{a.model} {a.mode} {pm[0]:.3f}/{pm[1]:.3f}/{pm[2]:.3f} ({pm[2] - pr[2]:+.3f})")


def newsar(a):
    """Article text the rules keep on news/ar (first N articles as text/plain,
    as round 2) that rules + model would take out; the model is trained on
    T01..T36 of the dev set as `heldout` trains it."""
    X, y, page, tpl, names, final = load(a.data, getattr(a, "plain", None))
    rk = X[:, names.index("rule_keep")] > 0.5
    cols = columns(names, a.features)
    tr = ~np.isin(tpl, list(HELD_OUT))
    m = train(X[tr][:, cols], y[tr], a.model, a.mode, rk[tr])
    names2, Xa, pg, kept_lines, npg = read_articles(a.clean_tool, 0, a.articles)
    p = npg - 1
    rows = Xa
    assert names2 == names
    rka = Xa[:, names.index("rule_keep")] > 0.5
    pm = m.predict(Xa[:, cols])
    keep = pm > a.threshold
    if a.mode == "veto":
        keep = rka & keep
    lost = rka & ~keep
    gained = ~rka & keep
    npg = p + 1
    rules_pages = np.bincount(pg, weights=rka, minlength=npg) > 0
    model_pages = np.bincount(pg, weights=keep, minlength=npg) > 0
    print(f"news/ar, {npg} articles, {len(rows)} lines: rules keep {int(rka.sum())} lines "
          f"({int(sum(1 for i in range(npg) if kept_lines[i] > 0))} articles forwarded); "
          f"+{a.model} {a.mode}: {int(lost.sum())} of those lines lost, {int(gained.sum())} gained, "
          f"{int((rules_pages & ~model_pages).sum())} articles left with no line passing "
          f"(they would go to the low-confidence rescue or be dropped), "
          f"{int(len(set(pg[lost])))} articles lose a line")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("dev_dir")
    e.add_argument("out")
    e.add_argument("--clean-tool", default="build/bench/clean/clean_tool")
    e.add_argument("--learn", default="off", choices=["on", "off"])
    for name in ("cv", "heldout"):
        c = sub.add_parser(name)
        c.add_argument("data")
        c.add_argument("--model", default="lr", choices=["lr", "gbt"])
        c.add_argument("--mode", default="full", choices=["full", "veto"])
        c.add_argument("--threshold", type=float, default=0.5)
        c.add_argument("--folds", type=int, default=8)
        c.add_argument("--features", default="all", choices=["all", "shape", "local"],
                       help="local: without the page-wide features; shape: without the rules' decisions (classes, reasons, kept lines)")
        c.add_argument("--by-template", action="store_true", help="cv: F1 per tuning template too")
        c.add_argument("--train-on", default="kept", choices=["kept", "all"],
                       help="veto: learn from the rules' kept lines only (default) or from every line")
    n = sub.add_parser("newsar")
    n.add_argument("data")
    n.add_argument("--clean-tool", default="build/bench/clean/clean_tool")
    n.add_argument("--articles", type=int, default=5000)
    n.add_argument("--model", default="lr", choices=["lr", "gbt"])
    n.add_argument("--mode", default="veto", choices=["full", "veto"])
    n.add_argument("--threshold", type=float, default=0.7)
    n.add_argument("--features", default="all", choices=["all", "shape", "local"])
    n.add_argument("--train-on", default="kept", choices=["kept", "all"])
    for c in (sub.choices["cv"], sub.choices["heldout"], n):
        c.add_argument("--plain", default=None, help="export-plain file: plain articles added to training")
    x = sub.add_parser("export-plain")
    x.add_argument("dev_dir")
    x.add_argument("out")
    x.add_argument("--clean-tool", default="build/bench/clean/clean_tool")
    x.add_argument("--start", type=int, default=5000)
    x.add_argument("--count", type=int, default=2000)
    a = ap.parse_args()
    global TRAIN_ON
    TRAIN_ON = getattr(a, "train_on", "kept")
    {"export": export, "cv": cv, "heldout": heldout, "newsar": newsar, "export-plain": export_plain}[a.cmd](a)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Round 7 (issue 15): a small neural tagger for Arabic, trained to measure it.

A training-time experiment, not part of the stage: PyTorch (Debian
python3-torch 1.13) is needed here only, never at run time. Model: char CNN +
word vectors (fastText from newsflow-ner-vectors, frozen or fine-tuned) [+
word-cluster ids from ar.clusters.tsv] [+ the gazetteer BIO tag of the token]
-> 1-layer BiLSTM -> linear emissions -> first-order CRF whose transitions
are constrained to valid BIO (decoded by Viterbi). Early stopping on a held
out slice of TRAIN (its last --holdout fraction of sentences, contiguous like
dev); dev is scored once, with the selected weights. Scoring is CoNLL exact
span match, micro over PER/LOC/ORG/MISC, the same rule as entities_bench's
"bare" figure (ExtractSpans: an I-X after O or another type starts a span).

Usage (see stages/entities/README.md, round 7, for the exact commands):
  nice -n 10 /usr/bin/python3 train_tagger.py --train train.conll --dev dev.conll \
      --vectors ar.vec100.txt --vectors ar.oov100.txt --seed 1 --out /tmp/run1
"""
import argparse
import math
import os
import random
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from folding import fold, loose_key  # noqa: E402  text_norm.h's Fold and LooseKey, ported

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
TAG_ID = {t: i for i, t in enumerate(TAGS)}
TYPES = ["PER", "LOC", "ORG", "MISC"]


def read_conll(path):
    sents, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    sents.append((words, tags))
                    words, tags = [], []
                continue
            w, t = line.split("\t")
            words.append(w)
            tags.append(TAG_ID[t])
    if words:
        sents.append((words, tags))
    return sents


def read_vectors(paths):
    vocab, rows, dim = {}, [], None
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if dim is None:
                    dim = len(line.split(" ")) - 1
                parts = line.rsplit(" ", dim)
                w, v = parts[0], [float(x) for x in parts[1:]]
                if len(v) != dim or w in vocab:
                    continue
                vocab[w] = len(rows)
                rows.append(v)
    return vocab, torch.tensor(rows), dim


def read_clusters(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) >= 4:
                out[p[0]] = (int(p[2]), int(p[3]))
    return out


# --- Gazetteer BIO tag of each token (greedy longest match over loose keys of
# --- the shipped lists, first token also tried with one proclitic cut off; a
# --- cheap stand-in for gazetteer.h, not identical to it).
GAZ_TYPES = {"PER": 0, "LOC": 1, "ORG": 2, "MISC": 3}


def read_gazetteer(dirname):
    names = {}  # tuple of loose keys -> type id
    for fn in sorted(os.listdir(dirname)):
        if not fn.endswith(".tsv"):
            continue
        with open(os.path.join(dirname, fn), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                p = line.rstrip("\n").split("\t")
                if p[0] not in GAZ_TYPES:
                    continue
                forms = [p[1]] + ([v.strip() for v in p[2].split("|")] if len(p) > 2 else [])
                for form in forms:
                    key = tuple(loose_key(fold(t)) for t in form.split())
                    if key and key not in names:
                        names[key] = GAZ_TYPES[p[0]]
    prefixes = set()
    for k in names:
        for i in range(1, len(k) + 1):
            prefixes.add(k[:i])
    return names, prefixes


def gazetteer_tags(keys, gaz):
    """0 = O, 1 + 2*type = B, 2 + 2*type = I."""
    names, prefixes = gaz
    out = [0] * len(keys)
    i = 0
    while i < len(keys):
        best = None
        firsts = [keys[i]]
        k0 = keys[i]
        if len(k0) > 2 and k0[0] in "وفبكل":
            firsts.append(k0[1:])
        if k0.startswith("لل") and len(k0) > 3:
            firsts.append("ال" + k0[2:])
        for first in firsts:
            cur = (first,)
            j = i + 1
            while cur in prefixes:
                if cur in names and (best is None or len(cur) > best[0]):
                    best = (len(cur), names[cur])
                if j >= len(keys):
                    break
                cur = cur + (keys[j],)
                j += 1
        if best is None:
            i += 1
            continue
        n, t = best
        out[i] = 1 + 2 * t
        for j in range(i + 1, i + n):
            out[j] = 2 + 2 * t
        i += n
    return out


# --- CRF with BIO constraints.
def allowed_transitions():
    n = len(TAGS)
    allow = torch.ones(n, n, dtype=torch.bool)  # [from, to]
    start = torch.ones(n, dtype=torch.bool)
    for j, tj in enumerate(TAGS):
        if tj.startswith("I-"):
            start[j] = False
            for i, ti in enumerate(TAGS):
                allow[i, j] = ti != "O" and ti[2:] == tj[2:]
    return allow, start


class CRF(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.trans = nn.Parameter(torch.zeros(n, n))
        self.start = nn.Parameter(torch.zeros(n))
        self.end = nn.Parameter(torch.zeros(n))
        allow, start = allowed_transitions()
        self.register_buffer("trans_mask", (~allow).float() * -1e4)
        self.register_buffer("start_mask", (~start).float() * -1e4)

    def _t(self):
        return self.trans + self.trans_mask, self.start + self.start_mask

    def nll(self, em, tags, mask):
        # em [B,T,n], tags [B,T], mask [B,T] bool (prefix masks)
        trans, start = self._t()
        B, T, n = em.shape
        # gold score
        score = start[tags[:, 0]] + em[:, 0].gather(1, tags[:, :1]).squeeze(1)
        for t in range(1, T):
            m = mask[:, t]
            s = trans[tags[:, t - 1], tags[:, t]] + em[:, t].gather(1, tags[:, t:t + 1]).squeeze(1)
            score = score + s * m
        lengths = mask.sum(1)
        last = tags.gather(1, (lengths - 1).unsqueeze(1)).squeeze(1)
        score = score + self.end[last]
        # partition
        alpha = start.unsqueeze(0) + em[:, 0]
        for t in range(1, T):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t]
            m = mask[:, t].unsqueeze(1)
            alpha = torch.where(m, nxt, alpha)
        logz = torch.logsumexp(alpha + self.end.unsqueeze(0), dim=1)
        return (logz - score).sum()

    @torch.no_grad()
    def decode(self, em, mask):
        trans, start = self._t()
        B, T, n = em.shape
        score = start.unsqueeze(0) + em[:, 0]
        back = []
        for t in range(1, T):
            s = score.unsqueeze(2) + trans.unsqueeze(0)  # [B, from, to]
            best, idx = s.max(1)
            nxt = best + em[:, t]
            m = mask[:, t].unsqueeze(1)
            score = torch.where(m, nxt, score)
            back.append(torch.where(m, idx, torch.arange(n).unsqueeze(0).expand(B, n)))
        score = score + self.end.unsqueeze(0)
        lengths = mask.sum(1).tolist()
        best_last = score.argmax(1).tolist()
        out = []
        for b in range(B):
            path = [best_last[b]]
            for t in range(lengths[b] - 1, 0, -1):
                path.append(back[t - 1][b, path[-1]].item())
            out.append(path[::-1])
        return out


class Tagger(nn.Module):
    def __init__(self, vectors, n_chars, args, n_coarse=0, n_fine=0):
        super().__init__()
        self.word = nn.Embedding.from_pretrained(vectors, freeze=not args.finetune, padding_idx=0)
        self.char = nn.Embedding(n_chars, args.char_dim, padding_idx=0)
        self.conv = nn.Conv1d(args.char_dim, args.char_filters, 3, padding=1)
        in_dim = vectors.shape[1] + args.char_filters
        self.use_clusters = n_coarse > 0
        if self.use_clusters:
            self.coarse = nn.Embedding(n_coarse, 16)
            self.fine = nn.Embedding(n_fine, 16)
            in_dim += 32
        self.use_gaz = args.gazetteer is not None
        if self.use_gaz:
            self.gaz = nn.Embedding(9, 16)
            in_dim += 16
        self.drop = nn.Dropout(args.dropout)
        self.lstm = nn.LSTM(in_dim, args.hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * args.hidden, len(TAGS))
        self.crf = CRF(len(TAGS))

    def emissions(self, batch):
        words, chars, lengths = batch["words"], batch["chars"], batch["lengths"]
        B, T = words.shape
        x = [self.word(words)]
        c = self.char(chars.view(B * T, -1)).transpose(1, 2)  # [BT, dim, L]
        c = torch.relu(self.conv(c)).max(2).values.view(B, T, -1)
        x.append(c)
        if self.use_clusters:
            x += [self.coarse(batch["coarse"]), self.fine(batch["fine"])]
        if self.use_gaz:
            x.append(self.gaz(batch["gaz"]))
        x = self.drop(torch.cat(x, 2))
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=T)
        return self.out(self.drop(h))


def spans(tags):
    """Spans of a BIO sequence, conlleval rules as ner.cc ExtractSpans: an I-X
    after O or another type starts a new span."""
    out, cur = set(), None
    for i, t in enumerate(list(tags) + [0]):
        name = TAGS[t]
        if name == "O" or name.startswith("B-") or cur is None or name[2:] != cur[1]:
            if cur:
                out.add((cur[0], i, cur[1]))
                cur = None
            if name != "O":
                cur = (i, name[2:])
    return out


def score(gold_seqs, pred_seqs):
    c = {t: [0, 0, 0] for t in TYPES}  # gold, pred, correct
    for g, p in zip(gold_seqs, pred_seqs):
        gs, ps = spans(g), spans(p)
        for s in gs:
            c[s[2]][0] += 1
        for s in ps:
            c[s[2]][1] += 1
        for s in gs & ps:
            c[s[2]][2] += 1

    def f(g, p, k):
        pr = 100.0 * k / p if p else 0.0
        rc = 100.0 * k / g if g else 0.0
        return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)

    tot = [sum(c[t][i] for t in TYPES) for i in range(3)]
    return f(*tot), {t: f(*c[t]) for t in TYPES}


class Encoder:
    def __init__(self, vocab, char_ids, clusters, gaz, args):
        self.vocab, self.char_ids, self.clusters, self.gaz, self.args = vocab, char_ids, clusters, gaz, args
        self.max_word = 20

    def encode(self, sent):
        words, tags = sent
        f = [fold(w) for w in words]
        ids = [self.vocab.get(w, 1) for w in f]
        chars = [[self.char_ids.get(ch, 1) for ch in w[: self.max_word]] or [1] for w in f]
        item = {"f": f, "ids": ids, "chars": chars, "tags": tags}
        if self.clusters is not None:
            cl = [self.clusters.get(w, (-1, -1)) for w in f]
            item["coarse"] = [a + 1 for a, _ in cl]
            item["fine"] = [b + 1 for _, b in cl]
        if self.gaz is not None:
            item["gaz"] = gazetteer_tags([loose_key(w) for w in f], self.gaz)
        return item


def collate(items, word_dropout=0.0, rng=None):
    B = len(items)
    T = max(len(it["ids"]) for it in items)
    L = max(max(len(c) for c in it["chars"]) for it in items)
    L = max(L, 3)
    words = torch.zeros(B, T, dtype=torch.long)
    chars = torch.zeros(B, T, L, dtype=torch.long)
    tags = torch.zeros(B, T, dtype=torch.long)
    mask = torch.zeros(B, T, dtype=torch.bool)
    extra = {k: torch.zeros(B, T, dtype=torch.long) for k in ("coarse", "fine", "gaz") if k in items[0]}
    for b, it in enumerate(items):
        n = len(it["ids"])
        ids = it["ids"]
        if word_dropout > 0:
            ids = [1 if rng.random() < word_dropout else i for i in ids]
        words[b, :n] = torch.tensor(ids)
        tags[b, :n] = torch.tensor(it["tags"])
        mask[b, :n] = True
        for t, c in enumerate(it["chars"]):
            chars[b, t, : len(c)] = torch.tensor(c)
        for k in extra:
            extra[k][b, :n] = torch.tensor(it[k])
    out = {"words": words, "chars": chars, "tags": tags, "mask": mask,
           "lengths": torch.tensor([len(it["ids"]) for it in items])}
    out.update(extra)
    return out


def predict(model, items, batch_size=64):
    model.eval()
    preds = []
    order = sorted(range(len(items)), key=lambda i: len(items[i]["ids"]))
    res = [None] * len(items)
    with torch.no_grad():
        for s in range(0, len(order), batch_size):
            idx = order[s: s + batch_size]
            batch = collate([items[i] for i in idx])
            em = model.emissions(batch)
            for i, p in zip(idx, model.crf.decode(em, batch["mask"])):
                res[i] = p
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--vectors", action="append", required=True)
    ap.add_argument("--clusters", default=None, help="ar.clusters.tsv: coarse and fine ids as inputs")
    ap.add_argument("--gazetteer", default=None, help="data/gazetteer dir: token's list BIO tag as input")
    ap.add_argument("--vec-scale", type=float, default=10.0,
                    help="the files' vectors are unit length; scaled so components are ~1")
    ap.add_argument("--finetune", action="store_true", help="fine-tune the word vectors")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--char-dim", type=int, default=30)
    ap.add_argument("--char-filters", type=int, default=50)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--word-dropout", type=float, default=0.05)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--patience", type=int, default=6)
    ap.add_argument("--holdout", type=float, default=0.1)
    ap.add_argument("--max-minutes", type=float, default=60)
    ap.add_argument("--init", default=None,
                    help="start from these weights (a run cut by --max-minutes, continued; fresh Adam)")
    ap.add_argument("--first-epoch", type=int, default=1, help="epoch number to count from (log only)")
    ap.add_argument("--eval-only", action="store_true",
                    help="no training: score dev with --out/best.pt (same options as its training)")
    ap.add_argument("--out", required=True, help="directory for weights, dev predictions and log")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()

    train_all = read_conll(args.train)
    dev = read_conll(args.dev)
    n_hold = int(len(train_all) * args.holdout)
    train, hold = train_all[: len(train_all) - n_hold], train_all[len(train_all) - n_hold:]

    vocab, vecs, dim = read_vectors(args.vectors)
    # index 0 pad, 1 unknown (zero vectors), then the file's words
    vectors = torch.cat([torch.zeros(2, dim), vecs * args.vec_scale], 0)
    vocab = {w: i + 2 for w, i in vocab.items()}
    chars = {}
    for words, _ in train:
        for w in words:
            for ch in fold(w):
                chars[ch] = chars.get(ch, 0) + 1
    char_ids = {ch: i + 2 for i, ch in enumerate(sorted(c for c, n in chars.items() if n >= 2))}
    clusters = read_clusters(args.clusters) if args.clusters else None
    gaz = read_gazetteer(args.gazetteer) if args.gazetteer else None
    enc = Encoder(vocab, char_ids, clusters, gaz, args)
    tr, ho, dv = [[enc.encode(s) for s in part] for part in (train, hold, dev)]

    def coverage(items):
        if not items:
            return 0.0
        n = sum(len(it["ids"]) for it in items)
        k = sum(sum(1 for i in it["ids"] if i != 1) for it in items)
        return 100.0 * k / n
    print(f"train {len(tr)} sents, held out {len(ho)}, dev {len(dv)}; vectors {len(vocab)} x {dim}; "
          f"chars {len(char_ids)}; token coverage by vectors: train {coverage(tr):.2f}% "
          f"dev {coverage(dv):.2f}%", flush=True)

    n_coarse = n_fine = 0
    if clusters:
        n_coarse = max(a for a, _ in clusters.values()) + 2
        n_fine = max(b for _, b in clusters.values()) + 2
    model = Tagger(vectors, len(char_ids) + 2, args, n_coarse, n_fine)
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    n_emb = vectors.numel()
    print(f"trainable parameters {n_params:,} (word vectors {n_emb:,}, "
          f"{'fine-tuned' if args.finetune else 'frozen'})", flush=True)
    if args.init:
        model.load_state_dict(torch.load(args.init))
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=args.lr)

    best, best_epoch, bad = -1.0, 0, 0
    log = open(os.path.join(args.out, "eval.txt" if args.eval_only else "log.txt"), "w")
    if args.init and not args.eval_only:
        (_, _, best), _ = score([it["tags"] for it in ho], predict(model, ho))
        best_epoch = args.first_epoch - 1
        torch.save(model.state_dict(), os.path.join(args.out, "best.pt"))
        print(f"start weights: held-out F1 {best:.2f}", flush=True)
    for epoch in range(args.first_epoch, 0 if args.eval_only else args.first_epoch + args.epochs):
        model.train()
        te = time.time()
        order = list(range(len(tr)))
        rng.shuffle(order)
        # bucket by length: sort chunks of 50 batches, then shuffle batches
        chunks = []
        span = args.batch * 50
        for s in range(0, len(order), span):
            part = sorted(order[s: s + span], key=lambda i: len(tr[i]["ids"]))
            chunks += [part[k: k + args.batch] for k in range(0, len(part), args.batch)]
        rng.shuffle(chunks)
        total = 0.0
        for idx in chunks:
            batch = collate([tr[i] for i in idx], args.word_dropout, rng)
            em = model.emissions(batch)
            loss = model.crf.nll(em, batch["tags"], batch["mask"])
            opt.zero_grad()
            (loss / len(idx)).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += loss.item()
        if ho:
            pred = predict(model, ho)
            (p, r, f1), _ = score([it["tags"] for it in ho], pred)
        else:  # --holdout 0: all of train, a fixed number of epochs, the last one kept
            f1 = float(epoch)
        msg = f"epoch {epoch} loss {total / len(tr):.3f} " + (f"held-out F1 {f1:.2f} " if ho else "") + \
            f"({time.time() - te:.0f} s)"
        print(msg, flush=True)
        log.write(msg + "\n")
        if f1 > best:
            best, best_epoch, bad = f1, epoch, 0
            torch.save(model.state_dict(), os.path.join(args.out, "best.pt"))
        else:
            bad += 1
            if bad >= args.patience:
                break
        if (time.time() - t0) / 60 > args.max_minutes:
            print("time budget reached", flush=True)
            break
    train_s = time.time() - t0
    model.load_state_dict(torch.load(os.path.join(args.out, "best.pt")))

    ts = time.time()
    pred = predict(model, dv)
    batched_s = time.time() - ts
    ts = time.time()
    for it in dv:
        predict(model, [it])
    single_s = time.time() - ts
    n_tok = sum(len(it["ids"]) for it in dv)
    (p, r, f1), by = score([it["tags"] for it in dv], pred)
    with open(os.path.join(args.out, "dev.pred.conll"), "w", encoding="utf-8") as f:
        for (words, _), it, pr in zip(dev, dv, pred):
            for w, g, q in zip(words, it["tags"], pr):
                f.write(f"{w}\t{TAGS[g]}\t{TAGS[q]}\n")
            f.write("\n")
    lines = [f"best epoch {best_epoch} (held-out F1 {best:.2f}); training {train_s / 60:.1f} min",
             f"dev micro P {p:.2f} R {r:.2f} F1 {f1:.2f}  " +
             "  ".join(f"{t} {by[t][2]:.2f}" for t in TYPES),
             f"inference, 1 thread, PyTorch: {n_tok / batched_s:,.0f} tokens/s batched (64 sentences), "
             f"{n_tok / single_s:,.0f} tokens/s one sentence at a time",
             f"trainable parameters {n_params:,}; word vectors {n_emb:,}"]
    for m in lines:
        print(m, flush=True)
        log.write(m + "\n")
    log.close()


if __name__ == "__main__":
    main()

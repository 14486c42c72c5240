#!/usr/bin/python3
"""Round 10 (issue 15): "unknown to the Arabic dictionary" as an extra clusters column.

A measurement tool, not part of the stage. Reads the news corpus and a clusters file
(ar.clusters.tsv: folded word, count, coarse, fine), asks Debian's hunspell with the
Arabic dictionary (apt-get install hunspell hunspell-ar) which surface forms it knows,
and writes the clusters file again with one more column per word, read by the stage's
loader as an extra cluster granularity (features of the token and its neighbours):

  known     0: most of the word's surface forms in the corpus are in the dictionary
            1: most are not (names, mostly)     2: no Arabic surface form seen
  --crossed   known * 128 + coarse cluster instead
  --buckets   0..3 by the known share (>= .9, >= .5, >= .1, less), 4 none

Usage (stages/entities/README.md, round 10):
  python3 stages/entities/tools/hunspell_column.py --corpus ../shared/corpus/news/ar/saudinewsnet.jsonl \
      --clusters stages/entities/data/ar.clusters.tsv --out /tmp/ar.hunspell.clusters.tsv
"""
import argparse
import collections
import json
import re
import subprocess

from folding import fold

ARABIC_WORD = re.compile(r"[\u0600-\u06FF\u0750-\u077F]+")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, help="JSON Lines with title and text")
    ap.add_argument("--conll", action="append", default=[], help="CoNLL files whose tokens count too")
    ap.add_argument("--clusters", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--crossed", action="store_true")
    ap.add_argument("--buckets", action="store_true")
    a = ap.parse_args()
    rows = [line.rstrip("\n").split("\t") for line in open(a.clusters, encoding="utf-8")]
    lexicon = {r[0] for r in rows if not r[0].startswith("#")}
    surface = collections.Counter()
    with open(a.corpus, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            surface.update(ARABIC_WORD.findall(o.get("title", "") + " " + o.get("text", "")))
    for path in a.conll:
        with open(path, encoding="utf-8") as f:
            surface.update(line.split()[0] for line in f if line.strip())
    words = [w for w in surface if fold(w) in lexicon]
    listed = subprocess.run(["hunspell", "-d", "ar", "-l"], input="\n".join(words), capture_output=True,
                            text=True, check=True).stdout
    unknown = set(listed.split("\n"))
    known, total = collections.Counter(), collections.Counter()
    for w in words:
        total[fold(w)] += surface[w]
        if w not in unknown:
            known[fold(w)] += surface[w]
    print(f"{len(surface)} surface forms, {len(words)} fold onto lexicon words")
    with open(a.out, "w", encoding="utf-8") as out:
        for r in rows:
            if r[0].startswith("#") or len(r) < 4:
                out.write("\t".join(r) + "\n")
                continue
            share = known[r[0]] / total[r[0]] if total[r[0]] else -1.0
            if a.buckets:
                col = 4 if share < 0 else 0 if share >= 0.9 else 1 if share >= 0.5 else 2 if share >= 0.1 else 3
            else:
                col = 2 if share < 0 else (1 if share < 0.5 else 0)
                if a.crossed:
                    col = col * 128 + int(r[2])
            out.write("\t".join(r + [str(col)]) + "\n")


if __name__ == "__main__":
    main()

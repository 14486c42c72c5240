"""Product quantisation of word vectors into cluster columns (round 3 experiment, not shipped).

    python3 stages/entities/tools/pq_clusters.py VEC BASE_TSV M K > OUT.tsv

VEC: vectors from `newsflow-ner-clusters --save-vectors` (word2vec text format, unit vectors).
Each vector is cut into M sub-vectors, each sub-space is clustered with k-means (K centres,
15 iterations, seed 1), and the M codes are appended to BASE_TSV's four columns as extra
cluster levels (M <= 4). A cheap stand-in for dense vector features: sub-spaces
carry what one global clustering loses. Needs numpy (dev time only).
"""
import sys, numpy as np
vec, base, M, K = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(vec, encoding='utf-8') as f:
    n, d = map(int, f.readline().split())
    words = []; X = np.empty((n, d), dtype=np.float32)
    for i, line in enumerate(f):
        p = line.rstrip('\n').split(' ')
        words.append(p[0]); X[i] = np.array(p[1:], dtype=np.float32)
rng = np.random.default_rng(1)
codes = np.empty((n, M), dtype=np.int32)
for m in range(M):
    S = X[:, m * d // M:(m + 1) * d // M]
    C = S[rng.choice(n, K, replace=False)].copy()
    for it in range(15):
        # squared euclidean distance argmin
        dist = (S * S).sum(1)[:, None] - 2 * S @ C.T + (C * C).sum(1)[None, :]
        a = dist.argmin(1)
        for k in range(K):
            sel = a == k
            if sel.any(): C[k] = S[sel].mean(0)
            else: C[k] = S[rng.integers(n)]
    codes[:, m] = a
    print('subspace', m, file=sys.stderr)
idx = {w: i for i, w in enumerate(words)}
for line in open(base, encoding='utf-8'):
    if line.startswith('#'): print(line, end=''); continue
    f = line.rstrip('\n').split('\t')
    if len(f) >= 4 and f[0] in idx: f = f[:4] + [str(c) for c in codes[idx[f[0]]]]
    print('\t'.join(f))

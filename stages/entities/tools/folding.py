"""text_norm.h's Fold and LooseKey, ported to Python for the training-time tools
(train_tagger.py, hunspell_column.py). They must give the same strings as the C++,
so that words looked up in files the C++ wrote (vectors, clusters) are found:
train_tagger.py prints its train/dev coverage as a check."""


def _is_mark(c):
    return (0x064B <= c <= 0x065F) or c == 0x0670 or c == 0x0640 or \
        (0x06D6 <= c <= 0x06ED) or (0x0610 <= c <= 0x061A)


_FOLD_MAP = {}
for _c in (0x0622, 0x0623, 0x0625, 0x0671, 0x0672, 0x0673):
    _FOLD_MAP[_c] = 0x0627
for _c in (0x0649, 0x06CC, 0x06D0, 0x064A):
    _FOLD_MAP[_c] = 0x064A
for _c in (0x0629, 0x06C3, 0x06C1, 0x06BE, 0x06D5):
    _FOLD_MAP[_c] = 0x0647
for _c in (0x06A9, 0x06AA):
    _FOLD_MAP[_c] = 0x0643
_FOLD_MAP[0x0624] = 0x0648
_FOLD_MAP[0x0626] = 0x064A


def fold(token):
    out = []
    for ch in token:
        c = ord(ch)
        if _is_mark(c) or c in (0x200C, 0x200D):
            continue
        c = _FOLD_MAP.get(c, c)
        if 0x0660 <= c <= 0x0669:
            c = ord("0") + (c - 0x0660)
        elif 0x06F0 <= c <= 0x06F9:
            c = ord("0") + (c - 0x06F0)
        elif ord("A") <= c <= ord("Z"):
            c += 32
        elif 0xC0 <= c <= 0xDE and c != 0xD7:
            c += 32
        out.append(chr(c))
    return "".join(out)


def loose_key(folded):
    m = {0x062C: 0x063A, 0x063A: 0x063A, 0x06AF: 0x063A, 0x06A8: 0x063A, 0x06AD: 0x063A,
         0x06B3: 0x063A, 0x067E: 0x0628, 0x06A4: 0x0641, 0x06A5: 0x0641, 0x0686: 0x062A}
    s = "".join(chr(m.get(ord(c), ord(c))) for c in folded)
    return s.replace("\u0645\u064A\u0631\u0643", "\u0645\u0631\u064A\u0643")

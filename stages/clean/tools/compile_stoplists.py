#!/usr/bin/env python3
"""Compiles a subset of jusText's stop-word lists into stages/clean/data/stoplists.tsv
("<Language>\t<word>" lines), so the stage works without the shared corpus.

Source: ../shared/corpus/stoplists/ (jusText 3.0.2, BSD 2-Clause; the licence is
copied next to the output). Usage: compile_stoplists.py [CORPUS_STOPLISTS_DIR]
"""
import os
import shutil
import sys

LANGS = """Arabic English French German Spanish Italian Portuguese Polish Russian Turkish
Hungarian Dutch Persian Urdu Kurdish Hebrew Czech Swedish Ukrainian Indonesian Romanian
Greek Danish Norwegian_Bokmal Finnish Catalan Croatian Serbian Bulgarian Slovak Slovenian
Malay Swahili Hindi Bengali Vietnamese""".split()

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../../../shared/corpus/stoplists")
out_dir = os.path.join(here, "../data")
with open(os.path.join(out_dir, "stoplists.tsv"), "w", encoding="utf-8") as out:
    out.write("# Compiled by stages/clean/tools/compile_stoplists.py from jusText 3.0.2 stop-word\n")
    out.write("# lists (github miso-belica/jusText, justext/stoplists/, commit 9fb3340).\n")
    out.write("# BSD 2-Clause, (c) 2011 Jan Pomikalek, (c) 2013 Michal Belica: see\n")
    out.write("# LICENSE-jusText-BSD-2-Clause.rst in this folder.\n")
    for lang in LANGS:
        with open(os.path.join(src, lang + ".txt"), encoding="utf-8") as f:
            for w in f:
                w = w.strip()
                if w and "\t" not in w:
                    out.write(f"{lang}\t{w}\n")
shutil.copy(os.path.join(src, "LICENSE-jusText-BSD-2-Clause.rst"), out_dir)

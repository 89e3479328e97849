#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Strips outputs and execution counts from notebooks, in place, so that git
holds only their source. With --check it changes nothing and exits 1 when a
notebook still has outputs (the test command runs that)."""

import sys

import nbformat


def main(argv):
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    if not paths:
        print("usage: strip.py [--check] NOTEBOOK.ipynb...", file=sys.stderr)
        return 2
    dirty = 0
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        changed = False
        for c in nb.cells:
            if c.cell_type != "code":
                continue
            if c.outputs or c.execution_count is not None:
                changed = True
                c.outputs, c.execution_count = [], None
        if changed:
            dirty += 1
            if check:
                print(f"{p}: has outputs (run notebook/strip.py {p})", file=sys.stderr)
            else:
                nbformat.write(nb, p)
    return 1 if check and dirty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line: run, check, report, diff. Option parsing only; the
work is in run.py and report.py."""

import argparse
import os
import sys

from . import __version__, spec as specmod
from .run import (EXIT_START, EXIT_USAGE, RunError, read_manifest, run)

EPILOG = """exit status: 0 done; 1 done, but a guest failed, was unreachable or a
cell failed (all marked in the manifest); 2 usage or spec error; 3 cannot
start (mmserver missing, dom0 unreachable) or not a run folder; 130
interrupted (what was measured is kept). See xenmm-experiment(1)."""


def _parser():
    p = argparse.ArgumentParser(
        prog="xenmm-experiment", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run memory-balancing experiments (balancer off vs policies) on the "
                    "simulator or on real hosts over ssh, and report them.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    r = sub.add_parser("run", help="run a spec into a new run folder")
    r.add_argument("spec", metavar="SPEC", help="experiment spec (TOML)")
    r.add_argument("-o", "--out", metavar="DIR",
                   help="run folder (default runs/NAME-YYYYMMDD-HHMMSS; must be new or empty)")
    r.add_argument("--mmserver", metavar="PATH", help="mmserver to run (sim target)")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    r.add_argument("--report", action="store_true", help="write the report after the run")
    c = sub.add_parser("check", help="check a spec and print what it would run")
    c.add_argument("spec", metavar="SPEC")
    rp = sub.add_parser("report", help="write RUN/report.html (and report.json)")
    rp.add_argument("run", metavar="RUN", help="run folder")
    rp.add_argument("-o", "--out", metavar="FILE", help="HTML file (default RUN/report.html)")
    d = sub.add_parser("diff", help="differential report of two runs")
    d.add_argument("run_a", metavar="RUN_A")
    d.add_argument("run_b", metavar="RUN_B")
    d.add_argument("-o", "--out", metavar="FILE", help="HTML file (default RUN_B/diff.html)")
    return p


def _check(path):
    s = specmod.load(path)
    r = s["run"]
    print(f"spec={s['name']} target={s['target']['kind']} conditions="
          f"{','.join(c['name'] + ':' + c['policy'] for c in s['conditions'])} "
          f"repetitions={r['repetitions']} duration_s={r['duration_s']} "
          f"warmup_s={r['warmup_s']} baseline={r['baseline']} "
          f"guests={','.join(g['name'] for g in s['guests']) or '-'}")
    return 0


def main(argv=None):
    p = _parser()
    a = p.parse_args(argv)
    if not a.cmd:
        p.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if a.cmd == "check":
            return _check(a.spec)
        if a.cmd == "run":
            s = specmod.load(a.spec)
            rc, d = run(s, a.out, a.mmserver, a.quiet)
            print(f"run={d} status={read_manifest(d)['status']} exit={rc}")
            if a.report and os.path.isfile(os.path.join(d, "manifest.json")):
                from . import report
                print(f"report={report.write_report(d)}")
            return rc
        from . import report  # matplotlib loads only when plotting
        if a.cmd == "report":
            print(f"report={report.write_report(a.run, a.out)}")
        else:
            print(f"diff={report.write_diff(a.run_a, a.run_b, a.out)}")
        return 0
    except specmod.SpecError as e:
        print(f"xenmm-experiment: {e}", file=sys.stderr)
        return EXIT_USAGE
    except RunError as e:
        print(f"xenmm-experiment: {e}", file=sys.stderr)
        return EXIT_START

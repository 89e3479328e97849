# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator target: one `mmserver --backend sim --fast` per cell, on a
copy of the scenario with the repetition's seed and the spec's workloads.
Simulated guests cannot fail like real ones; an OOM is their failure."""

import json
import os
import subprocess
import tempfile
import time

from . import logs, metrics


class RunError(Exception):
    """The run cannot start or go on (exit 3)."""


class SimTarget:
    kind = "sim"

    def __init__(self, spec, mmserver):
        self.spec, self.mmserver = spec, mmserver
        try:
            with open(spec["target"]["scenario"], encoding="utf-8") as f:
                self.scenario = json.load(f)
        except (OSError, ValueError) as e:
            raise RunError(f"cannot read scenario {spec['target']['scenario']}: {e}") from None
        self.cell_s = []

    def hosts(self):
        return {}

    def preflight(self):
        names = [g.get("name") for g in self.scenario.get("guests", [])]
        for g in self.spec["guests"]:
            if g["name"] not in names:
                raise RunError(f"guest {g['name']!r} is not named in the scenario "
                               f"(named there: {', '.join(map(str, names))})")
        if not (os.path.isfile(self.mmserver) and os.access(self.mmserver, os.X_OK)):
            raise RunError(f"mmserver not found or not executable: {self.mmserver} "
                           "(build it, or pass --mmserver PATH)")
        # mmserver checks each condition before any cell runs, on the scenario as the
        # cells will have it: policy names and options are mmserver's (the set grows), so
        # mmserver says what it knows.
        fd, probe = tempfile.mkstemp(suffix=".json", prefix="xenmm-scenario-")
        os.close(fd)
        try:
            self._scenario_for(0, probe)
            self._check_conditions(probe)
        finally:
            os.unlink(probe)
        return {}

    def _check_conditions(self, scenario):
        """One simulated second per condition: policy, options, scenario and its
        trace files all load (mmserver -n alone does not open the traces)."""
        for c in self.spec["conditions"]:
            with tempfile.TemporaryDirectory(prefix="xenmm-probe-") as d:
                argv = [self.mmserver, "--backend", "sim", "--scenario", scenario, "--fast",
                        "--duration", "1", "-q", "-d", d, "--policy", c["policy"]]
                r = subprocess.run(argv + self.spec["target"]["args"] + c["args"],
                                   capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                why = (r.stderr.strip().splitlines() or [f"exit {r.returncode}"])[-1]
                raise RunError(f"condition {c['name']}: mmserver rejects it: {why}")

    def seconds_per_cell(self):
        return sum(self.cell_s) / len(self.cell_s) if self.cell_s else 1.0

    def _scenario_for(self, rep, path):
        """The scenario of one repetition, written to path: its seed, the spec's
        workloads, and trace files made absolute (they are relative to the
        scenario's own folder, and the copy lives in the cell's)."""
        sc = json.loads(json.dumps(self.scenario))
        base_dir = os.path.dirname(os.path.abspath(self.spec["target"]["scenario"]))

        def absolute(node):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "trace" and isinstance(v, str) and not os.path.isabs(v):
                        node[k] = os.path.normpath(os.path.join(base_dir, v))
                    else:
                        absolute(v)
            elif isinstance(node, list):
                for v in node:
                    absolute(v)
        absolute(sc)
        base = self.spec["run"]["seed"]
        sc["seed"] = (base if base is not None else sc.get("seed", 1)) + rep
        over = {g["name"]: g["workload"] for g in self.spec["guests"] if g.get("workload")}
        for g in sc.get("guests", []):
            if g.get("name") in over:
                g["workload"] = over[g["name"]]
        with open(path, "w", encoding="utf-8") as f:
            json.dump(sc, f, indent=1)

    def cell(self, cond, rep, cdir, progress, stopped):
        t0 = time.time()
        rec = {"clock": "simulated ms from the start (mmserver --fast)"}
        sc_path = os.path.join(cdir, "scenario.json")
        self._scenario_for(rep, sc_path)
        argv = [self.mmserver, "--backend", "sim", "--scenario", sc_path, "--fast",
                "--policy", cond["policy"], "-d", os.path.join(cdir, "server"),
                "--summary", os.path.join(cdir, "summary.json")]
        if self.spec["run"]["duration_s"] is not None:
            argv += ["--duration", f"{self.spec['run']['duration_s']:g}"]
        argv += self.spec["target"]["args"] + cond["args"]
        rec["argv"] = argv
        with open(os.path.join(cdir, "mmserver.out"), "wb") as out, \
                open(os.path.join(cdir, "mmserver.err"), "wb") as err:
            p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
            while p.poll() is None:
                if stopped():
                    p.terminate()
                    p.wait()
                    rec["status"] = "interrupted"
                    return rec
                time.sleep(0.05)
        self.cell_s.append(time.time() - t0)
        rec["mmserver_rc"] = p.returncode
        if p.returncode != 0:
            with open(os.path.join(cdir, "mmserver.err"), encoding="utf-8",
                      errors="replace") as f:
                tail = f.read().strip().splitlines()[-1:] or [""]
            rec["status"] = "failed"
            rec["detail"] = f"mmserver exit {p.returncode}: {tail[0]}"
            return rec
        rec["status"] = "done"
        rec["guests"], rec["metrics"] = self._measure(cdir)
        return rec

    def _measure(self, cdir):
        srv = logs.read_server_dir(os.path.join(cdir, "server"))
        try:
            with open(os.path.join(cdir, "summary.json"), encoding="utf-8") as f:
                summ = {g["name"]: g for g in json.load(f).get("guests", [])}
        except (OSError, ValueError):
            summ = {}
        guests, per = {}, {}
        for name, cols in srv["guests"].items():
            m = metrics.guest_metrics(cols, self.spec["run"]["warmup_s"])
            s = summ.get(name, {})
            for k in ("oom_events", "reaction_mean_s"):
                if k in s:
                    m[k] = float(s[k])
            per[name] = m
            ooms = int(s.get("oom_events", 0))
            guests[name] = {"status": "oom" if ooms else "ok",
                            "detail": f"{ooms} OOM events" if ooms else ""}
        return guests, {"total": metrics.total(per), "guests": per}

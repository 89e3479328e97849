#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of xenmm-experiment against real processes: the built mmserver,
real workload programs, the real ssh client against a closed port, real
signals. Env: XENMM_BUILD (build dir), XENMM_SRC (source tree)."""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import unittest

SRC = os.environ.get("XENMM_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("XENMM_BUILD") or os.path.join(SRC, "build")
TOOL = os.path.join(SRC, "tools", "experiment", "xenmm-experiment")
HERE = os.path.dirname(os.path.abspath(__file__))


def tool(*args, env=None, timeout=300):
    e = dict(os.environ, XENMM_BUILD=BUILD, XENMM_SRC=SRC, **(env or {}))
    return subprocess.run([TOOL, *args], capture_output=True, text=True, env=e,
                          timeout=timeout)


def manifest(run):
    with open(os.path.join(run, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def closed_port():
    """A loopback port nobody listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def hosts_spec(tmp, guests, dom0="local", duration=4, name="t", swap_log=False):
    """A hosts spec: mmserver's simulator in real time plays dom0."""
    g = "".join(f'\n[[guest]]\nname = "{n}"\nhost = "{h}"\nworkload = "{w}"\n'
                f'metrics = ["ops_per_s"]\n' for n, h, w in guests)
    text = f'''name = "{name}"
[target]
kind = "hosts"
dom0 = "{dom0}"
mmserver = "{BUILD}/server/mmserver --backend sim --scenario {HERE}/specs/two.json"
log_dir = "{tmp}/remote"
connect_timeout_s = 3
[run]
duration_s = {duration}
warmup_s = 1
grace_s = 3
swap_log = {"true" if swap_log else "false"}
swap_log_cmd = "{BUILD}/testprogs/mm_util_swap -i 500 -"
[[condition]]
name = "off"
policy = "none"
[[condition]]
name = "tax"
policy = "tax"
{g}'''
    p = os.path.join(tmp, f"{name}.toml")
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    return p


class SpecErrors(unittest.TestCase):
    def test_bad_specs_name_their_position(self):
        bad = os.path.join(HERE, "bad")
        files = sorted(f for f in os.listdir(bad) if f.endswith(".toml"))
        self.assertGreaterEqual(len(files), 10)
        for f in files:
            with open(os.path.join(bad, f), encoding="utf-8") as fh:
                want = fh.readline().split("# expect: ", 1)[1].strip()
            r = subprocess.run([TOOL, "check", f], cwd=bad, capture_output=True, text=True,
                               env={k: v for k, v in os.environ.items()
                                    if k != "XENMM_NO_SUCH_VAR"})
            with self.subTest(spec=f):
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertRegex(r.stderr, "^xenmm-experiment: " + want)

    def test_examples_check(self):
        for f in ("sim-tax-vs-none.toml", "sim-policies.toml"):
            r = tool("check", os.path.join(SRC, "experiments", f))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("target=sim", r.stdout)

    def test_dacapo_spec_needs_the_jar(self):
        spec = os.path.join(SRC, "experiments", "dacapo.toml")
        r = tool("check", spec, env={"DACAPO_JAR": "/opt/dacapo.jar"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("target=hosts", r.stdout)
        e = {k: v for k, v in os.environ.items() if k != "DACAPO_JAR"}
        r = subprocess.run([TOOL, "check", spec], capture_output=True, text=True, env=e)
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"dacapo.toml:\d+:1: guest\[0\]\.workload: "
                                   r"\$\{DACAPO_JAR\} is not set")

    def test_unknown_policy_is_refused_before_any_cell(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(SRC, "experiments", "sim-tax-vs-none.toml")) as f:
                text = f.read().replace('policy = "tax"', 'policy = "no-such-policy"')
            text = text.replace('"../scenarios/mono5.json"', f'"{SRC}/scenarios/mono5.json"')
            spec = os.path.join(d, "s.toml")
            with open(spec, "w") as f:
                f.write(text)
            r = tool("run", "-q", "-o", os.path.join(d, "run"), spec)
            self.assertEqual(r.returncode, 3)
            self.assertRegex(r.stderr, r"condition tax: mmserver rejects it: .*"
                                       r"unknown policy 'no-such-policy' \(known: .*tax")
            self.assertEqual(manifest(os.path.join(d, "run"))["cells"], [])

    def test_missing_file_and_not_a_run(self):
        r = tool("check", "/nonexistent/spec.toml")
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot read", r.stderr)
        with tempfile.TemporaryDirectory() as d:
            r = tool("report", d)
            self.assertEqual(r.returncode, 3)
            self.assertIn("not a run folder", r.stderr)


class SimulatorEndToEnd(unittest.TestCase):
    """The README's one command, then its report asserts a direction."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="xenmm-exp-")
        cls.run_dir = os.path.join(cls.tmp, "run")
        cls.r = tool("run", "--report", "-o", cls.run_dir,
                     os.path.join(SRC, "experiments", "sim-tax-vs-none.toml"))

    def test_run_and_manifest(self):
        self.assertEqual(self.r.returncode, 0, self.r.stderr)
        m = manifest(self.run_dir)
        self.assertEqual(m["status"], "done")
        self.assertEqual(len(m["cells"]), 6)  # 2 conditions x 3 repetitions
        self.assertEqual([c["condition"] for c in m["cells"][:2]], ["off", "tax"])
        self.assertLessEqual(m["start_unix_ms"], m["cells"][0]["start_unix_ms"])
        self.assertLessEqual(m["cells"][-1]["end_unix_ms"], m["end_unix_ms"])
        self.assertTrue(m["versions"]["mmserver"].startswith("mmserver"))
        self.assertIn("cond=tax policy=tax rep=3/3", self.r.stderr)

    def test_report_asserts_direction(self):
        with open(os.path.join(self.run_dir, "report.json"), encoding="utf-8") as f:
            rep = json.load(f)
        off = rep["conditions"]["off"]["shortfall_mib_s"]["mean"]
        tax = rep["conditions"]["tax"]["shortfall_mib_s"]["mean"]
        self.assertGreater(off, 10000)  # mono5 under 'none': the loaded guest swaps
        self.assertLess(tax, off / 10)
        self.assertEqual(rep["ratios"]["tax"]["shortfall_mib_s"]["verdict"], "better")
        self.assertEqual(rep["conditions"]["off"]["oom_events"]["mean"], 1.0)

    def test_report_is_self_contained(self):
        with open(os.path.join(self.run_dir, "report.html"), encoding="utf-8") as f:
            page = f.read()
        self.assertGreaterEqual(page.count('src="data:image/png;base64,'), 3)
        self.assertIsNone(re.search(r'(src|href)=["\']?(https?:|//|/)', page))
        self.assertTrue("tax</b> is better than off on shortfall_mib_s" in page)

    def test_shortfall_matches_mmserver_summary(self):
        """Our integral of the logs agrees with the simulator's own metric."""
        m = manifest(self.run_dir)
        cell = next(c for c in m["cells"] if c["condition"] == "off")
        with open(os.path.join(self.run_dir, cell["dir"], "summary.json")) as f:
            summ = {g["name"]: g for g in json.load(f)["guests"]}
        ours = cell["metrics"]["guests"]["vm1"]["shortfall_mib_s"]
        self.assertAlmostEqual(ours, summ["vm1"]["shortfall_mib_s"], delta=0.02 * ours)

    def test_trace_replay_example(self):
        """sim-policies.toml replays a 2013 trace: its relative trace paths
        must survive the copy of the scenario into each cell."""
        run = os.path.join(self.tmp, "policies")
        r = tool("run", "-q", "--report", "-o", run,
                 os.path.join(SRC, "experiments", "sim-policies.toml"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual({c["status"] for c in manifest(run)["cells"]}, {"done"})
        with open(os.path.join(run, "report.json")) as f:
            rat = json.load(f)["ratios"]
        self.assertEqual(rat["tax"]["shortfall_mib_s"]["verdict"], "better")
        self.assertEqual(rat["tax-0.5"]["shortfall_mib_s"]["verdict"], "better")

    def test_diff(self):
        other = os.path.join(self.tmp, "run-b")
        spec = os.path.join(self.tmp, "b.toml")
        with open(os.path.join(SRC, "experiments", "sim-tax-vs-none.toml")) as f:
            text = f.read().replace('policy = "tax"', 'policy = "equal"')
        with open(spec, "w") as f:
            f.write(text.replace('scenario = "../scenarios/mono5.json"',
                                 f'scenario = "{SRC}/scenarios/mono5.json"'))
        self.assertEqual(tool("run", "-q", "-o", other, spec).returncode, 0)
        r = tool("diff", self.run_dir, other)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(other, "diff.json")) as f:
            d = json.load(f)
        v = d["conditions"]["tax"]["shortfall_mib_s"]
        self.assertEqual(v["verdict"], "worse")  # equal split swaps: B worse than A
        with open(os.path.join(other, "diff.html")) as f:
            page = f.read()
        self.assertTrue('+policy = &quot;equal&quot;' in page, "spec change not shown")
        self.assertTrue("data:image/png;base64," in page, "no plot")


class DacapoScript(unittest.TestCase):
    """script/dacapo_test.sh with a stand-in java (DaCapo is not here)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="xenmm-dacapo-")
        self.java = os.path.join(self.tmp, "java")
        with open(self.java, "w") as f:
            f.write('#!/bin/sh\n[ "$3" = -l ] && { echo avrora h2 boom; exit 0; }\n'
                    '[ "$5" = boom ] && { echo "Exception in thread main"; exit 1; }\n'
                    'echo "===== DaCapo 9.12 $5 PASSED in 700 msec ====="\n')
        os.chmod(self.java, 0o755)
        self.jar = os.path.join(self.tmp, "d.jar")
        open(self.jar, "w").close()
        self.sh = os.path.join(SRC, "script", "dacapo_test.sh")

    def run_sh(self, *args):
        return subprocess.run(["bash", self.sh, "--java", self.java, *args],
                              capture_output=True, text=True, timeout=60)

    def test_usage(self):
        self.assertEqual(self.run_sh().returncode, 2)
        r = self.run_sh("/nonexistent.jar")
        self.assertEqual(r.returncode, 2)
        self.assertIn("JAR '/nonexistent.jar': no such readable file", r.stderr)
        self.assertEqual(self.run_sh("-n", "0", self.jar).returncode, 2)
        self.assertEqual(self.run_sh(self.jar, "h2;rm").returncode, 2)

    def test_lines_and_total(self):
        r = self.run_sh("-n", "2", self.jar, "avrora", "h2")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 5)
        self.assertRegex(lines[0], r"^bench=avrora iter=1 status=passed runtime_ms=700 "
                                   r"unix_ms=1\d{12}$")
        self.assertRegex(lines[-1], r"^total_ms=2800 passed=4 failed=0 runs=4 wall_ms=\d+ ")

    def test_failure_and_listing(self):
        r = self.run_sh(self.jar)  # every benchmark the jar lists
        self.assertEqual(r.returncode, 1)
        self.assertIn("bench=boom iter=1 status=failed rc=1", r.stdout)
        self.assertIn("dacapo_test.sh: boom: Exception in thread main", r.stderr)
        self.assertIn("total_ms=1400 passed=2 failed=1 runs=3", r.stdout)


class Hosts(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="xenmm-exp-")
        self.static = f"{BUILD}/testprogs/mm_test_static --progress 8M"

    def test_guest_failing_mid_run_is_marked_and_run_goes_on(self):
        spec = hosts_spec(self.tmp, [
            ("vm1", "local", self.static),
            ("vm2", "local", "echo ops_per_s=41.5; sleep 1; echo disk on fire >&2; exit 3")],
            swap_log=True)
        run = os.path.join(self.tmp, "run")
        r = tool("run", "-o", run, spec)
        self.assertEqual(r.returncode, 1, r.stderr)  # partial: a guest failed
        m = manifest(run)
        self.assertEqual(m["status"], "done")
        self.assertEqual([c["status"] for c in m["cells"]], ["done", "done"])
        for c in m["cells"]:
            self.assertEqual(c["guests"]["vm1"]["status"], "ok")
            self.assertEqual(c["guests"]["vm1"]["rc"], 124)  # ran to the duration
            g2 = c["guests"]["vm2"]
            self.assertEqual(g2["status"], "failed")
            self.assertRegex(g2["detail"], r"^exit 3 after [0-9.]+ s: disk on fire")
            self.assertLess(g2["wall_s"], 3.5)
            self.assertIn("vm1.log", os.listdir(os.path.join(run, c["dir"], "server")))
            with open(os.path.join(run, c["dir"], "guests", "vm1", "swap.log")) as f:
                swap = [x for x in f if x.startswith("time_ms=")]
            self.assertGreaterEqual(len(swap), 4)  # every 0.5 s for 4 s
        self.assertRegex(r.stderr, r"guests=vm1:running vm2:failed")
        self.assertTrue(m["target_facts"]["mmserver_version"].startswith("mmserver "))
        self.assertLess(abs(m["target_facts"]["local"]["clock_offset_ms"]), 5000)
        self.assertEqual(tool("report", run).returncode, 0)
        with open(os.path.join(run, "report.html")) as f:
            self.assertIn("disk on fire", f.read())

    def test_dacapo_metric_reaches_the_report(self):
        """script/dacapo_test.sh as a workload: its total_ms becomes the
        guest's metric. DaCapo itself is not here: a stand-in for java
        prints DaCapo's result line."""
        java = os.path.join(self.tmp, "java")
        with open(java, "w") as f:
            f.write('#!/bin/sh\n[ "$3" = -l ] && { echo avrora h2; exit 0; }\n'
                    'echo "===== DaCapo 9.12 $5 PASSED in 1500 msec ====="\n')
        os.chmod(java, 0o755)
        jar = os.path.join(self.tmp, "dacapo.jar")
        open(jar, "w").close()
        cmd = f"{SRC}/script/dacapo_test.sh --java {java} -n 2 {jar}"
        spec = hosts_spec(self.tmp, [("vm1", "local", cmd), ("vm2", "local", "sleep 10")],
                          duration=3)
        with open(spec) as f:
            text = f.read().replace('metrics = ["ops_per_s"]', 'metrics = ["total_ms"]', 1)
        with open(spec, "w") as f:
            f.write(text)
        run = os.path.join(self.tmp, "run")
        r = tool("run", "-o", run, spec)
        self.assertEqual(r.returncode, 0, r.stderr)
        for c in manifest(run)["cells"]:
            self.assertEqual(c["metrics"]["guests"]["vm1"]["total_ms"], 6000.0)
        self.assertEqual(tool("report", run).returncode, 0)
        with open(os.path.join(run, "report.json")) as f:
            rep = json.load(f)
        self.assertEqual(rep["conditions"]["tax"]["vm1/total_ms"]["mean"], 6000.0)

    def test_unreachable_guest_is_marked(self):
        port = closed_port()
        spec = hosts_spec(self.tmp, [
            ("vm1", "local", self.static),
            ("vm2", f"ssh://xenmm@127.0.0.1:{port}", "true")], duration=2)
        run = os.path.join(self.tmp, "run")
        r = tool("run", "-o", run, spec)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, rf"host ssh://xenmm@127.0.0.1:{port} unreachable.*"
                                   r"Connection refused")
        m = manifest(run)
        for c in m["cells"]:
            self.assertEqual(c["guests"]["vm2"]["status"], "unreachable")
            self.assertEqual(c["guests"]["vm1"]["status"], "ok")

    def test_unreachable_dom0_stops_at_once(self):
        port = closed_port()
        spec = hosts_spec(self.tmp, [("vm1", "local", "true")],
                          dom0=f"ssh://root@127.0.0.1:{port}")
        run = os.path.join(self.tmp, "run")
        t0 = time.time()
        r = tool("run", "-o", run, spec)
        self.assertEqual(r.returncode, 3)
        self.assertRegex(r.stderr, r"dom0 ssh://root@127.0.0.1:\d+ unreachable: .*refused")
        self.assertLess(time.time() - t0, 20)
        self.assertEqual(manifest(run)["status"], "failed")

    def test_interrupted_run_keeps_what_it_has(self):
        spec = hosts_spec(self.tmp, [("vm1", "local", self.static),
                                     ("vm2", "local", self.static)], duration=30)
        run = os.path.join(self.tmp, "run")
        e = dict(os.environ, XENMM_BUILD=BUILD, XENMM_SRC=SRC)
        p = subprocess.Popen([TOOL, "run", "-o", run, spec], env=e, stderr=subprocess.PIPE,
                             text=True)
        deadline = time.time() + 30
        pids = []
        while time.time() < deadline and len(pids) < 2:  # both workloads started
            time.sleep(0.2)
            pids = []
            for g in ("vm1", "vm2"):
                try:
                    with open(os.path.join(run, "cells", "off", "rep-1", "guests", g,
                                           "workload.out")) as f:
                        m = re.search(r"held_kib=", f.read())
                        if m:
                            pids.append(g)
                except OSError:
                    pass
        self.assertEqual(len(pids), 2, "workloads never started")
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("SIGINT: stopping, keeping what was measured", err)
        m = manifest(run)
        self.assertEqual(m["status"], "interrupted")
        self.assertEqual(m["interrupted_by"], "SIGINT")
        self.assertEqual(len(m["cells"]), 1)  # the tax cell never started
        c = m["cells"][0]
        self.assertEqual(c["status"], "interrupted")
        for g in ("vm1", "vm2"):
            self.assertEqual(c["guests"][g]["status"], "interrupted")
            with open(os.path.join(run, c["dir"], "guests", g, "workload.out")) as f:
                out = f.read()
            self.assertIn("event=stopped", out)  # the workload saw SIGTERM, exited clean
            pid = int(re.match(r"xenmm_pid=(\d+)", out).group(1))
            with self.assertRaises(ProcessLookupError):
                os.kill(pid, 0)
        self.assertTrue(os.path.isfile(os.path.join(run, c["dir"], "server", "rounds.tsv")))
        r = tool("report", run)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(run, "report.html")) as f:
            self.assertIn("This run is interrupted", f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)

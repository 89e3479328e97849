# SPDX-License-Identifier: GPL-3.0-or-later
"""The xen-qemu target: the real Xen 4.17 lab of tests/xen-qemu, booted under
QEMU. One boot per repetition runs every condition in turn inside the VM
(vm/experiment.sh: fresh guests, mmserver with the policy, memcached and
mm_bench_mc in domu1, the others idle); what comes back over the serial
console is split into the run folder's cells. A boot-level failure (Xen or
dom0 panic, timeout) is retried once with one TCG thread, as run.sh does."""

import glob
import os
import re
import shutil
import subprocess
import time

from . import logs, metrics
from .sim import RunError

HERE = os.path.dirname(os.path.abspath(__file__))
GUESTS = ("domu1", "domu2", "domu3")
MC_KEYS = ("hit_ratio", "p50_us", "p99_us", "p999_us", "mean_us", "achieved_ops_s", "late",
           "delayed", "errors")


def lab_dir():
    d = os.path.normpath(os.path.join(HERE, "..", "..", "..", "tests", "xen-qemu"))
    if not os.path.isfile(os.path.join(d, "boot.py")):
        raise RunError(f"the xen-qemu lab is not at {d} (run from a source tree)")
    return d


class QemuTarget:
    kind = "xen-qemu"

    def __init__(self, spec, run_dir):
        self.spec, self.run_dir = spec, run_dir
        self.t = spec["target"]
        self.booted = {}  # rep -> (results dir, facts) or error text

    def hosts(self):
        return {"dom0": "xen-qemu (TCG)", **{g: "xen-qemu" for g in GUESTS}}

    def preflight(self):
        self.lab = lab_dir()
        b = self.t["build"]
        for f in ("server/mmserver", "client/mmclient", "testprogs/mc/mm_bench_mc",
                  "testprogs/mm_util_swap"):
            if not os.access(os.path.join(b, f), os.X_OK):
                raise RunError(f"{b}/{f} missing: build first")
        for c in self.spec["conditions"]:
            if c["args"]:
                raise RunError(f"condition {c['name']}: args are not passed into the "
                               "xen-qemu lab (its mmserver options are fixed)")
        r = subprocess.run(["bash", os.path.join(self.lab, "deps.sh"), "--check"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RunError("the xen-qemu lab's packages are missing: run "
                           f"tests/xen-qemu/deps.sh ({r.stdout.strip() or r.stderr.strip()})")
        return {}

    def seconds_per_cell(self):
        # Measured on a busy 2-core host: guests up in 70-130 s, the fill 60-230 s.
        r = self.spec["run"]
        return 250 + r["warmup_s"] + r["duration_s"]

    def _env(self):
        r = self.spec["run"]
        conds = " ".join(f"{c['name']}:{c['policy']}" for c in self.spec["conditions"])
        env = dict(os.environ, XQ_EXP_CONDITIONS=conds, XQ_EXP_WARMUP_S=f"{r['warmup_s']:.0f}",
                   XQ_EXP_DURATION_S=f"{r['duration_s']:.0f}",
                   XQ_EXP_SWAP_MIB=str(self.t["swap_mib"]))
        if self.t["mc_args"]:
            env["XQ_EXP_MC_ARGS"] = self.t["mc_args"]
        return env

    def _boot(self, rep, progress, cond, stopped):
        base = os.path.join(self.run_dir, "qemu", f"rep-{rep + 1}")
        os.makedirs(base, exist_ok=True)
        images = os.path.join(base, "images")
        with open(os.path.join(base, "images.log"), "wb") as f:
            r = subprocess.run(["bash", os.path.join(self.lab, "images.sh"), self.t["build"],
                                images], stdout=f, stderr=subprocess.STDOUT, env=self._env())
        if r.returncode != 0:
            return f"images.sh failed (exit {r.returncode}); see {base}/images.log"
        why = None
        for attempt, thread in enumerate((self.t["tcg_thread"], "single"), 1):
            res = os.path.join(base, f"results-{attempt}")
            log = os.path.join(base, f"serial-{attempt}.log")
            rc = self._boot_once(images, log, res, thread, progress, cond, rep, stopped)
            if rc == 0:
                shutil.rmtree(images, ignore_errors=True)
                return res
            if stopped():
                return "interrupted during the boot"
            why = f"boot {attempt} (thread={thread}) failed: see {log}"
        shutil.rmtree(images, ignore_errors=True)
        return why

    def _boot_once(self, images, log, res, thread, progress, cond, rep, stopped):
        argv = ["python3", os.path.join(self.lab, "boot.py"), "--mode", "experiment",
                "--images", images, "--log", log, "--results", res,
                "--timeout", str(self.t["timeout_s"]), "--tcg-thread", thread]
        with open(log + ".boot", "wb") as out:
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
            state = {g: "booting" for g in GUESTS}
            while p.poll() is None:
                if stopped():
                    os.killpg(p.pid, 15)
                    p.wait()
                    return 130
                for line in _tail(log):
                    m = re.search(r"XQ: stage=(\S+)(?: name=(\S+))?", line)
                    if m:
                        state = {g: f"{m.group(2) or ''}:{m.group(1)}" for g in GUESTS}
                progress(cond, rep, state)
                time.sleep(2)
        return p.returncode

    def cell(self, cond, rep, cdir, progress, stopped):
        if rep not in self.booted:
            self.booted[rep] = self._boot(rep, progress, cond, stopped)
        res = self.booted[rep]
        rec = {"clock": "unix ms of the emulated machine (dom0 and guests share Xen's clock)"}
        if stopped() and not os.path.isdir(str(res)):
            rec["status"] = "interrupted"
            return rec
        if not os.path.isdir(str(res)):
            rec.update(status="failed", detail=res)
            return rec
        src = os.path.join(res, "out", "exp", cond["name"])
        facts = _facts(os.path.join(res, "out", "facts.txt"))
        if not os.path.isdir(src):
            rec.update(status="failed", detail=f"no results for {cond['name']}: "
                                               f"{facts.get('boot_failed', [{}])[-1]}")
            return rec
        shutil.copytree(os.path.join(src, "logs"), os.path.join(cdir, "server"),
                        dirs_exist_ok=True)
        for f in glob.glob(os.path.join(src, "*")):
            if os.path.isfile(f):
                shutil.copy(f, cdir)
        # Time in the plots counts from mmserver's first round, on the VM's clock (the
        # host's is not the same under TCG); the workload's start and end are marked.
        srv = logs.read_server_dir(os.path.join(cdir, "server"))
        firsts = [c["time_ms"][0] for c in srv["guests"].values() if c.get("time_ms")]
        if firsts:
            rec["log_t0_ms"] = int(min(firsts))
        rec["events"] = [[int(f["t_ms"]), label]
                         for k, label in (("workload_start", "workload starts"),
                                          ("workload_done", "workload ends"))
                         for f in facts.get(k, []) if f.get("name") == cond["name"]]
        rec["guests"] = self._split_consoles(cdir, cond["name"], facts)
        rec["metrics"] = self._measure(cdir, rec["guests"])
        rec["status"] = "done"
        rec["facts"] = [f["_line"] for k in ("swapon", "workload_start", "workload_done",
                                              "workload_not_done", "cond_server_sigterm")
                        for f in facts.get(k, []) if f.get("name") == cond["name"]]
        return rec

    def _split_consoles(self, cdir, name, facts):
        """Each guest's console: 'XG: mc ...' lines are domu1's workload output,
        'XG: swap ...' lines its swap log."""
        guests = {}
        done = any(f.get("name") == name for f in facts.get("workload_done", []))
        for g in GUESTS:
            gdir = os.path.join(cdir, "guests", g)
            os.makedirs(gdir, exist_ok=True)
            con = os.path.join(cdir, f"console-{g}.log")
            mc, swap, oom = [], [], 0
            if os.path.isfile(con):
                with open(con, encoding="utf-8", errors="replace") as f:
                    for line in f:
                        line = line.rstrip("\r\n")
                        if "XG: mc " in line:
                            mc.append(line.split("XG: mc ", 1)[1])
                        elif "XG: swap " in line:
                            swap.append(line.split("XG: swap ", 1)[1])
                        elif "Out of memory" in line or "oom-kill" in line:
                            oom += 1
            with open(os.path.join(gdir, "swap.log"), "w") as f:
                f.write("\n".join(swap) + "\n")
            st = {"status": "ok", "detail": "idle"}
            if g == "domu1":
                with open(os.path.join(gdir, "workload.out"), "w") as f:
                    f.write("\n".join(mc) + "\n")
                summ = next((x for x in mc if x.startswith("summary ")), None)
                if not done or not summ:
                    st = {"status": "failed", "detail": "mm_bench_mc gave no summary"
                          + ("" if done else " (not done in time)")}
                else:
                    st = {"status": "ok", "detail": "memcached + mm_bench_mc"}
            if oom:
                st["detail"] += f"; {oom} OOM lines on the console"
            guests[g] = st
        return guests

    def _measure(self, cdir, guests):
        srv = logs.read_server_dir(os.path.join(cdir, "server"))
        per = {}
        for g in GUESTS:
            m = {}
            if g in srv["guests"]:
                m.update(metrics.guest_metrics(srv["guests"][g], self.spec["run"]["warmup_s"]))
            rows = logs.read_kv_lines(os.path.join(cdir, "guests", g, "swap.log"))
            if rows:
                m["guest_swap_peak_mib"] = max(r.get("swap_used_kib", 0) for r in rows) / 1024
                m["guest_pswpout"] = rows[-1].get("pswpout", 0) - rows[0].get("pswpout", 0)
                m["guest_pswpin"] = rows[-1].get("pswpin", 0) - rows[0].get("pswpin", 0)
            out = os.path.join(cdir, "guests", g, "workload.out")
            if g == "domu1" and guests[g]["status"] == "ok" and os.path.isfile(out):
                with open(out, encoding="utf-8", errors="replace") as f:
                    summ = [x for x in f if x.startswith("summary ")]
                m.update(logs.last_metrics(summ[-1], MC_KEYS, {}))
            per[g] = m
        tot = metrics.total({k: {x: y for x, y in v.items() if x in metrics.UNITS}
                             for k, v in per.items()})
        return {"total": tot, "guests": per}


def _tail(path, _pos={}):
    """New lines of a growing file since the last call."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            f.seek(_pos.get(path, 0))
            data = f.read()
            _pos[path] = f.tell()
    except OSError:
        return []
    return data.splitlines()


def _facts(path):
    out = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                words = line.split()
                if not words:
                    continue
                kv = {"_line": line.strip()}
                for w in words[1:]:
                    k, sep, v = w.partition("=")
                    if sep:
                        kv[k] = v.strip('"')
                out.setdefault(words[0], []).append(kv)
    except OSError:
        pass
    return out

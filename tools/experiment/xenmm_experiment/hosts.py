# SPDX-License-Identifier: GPL-3.0-or-later
"""The hosts target: a dom0 and its guests reached over ssh (or 'local'),
in parallel. Per cell: mmserver on dom0 with the condition's policy, the
warm-up, every guest's setup and workload at once (bounded by the duration
on the far side too), optional swap logger, then stop, teardown and collect.
A guest that fails or vanishes is marked and the cell goes on."""

import io
import os
import shlex
import tarfile
import time

from . import logs, metrics, remote
from .sim import RunError


class HostsTarget:
    kind = "hosts"

    def __init__(self, spec, run_id):
        t = spec["target"]
        self.spec, self.run_id = spec, run_id
        self.t = remote.Transport(t["ssh"], t["ssh_options"], t["connect_timeout_s"],
                                  t["parallel"])
        self.unreachable = {}
        self.facts = {}

    def hosts(self):
        return {"dom0": self.spec["target"]["dom0"],
                **{g["name"]: g["host"] for g in self.spec["guests"]}}

    def preflight(self):
        """Every host answers, or is marked; dom0 must answer."""
        dom0 = self.spec["target"]["dom0"]
        want = sorted({dom0, *(g["host"] for g in self.spec["guests"])})
        why = self.t.reach(want)
        if why.get(dom0):
            raise RunError(f"dom0 {dom0} unreachable: {why[dom0]}")
        self.unreachable = {h: w for h, w in why.items() if w}
        self.facts = self._facts(dom0, [h for h in want if not why.get(h)])
        return self.unreachable

    def _facts(self, dom0, hosts):
        """Versions and kernels on the far side, for the manifest."""
        mm = (self.spec["target"]["mmserver"] or "mmserver").split()[0]
        jobs = {h: (h, "uname -srm; date +%s%3N") for h in hosts}
        jobs["mmserver"] = (dom0, f"{mm} --version 2>&1 | head -1")
        res = self.t.run_many(jobs, timeout_s=30)
        out = {"mmserver_version": res["mmserver"][1].decode(errors="replace").strip()}
        for h in hosts:
            lines = res[h][1].decode(errors="replace").splitlines()
            if len(lines) >= 2 and lines[1].isdigit():
                # The far clock against ours: logs from that host shift by this much.
                out[h] = {"uname": lines[0],
                          "clock_offset_ms": int(lines[1]) - int(time.time() * 1000)}
        return out

    def seconds_per_cell(self):
        r = self.spec["run"]
        return r["warmup_s"] + r["duration_s"] + r["cooldown_s"] + 2

    def _wait(self, seconds, stopped, tick=None):
        end = time.time() + seconds
        while time.time() < end and not stopped():
            if tick and tick():
                return
            time.sleep(min(0.5, max(0.0, end - time.time())))

    def cell(self, cond, rep, cdir, progress, stopped):
        r, t = self.spec["run"], self.spec["target"]
        rdir = f"{t['log_dir']}/{self.run_id}/{cond['name']}-rep{rep + 1}"
        rec = {"clock": "unix ms of each host's wall clock", "remote_dir": rdir}
        mm = t["mmserver"] or "mmserver"
        cmd = (f"mkdir -p {shlex.quote(rdir)} && exec {mm} --policy "
               f"{shlex.quote(cond['policy'])} -d {shlex.quote(rdir + '/logs')} "
               + " ".join(shlex.quote(a) for a in t["args"] + cond["args"]))
        rec["mmserver_cmd"] = cmd
        limit = r["warmup_s"] + r["duration_s"] + r["grace_s"] + 60
        srv = remote.Started(self.t, t["dom0"], cmd, os.path.join(cdir, "mmserver.out"),
                             os.path.join(cdir, "mmserver.err"), limit_s=limit)
        guests = {g["name"]: {"status": "waiting"} for g in self.spec["guests"]}
        for g in self.spec["guests"]:
            if g["host"] in self.unreachable:
                guests[g["name"]] = {"status": "unreachable",
                                     "detail": self.unreachable[g["host"]]}
        show = lambda: progress(cond, rep, {k: v["status"] for k, v in guests.items()})  # noqa
        self._wait(r["warmup_s"], stopped, tick=lambda: srv.poll() is not None)
        if srv.poll() is not None:
            return self._server_died(rec, srv, cdir)
        work, swaps = self._start_guests(guests, cdir, stopped)
        end = time.time() + r["duration_s"] + r["grace_s"]
        while time.time() < end and not stopped():
            self._poll_guests(guests, work)
            if srv.poll() is not None:
                break
            show()
            if all(w.poll() is not None for w in work.values()):
                break
            time.sleep(0.5)
        interrupted = stopped()
        for name, w in work.items():
            w.stop()
            self._poll_guests(guests, work, interrupted)
        for s in swaps.values():
            s.stop()
        srv_rc = srv.stop()
        rec["mmserver_rc"] = srv_rc
        self._teardown(guests)
        self._collect(rdir, cdir, swaps)
        rec["guests"] = guests
        rec["status"] = "interrupted" if interrupted else "done"
        if srv_rc not in (0, -15, 143) and not interrupted:
            rec["status"], rec["detail"] = "failed", f"mmserver exit {srv_rc} before the end"
        rec["metrics"] = self._measure(cdir, guests)
        show()
        return rec

    def _server_died(self, rec, srv, cdir):
        with open(os.path.join(cdir, "mmserver.err"), encoding="utf-8", errors="replace") as f:
            tail = (f.read().strip().splitlines() or [""])[-1]
        rec.update(status="failed", mmserver_rc=srv.rc,
                   detail=f"mmserver exited {srv.rc} during the warm-up: {tail}")
        return rec

    def _start_guests(self, guests, cdir, stopped):
        live = [g for g in self.spec["guests"] if guests[g["name"]]["status"] == "waiting"]
        setups = {g["name"]: (g["host"], g["setup"]) for g in live if g["setup"]}
        for name, (rc, out, err) in self.t.run_many(setups, timeout_s=120).items():
            gdir = self._gdir(cdir, name)
            with open(os.path.join(gdir, "setup.out"), "wb") as f:
                f.write(out + err.encode())
            if rc != 0:
                guests[name] = {"status": "failed", "rc": rc,
                                "detail": f"setup exit {rc}: {(err.strip().splitlines() or [''])[-1]}"}
        work, swaps, dur = {}, {}, self.spec["run"]["duration_s"]
        for g in live:
            name = g["name"]
            if guests[name]["status"] != "waiting" or stopped():
                continue
            gdir = self._gdir(cdir, name)
            cmd = g["workload"]
            if g["start_delay_s"]:
                cmd = f"sleep {g['start_delay_s']:g}; {cmd}"
            work[name] = remote.Started(self.t, g["host"], cmd,
                                        os.path.join(gdir, "workload.out"),
                                        os.path.join(gdir, "workload.err"), limit_s=dur)
            guests[name] = {"status": "running", "start_unix_ms": int(work[name].t0 * 1000)}
            if self.spec["run"]["swap_log"]:
                swaps[name] = remote.Started(self.t, g["host"], self.spec["run"]["swap_log_cmd"],
                                             os.path.join(gdir, "swap.log"),
                                             os.path.join(gdir, "swap.err"),
                                             limit_s=dur + 30)
        return work, swaps

    def _gdir(self, cdir, name):
        d = os.path.join(cdir, "guests", name)
        os.makedirs(d, exist_ok=True)
        return d

    def _poll_guests(self, guests, work, interrupted=False):
        for name, w in work.items():
            rc = w.poll()
            g = guests[name]
            if rc is None or g["status"] != "running":
                continue
            g.update(rc=rc, end_unix_ms=w.end_unix_ms,
                     wall_s=round(w.end_unix_ms / 1000 - w.t0, 3))
            if rc == 0:
                g["status"] = "ok"
            elif rc == 124:
                g.update(status="ok", detail="stopped at the end of the duration")
            elif interrupted:
                g.update(status="interrupted", detail="stopped by the interrupt")
            elif rc == remote.SSH_UNREACHABLE_RC:
                g.update(status="lost", detail="ssh connection lost (exit 255)")
            else:
                err = os.path.join(os.path.dirname(w.out_path), "workload.err")
                with open(err, encoding="utf-8", errors="replace") as f:
                    tail = (f.read().strip().splitlines() or [""])[-1]
                g.update(status="failed",
                         detail=f"exit {rc} after {g['wall_s']:.1f} s: {tail}"[:300])

    def _teardown(self, guests):
        jobs = {g["name"]: (g["host"], g["teardown"]) for g in self.spec["guests"]
                if g["teardown"] and guests[g["name"]]["status"] not in ("unreachable",)}
        for name, (rc, _, err) in self.t.run_many(jobs, timeout_s=60).items():
            if rc != 0:
                guests[name]["teardown"] = f"exit {rc}: {err.strip()[-200:]}"

    def _collect(self, rdir, cdir, swaps):
        """mmserver's logs as a tar stream over ssh, the guests' files by cat."""
        rc, out, err = self.t.run(self.spec["target"]["dom0"],
                                  f"tar -C {shlex.quote(rdir + '/logs')} -cf - .", timeout_s=120)
        sdir = os.path.join(cdir, "server")
        os.makedirs(sdir, exist_ok=True)
        if rc == 0:
            with tarfile.open(fileobj=io.BytesIO(out)) as tf:
                for m in tf.getmembers():
                    if m.isfile() and "/" not in m.name.lstrip("./"):
                        tf.extract(m, sdir, filter="data") if hasattr(tarfile, "data_filter") \
                            else tf.extract(m, sdir)
        else:
            with open(os.path.join(cdir, "collect.err"), "a", encoding="utf-8") as f:
                f.write(f"mmserver logs: tar exit {rc}: {err}\n")
        jobs = {}
        for g in self.spec["guests"]:
            if g["host"] in self.unreachable:
                continue
            for i, path in enumerate(g["collect"]):
                jobs[(g["name"], i)] = (g["host"], f"cat {shlex.quote(path)}")
        for (name, i), (rc, out, err) in self.t.run_many(jobs, timeout_s=120).items():
            path = next(g for g in self.spec["guests"] if g["name"] == name)["collect"][i]
            dst = os.path.join(self._gdir(cdir, name), os.path.basename(path) or f"file{i}")
            with open(dst if rc == 0 else dst + ".err", "wb") as f:
                f.write(out if rc == 0 else f"cat exit {rc}: {err}".encode())

    def _measure(self, cdir, guests):
        srv = logs.read_server_dir(os.path.join(cdir, "server"))
        per = {}
        for g in self.spec["guests"]:
            name = g["name"]
            m = {}
            if name in srv["guests"]:
                m.update(metrics.guest_metrics(srv["guests"][name], self.spec["run"]["warmup_s"]))
            p = os.path.join(cdir, "guests", name, "workload.out")
            if os.path.isfile(p) and guests[name]["status"] == "ok":
                with open(p, encoding="utf-8", errors="replace") as f:
                    m.update(logs.last_metrics(f.read(), g["metrics"], g["metric_regex"]))
                if "wall_s" in guests[name]:
                    m["wall_s"] = guests[name]["wall_s"]
            per[name] = m
        tot = metrics.total({k: {x: y for x, y in v.items()
                                 if x in metrics.UNITS and x != "wall_s"}
                             for k, v in per.items()})
        return {"total": tot, "guests": per}

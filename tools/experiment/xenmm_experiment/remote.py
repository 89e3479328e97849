# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs commands on a host: 'local' (this machine, through sh) or an ssh
destination (user@host), in parallel as pssh does: one ssh client per host,
BatchMode (never a password prompt), a connect timeout. A started command
prints its shell pid first, so it can be stopped later on the far side too
(killing a local ssh client does not stop what it started remotely)."""

import os
import shlex
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

SSH_UNREACHABLE_RC = 255  # what ssh(1) exits with when it cannot connect


class Transport:
    def __init__(self, ssh="ssh", options=(), connect_timeout_s=5, parallel=32):
        self.ssh = ssh
        self.options = list(options)
        self.connect_timeout_s = connect_timeout_s
        self.parallel = parallel

    def argv(self, host, script):
        """The argv that runs a shell script on host."""
        if host == "local":
            return ["sh", "-c", script]
        return [self.ssh, "-o", "BatchMode=yes", "-o",
                f"ConnectTimeout={self.connect_timeout_s}", "-o", "LogLevel=ERROR",
                *self.options, host, script]

    def run(self, host, script, timeout_s=60, stdin_bytes=None):
        """Runs to the end; returns (rc, stdout bytes, stderr text)."""
        try:
            p = subprocess.run(self.argv(host, script), input=stdin_bytes,
                               capture_output=True, timeout=timeout_s,
                               start_new_session=True)
        except subprocess.TimeoutExpired:
            return 124, b"", f"timed out after {timeout_s} s"
        except OSError as e:
            return 127, b"", f"cannot run {self.argv(host, script)[0]}: {e.strerror}"
        return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")

    def run_many(self, jobs, timeout_s=60):
        """jobs: {key: (host, script)}; runs them in parallel (at most
        `parallel` at once) and returns {key: (rc, stdout, stderr)}."""
        with ThreadPoolExecutor(max_workers=max(1, min(self.parallel, len(jobs) or 1))) as ex:
            futs = {k: ex.submit(self.run, h, s, timeout_s) for k, (h, s) in jobs.items()}
            return {k: f.result() for k, f in futs.items()}

    def reach(self, hosts):
        """{host: None if it answers, else why not}, checked in parallel."""
        res = self.run_many({h: (h, "true") for h in hosts},
                            timeout_s=self.connect_timeout_s + 10)
        out = {}
        for h, (rc, _, err) in res.items():
            out[h] = None if rc == 0 else (err.strip().splitlines() or [f"rc={rc}"])[-1]
        return out


class Started:
    """A command started in the background on a host, its output going to
    files. limit_s bounds it on the far side (coreutils timeout), so a lost
    runner never leaves a workload running for ever."""

    def __init__(self, transport, host, command, out_path, err_path, limit_s=None):
        self.t, self.host, self.out_path = transport, host, out_path
        inner = command if limit_s is None else \
            f"timeout -k 5 {limit_s:.0f} sh -c {shlex.quote(command)}"
        script = f"echo xenmm_pid=$$; exec {inner}"
        self.t0 = time.time()
        self.end_unix_ms = None
        self.rc = None
        self.remote_pid = None
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            self.p = subprocess.Popen(transport.argv(host, script), stdin=subprocess.DEVNULL,
                                      stdout=out, stderr=err, start_new_session=True)

    def pid(self):
        """The shell pid on the far side, once it printed it."""
        if self.remote_pid is None:
            try:
                with open(self.out_path, "rb") as f:
                    first = f.readline()
            except OSError:
                return None
            if first.startswith(b"xenmm_pid=") and first.endswith(b"\n"):
                self.remote_pid = int(first[10:].strip() or 0) or None
        return self.remote_pid

    def poll(self):
        if self.rc is None:
            rc = self.p.poll()
            if rc is not None:
                self.rc = rc
                self.end_unix_ms = int(time.time() * 1000)
        return self.rc

    def stop(self, wait_s=10):
        """SIGTERM on the far side (then the local client), waits, then
        SIGKILL. Returns the exit code."""
        if self.poll() is not None:
            return self.rc
        pid = self.pid()
        if self.host == "local" or pid is None:
            self._signal_local(signal.SIGTERM)
        else:
            self.t.run(self.host, f"kill -TERM {pid} 2>/dev/null", timeout_s=wait_s)
        try:
            self.p.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            self._signal_local(signal.SIGKILL)
            self.p.wait()
        return self.poll()

    def _signal_local(self, sig):
        try:
            os.kill(self.p.pid, sig)
        except ProcessLookupError:
            pass

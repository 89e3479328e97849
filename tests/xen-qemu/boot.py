#!/usr/bin/env python3
"""boot.py: boots Xen + dom0 under QEMU TCG from the images of images.sh.

test mode: runs dom0's scenario, writes the serial console time-stamped to --log, and unpacks
the results dom0 sends over the console (tar.gz in "XQB <n> <base64>" lines, checked by md5)
into --results. Exit 0 when the results arrived intact, 3 on a boot-level failure (Xen or dom0
panic, a guest that never came up, a timeout, a damaged transfer), with the reason.
It judges no result: check.py does. shell mode: an interactive dom0 shell on this terminal.
"""
import argparse
import base64
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import threading
import time

EXIT_OK, EXIT_USAGE, EXIT_BOOT = 0, 2, 3
# Seen on the serial console when the machine itself is lost (Xen's and Linux's panic lines).
PANIC = re.compile(r"Panic on CPU|Kernel panic")
ARCHIVE_LINE = re.compile(r"^XQB (\d+) ([A-Za-z0-9+/=]+)\s*$")
ARCHIVE_END = re.compile(r"XQ: archive-end lines=(\d+) md5=([0-9a-f]{32})")


def qemu_command(images, mode, smp, mem_mib, tcg_thread):
    """The QEMU line: TCG with qemu64 (shared/xen-qemu: -cpu max corrupted memory at random,
    and this host's KVM cannot run Xen); the uncompressed Xen as a multiboot kernel; dom0's
    kernel and initramfs as modules ("file args,file": Xen drops the first word)."""
    xen_args = (f"console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus={smp} "
                "noreboot")
    dom0_args = f"console=hvc0 quiet xq={mode}"
    return ["qemu-system-x86_64", "-accel", f"tcg,thread={tcg_thread}", "-cpu", "qemu64",
            "-smp", str(smp), "-m", str(mem_mib), "-nic", "none", "-no-reboot",
            "-kernel", os.path.join(images, "xen"), "-append", xen_args,
            "-initrd", f"{os.path.join(images, 'vmlinuz')} {dom0_args},"
                       f"{os.path.join(images, 'dom0.cpio.gz')}",
            "-display", "none", "-monitor", "none"]


class Console:
    """Reads QEMU's serial output on a thread; keeps the lines and a time-stamped log."""

    def __init__(self, proc, log_path):
        self.lines, self.t0 = [], time.monotonic()
        self.done = threading.Event()
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.thread = threading.Thread(target=self._read, args=(proc.stdout,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for raw in stream:
            line = raw.decode("utf-8", "replace").replace("\r", "").rstrip("\n")
            self.log.write(f"[{time.monotonic() - self.t0:7.2f}] {line}\n")
            self.log.flush()
            self.lines.append(line)
        self.done.set()


def peak_rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def watch(proc, con, timeout_s):
    """Waits for the end of the run. Returns (reason or None, peak RSS MiB). A boot failure
    that dom0 reports is returned once dom0 has sent its logs too."""
    seen, peak, deadline, failed = 0, 0, time.monotonic() + timeout_s, None
    while True:
        peak = max(peak, peak_rss_mib(proc.pid))
        new, seen = con.lines[seen:], len(con.lines)
        for line in new:
            if "XQ: boot-failed" in line:
                failed = line.split("XQ: ", 1)[1]
            if "XQ: finished" in line:
                return failed, peak
            if PANIC.search(line):
                time.sleep(2)  # let the panic's lines reach the log
                return f"panic on the console: {line.strip()}", peak
        if con.done.is_set() or proc.poll() is not None:
            return f"QEMU exited (status {proc.poll()}) before the scenario finished", peak
        if time.monotonic() > deadline:
            return f"timeout after {timeout_s} s", peak
        time.sleep(0.5)


def stop(proc, grace_s):
    """dom0 powers off by itself; QEMU is killed (by its pid) if it lingers past grace_s."""
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def unpack(lines, results):
    """Rebuilds the archive from the XQB lines; None or why it cannot."""
    end = [m for m in map(ARCHIVE_END.search, lines) if m]
    if not end:
        return "no results archive on the console"
    count, md5 = int(end[-1].group(1)), end[-1].group(2)
    parts = {}
    for line in lines:
        m = ARCHIVE_LINE.match(line)
        if m:
            parts[int(m.group(1))] = m.group(2)
    if sorted(parts) != list(range(1, count + 1)):
        return f"results archive damaged: {len(parts)} of {count} lines"
    data = base64.b64decode("".join(parts[i] for i in range(1, count + 1)))
    if hashlib.md5(data).hexdigest() != md5:
        return "results archive damaged: md5 mismatch"
    os.makedirs(results, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(results)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", required=True, help="folder with xen, vmlinuz, dom0.cpio.gz")
    ap.add_argument("--mode", choices=["test", "experiment", "resv", "chaos", "bench13", "shell"], default="test",
                    help="test: the end-to-end scenario; experiment: the on/off experiment "
                         "(vm/experiment.sh); resv: the reservation check (vm/scenario-resv.sh); "
                         "chaos: hostile guest, stuck balloon, stopped xenstored "
                         "(vm/scenario-chaos.sh); bench13: issue 13's figures (bench/xen/lab.sh); "
                         "shell: dom0's shell here")
    ap.add_argument("--log", help="serial log (test mode)")
    ap.add_argument("--results", help="folder for dom0's results (test mode)")
    ap.add_argument("--timeout", type=int, default=420, help="seconds (test mode)")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mem", type=int, default=2048, help="MiB of the emulated machine")
    ap.add_argument("--tcg-thread", choices=["multi", "single"], default="multi",
                    help="one host thread per virtual CPU (multi) or one for all (single)")
    a = ap.parse_args()
    cmd = qemu_command(a.images, a.mode, a.smp, a.mem, a.tcg_thread)
    if a.mode == "shell":
        os.execvp(cmd[0], cmd + ["-nographic", "-serial", "mon:stdio"])
    if not a.log or not a.results:
        ap.error("test mode needs --log and --results")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd + ["-serial", "stdio"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    con = Console(proc, a.log)
    why, peak = watch(proc, con, a.timeout)
    stop(proc, 0 if why else 10)
    con.thread.join(timeout=5)
    print(f"boot.py: qemu pid={proc.pid} wall_s={time.monotonic() - t0:.0f} "
          f"peak_rss_mib={peak} log={a.log}", flush=True)
    damaged = unpack(con.lines, a.results)
    why = why or damaged
    if why:
        print(f"boot.py: boot-level failure: {why}", flush=True)
        return EXIT_BOOT
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

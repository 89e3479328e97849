# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads and checks an experiment spec (TOML). Every error names the file,
line and column of the offending key, so a user finds it at once. It only
checks and normalises; it starts nothing."""

import os
import re
import tomllib

KINDS = ("sim", "hosts", "xen-qemu")
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SpecError(Exception):
    """A spec problem with its position: 'FILE:LINE:COL: what'."""


def _index_positions(text):
    """Maps key paths to (line, column), from the raw text: tomllib keeps no
    positions. Paths look like ('run', 'duration_s') or ('condition', 1,
    'policy') for the second [[condition]]."""
    pos, table, counts = {}, (), {}
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        col = len(line) - len(line.lstrip()) + 1
        if not s or s.startswith("#"):
            continue
        m = re.match(r"\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]", s)
        if m:
            name = m.group(1)
            counts[name] = counts.get(name, -1) + 1
            table = (name, counts[name])
            pos[table] = (lineno, col)
            continue
        m = re.match(r"\[\s*([A-Za-z0-9_.-]+)\s*\]", s)
        if m:
            table = tuple(m.group(1).split("."))
            pos[table] = (lineno, col)
            continue
        m = re.match(r"([A-Za-z0-9_-]+)\s*=", s)
        if m:
            pos[table + (m.group(1),)] = (lineno, col)
    return pos


class _Checker:
    def __init__(self, path, text):
        self.path = path
        self.pos = _index_positions(text)

    def fail(self, keypath, msg):
        where = self.pos.get(tuple(keypath))
        k = tuple(keypath)
        while where is None and k:  # fall back to the enclosing table
            k = k[:-1]
            where = self.pos.get(k)
        line, col = where or (1, 1)
        shown = ".".join(f"[{p}]" if isinstance(p, int) else p for p in keypath)
        shown = shown.replace(".[", "[")
        raise SpecError(f"{self.path}:{line}:{col}: {shown}: {msg}")

    def get(self, table, keypath, key, kind, default=None, required=False):
        if key not in table:
            if required:
                self.fail(list(keypath), f"missing required key '{key}'")
            return default
        v = table[key]
        ok = {
            "str": isinstance(v, str),
            "int": isinstance(v, int) and not isinstance(v, bool),
            "num": isinstance(v, (int, float)) and not isinstance(v, bool),
            "bool": isinstance(v, bool),
            "strlist": isinstance(v, list) and all(isinstance(x, str) for x in v),
            "table": isinstance(v, dict),
        }[kind]
        if not ok:
            want = {"str": "a string", "int": "an integer", "num": "a number",
                    "bool": "true or false", "strlist": "a list of strings",
                    "table": "a table"}[kind]
            self.fail(list(keypath) + [key], f"expected {want}, got {type(v).__name__} {v!r}")
        return v

    def unknown(self, table, keypath, allowed):
        for k in table:
            if k not in allowed:
                self.fail(list(keypath) + [k],
                          f"unknown key '{k}' (known: {', '.join(sorted(allowed))})")


def _expand(checker, keypath, s, env):
    """${VAR} from the environment; a missing one is an error, not ''."""
    def sub(m):
        if m.group(1) not in env:
            checker.fail(keypath, f"${{{m.group(1)}}} is not set in the environment")
        return env[m.group(1)]
    return VAR_RE.sub(sub, s)


def _name(c, keypath, v, seen, what):
    if not NAME_RE.match(v):
        c.fail(keypath, f"{what} name {v!r}: use 1-64 of A-Z a-z 0-9 _ . -")
    if v in seen:
        c.fail(keypath, f"duplicate {what} name {v!r}")
    seen.add(v)


def _target(c, doc, base_dir, env):
    t = c.get(doc, [], "target", "table", required=True)
    kind = c.get(t, ["target"], "kind", "str", required=True)
    if kind not in KINDS:
        c.fail(["target", "kind"], f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    out = {"kind": kind}
    if kind == "sim":
        c.unknown(t, ["target"], {"kind", "scenario", "mmserver", "args"})
        sc = c.get(t, ["target"], "scenario", "str", required=True)
        sc = sc if os.path.isabs(sc) else os.path.normpath(os.path.join(base_dir, sc))
        if not os.path.isfile(sc):
            c.fail(["target", "scenario"], f"no such scenario file: {sc}")
        out["scenario"] = sc
    elif kind == "xen-qemu":
        c.unknown(t, ["target"], {"kind", "build", "tcg_thread", "timeout_s", "mc_args",
                                  "swap_mib"})
        b = _expand(c, ["target", "build"], c.get(t, ["target"], "build", "str", required=True),
                    env)
        b = b if os.path.isabs(b) else os.path.normpath(os.path.join(base_dir, b))
        if not os.path.isdir(b):
            c.fail(["target", "build"], f"no such build directory: {b}")
        out["build"] = b
        out["tcg_thread"] = c.get(t, ["target"], "tcg_thread", "str", "multi")
        if out["tcg_thread"] not in ("multi", "single"):
            c.fail(["target", "tcg_thread"], "multi or single")
        out["timeout_s"] = c.get(t, ["target"], "timeout_s", "int", 900)
        out["mc_args"] = c.get(t, ["target"], "mc_args", "str", None)
        out["swap_mib"] = c.get(t, ["target"], "swap_mib", "int", 160)
        if not 16 <= out["swap_mib"] <= 1024:
            c.fail(["target", "swap_mib"], f"16..1024, got {out['swap_mib']}")
        if not 60 <= out["timeout_s"] <= 7200:
            c.fail(["target", "timeout_s"], f"60..7200, got {out['timeout_s']}")
    else:
        c.unknown(t, ["target"], {"kind", "dom0", "mmserver", "args", "log_dir", "ssh",
                                  "ssh_options", "connect_timeout_s", "parallel"})
        out["dom0"] = c.get(t, ["target"], "dom0", "str", required=True)
        out["log_dir"] = c.get(t, ["target"], "log_dir", "str", "/tmp/xenmm-experiment")
        out["ssh"] = c.get(t, ["target"], "ssh", "str", "ssh")
        out["ssh_options"] = c.get(t, ["target"], "ssh_options", "strlist", [])
        out["connect_timeout_s"] = c.get(t, ["target"], "connect_timeout_s", "int", 5)
        out["parallel"] = c.get(t, ["target"], "parallel", "int", 32)
        if out["parallel"] < 1 or out["connect_timeout_s"] < 1:
            c.fail(["target", "parallel"], "parallel and connect_timeout_s must be >= 1")
    mm = c.get(t, ["target"], "mmserver", "str", None)
    out["mmserver"] = _expand(c, ["target", "mmserver"], mm, env) if mm else None
    out["args"] = [_expand(c, ["target", "args"], a, env)
                   for a in c.get(t, ["target"], "args", "strlist", [])]
    return out


def _run(c, doc, kind, env):
    r = c.get(doc, [], "run", "table", {})
    c.unknown(r, ["run"], {"repetitions", "duration_s", "warmup_s", "seed", "baseline",
                           "cooldown_s", "swap_log", "swap_log_cmd", "grace_s"})
    out = {
        "repetitions": c.get(r, ["run"], "repetitions", "int", 1),
        "duration_s": c.get(r, ["run"], "duration_s", "num", None),
        "warmup_s": c.get(r, ["run"], "warmup_s", "num", 0),
        "seed": c.get(r, ["run"], "seed", "int", None),
        "baseline": c.get(r, ["run"], "baseline", "str", None),
        "cooldown_s": c.get(r, ["run"], "cooldown_s", "num", 0),
        "swap_log": c.get(r, ["run"], "swap_log", "bool", False),
        "swap_log_cmd": c.get(r, ["run"], "swap_log_cmd", "str", "mm_util_swap -i 1000 -"),
        "grace_s": c.get(r, ["run"], "grace_s", "num", 10),
    }
    out["swap_log_cmd"] = _expand(c, ["run", "swap_log_cmd"], out["swap_log_cmd"], env)
    if not 1 <= out["repetitions"] <= 1000:
        c.fail(["run", "repetitions"], f"must be 1..1000, got {out['repetitions']}")
    if out["duration_s"] is not None and not 0 < out["duration_s"] <= 7 * 86400:
        c.fail(["run", "duration_s"], f"must be > 0 and at most a week, got {out['duration_s']}")
    if out["duration_s"] is None and kind != "sim":
        c.fail(["run"], f"missing required key 'duration_s' (a {kind} target needs a bound)")
    for k in ("warmup_s", "cooldown_s", "grace_s"):
        if out[k] < 0:
            c.fail(["run", k], f"must be >= 0, got {out[k]}")
    if out["duration_s"] is not None and out["warmup_s"] >= out["duration_s"]:
        c.fail(["run", "warmup_s"], "warm-up must be shorter than duration_s")
    return out


def _conditions(c, doc, env):
    conds = doc.get("condition")
    if isinstance(conds, dict):
        c.fail(["condition"], "write [[condition]] (an array of tables), not [condition]")
    if not isinstance(conds, list) or not conds:
        c.fail(["condition"], "need at least one [[condition]] (name, policy)")
    out, seen = [], set()
    for i, t in enumerate(conds):
        kp = ["condition", i]
        c.unknown(t, kp, {"name", "policy", "args"})
        name = c.get(t, kp, "name", "str", required=True)
        _name(c, kp + ["name"], name, seen, "condition")
        pol = c.get(t, kp, "policy", "str", required=True)
        if not re.match(r"^[a-z0-9_-]+(:[^\s]*)?$", pol):
            c.fail(kp + ["policy"], f"policy {pol!r}: expected NAME or NAME:ARGS")
        args = [_expand(c, kp + ["args"], a, env) for a in c.get(t, kp, "args", "strlist", [])]
        out.append({"name": name, "policy": pol, "args": args})
    return out


def _guests(c, doc, kind, env):
    gs = doc.get("guest", [])
    if kind == "xen-qemu" and gs:
        c.fail(["guest", 0], "the xen-qemu lab's guests are fixed (domu1 runs memcached and "
                             "mm_bench_mc, domu2 and domu3 idle): no [[guest]]")
    if not isinstance(gs, list):
        c.fail(["guest"], "write [[guest]] (an array of tables), not [guest]")
    if kind == "hosts" and not gs:
        c.fail(["guest"], "a hosts target needs at least one [[guest]] (name, host, workload)")
    out, seen = [], set()
    for i, t in enumerate(gs):
        kp = ["guest", i]
        if kind == "sim":
            c.unknown(t, kp, {"name", "workload"})
        else:
            c.unknown(t, kp, {"name", "host", "workload", "setup", "teardown", "metrics",
                              "metric_regex", "collect", "start_delay_s"})
        name = c.get(t, kp, "name", "str", required=True)
        _name(c, kp + ["name"], name, seen, "guest")
        g = {"name": name}
        if kind == "sim":
            g["workload"] = c.get(t, kp, "workload", "str", None)
        else:
            g["host"] = c.get(t, kp, "host", "str", required=True)
            for k in ("workload", "setup", "teardown"):
                v = c.get(t, kp, k, "str", None, required=(k == "workload"))
                g[k] = _expand(c, kp + [k], v, env) if v else None
            g["metrics"] = c.get(t, kp, "metrics", "strlist", [])
            rx = c.get(t, kp, "metric_regex", "table", {})
            for mk, mv in rx.items():
                if not isinstance(mv, str):
                    c.fail(kp + ["metric_regex"], f"{mk}: expected a regex string")
                try:
                    if re.compile(mv).groups != 1:
                        c.fail(kp + ["metric_regex"], f"{mk}: the regex needs one group")
                except re.error as e:
                    c.fail(kp + ["metric_regex"], f"{mk}: bad regex: {e}")
            g["metric_regex"] = rx
            g["collect"] = c.get(t, kp, "collect", "strlist", [])
            g["start_delay_s"] = c.get(t, kp, "start_delay_s", "num", 0)
        out.append(g)
    return out


def load(path, env=None):
    """Returns the checked spec as a dict, or raises SpecError."""
    env = os.environ if env is None else env
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise SpecError(f"{path}: cannot read: {e.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SpecError(f"{path}: not UTF-8 (byte {e.start})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        where = f"{m.group(1)}:{m.group(2)}" if m else "1:1"
        raise SpecError(f"{path}:{where}: TOML syntax: {msg}") from None
    c = _Checker(path, text)
    c.unknown(doc, [], {"name", "description", "target", "run", "condition", "guest"})
    spec = {
        "name": c.get(doc, [], "name", "str", required=True),
        "description": c.get(doc, [], "description", "str", ""),
        "path": os.path.abspath(path),
        "text": text,
    }
    if not NAME_RE.match(spec["name"]):
        c.fail(["name"], f"{spec['name']!r}: use 1-64 of A-Z a-z 0-9 _ . -")
    base = os.path.dirname(os.path.abspath(path))
    spec["target"] = _target(c, doc, base, env)
    spec["run"] = _run(c, doc, spec["target"]["kind"], env)
    spec["conditions"] = _conditions(c, doc, env)
    spec["guests"] = _guests(c, doc, spec["target"]["kind"], env)
    names = [x["name"] for x in spec["conditions"]]
    b = spec["run"]["baseline"]
    if b is not None and b not in names:
        c.fail(["run", "baseline"], f"no condition named {b!r} (have: {', '.join(names)})")
    if b is None:
        off = [x["name"] for x in spec["conditions"] if x["policy"] == "none"]
        spec["run"]["baseline"] = off[0] if off else names[0]
    return spec

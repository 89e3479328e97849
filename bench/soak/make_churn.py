#!/usr/bin/python3
"""Writes the soak scenario: a simulated hour in which a guest is created
every 3.6 s and each lives 30 s to 2 min, so about 1000 domains come and go
and 10 to 35 live at once, with mixed workloads. 1000 is the scenario
format's guest limit (MM_SCENARIO_MAX_GUESTS): one guest entry is one domain
lifetime, so this is the fastest churn a one-hour scenario can express.

Usage: make_churn.py [DURATION_S] [GUESTS] > churn.json"""
import json
import sys

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 3600
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
workloads = ["static 200M", "random 100M 700M", "mono 50M 900M 20M", "burst 100M 800M 30 20",
             "triangle 200M 20M 700M"]
guests = []
for i in range(n):
    start = round(i * duration / n, 1)
    life = 30 + (i * 37) % 91  # 30..120 s, spread without randomness
    g = {"name": f"g{i + 1}", "start_s": start, "stop_s": start + life,
         "workload": workloads[i % len(workloads)]}
    if i % 50 == 7:
        g["behaviour"] = "garbage"  # some guests write reports that do not parse
    if i % 50 == 19:
        g["behaviour"] = "silent"
    guests.append(g)
print(json.dumps({
    "name": "soak-churn",
    "description": "Soak: a guest created every 3.6 s, each living 30 s to 2 min.",
    "seed": 12, "duration_s": duration,
    # The loader checks that every guest's initial memory fits the host at
    # once, lifetimes aside: hence the large host, and a pool hint that keeps
    # the balancer's share realistic for the 10-35 guests alive at a time.
    "host": {"memory": f"{n // 2 + 8}G", "dom0": "2G", "reserve": "64M"},
    "server": {"pool": "24G", "free": "150M"},
    "defaults": {"memory": "512M", "maxmem": "2G", "floor": "200M", "overhead": "60M",
                 "kernel_min": "40M", "balloon_speed": "256M", "swap": "1G"},
    "guests": guests}, indent=1))

/* mm_bench_mc monitor: watches a memcached server, in the manner of mcmon:
 * per-second rates from "stats", a latency probe every --probe-ms, a strip
 * chart in the terminal, --record TSV with wall-clock time, --showavg. It
 * sends no load beyond one stats request a second and the probes. */
#ifndef MC_MONITOR_H
#define MC_MONITOR_H

/* argv[0] is "monitor". Returns the exit code. */
int mc_monitor_main(int argc, char **argv);

#endif

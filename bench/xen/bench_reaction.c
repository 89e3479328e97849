/* bench_reaction: how fast two mmclient builds report a workload step, in
 * pairs. Both run at their defaults on this machine's real /proc at the
 * same time (A as domain 1, B as domain 2, writing to the double); a child
 * touches STEP_MIB of fresh memory while this process polls the reports
 * every 1 ms, and the time from the start of the touching to each client's
 * first report that shows 3/4 of it is one sample of each (late: not
 * reported 5 s after the touching ended) (3/4: at 64 MiB, a report sent part-way through the
 * touching may leave less than the client's 16 MiB report threshold, which then waits for the 1 s
 * heartbeat by design; both builds have that threshold). The two clients see the same step at the
 * same moment, so what other jobs on a shared machine do to /proc/meminfo lands on both alike.
 *   bench_reaction MMCLIENT_A MMCLIENT_B STEPS STEP_MIB [IDLE_S]
 * Prints one markdown row per client and one for the paired difference
 * over the steps both reported in time (a step another job's freeing hid
 * from both is late for both and says nothing about either), a row for how
 * long the touching took, and one for
 * how far MemAvailable fell across each step's touching (a kernel whose
 * meminfo does not follow a process's pages shows about 0 there, and the
 * rows above then measure nothing). With IDLE_S, first both clients idle
 * for IDLE_S seconds: one "idle" key=value line each with the CPU they used
 * (/proc/PID/schedstat, else /proc/PID/stat) and their RSS (the QEMU lab,
 * bench/xen/lab.sh, reads these). */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "double_ctl.h"

#define MIB       UINT64_C(1024)
#define MAX_STEPS 500
#define LATE_MS   5000.0 /* not reported this long after the touching ended: late */

static void row(const char *label, const char *unit, double *v, int n, int late)
{
	qsort(v, (size_t)n, sizeof(v[0]), bench_cmp_double);
	printf("| %s | %d | %.0f %s | %.0f %s | %.0f %s | %.0f %s | %d |\n", label, n, v[0], unit,
	       v[n / 2], unit, v[n * 9 / 10], unit, v[n - 1], unit, late);
}

/* One "Key: N kB" figure of a /proc file, KiB; -1 when absent. */
static double proc_kib(const char *path, const char *key)
{
	char line[256];
	double kib = -1;
	size_t klen = strlen(key);
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			kib = strtod(line + klen + 1, NULL);
	if (f)
		fclose(f);
	return kib;
}

/* CPU time pid used, ms: /proc/PID/schedstat's first field (ns on a CPU,
 * exact) where the kernel has it, else utime + stime (fields 14 and 15 of
 * /proc/PID/stat, counted after the ")" that ends the command name; clock
 * ticks, 10 ms each at 100 Hz). *src says which; -1 on failure. */
static double cpu_ms(pid_t pid, const char **src)
{
	char path[64], buf[1024], *p;
	unsigned long long ns;
	unsigned long ut, st;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (f) {
		int ok = fscanf(f, "%llu", &ns) == 1;
		fclose(f);
		if (ok) {
			*src = "schedstat";
			return (double)ns / 1e6;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	*src = "stat_ticks";
	return ((double)ut + (double)st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* Both clients idle for idle_s: CPU share of one core and RSS, one line each. */
static void idle_phase(const pid_t cl[2], int idle_s)
{
	double c0[2], c1[2], w0 = bench_now_ms(), w_ms;
	const char *src[2] = {"none", "none"};

	for (int i = 0; i < 2; i++)
		c0[i] = cpu_ms(cl[i], &src[i]);
	bench_nap_ms((long)idle_s * 1000);
	w_ms = bench_now_ms() - w0;
	for (int i = 0; i < 2; i++) {
		char path[64], roll[64];
		c1[i] = cpu_ms(cl[i], &src[i]);
		snprintf(path, sizeof(path), "/proc/%d/status", (int)cl[i]);
		/* smaps_rollup walks the page tables: exact, where VmRSS lags on
		 * kernels before 6.2 (per-thread counters folded in every 64
		 * faults; a 6.1 guest showed 248 KiB) */
		snprintf(roll, sizeof(roll), "/proc/%d/smaps_rollup", (int)cl[i]);
		printf("idle client=%c window_ms=%.0f cpu_ms=%.3f cpu_from=%s cpu_pct=%.4f "
		       "rss_kib=%.0f vmrss_kib=%.0f hwm_kib=%.0f\n",
		       'A' + i, w_ms, c1[i] - c0[i], src[i], (c1[i] - c0[i]) * 100.0 / w_ms,
		       proc_kib(roll, "Rss"), proc_kib(path, "VmRSS"), proc_kib(path, "VmHWM"));
	}
	fflush(stdout);
}

/* The step: a child touches bytes of fresh memory and holds it until it is
 * killed, so this process polls the reports while the pages are faulted in
 * (under QEMU TCG 64 MiB takes seconds). When done it sends two doubles on
 * *fd (non-blocking): ms from the fork to the end of the touching, and how
 * far MemAvailable fell across it, MiB. The child's pid, or -1. */
static pid_t toucher(size_t bytes, int *fd)
{
	double t0 = bench_now_ms();
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		double avail0 = proc_kib("/proc/meminfo", "MemAvailable"), out[2];
		char *mem = malloc(bytes);
		if (!mem)
			_exit(1);
		memset(mem, 1, bytes);
		__asm__ volatile("" : : "r"(mem) : "memory"); /* the store is not dead */
		out[0] = bench_now_ms() - t0;
		out[1] = (avail0 - proc_kib("/proc/meminfo", "MemAvailable")) / 1024;
		if (write(p[1], out, sizeof(out)) != (ssize_t)sizeof(out))
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*fd = p[0];
	return pid;
}

/* Step k: did either client miss it (late)? */
static int late_k(double ms[2][MAX_STEPS], int k, double done_ms)
{
	return ms[0][k] > done_ms + LATE_MS || ms[1][k] > done_ms + LATE_MS;
}

int main(int argc, char **argv)
{
	static double ms[2][MAX_STEPS], diff[MAX_STEPS], drop_mib[MAX_STEPS], touch_ms[MAX_STEPS];
	char *srv_argv[] = {MMSERVER_DOUBLE, "-q",   "-d", "/tmp/bench_reaction_logs",
	                    "--policy",      "none", NULL};
	int late[2] = {0, 0}, steps, npair = 0, idle_s = 0;
	size_t step_bytes;
	struct mmd *d;
	pid_t srv, cl[2];

	if (argc == 6)
		idle_s = atoi(argv[5]);
	if (argc < 5 || argc > 6 || (steps = atoi(argv[3])) < 1 || steps > MAX_STEPS ||
	    atoi(argv[4]) < 32 || idle_s < 0 || idle_s > 3600) {
		fprintf(stderr,
		        "usage: bench_reaction MMCLIENT_A MMCLIENT_B STEPS(1-%d) "
		        "STEP_MIB(>=32) [IDLE_S(0-3600)]\n",
		        MAX_STEPS);
		return 2;
	}
	step_bytes = (size_t)atoi(argv[4]) << 20;
	if (mmd_start(MMD_DAEMON_PATH, &d))
		return 1;
	for (unsigned id = 1; id <= 2; id++) {
		char path[64];
		if (mmd_domain_create(d, id, id == 1 ? "a" : "b", 1024 * MIB, 2048 * MIB))
			return 1;
		snprintf(path, sizeof(path), "/local/domain/%u/memory/report", id);
		mmd_write_as(d, 0, path, "", 0); /* dom0 grants the node, as mmserver would */
	}
	srv = mmd_spawn(d, 0, srv_argv);
	for (int i = 0; i < 2; i++) {
		char *cargv[] = {argv[1 + i], "--foreground", NULL};
		cl[i] = mmd_spawn(d, (uint32_t)i + 1, cargv);
	}
	bench_nap_ms(2000);
	if (idle_s)
		idle_phase(cl, idle_s);
	for (int k = 0; k < steps; k++) {
		uint64_t before[2];
		uint64_t rise = (uint64_t)(step_bytes >> 10) * 3 / 4;
		double t0, done_ms = -1, got[2];
		int open = 2, fd;
		pid_t tp;

		/* 0 is a failed read, not a use (a lab run had B "see" one step per
		 * table 13-16 ms in, impossible mid-touching; a 0 here would do it) */
		for (int i = 0; i < 2; i++)
			for (int tries = 0;
			     (before[i] = bench_report_used_kib(d, (unsigned)i + 1)) == 0 &&
			     tries < 1000;
			     tries++)
				bench_nap_ms(1);
		t0 = bench_now_ms();
		tp = toucher(step_bytes, &fd);

		if (tp < 0)
			return 1;
		ms[0][k] = ms[1][k] = -1;
		while (open) {
			double t = bench_now_ms() - t0;
			if (done_ms < 0 && read(fd, got, sizeof(got)) == (ssize_t)sizeof(got))
				done_ms = got[0], drop_mib[k] = got[1];
			for (int i = 0; i < 2; i++) {
				if (ms[i][k] >= 0)
					continue;
				if (bench_report_used_kib(d, (unsigned)i + 1) >= before[i] + rise)
					ms[i][k] = t, open--;
				else if (done_ms >= 0 && t > done_ms + LATE_MS)
					ms[i][k] = t, late[i]++, open--;
			}
			bench_nap_ms(1);
		}
		while (done_ms < 0) { /* both reported before the touching ended */
			if (read(fd, got, sizeof(got)) == (ssize_t)sizeof(got))
				done_ms = got[0], drop_mib[k] = got[1];
			else
				bench_nap_ms(1);
		}
		touch_ms[k] = done_ms;
		kill(tp, SIGKILL);
		waitpid(tp, NULL, 0);
		close(fd);
		if (!late_k(ms, k, done_ms)) /* a pair where both saw it */
			diff[npair++] = ms[1][k] - ms[0][k];
		bench_nap_ms(1500 +
		             (k % 7) * 37); /* the drop is reported; steps fall at varied phases */
	}
	for (int i = 0; i < 2; i++) {
		kill(cl[i], SIGTERM);
		waitpid(cl[i], NULL, 0);
	}
	kill(srv, SIGTERM);
	waitpid(srv, NULL, 0);
	mmd_stop(d);
	row("A", "ms", ms[0], steps, late[0]);
	row("B", "ms", ms[1], steps, late[1]);
	if (npair)
		row("B - A (steps both saw)", "ms", diff, npair, 0);
	row("touching the step took", "ms", touch_ms, steps, 0);
	row("MemAvailable fall across the touching", "MiB", drop_mib, steps, 0);
	return system("rm -rf /tmp/bench_reaction_logs") == 0 ? 0 : 1;
}

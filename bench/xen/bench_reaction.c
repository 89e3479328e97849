/* bench_reaction: how fast two mmclient builds report a workload step, in
 * pairs. Both run at their defaults on this machine's real /proc at the
 * same time (A as domain 1, B as domain 2, writing to the double); this
 * process touches STEP_MIB of fresh memory, and the time from the step to
 * each client's first report that shows 3/4 of it is one sample of each
 * (3/4: at 64 MiB, a report sent part-way through the touching may leave
 * less than the client's 16 MiB report threshold, which then waits for the
 * 1 s heartbeat by design; both builds have that threshold). The two
 * clients see the same step at the same moment, so what other jobs on a
 * shared machine do to /proc/meminfo lands on both alike.
 *   bench_reaction MMCLIENT_A MMCLIENT_B STEPS STEP_MIB
 * Prints one markdown row per client and one for the paired difference
 * over the steps both reported in time (a step another job's freeing hid
 * from both is late for both and says nothing about either). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "double_ctl.h"

#define MIB        UINT64_C(1024)
#define MAX_STEPS  500
#define TIMEOUT_MS 5000.0 /* a step not reported by then counts as this */

static void row(const char *label, double *v, int n, int late)
{
	qsort(v, (size_t)n, sizeof(v[0]), bench_cmp_double);
	printf("| %s | %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %d |\n", label, n, v[0],
	       v[n / 2], v[n * 9 / 10], v[n - 1], late);
}

int main(int argc, char **argv)
{
	static double ms[2][MAX_STEPS], diff[MAX_STEPS];
	char *srv_argv[] = {MMSERVER_DOUBLE, "-q",   "-d", "/tmp/bench_reaction_logs",
	                    "--policy",      "none", NULL};
	int late[2] = {0, 0}, steps, npair = 0;
	size_t step_bytes;
	struct mmd *d;
	pid_t srv, cl[2];

	if (argc != 5 || (steps = atoi(argv[3])) < 1 || steps > MAX_STEPS || atoi(argv[4]) < 32) {
		fprintf(stderr,
		        "usage: bench_reaction MMCLIENT_A MMCLIENT_B STEPS(1-%d) "
		        "STEP_MIB(>=32)\n",
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
	for (int k = 0; k < steps; k++) {
		uint64_t before[2] = {bench_report_used_kib(d, 1), bench_report_used_kib(d, 2)};
		uint64_t rise = (uint64_t)(step_bytes >> 10) * 3 / 4;
		char *mem = malloc(step_bytes);
		double t0;
		int open = 2;

		if (!mem)
			return 1;
		ms[0][k] = ms[1][k] = -1;
		t0 = bench_now_ms();
		memset(mem, 1, step_bytes);
		__asm__ volatile("" : : "r"(mem) : "memory"); /* the store is not dead */
		while (open) {
			double t = bench_now_ms() - t0;
			for (int i = 0; i < 2; i++) {
				if (ms[i][k] >= 0)
					continue;
				if (bench_report_used_kib(d, (unsigned)i + 1) >= before[i] + rise)
					ms[i][k] = t, open--;
				else if (t > TIMEOUT_MS)
					ms[i][k] = TIMEOUT_MS, late[i]++, open--;
			}
			bench_nap_ms(1);
		}
		if (ms[0][k] < TIMEOUT_MS && ms[1][k] < TIMEOUT_MS) /* a pair where both saw it */
			diff[npair++] = ms[1][k] - ms[0][k];
		free(mem);
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
	row("A", ms[0], steps, late[0]);
	row("B", ms[1], steps, late[1]);
	if (npair)
		row("B - A (steps both saw)", diff, npair, 0);
	return system("rm -rf /tmp/bench_reaction_logs") == 0 ? 0 : 1;
}

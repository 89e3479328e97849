/* bench_xen: measures the Xen path through the double and prints one
 * markdown table row per measurement.
 *   bench_xen client SECONDS   mmclient CPU per report, CPU share, RSS
 *   bench_xen server N SECONDS mmserver round cost with N guests
 * CPU comes from /proc/<pid>/stat (utime+stime, clock ticks), RSS from
 * /proc/<pid>/status, round cost from mmserver's own rounds.tsv. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "double_ctl.h"

#define MIB 1024u

/* Time on CPU in seconds, ns resolution (/proc/<pid>/schedstat field 1). */
static double sched_cpu_s(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	if (f)
		fclose(f);
	return (double)ns / 1e9;
}

static long status_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	size_t kl = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':')
			v = strtol(line + kl + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static void stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static unsigned long report_seq(struct mmd *d)
{
	char buf[600], *p;

	if (mmd_read_as(d, 0, "/local/domain/1/memory/report", buf, sizeof(buf)))
		return 0;
	p = strstr(buf, " seq=");
	return p ? strtoul(p + 5, NULL, 10) : 0;
}

/* CPU of a whole child lifetime, in seconds, exact from wait4's rusage. */
static double stop_cpu_s(pid_t pid)
{
	struct rusage ru;
	int status;

	kill(pid, SIGTERM);
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* One client as domain 1 on this machine's real /proc. CPU is measured
 * over a steady window that starts 1 s after exec (start-up excluded),
 * and over the whole life (start-up included, from wait4). */
static void client_run(struct mmd *d, const char *interval, const char *check, int secs,
                       const char *label)
{
	char iv[16], ck[16];
	char *argv[] = {MMCLIENT_DOUBLE, "--foreground", "--interval", iv, "--check", ck, NULL};
	unsigned long r0, r1;
	long rss, anon;
	double c0, c1, life;
	pid_t pid;

	snprintf(iv, sizeof(iv), "%s", interval);
	snprintf(ck, sizeof(ck), "%s", check);
	pid = mmd_spawn(d, 1, argv);
	bench_nap_ms(1000);
	r0 = report_seq(d);
	c0 = sched_cpu_s(pid);
	bench_nap_ms(secs * 1000L);
	r1 = report_seq(d);
	c1 = sched_cpu_s(pid);
	rss = status_kib(pid, "VmRSS");
	anon = status_kib(pid, "RssAnon");
	life = stop_cpu_s(pid);
	printf("| mmclient %s | %d s | %lu | %.0f µs | %.4f %% | %.1f ms | %ld KiB | %ld KiB |\n",
	       label, secs, r1 - r0, r1 > r0 ? (c1 - c0) * 1e6 / (double)(r1 - r0) : 0.0,
	       (c1 - c0) * 100.0 / secs, life * 1000.0, rss, anon);
}

/* The real mmclient (libxenstore) where no xenstore answers: its RSS. */
static void client_real_rss(void)
{
	char *argv[] = {MMCLIENT_REAL, "--foreground", NULL};
	pid_t pid;

	if (MMCLIENT_REAL[0] == '\0')
		return;
	pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	bench_nap_ms(1000);
	printf("| mmclient, real libxenstore, no xenstore (retrying) | 1 s | - | - | - | - | %ld "
	       "KiB | %ld KiB |\n",
	       status_kib(pid, "VmRSS"), status_kib(pid, "RssAnon"));
	stop_cpu_s(pid);
}

static int bench_client(int secs)
{
	struct mmd *d;

	if (mmd_start(MMD_DAEMON_PATH, &d) || mmd_domain_create(d, 1, "g1", 1024 * MIB, 2048 * MIB))
		return 1;
	/* dom0 grants the node, as mmserver would */
	mmd_write_as(d, 0, "/local/domain/1/memory/report", "", 0);
	{
		char *argv[] = {MMSERVER_DOUBLE, "-q",   "-d", "/tmp/bench_xen_client_logs",
		                "--policy",      "none", NULL};
		pid_t srv = mmd_spawn(d, 0, argv);

		bench_nap_ms(500);
		client_run(d, "10", "10", secs, "every 10 ms");
		client_run(d, "1000", "100", secs, "defaults (1000/100 ms)");
		stop(srv);
	}
	mmd_stop(d);
	client_real_rss();
	return system("rm -rf /tmp/bench_xen_client_logs") == 0 ? 0 : 1;
}

/* Rewrites every guest's report as dom0, with demand that moves each tick. */
static void churn(struct mmd *d, unsigned n, unsigned tick)
{
	char path[64], rep[128];

	for (unsigned i = 1; i <= n; i++) {
		unsigned used_mib = 200 + (i * 37 + tick * 101) % 700;
		int len = snprintf(rep, sizeof(rep), "v=1 seq=%u tot=%u free=%u", tick + 1,
		                   1000 * MIB, (1000 - used_mib) * MIB);

		snprintf(path, sizeof(path), "/local/domain/%u/memory/report", i);
		mmd_write_as(d, 0, path, rep, (size_t)len);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Reads rounds.tsv: cost of the rounds that saw all n guests. */
static void round_stats(const char *path, unsigned n, double cpu, const char *label)
{
	static unsigned long long cost[100000];
	unsigned long long c, w, wsum = 0;
	unsigned nn;
	size_t k = 0;
	char line[512];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f) && k < 100000)
		if (sscanf(line, "%*s %u %*s %*s %*s %*s %llu %llu", &nn, &c, &w) == 3 && nn == n)
			cost[k++] = c, wsum += w;
	if (f)
		fclose(f);
	if (k < 4) {
		printf("| %u | too few rounds (%zu) for %s |\n", n, k, label);
		return;
	}
	qsort(cost, k, sizeof(cost[0]), cmp_u64);
	printf("| %u | %zu | %llu µs | %llu µs | %llu µs | %.1f | %.2f ms |\n", n, k, cost[k / 2],
	       cost[k * 9 / 10], cost[k - 1], (double)wsum / (double)k, cpu * 1000.0 / (double)k);
}

static int bench_server(unsigned n, int secs)
{
	char dir[] = "/tmp/bench_xen_XXXXXX", logs[64], path[96], cmd[128];
	char *argv[] = {MMSERVER_DOUBLE, "-q", "--interval", "200", "-d", logs, NULL};
	struct mmd *d;
	pid_t srv;
	double c0;

	if (!mkdtemp(dir) || mmd_start(MMD_DAEMON_PATH, &d))
		return 1;
	mmd_host(d, (512 + (uint64_t)n * 1024 + 1024) * MIB);
	for (unsigned i = 1; i <= n; i++)
		if (mmd_domain_create(d, i, "g", 1024 * MIB, 2048 * MIB))
			return 1;
	snprintf(logs, sizeof(logs), "%s/logs", dir);
	srv = mmd_spawn(d, 0, argv);
	churn(d, n, 0);
	bench_nap_ms(1000); /* start-up: discovery and provisioning of n guests */
	c0 = sched_cpu_s(srv);
	for (int t = 1; t <= secs * 5; t++) {
		churn(d, n, (unsigned)t);
		bench_nap_ms(200);
	}
	snprintf(path, sizeof(path), "%s/rounds.tsv", logs);
	round_stats(path, n, sched_cpu_s(srv) - c0, "round");
	stop(srv);
	mmd_stop(d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}

/* A fingerprint of every guest's target (their sum, each weighted): it
 * changes when any target is written. */
static uint64_t targets_sum(struct mmd *d, unsigned n)
{
	struct mmd_dom g;
	uint64_t sum = 0;

	for (unsigned i = 1; i <= n; i++)
		if (mmd_domain_get(d, i, &g) == 0)
			sum += g.target_kib * i;
	return sum;
}

/* Report -> target written: n guests, --interval 1000 so only the report
 * event can make a round early; every 400 ms guest 1's report flips between
 * 200 MiB and 900 MiB used (its seq advancing), and the time until the
 * first target the round writes (a donor's shrink: grows wait for shrinks
 * to land, by the reserve guard) is one sample. */
static int bench_latency(unsigned n, int samples)
{
	char dir[] = "/tmp/bench_xen_lat_XXXXXX", logs[64], cmd[128], rep[128];
	char *argv[] = {MMSERVER_DOUBLE, "-q", "--interval", "1000", "-d", logs, NULL};
	static double lat[1000];
	struct mmd *d;
	unsigned seq = 1, k = 0;
	pid_t srv;

	if (samples > 1000 || !mkdtemp(dir) || mmd_start(MMD_DAEMON_PATH, &d))
		return 1;
	mmd_host(d, (512 + (uint64_t)n * 1024 + 64) *
	                MIB); /* a share of ~1 GiB: 900 MiB used needs more */
	for (unsigned i = 1; i <= n; i++)
		if (mmd_domain_create(d, i, "g", 1024 * MIB, 2048 * MIB))
			return 1;
	snprintf(logs, sizeof(logs), "%s/logs", dir);
	srv = mmd_spawn(d, 0, argv);
	churn(d, n, 0);
	bench_nap_ms(1500);
	for (int tries = 0; (int)k < samples && tries < 3 * samples; tries++) {
		unsigned used = (seq % 2) ? 900 : 200;
		uint64_t before;
		double t0;
		int len;

		/* the others report too (a new seq, the same use), or they go stale */
		for (unsigned i = 2; i <= n; i++) {
			char path[64];
			len = snprintf(rep, sizeof(rep), "v=1 seq=%u tot=%u free=%u", seq + 1000,
			               1000 * MIB, 700 * MIB);
			snprintf(path, sizeof(path), "/local/domain/%u/memory/report", i);
			mmd_write_as(d, 0, path, rep, (size_t)len);
		}
		bench_nap_ms(200); /* let that round pass */
		before = targets_sum(d, n);
		len = snprintf(rep, sizeof(rep), "v=1 seq=%u tot=%u free=%u", ++seq + 1000,
		               1000 * MIB, (1000 - used) * MIB);
		t0 = bench_now_ms();
		mmd_write_as(d, 0, "/local/domain/1/memory/report", rep, (size_t)len);
		while (bench_now_ms() - t0 < 2000 && targets_sum(d, n) == before)
			usleep(200);
		if (targets_sum(d, n) != before)
			lat[k++] = bench_now_ms() - t0;
		bench_nap_ms(200);
	}
	if (k == 0) {
		printf("| %u | 0 | no target moved |\n", n);
		return 1;
	}
	stop(srv);
	mmd_stop(d);
	qsort(lat, k, sizeof(lat[0]), bench_cmp_double);
	printf("| %u | %u | %.1f ms | %.1f ms | %.1f ms |\n", n, k, lat[k / 2], lat[k * 99 / 100],
	       lat[k - 1]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "latency") == 0)
		return bench_latency((unsigned)atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "client") == 0)
		return bench_client(atoi(argv[2]));
	if (argc == 4 && strcmp(argv[1], "server") == 0)
		return bench_server((unsigned)atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: bench_xen client SECONDS | bench_xen server N SECONDS | "
	                "bench_xen latency N SAMPLES\n");
	return 2;
}

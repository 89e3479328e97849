/* mm_bench_mc: parses options, fills the key space, forks one worker per
 * --procs (each a single-threaded epoll loop) and prints what they measure.
 * The load itself is mc_engine's; the output format is mc_report's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mc_engine.h"
#include "mc_report.h"
#include "mm_tp.h"

enum { EXIT_OK = 0, EXIT_RUN = 1, EXIT_USAGE = 2, EXIT_ERRORS = 3 };

#define NS_PER_MS      UINT64_C(1000000)
#define START_DELAY_NS (100 * NS_PER_MS) /* lets every worker connect before second 0 */
#define DRAIN_NS       (1000 * NS_PER_MS)
#define KILL_GRACE_NS  (5000 * NS_PER_MS) /* a worker this late past the end is killed */

/* Stores every key once, from this process; 0 or EXIT_RUN. */
static int fill(const struct mc_opts *o, const struct mc_addr *addr)
{
	struct mc_opts fo = *o;
	struct mc_engine_result res;
	struct mc_engine_cfg cfg = {.o = &fo,
	                            .addr = addr,
	                            .mode = MC_MODE_FILL,
	                            .nconns = o->conns < 8 ? o->conns : 8,
	                            .seed = o->seed,
	                            .key_from = 0,
	                            .key_step = 1,
	                            .tick_fd = -1,
	                            .ctl_fd = -1,
	                            .drain_ns = DRAIN_NS};
	double secs;

	fo.depth = o->depth > 32 ? o->depth : 32; /* a fill is throughput, not latency */
	cfg.t0_ns = mc_now_ns();
	cfg.end_ns = cfg.t0_ns + (uint64_t)o->fill_timeout_s * 1000 * NS_PER_MS;
	if (mc_engine_run(&cfg, &res, stderr))
		return EXIT_RUN;
	secs = (double)res.elapsed_ns / 1e9;
	printf("fill keys=%llu stored=%llu errors=%llu secs=%.3f ops_s=%.0f\n",
	       (unsigned long long)o->keys, (unsigned long long)res.total.stored,
	       (unsigned long long)(res.total.errors + res.total.failed + res.total.not_stored),
	       secs, secs > 0 ? (double)res.total.stored / secs : 0.0);
	fflush(stdout);
	if (res.total.stored != o->keys) {
		fprintf(stderr, "mm_bench_mc: error=fill stored=%llu of keys=%llu%s\n",
		        (unsigned long long)res.total.stored, (unsigned long long)o->keys,
		        mm_tp_stop ? " (stopped)" : "");
		return EXIT_RUN;
	}
	return EXIT_OK;
}

/* Worker w's share of the connections and of the rate. */
static void worker_cfg(const struct mc_opts *o, const struct mc_addr *addr, uint32_t w, uint64_t t0,
                       struct mc_engine_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->o = o;
	cfg->addr = addr;
	cfg->mode = o->rate_per_s > 0 ? MC_MODE_OPEN : MC_MODE_CLOSED;
	cfg->nconns = o->conns / o->procs + (w < o->conns % o->procs ? 1 : 0);
	cfg->rate_per_s = o->rate_per_s; /* the schedule takes worker w's share */
	cfg->worker = w;
	cfg->nworkers = o->procs;
	cfg->seed = o->seed + UINT64_C(0x9E3779B97F4A7C15) * (w + 1);
	cfg->t0_ns = t0;
	cfg->end_ns = t0 + (uint64_t)o->duration_s * 1000 * NS_PER_MS;
	cfg->drain_ns = DRAIN_NS;
	cfg->ctl_fd = -1;
}

struct workers {
	uint32_t n;
	pid_t pid[MC_PROCS_MAX];
	int fd[MC_PROCS_MAX]; /* read end of each worker's tick pipe, -1 at EOF */
};

static int spawn(struct workers *ws, const struct mc_opts *o, const struct mc_addr *addr,
                 uint64_t t0)
{
	fflush(NULL); /* nothing buffered may be printed twice */
	for (ws->n = 0; ws->n < o->procs; ws->n++) {
		struct mc_engine_cfg cfg;
		struct mc_engine_result res;
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		ws->pid[ws->n] = fork();
		if (ws->pid[ws->n] < 0) {
			close(p[0]);
			close(p[1]);
			return -errno;
		}
		if (ws->pid[ws->n] == 0) {
			close(p[0]);
			worker_cfg(o, addr, ws->n, t0, &cfg);
			cfg.tick_fd = p[1];
			_exit(mc_engine_run(&cfg, &res, stderr) ? EXIT_RUN : EXIT_OK);
		}
		close(p[1]);
		ws->fd[ws->n] = p[0];
	}
	return 0;
}

/* Reads ticks until every worker closed its pipe. Forwards a stop signal
 * once, and kills workers that overrun the run's bound. */
static void collect(struct workers *ws, struct mc_agg *agg, uint64_t deadline_ns)
{
	struct mc_tick *t = malloc(sizeof(*t));
	struct pollfd pfd[MC_PROCS_MAX];
	uint32_t open_n = ws->n;
	bool forwarded = false;

	while (t && open_n) {
		uint64_t now = mc_now_ns();
		if ((mm_tp_stop && !forwarded) || now > deadline_ns) {
			for (uint32_t w = 0; w < ws->n; w++)
				kill(ws->pid[w], now > deadline_ns ? SIGKILL : SIGTERM);
			forwarded = true;
		}
		for (uint32_t w = 0; w < ws->n; w++)
			pfd[w] = (struct pollfd){.fd = ws->fd[w], .events = POLLIN};
		if (poll(pfd, ws->n, 200) <= 0)
			continue;
		for (uint32_t w = 0; w < ws->n; w++) {
			if (ws->fd[w] < 0 || !(pfd[w].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (mc_tick_recv(ws->fd[w], t) == 1) {
				mc_agg_add(agg, t);
				continue;
			}
			close(ws->fd[w]);
			ws->fd[w] = -1;
			open_n--;
		}
	}
	free(t);
}

/* Waits for every worker; true if all exited 0. */
static bool reap(const struct workers *ws)
{
	bool ok = true;

	for (uint32_t w = 0; w < ws->n; w++) {
		int st = 0;
		while (waitpid(ws->pid[w], &st, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(st))
			fprintf(stderr, "mm_bench_mc: error=worker pid=%d signal=%d\n",
			        (int)ws->pid[w], WTERMSIG(st));
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			ok = false;
	}
	return ok;
}

static int run_load(const struct mc_opts *o, const struct mc_addr *addr, unsigned set_index,
                    FILE *record)
{
	struct workers ws = {.n = 0};
	struct mc_agg agg;
	uint64_t t0 = mc_now_ns() + START_DELAY_NS;
	uint64_t deadline =
	    t0 + (uint64_t)o->duration_s * 1000 * NS_PER_MS + DRAIN_NS + KILL_GRACE_NS;
	int rc;
	bool ok;

	if (mc_agg_init(&agg, o, o->procs, set_index, stdout, record))
		return EXIT_RUN;
	rc = spawn(&ws, o, addr, t0);
	if (rc)
		fprintf(stderr, "mm_bench_mc: cannot start workers: %s\n", strerror(-rc));
	collect(&ws, &agg, deadline);
	ok = reap(&ws) && rc == 0;
	mc_agg_flush(&agg);
	mc_agg_summary(&agg, mm_tp_stop != 0);
	rc = !ok ? EXIT_RUN : mc_agg_had_errors(&agg) ? EXIT_ERRORS : EXIT_OK;
	mc_agg_dispose(&agg);
	if (record)
		fflush(record);
	return rc;
}

/* One parameter set: resolve, check the server answers, fill, run. */
static int run_one(const struct mc_opts *o, unsigned set_index, FILE *record)
{
	struct mc_addr addr;
	struct mc_conn probe;
	int rc;

	if (mc_addr_resolve(o->host, o->port, o->allow_remote, &addr, stderr))
		return EXIT_RUN;
	if (mc_conn_init(&probe, 1, 64))
		return EXIT_RUN;
	rc = mc_conn_connect_wait(&probe, &addr, 2000);
	mc_conn_dispose(&probe);
	if (rc) {
		fprintf(stderr, "mm_bench_mc: error=connect addr=%s: %s%s\n", addr.text,
		        strerror(-rc), rc == -ECONNREFUSED ? " (is memcached running there?)" : "");
		return EXIT_RUN;
	}
	if (o->fill && (rc = fill(o, &addr)))
		return rc;
	if (o->duration_s == 0 || mm_tp_stop)
		return EXIT_OK;
	return run_load(o, &addr, set_index, record);
}

/* --auto: every non-empty, non-comment line of the file is a parameter set
 * applied on top of the command line. Returns the worst exit code. */
static int run_auto(const struct mc_opts *base, FILE *record)
{
	FILE *f = fopen(base->auto_file, "r");
	char line[1024];
	unsigned set = 0;
	int worst = EXIT_OK;

	if (!f) {
		fprintf(stderr, "mm_bench_mc: --auto %s: %s\n", base->auto_file, strerror(errno));
		return EXIT_USAGE;
	}
	while (!mm_tp_stop && fgets(line, sizeof(line), f)) {
		struct mc_opts o = *base;
		int rc;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[strspn(line, " \t")] == '\0' || line[strspn(line, " \t")] == '#')
			continue;
		set++;
		if (mc_opts_parse_line(&o, line, stderr) || mc_opts_finish(&o, stderr)) {
			fprintf(stderr, "mm_bench_mc: --auto set %u: bad line: %s\n", set, line);
			worst = EXIT_USAGE;
			break;
		}
		printf("auto set=%u args=\"%s\"\n", set, line);
		rc = run_one(&o, set, record);
		if (rc > worst)
			worst = rc;
	}
	fclose(f);
	return worst;
}

int main(int argc, char **argv)
{
	struct mc_opts o;
	FILE *record = NULL;
	int rc;

	mc_opts_defaults(&o);
	rc = mc_opts_parse(&o, argc, argv, stderr);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	if (!o.auto_file[0] && mc_opts_finish(&o, stderr))
		return EXIT_USAGE;
	mm_tp_signals_install();
	signal(SIGPIPE, SIG_IGN);
	if (o.record[0]) {
		if (!(record = fopen(o.record, "w"))) {
			fprintf(stderr, "mm_bench_mc: --record %s: %s\n", o.record,
			        strerror(errno));
			return EXIT_USAGE;
		}
		mc_record_header(record);
	}
	rc = o.auto_file[0] ? run_auto(&o, record) : run_one(&o, 0, record);
	if (record)
		fclose(record);
	return rc;
}

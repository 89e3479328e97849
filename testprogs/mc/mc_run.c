/* Workers and live control (see mc_run.h). The parent keeps the state the
 * console reports (connections per worker, rate, paused), sends each
 * command to the workers as an mc_ctl_msg, and notes it in the line (and
 * record row) of the second it was applied in. */
#include "mc_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mc_ctl.h"
#include "mc_engine.h"
#include "mm_tp.h"

#define NS_PER_MS      UINT64_C(1000000)
#define START_DELAY_NS (100 * NS_PER_MS) /* lets every worker connect before second 0 */
#define DRAIN_NS       (1000 * NS_PER_MS)
#define KILL_GRACE_NS  (5000 * NS_PER_MS) /* a worker this late past the end is killed */

struct workers {
	uint32_t n;
	pid_t pid[MC_PROCS_MAX];
	int fd[MC_PROCS_MAX];  /* read end of each worker's tick pipe, -1 at EOF */
	int ctl[MC_PROCS_MAX]; /* write end of each worker's control pipe */
	uint32_t conns[MC_PROCS_MAX];
	double rate_per_s;
	bool paused;
	uint64_t t0_ns;
	const struct mc_opts *o;
	struct mc_agg *agg;
};

/* Worker w's share of the connections; the schedule takes its share of the
 * rate itself. */
static void worker_cfg(const struct mc_opts *o, const struct mc_addr *addr, uint32_t w, uint64_t t0,
                       struct mc_engine_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->o = o;
	cfg->addr = addr;
	cfg->mode = o->rate_per_s > 0 ? MC_MODE_OPEN : MC_MODE_CLOSED;
	cfg->nconns = o->conns / o->procs + (w < o->conns % o->procs ? 1 : 0);
	cfg->rate_per_s = o->rate_per_s;
	cfg->worker = w;
	cfg->nworkers = o->procs;
	cfg->seed = o->seed + UINT64_C(0x9E3779B97F4A7C15) * (w + 1);
	cfg->t0_ns = t0;
	cfg->end_ns = t0 + (uint64_t)o->duration_s * 1000 * NS_PER_MS;
	cfg->drain_ns = DRAIN_NS;
}

static int spawn(struct workers *ws, const struct mc_opts *o, const struct mc_addr *addr)
{
	fflush(NULL); /* nothing buffered may be printed twice */
	for (ws->n = 0; ws->n < o->procs; ws->n++) {
		struct mc_engine_cfg cfg;
		struct mc_engine_result res;
		int p[2], c[2];
		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		if (pipe2(c, O_CLOEXEC) < 0) {
			close(p[0]);
			close(p[1]);
			return -errno;
		}
		worker_cfg(o, addr, ws->n, ws->t0_ns, &cfg);
		ws->conns[ws->n] = cfg.nconns;
		ws->pid[ws->n] = fork();
		if (ws->pid[ws->n] < 0) {
			close(p[0]);
			close(p[1]);
			close(c[0]);
			close(c[1]);
			return -errno;
		}
		if (ws->pid[ws->n] == 0) {
			/* a parent killed outright takes its workers along */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			close(p[0]);
			close(c[1]);
			fcntl(c[0], F_SETFL, O_NONBLOCK);
			cfg.tick_fd = p[1];
			cfg.ctl_fd = c[0];
			_exit(mc_engine_run(&cfg, &res, stderr) ? MC_EXIT_RUN : MC_EXIT_OK);
		}
		close(p[1]);
		close(c[0]);
		ws->fd[ws->n] = p[0];
		ws->ctl[ws->n] = c[1];
	}
	return 0;
}

static void send_ctl(struct workers *ws, uint32_t w, enum mc_ctl_op op, uint32_t n)
{
	struct mc_ctl_msg m = {.op = op, .n = n, .rate_per_s = ws->rate_per_s};

	if (write(ws->ctl[w], &m, sizeof(m)) != (ssize_t)sizeof(m))
		fprintf(stderr, "mm_bench_mc: error=control worker=%u: %s\n", w, strerror(errno));
}

static uint32_t total_conns(const struct workers *ws)
{
	uint32_t n = 0;

	for (uint32_t w = 0; w < ws->n; w++)
		n += ws->conns[w];
	return n;
}

/* add/remove n connections, one at a time to the worker with the fewest
 * (add) or the most (remove, keeping one per worker); returns how many. */
static uint32_t change_conns(struct workers *ws, bool add, uint32_t n)
{
	uint32_t delta[MC_PROCS_MAX] = {0}, done = 0;

	for (; done < n; done++) {
		uint32_t best = 0;
		for (uint32_t w = 1; w < ws->n; w++)
			if (add ? ws->conns[w] < ws->conns[best] : ws->conns[w] > ws->conns[best])
				best = w;
		if (add ? total_conns(ws) >= MC_CONNS_MAX : ws->conns[best] <= 1)
			break;
		ws->conns[best] += add ? 1u : (uint32_t)-1;
		delta[best]++;
	}
	for (uint32_t w = 0; w < ws->n; w++)
		if (delta[w])
			send_ctl(ws, w, add ? MC_CTL_ADD : MC_CTL_REMOVE, delta[w]);
	return done;
}

static int64_t current_sec(const struct workers *ws)
{
	uint64_t now = mc_now_ns();

	return now > ws->t0_ns ? (int64_t)((now - ws->t0_ns) / 1000000000u) : 0;
}

static void broadcast(struct workers *ws, enum mc_ctl_op op)
{
	for (uint32_t w = 0; w < ws->n; w++)
		send_ctl(ws, w, op, 0);
}

/* Does what one console line says; false with the reason in why. */
static bool apply(struct workers *ws, const struct mc_ctl_msg *m, char *why, size_t len)
{
	switch ((enum mc_ctl_op)m->op) {
	case MC_CTL_ADD:
	case MC_CTL_REMOVE:
		if (change_conns(ws, m->op == MC_CTL_ADD, m->n) < m->n) {
			snprintf(why, len, "%s",
			         m->op == MC_CTL_ADD ? "limit reached (--conns at most 4096)"
			                             : "every worker keeps one connection");
			return false;
		}
		return true;
	case MC_CTL_RATE:
		if (ws->o->rate_per_s <= 0 || m->rate_per_s <= 0) {
			snprintf(why, len, "%s",
			         ws->o->rate_per_s <= 0
			             ? "rate applies to open-loop runs (started with --rate)"
			             : "rate must be above 0 (use pause)");
			return false;
		}
		ws->rate_per_s = m->rate_per_s;
		broadcast(ws, MC_CTL_RATE);
		return true;
	case MC_CTL_PAUSE:
	case MC_CTL_RESUME:
		ws->paused = m->op == MC_CTL_PAUSE;
		broadcast(ws, (enum mc_ctl_op)m->op);
		return true;
	case MC_CTL_STOP: mm_tp_stop = 1; return true;
	default: return true;
	}
}

/* The console's line for our output: bytes from a client that are not
 * printable, or would end the quoted field, become '?'. */
static void printable(char *dst, size_t cap, const char *src)
{
	size_t i = 0;

	for (; src[i] && i + 1 < cap; i++)
		dst[i] =
		    src[i] < ' ' || src[i] > '~' || src[i] == '"' || src[i] == '\\' ? '?' : src[i];
	dst[i] = '\0';
}

/* A console line: parse, apply, answer, and note it in the output. */
static void on_line(void *arg, const char *line, int reply_fd)
{
	struct workers *ws = arg;
	struct mc_ctl_msg m;
	char why[160] = "", reply[768], rate[32], shown[64], why_shown[160];
	int64_t sec = current_sec(ws);
	bool ok = mc_ctl_parse(line, &m, why, sizeof(why)) == 0;

	if (ok && m.op == MC_CTL_NONE)
		return;
	if (ok && m.op == MC_CTL_HELP) {
		mc_console_reply(reply_fd, mc_ctl_help);
		return;
	}
	if (ok)
		ok = apply(ws, &m, why, sizeof(why));
	snprintf(rate, sizeof(rate), ws->rate_per_s > 0 ? "%.0f" : "max", ws->rate_per_s);
	printable(shown, sizeof(shown), line);
	printable(why_shown, sizeof(why_shown), why);
	snprintf(reply, sizeof(reply),
	         "control sec=%lld unix_ms=%lld cmd=\"%s\" result=%s%s%s%s conns=%u "
	         "rate_ops_s=%s paused=%d",
	         (long long)sec, (long long)mc_unix_ms(), shown, ok ? "ok" : "error",
	         ok ? "" : " why=\"", ok ? "" : why_shown, ok ? "" : "\"", total_conns(ws), rate,
	         ws->paused ? 1 : 0);
	if (ok && m.op == MC_CTL_STATUS)
		snprintf(reply + strlen(reply), sizeof(reply) - strlen(reply), " last=\"%s\"",
		         ws->agg->last_line);
	mc_console_reply(reply_fd, reply);
	if (reply_fd != 1) /* stdin's user already sees it on stdout */
		printf("%s\n", reply);
	if (ok && m.op != MC_CTL_STATUS) {
		char ev[80];
		snprintf(ev, sizeof(ev), "%s", mc_ctl_name((enum mc_ctl_op)m.op));
		if (m.op == MC_CTL_ADD || m.op == MC_CTL_REMOVE)
			snprintf(ev + strlen(ev), sizeof(ev) - strlen(ev), " %u", m.n);
		if (m.op == MC_CTL_RATE)
			snprintf(ev + strlen(ev), sizeof(ev) - strlen(ev), " %.0f", m.rate_per_s);
		mc_agg_event(ws->agg, sec, ev);
	}
	fflush(stdout);
}

/* Reads ticks until every worker closed its pipe, serving the console
 * meanwhile. Forwards a stop signal once, and kills workers that overrun
 * the run's bound. */
static void collect(struct workers *ws, struct mc_console *console, uint64_t deadline_ns)
{
	struct mc_tick *t = malloc(sizeof(*t));
	struct pollfd pfd[MC_PROCS_MAX + MC_CONSOLE_FDS];
	uint32_t open_n = ws->n;
	bool forwarded = false;

	while (t && open_n) {
		uint64_t now = mc_now_ns();
		int nk = 0;
		if ((mm_tp_stop && !forwarded) || now > deadline_ns) {
			for (uint32_t w = 0; w < ws->n; w++)
				kill(ws->pid[w], now > deadline_ns ? SIGKILL : SIGTERM);
			forwarded = true;
		}
		for (uint32_t w = 0; w < ws->n; w++)
			pfd[w] = (struct pollfd){.fd = ws->fd[w], .events = POLLIN};
		if (console)
			nk = mc_console_pollfds(console, pfd + ws->n);
		if (poll(pfd, ws->n + (nfds_t)nk, 200) <= 0)
			continue;
		if (console)
			mc_console_handle(console, pfd + ws->n, nk, on_line, ws);
		for (uint32_t w = 0; w < ws->n; w++) {
			if (ws->fd[w] < 0 || !(pfd[w].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (mc_tick_recv(ws->fd[w], t) == 1) {
				mc_agg_add(ws->agg, t);
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
		close(ws->ctl[w]);
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

int mc_run_load(const struct mc_opts *o, const struct mc_addr *addr, unsigned set_index,
                FILE *record, struct mc_console *console, struct mc_result *res)
{
	struct workers ws = {.n = 0, .o = o, .rate_per_s = o->rate_per_s};
	struct mc_agg agg;
	uint64_t deadline;
	int rc;
	bool ok;

	ws.t0_ns = mc_now_ns() + START_DELAY_NS;
	deadline = ws.t0_ns + (uint64_t)o->duration_s * 1000 * NS_PER_MS + DRAIN_NS + KILL_GRACE_NS;
	if (mc_agg_init(&agg, o, o->procs, set_index, stdout, record))
		return MC_EXIT_RUN;
	agg.t0_unix_ms = mc_unix_ms() + (int64_t)((ws.t0_ns - mc_now_ns()) / NS_PER_MS);
	ws.agg = &agg;
	rc = spawn(&ws, o, addr);
	if (rc)
		fprintf(stderr, "mm_bench_mc: cannot start workers: %s\n", strerror(-rc));
	collect(&ws, console, deadline);
	ok = reap(&ws) && rc == 0;
	mc_agg_flush(&agg);
	mc_agg_summary(&agg, mm_tp_stop != 0, res);
	rc = !ok ? MC_EXIT_RUN : mc_agg_had_errors(&agg) ? MC_EXIT_ERRORS : MC_EXIT_OK;
	res->rc = rc;
	mc_agg_dispose(&agg);
	if (record)
		fflush(record);
	return rc;
}

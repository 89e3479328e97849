/* mmserver: startup and shutdown only. Everything that can fail at start
 * exits here with a documented code (mmserver(8)); after that the loop
 * logs and retries. */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mm_backends.h"
#include "mm_config.h"
#include "mm_control.h"
#include "mm_log.h"
#include "mm_loop.h"
#include "mm_options.h"
#ifdef MM_WITH_HTTP
#include "mm_http_load.h"
#include "mm_replay.h"
#endif

static volatile sig_atomic_t stop_flag, reload_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

/* The mask the backends wait with: the signals below are blocked except
 * inside the wait (ppoll), so one that arrives between the loop's flag check
 * and the wait is not left pending for a whole --interval. */
static sigset_t wait_mask;

static void install_signals(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a sleeping loop wakes up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
}

struct app {
	struct mm_options opt;
	struct mm_settings file_set; /* what the config file gave */
	const struct mm_backend_kind *kind;
	struct mm_backend *b;
	struct mm_loop loop;
	struct mm_control control; /* reservations: socket and scenario */
#ifdef MM_WITH_HTTP
	const struct mm_http_module *httpm; /* loaded with --http or --replay only */
	struct mm_http *http;
#endif
};

/* Defaults, then the config file, then the command line. */
static int build_settings(const struct mm_options *o, struct mm_settings *out, char *err,
                          size_t errlen)
{
	const char *path = o->config ? o->config : MM_CONFIG_DEFAULT_PATH;
	struct mm_settings file = o->set;
	unsigned given = 0;
	int rc;

	mm_settings_defaults(&file, o->set.policy);
	rc = mm_config_load(path, o->config != NULL, &file, &given, err, errlen);
	if (rc)
		return rc;
	*out = file;
	mm_settings_overlay(out, &o->set, o->given);
	out->guard_off = o->set.guard_off;
	return 0;
}

static int reload(void *arg, struct mm_settings *out)
{
	struct app *a = arg;
	char err[300];
	int rc = build_settings(&a->opt, out, err, sizeof(err));

	if (rc)
		mm_log(MM_LOG_WARN, "config-invalid", "why=\"%s\"", err);
	return rc;
}

/* The restart marker carries the real time even when a fast simulation's
 * rows carry simulated time. */
static uint64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int open_logs(struct app *a)
{
	char dir[4096];
	int rc;

	if (a->opt.log_dir) {
		snprintf(dir, sizeof(dir), "%s", a->opt.log_dir);
	} else if (mm_logs_default_dir(".", (long)time(NULL), dir, sizeof(dir))) {
		fprintf(stderr, "mmserver: cannot name a log directory here\n");
		return MM_EXIT_RUNTIME;
	}
	rc = mm_logs_open(&a->loop.logs, dir, wall_ms());
	if (rc) {
		fprintf(stderr, "mmserver: log directory %s: %s\n", dir, strerror(-rc));
		return MM_EXIT_RUNTIME;
	}
	mm_log(MM_LOG_INFO, "logging", "dir=%s", dir);
	return 0;
}

#ifdef MM_WITH_HTTP
static void publish(void *arg, const struct mm_round *r)
{
	struct app *a = arg;

	a->httpm->publish(a->http, r);
}

#ifndef MM_BUILD_DIR
#define MM_BUILD_DIR "/nonexistent" /* a build that never runs from its tree */
#endif
#ifndef MM_HTTP_MODULE_BUILD
#error "MM_HTTP_MODULE_BUILD and MM_HTTP_MODULE_INSTALLED name the HTTP module"
#endif

/* Whether this binary runs from its build tree: then the page and the HTTP
 * module are the tree's own, never older installed ones. */
static bool from_build_tree(void)
{
	static const char build[] = MM_BUILD_DIR "/";
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	return n > 0 && (size_t)n >= sizeof(build) - 1 && !strncmp(exe, build, sizeof(build) - 1);
}

/* The HTTP module, loaded on the first need: a daemon without --http never
 * maps libmicrohttpd and the TLS libraries it brings. */
static int load_http(struct app *a)
{
	char err[600];

	a->httpm =
	    mm_http_module_load(from_build_tree() ? MM_HTTP_MODULE_BUILD : MM_HTTP_MODULE_INSTALLED,
	                        MM_VERSION, err, sizeof(err));
	if (!a->httpm) {
		fprintf(stderr, "mmserver: --http: %s\n", err);
		return MM_EXIT_RUNTIME;
	}
	return 0;
}

/* The canvas folder: --canvas; else the source tree's when this binary runs
 * from its build tree (an older installed page must not shadow the one being
 * edited); else the installed one under the data directory; else, when that
 * is missing (never installed), the source tree's. */
static const char *canvas_dir(const struct mm_options *o)
{
	struct stat st;

	if (o->canvas)
		return o->canvas;
	if (from_build_tree())
		return MM_CANVAS_SOURCE;
	if (stat(MM_CANVAS_INSTALLED "/index.html", &st) == 0)
		return MM_CANVAS_INSTALLED;
	return MM_CANVAS_SOURCE;
}

static int start_http(struct app *a)
{
	char err[256];
	bool v6;

	if (!a->opt.http_addr)
		return 0;
	if (load_http(a))
		return MM_EXIT_RUNTIME;
	if (a->httpm->start_history(a->opt.http_addr, a->opt.http_port, canvas_dir(&a->opt),
	                            (size_t)a->opt.history_kib << 10, &a->http, err, sizeof(err))) {
		fprintf(stderr, "mmserver: --http %s:%u: %s\n", a->opt.http_addr,
		        (unsigned)a->opt.http_port, err);
		return MM_EXIT_RUNTIME;
	}
	v6 = strchr(a->opt.http_addr, ':') != NULL;
	mm_log(MM_LOG_INFO, "listening", "url=http://%s%s%s:%u/", v6 ? "[" : "", a->opt.http_addr,
	       v6 ? "]" : "", (unsigned)a->httpm->port(a->http));
	if (strncmp(a->opt.http_addr, "127.", 4) && strcmp(a->opt.http_addr, "::1"))
		mm_log(MM_LOG_WARN, "http-not-loopback",
		       "addr=%s why=\"anyone who reaches this address reads every guest's "
		       "memory state\"",
		       a->opt.http_addr);
	a->loop.on_round = publish;
	a->loop.on_round_arg = a;
	return 0;
}

/* A finished run stays visible: the page gets "finished" and the last state
 * stays served for --linger (SIGINT/SIGTERM end it early). */
static void finish_http(struct app *a, json_t *info)
{
	uint64_t left_ms = a->opt.linger_ms;
	struct timespec tick = {.tv_sec = 0, .tv_nsec = 200 * 1000000L};

	if (!a->http || stop_flag) {
		json_decref(info);
		return;
	}
	a->httpm->finish(a->http, info);
	/* the loop is over: SIGINT/SIGTERM may interrupt these sleeps directly */
	sigprocmask(SIG_SETMASK, &wait_mask, NULL);
	if (a->opt.linger_forever)
		mm_log(MM_LOG_INFO, "finished", "serving=until-signal");
	else
		mm_log(MM_LOG_INFO, "finished", "serving_s=%llu",
		       (unsigned long long)(left_ms / 1000));
	while (!stop_flag && (a->opt.linger_forever || left_ms > 0)) {
		nanosleep(&tick, NULL);
		left_ms -= left_ms < 200 ? left_ms : 200;
	}
}

/* The run ended by itself (a simulation): the page says so, with its summary. */
static void finished(struct app *a)
{
	json_t *sum = NULL;

	if (a->http && !stop_flag)
		sum = a->kind->summary ? a->kind->summary(a->b, a->loop.pol.spec)
		                       : json_pack("{s:s}", "kind", a->kind->name);
	finish_http(a, sum);
}

static int run_replay(struct app *a)
{
	struct mm_replay rp;
	char err[600];
	int rc = mm_replay_load(a->opt.replay, &rp, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "mmserver: --replay %s\n", err);
		return MM_EXIT_RUNTIME;
	}
	mm_log(MM_LOG_INFO, "replay",
	       "dir=%s rounds=%zu domains=%zu skipped_rows=%llu "
	       "unknown_reasons=%llu",
	       a->opt.replay, rp.nrounds, rp.ndoms, (unsigned long long)rp.skipped_rows,
	       (unsigned long long)rp.unknown_reasons);
	sigprocmask(SIG_SETMASK, &wait_mask, NULL); /* no loop here: plain sleeps */
	size_t n = mm_replay_play(&rp, &a->loop.set, a->opt.speed, &stop_flag, publish, a);
	double span_s = (double)(rp.rnd[rp.nrounds - 1].time_ms - rp.rnd[0].time_ms) / 1000.0;
	finish_http(a, json_pack("{s:s, s:s, s:I, s:I, s:f, s:I}", "kind", "replay", "dir",
	                         a->opt.replay, "rounds", (json_int_t)n, "domains",
	                         (json_int_t)rp.ndoms, "duration_s", span_s, "skipped_rows",
	                         (json_int_t)rp.skipped_rows));
	mm_replay_free(&rp);
	return MM_EXIT_OK;
}
#else
static void finished(struct app *a)
{
	(void)a;
}

static int run_replay(struct app *a)
{
	(void)a;
	fprintf(stderr,
	        "mmserver: --replay: this build has no HTTP server (configure with -DSOCK=ON)\n");
	return MM_EXIT_USAGE;
}

static int start_http(struct app *a)
{
	if (!a->opt.http_addr)
		return 0;
	fprintf(stderr,
	        "mmserver: --http: this build has no HTTP server (configure with -DSOCK=ON)\n");
	return MM_EXIT_USAGE;
}
#endif

/* --policy help: the registered policies, one line each. */
static void policy_help(void)
{
	printf("Policies (--policy NAME[:ARGS]):\n");
	for (size_t i = 0; mm_policy_types[i]; i++)
		printf("  %-20s %s\n", mm_policy_types[i]->usage, mm_policy_types[i]->help);
}

/* Whether --summary FILE could be written: its folder must take a file. */
static int summary_unwritable(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (access(dir, W_OK) == 0 && (access(path, F_OK) != 0 || access(path, W_OK) == 0))
		return 0;
	fprintf(stderr, "mmserver: --summary '%s': cannot write there: %s\n", path,
	        strerror(errno));
	return 1;
}

/* The control socket (default on with xen, off with sim) and a scenario's
 * scheduled reservations. */
static int start_control(struct app *a)
{
	const char *path = a->opt.control;
	bool sim = !strcmp(a->kind->name, "sim");
	char err[300] = "";

	if (!path)
		path = sim ? NULL : MM_CTL_DEFAULT_PATH;
	else if (!strcmp(path, "none"))
		path = NULL;
	if (mm_control_start(&a->control, &a->loop, path, a->opt.control_group, sim ? a->b : NULL,
	                     err, sizeof(err))) {
		fprintf(stderr, "mmserver: --control %s: %s (--control none runs without it)\n",
		        path ? path : "", err);
		return MM_EXIT_RUNTIME;
	}
	if (path)
		mm_log(MM_LOG_INFO, "control-listening", "path=%s", path);
	return 0;
}

static int setup(struct app *a)
{
	struct mm_settings s;
	char err[512];
	int rc;

	if (build_settings(&a->opt, &s, err, sizeof(err))) {
		fprintf(stderr, "mmserver: config %s\n", err);
		return MM_EXIT_USAGE;
	}
	if (mm_loop_apply_settings(&a->loop, &s, err, sizeof(err))) {
		fprintf(stderr, "mmserver: %s\n", err);
		return MM_EXIT_USAGE;
	}
	if (a->opt.check_only) {
		printf("mmserver: configuration ok: policy=%s interval_ms=%llu\n", a->loop.pol.spec,
		       (unsigned long long)s.interval_ms);
		return -1;
	}
	if (a->opt.replay)
		return start_http(a);
	if (a->opt.summary && summary_unwritable(a->opt.summary))
		return MM_EXIT_USAGE; /* before a long run, not after it */
	rc = a->kind->open(&a->opt, &s, &a->b);
	if (!rc && mm_loop_apply_settings(&a->loop, &s, err, sizeof(err))) /* scenario hints */
		fprintf(stderr, "mmserver: %s\n", err), rc = MM_EXIT_USAGE;
	rc = rc ? rc : open_logs(a);
	rc = rc ? rc : start_control(a);
	return rc ? rc : start_http(a);
}

int main(int argc, char **argv)
{
	static struct app a;
	int rc = mm_options_parse(argc, argv, &a.opt);

	if (rc)
		return rc;
	if (!strcmp(a.opt.set.policy, "help")) {
		policy_help();
		return MM_EXIT_OK;
	}
	a.kind = mm_backend_kind_find(a.opt.backend);
	if (!a.kind)
		return MM_EXIT_USAGE;
	if (a.opt.help || a.opt.version) {
		if (a.opt.help)
			mm_options_usage(stdout);
		else
			printf("mmserver " MM_VERSION "\n");
		return MM_EXIT_OK;
	}
	mm_log_init("mmserver", a.opt.use_syslog, a.opt.quiet ? MM_LOG_WARN : MM_LOG_INFO);
	install_signals();
	a.loop.stop = &stop_flag;
	a.loop.reload = &reload_flag;
	a.loop.reload_fn = reload;
	a.loop.reload_arg = &a;
	a.loop.verbose = a.opt.verbose;
	a.loop.tty = a.opt.verbose && isatty(STDOUT_FILENO);
	rc = setup(&a);
	if (rc == 0 && a.opt.replay) {
		rc = run_replay(&a);
	} else if (rc == 0) {
		a.loop.b = a.b;
		a.b->wait_sigmask = &wait_mask;
		a.b->scope = &a.loop.set.scope; /* the backend provisions nothing out of scope */
		mm_log(MM_LOG_INFO, "started", "backend=%s policy=%s", a.b->ops->name,
		       a.loop.pol.spec);
		rc = mm_loop_run(&a.loop) ? MM_EXIT_RUNTIME : MM_EXIT_OK;
		mm_log(MM_LOG_INFO, "stopped", "rounds=%llu", (unsigned long long)a.loop.rounds);
		if (a.kind->finish && a.kind->finish(&a.opt, a.b, a.loop.pol.spec))
			rc = MM_EXIT_RUNTIME;
		finished(&a);
	}
#ifdef MM_WITH_HTTP
	if (a.http)
		a.httpm->stop(a.http);
#endif
	mm_control_stop(&a.control);
	mm_loop_dispose(&a.loop);
	if (a.b)
		a.b->ops->destroy(a.b);
	return rc < 0 ? MM_EXIT_OK : rc;
}

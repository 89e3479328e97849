/* mmserver: startup and shutdown only. Everything that can fail at start
 * exits here with a documented code (mmserver(8)); after that the loop
 * logs and retries. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend_sim.h"
#include "mm_config.h"
#include "mm_log.h"
#include "mm_loop.h"
#include "mm_options.h"
#include "mm_summary.h"
#ifdef MM_WITH_XEN
#include "backend_xen.h"
#endif
#ifdef MM_WITH_HTTP
#include "mm_http.h"
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

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a sleeping loop wakes up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct app {
	struct mm_options opt;
	struct mm_settings file_set; /* what the config file gave */
	struct mm_backend *b;
	struct mm_loop loop;
#ifdef MM_WITH_HTTP
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

static int open_backend(struct app *a, struct mm_settings *s)
{
	char err[512];
	int rc;

	if (!strcmp(a->opt.backend, "sim")) {
		struct mm_scenario sc;
		struct mm_sim_opts so = {.fast = a->opt.fast, .duration_ms = a->opt.duration_ms};
		rc = mm_scenario_load(a->opt.scenario, &sc, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "mmserver: scenario %s\n", err);
			return MM_EXIT_USAGE;
		}
		/* scenario hints (pool, f, reserve) fill what the command line left open */
		mm_settings_hints(s, a->opt.given, sc.pool_kib, sc.free_kib, sc.reserve_kib);
		rc = mm_backend_sim_create(&sc, &so, &a->b, err, sizeof(err));
		if (rc) {
			mm_scenario_free(&sc);
			fprintf(stderr, "mmserver: %s\n", err);
			return MM_EXIT_RUNTIME;
		}
		mm_backend_sim_set_free_goal(a->b, s->free_kib);
		return 0;
	}
#ifdef MM_WITH_XEN
	struct mm_xen_opts xo = {.manage_dom0 = a->opt.manage_dom0};
	rc = mm_backend_xen_create(&xo, &a->b, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "mmserver: %s\n", err);
		return MM_EXIT_RUNTIME;
	}
	return 0;
#else
	(void)rc;
	fprintf(stderr, "mmserver: this build has no xen backend (libxenlight/libxenstore were "
	                "not found at build time); use --backend sim --scenario FILE\n");
	return MM_EXIT_RUNTIME;
#endif
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
	rc = mm_logs_open(&a->loop.logs, dir);
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
	mm_http_publish(arg, r);
}

/* The canvas folder: --canvas, else the installed one, else the source tree's. */
static const char *canvas_dir(const struct mm_options *o)
{
	struct stat st;

	if (o->canvas)
		return o->canvas;
	if (stat(MM_CANVAS_INSTALLED "/index.html", &st) == 0)
		return MM_CANVAS_INSTALLED;
	return MM_CANVAS_SOURCE;
}

static int start_http(struct app *a)
{
	char err[256];

	if (!a->opt.http_addr)
		return 0;
	if (mm_http_start(a->opt.http_addr, a->opt.http_port, canvas_dir(&a->opt), &a->http, err,
	                  sizeof(err))) {
		fprintf(stderr, "mmserver: --http %s:%u: %s\n", a->opt.http_addr,
		        (unsigned)a->opt.http_port, err);
		return MM_EXIT_RUNTIME;
	}
	mm_log(MM_LOG_INFO, "listening", "url=http://%s:%u/", a->opt.http_addr,
	       (unsigned)mm_http_port(a->http));
	a->loop.on_round = publish;
	a->loop.on_round_arg = a->http;
	return 0;
}

/* A finished run stays visible: the page gets "finished" and the last state
 * stays served for --linger (SIGINT/SIGTERM end it early). */
static void finish_http(struct app *a, json_t *finished)
{
	uint64_t left_ms = a->opt.linger_ms;
	struct timespec tick = {.tv_sec = 0, .tv_nsec = 200 * 1000000L};

	if (!a->http || stop_flag) {
		json_decref(finished);
		return;
	}
	mm_http_finish(a->http, finished);
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
	size_t n = mm_replay_play(&rp, &a->loop.set, a->opt.speed, &stop_flag, publish, a->http);
	double span_s = (double)(rp.rnd[rp.nrounds - 1].time_ms - rp.rnd[0].time_ms) / 1000.0;
	finish_http(a, json_pack("{s:s, s:s, s:I, s:I, s:f, s:I}", "kind", "replay", "dir",
	                         a->opt.replay, "rounds", (json_int_t)n, "domains",
	                         (json_int_t)rp.ndoms, "duration_s", span_s, "skipped_rows",
	                         (json_int_t)rp.skipped_rows));
	mm_replay_free(&rp);
	return MM_EXIT_OK;
}
#else
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

static void finish_sim(struct app *a)
{
	const struct mm_metrics *m;

	if (strcmp(a->opt.backend, "sim") || !a->b)
		return;
	m = mm_backend_sim_metrics(a->b);
	if (!a->opt.quiet)
		mm_summary_print(stdout, mm_backend_sim_scenario(a->b)->name, a->loop.pol.spec, m);
	if (a->opt.summary &&
	    mm_summary_write_json(a->opt.summary, mm_backend_sim_scenario(a->b)->name,
	                          a->loop.pol.spec, m))
		mm_log(MM_LOG_ERR, "summary-write-failed", "path=%s", a->opt.summary);
#ifdef MM_WITH_HTTP
	json_t *sum = mm_summary_json(mm_backend_sim_scenario(a->b)->name, a->loop.pol.spec, m);
	if (sum)
		json_object_set_new(sum, "kind", json_string("simulation"));
	finish_http(a, sum);
#endif
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
	rc = open_backend(a, &s);
	if (!rc && mm_loop_apply_settings(&a->loop, &s, err, sizeof(err))) /* scenario hints */
		fprintf(stderr, "mmserver: %s\n", err), rc = MM_EXIT_USAGE;
	rc = rc ? rc : open_logs(a);
	return rc ? rc : start_http(a);
}

int main(int argc, char **argv)
{
	static struct app a;
	int rc = mm_options_parse(argc, argv, &a.opt);

	if (rc)
		return rc;
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
		mm_log(MM_LOG_INFO, "started", "backend=%s policy=%s", a.b->ops->name,
		       a.loop.pol.spec);
		rc = mm_loop_run(&a.loop) ? MM_EXIT_RUNTIME : MM_EXIT_OK;
		mm_log(MM_LOG_INFO, "stopped", "rounds=%llu", (unsigned long long)a.loop.rounds);
		finish_sim(&a);
	}
#ifdef MM_WITH_HTTP
	if (a.http)
		mm_http_stop(a.http);
#endif
	mm_loop_dispose(&a.loop);
	if (a.b)
		a.b->ops->destroy(a.b);
	return rc < 0 ? MM_EXIT_OK : rc;
}

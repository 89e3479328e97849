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

#ifndef MM_BUILD_DIR
#define MM_BUILD_DIR "/nonexistent" /* a build that never runs from its tree */
#endif
/* The canvas folder: --canvas; else the source tree's when this binary runs
 * from its build tree (an older installed page must not shadow the one being
 * edited); else the installed one under the data directory; else, when that
 * is missing (never installed), the source tree's. */
static const char *canvas_dir(const struct mm_options *o)
{
	static const char build[] = MM_BUILD_DIR "/";
	char exe[4096];
	struct stat st;
	ssize_t n;

	if (o->canvas)
		return o->canvas;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0 && (size_t)n >= sizeof(build) - 1 && !strncmp(exe, build, sizeof(build) - 1))
		return MM_CANVAS_SOURCE;
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
#else
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
	if (rc == 0) {
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

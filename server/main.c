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

#include "mm_backends.h"
#include "mm_config.h"
#include "mm_control.h"
#include "mm_log.h"
#include "mm_loop.h"
#include "mm_options.h"
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
	const struct mm_backend_kind *kind;
	struct mm_backend *b;
	struct mm_loop loop;
	struct mm_control control; /* reservations: socket and scenario */
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
	if (rc == 0) {
		a.loop.b = a.b;
		mm_log(MM_LOG_INFO, "started", "backend=%s policy=%s", a.b->ops->name,
		       a.loop.pol.spec);
		rc = mm_loop_run(&a.loop) ? MM_EXIT_RUNTIME : MM_EXIT_OK;
		mm_log(MM_LOG_INFO, "stopped", "rounds=%llu", (unsigned long long)a.loop.rounds);
		if (a.kind->finish && a.kind->finish(&a.opt, a.b, a.loop.pol.spec))
			rc = MM_EXIT_RUNTIME;
	}
#ifdef MM_WITH_HTTP
	if (a.http)
		mm_http_stop(a.http);
#endif
	mm_control_stop(&a.control);
	mm_loop_dispose(&a.loop);
	if (a.b)
		a.b->ops->destroy(a.b);
	return rc < 0 ? MM_EXIT_OK : rc;
}

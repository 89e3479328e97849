/* mmserver's command line (SPEC 3.1): the 2013 short flags plus long ones.
 * Parsing only; main() decides what to do with the result. */
#ifndef MM_OPTIONS_H
#define MM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "mm_loop.h"

/* --history bounds, KiB: the default keeps mmserver --http under 8 MiB RSS
 * at 100 domains (bench/footprint); 1 GiB is far past an hour of 10000. */
#define MM_HISTORY_DEFAULT_KIB 384
#define MM_HISTORY_MIN_KIB     64
#define MM_HISTORY_MAX_KIB     (1024 * 1024)

/* Exit codes, documented in mmserver(8). */
enum {
	MM_EXIT_OK = 0,
	MM_EXIT_RUNTIME = 1, /* backend unavailable, log dir unusable, ... */
	MM_EXIT_USAGE = 2,   /* bad flag, bad value, bad config */
};

struct mm_options {
	struct mm_settings set; /* from the command line */
	unsigned given;         /* MM_SET_* the command line gave */
	const char *backend;    /* "xen" or "sim" */
	const char *scenario;
	const char *log_dir; /* NULL: YY-MM-DD_<k> in the current directory */
	const char *config;  /* NULL: the default path, optional */
	const char *summary; /* --summary FILE (sim) */
	const char *canvas;
	const char *http_addr; /* NULL: no HTTP */
	/* --control PATH: the control socket (NULL: the backend's default,
	 * "none": off); --control-group: its group */
	const char *control, *control_group;
	uint16_t http_port;
	uint64_t duration_ms; /* sim: 0 = the scenario's */
	const char *replay;   /* --replay LOGDIR: play a finished run's logs over HTTP */
	double speed;         /* --speed X: replay pace (0 = every round at once) */
	const char *speed_arg;
	uint64_t linger_ms;   /* --linger: HTTP stays up this long after a run ends */
	uint64_t history_kib; /* --history: the page's round history, KiB */
	bool linger_forever;  /* --linger forever: until SIGINT/SIGTERM */
	bool linger_given;
	bool verbose, fast, check_only, manage_dom0, use_syslog, quiet;
	bool help, version;
};

/* Fills o from argv. Returns 0, or MM_EXIT_USAGE after printing one line
 * that names the flag and the value to stderr. */
int mm_options_parse(int argc, char **argv, struct mm_options *o);

void mm_options_usage(FILE *f);

#endif

/* mmclient's command line (see man/mmclient.8.rst). Parsing only: no I/O
 * beyond the messages for --help, --version and bad flags. */
#ifndef MMC_OPTS_H
#define MMC_OPTS_H

#include <stdbool.h>
#include <stdint.h>

/* Exit codes, documented in man/mmclient.8.rst. */
enum {
	MMC_EXIT_OK = 0,
	MMC_EXIT_FAIL = 1,    /* --once: the report could not be written */
	MMC_EXIT_USAGE = 2,   /* bad command line */
	MMC_EXIT_NO_XS = 3,   /* --once: xenstore not reachable */
	MMC_EXIT_NO_PROC = 4, /* meminfo unreadable or unparsable at start */
	MMC_EXIT_DAEMON = 5,  /* could not daemonize or write the pid file */
};

struct mmc_opts {
	uint64_t interval_ms;
	uint64_t check_ms;
	uint64_t threshold_kib;
	const char *proc_root;
	const char *sys_root;
	const char *pidfile; /* NULL: none */
	bool legacy, once, foreground, use_syslog, verbose;
};

/* Fills o from argv. Returns -1 to go on, or an exit code for main to
 * return at once (0 after --help/--version, MMC_EXIT_USAGE on a bad flag). */
int mmc_opts_parse(int argc, char **argv, struct mmc_opts *o);

#endif

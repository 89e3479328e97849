/* Command-line parsing for mmclient; see mmc_opts.h. */
#include "mmc_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mm_parse.h"

#define MMC_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("Usage: mmclient [OPTION]...\n"
	      "Publish this guest's memory state to xenstore (memory/report) for mmserver.\n"
	      "\n"
	      "  -i, --interval MS    report at least every MS milliseconds (default 1000)\n"
	      "  -t, --threshold SIZE report at once when used memory moves more (default 16M)\n"
	      "      --check MS       how often to look at /proc (default 100)\n"
	      "  -l, --legacy         also write the 2013 nodes memory/free and memory/tot\n"
	      "  -1, --once           write one report and exit\n"
	      "  -f, --foreground     do not daemonize; log to stderr unless --syslog\n"
	      "  -s, --syslog         log to syslog even in the foreground\n"
	      "  -p, --pidfile FILE   write the daemon's pid to FILE\n"
	      "      --proc DIR       read DIR/meminfo etc. instead of /proc (tests)\n"
	      "      --sys DIR        read the balloon size under DIR instead of /sys\n"
	      "  -v, --verbose        log every report written\n"
	      "  -h, --help           this text\n"
	      "      --version        print the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 --once write failed, 2 usage, 3 --once and no xenstore,\n"
	      "4 /proc/meminfo unreadable, 5 daemonize or pid file failed. See mmclient(8).\n",
	      f);
}

static int bad(const char *flag, const char *val, const char *why)
{
	fprintf(stderr, "mmclient: %s '%s': %s\n", flag, val, why);
	return MMC_EXIT_USAGE;
}

static int parse_ms(const char *flag, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	int rc = mm_parse_u64(s, hi, out);

	if (rc)
		return bad(flag, s, mm_parse_strerror(rc));
	if (*out < lo)
		return bad(flag, s, "too small");
	return -1;
}

static void set_defaults(struct mmc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_ms = 1000;
	o->check_ms = 100;
	o->threshold_kib = 16 * 1024;
	o->proc_root = "/proc";
	o->sys_root = "/sys";
}

static const struct option longopts[] = {
    {"interval", required_argument, NULL, 'i'}, {"threshold", required_argument, NULL, 't'},
    {"check", required_argument, NULL, 'C'},    {"legacy", no_argument, NULL, 'l'},
    {"once", no_argument, NULL, '1'},           {"foreground", no_argument, NULL, 'f'},
    {"syslog", no_argument, NULL, 's'},         {"pidfile", required_argument, NULL, 'p'},
    {"proc", required_argument, NULL, 'P'},     {"sys", required_argument, NULL, 'S'},
    {"verbose", no_argument, NULL, 'v'},        {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},        {NULL, 0, NULL, 0},
};

/* One option; returns -1 to go on or an exit code. */
static int take(int c, const char *arg, struct mmc_opts *o, bool *syslog_given)
{
	int rc;

	switch (c) {
	case 'i': return parse_ms("--interval", arg, 10, 3600000, &o->interval_ms);
	case 'C': return parse_ms("--check", arg, 10, 60000, &o->check_ms);
	case 't':
		rc = mm_parse_size_kib(arg, &o->threshold_kib);
		return rc ? bad("--threshold", arg, mm_parse_strerror(rc)) : -1;
	case 'l': o->legacy = true; return -1;
	case '1': o->once = true; return -1;
	case 'f': o->foreground = true; return -1;
	case 's': *syslog_given = true; return -1;
	case 'p': o->pidfile = arg; return -1;
	case 'P': o->proc_root = arg; return -1;
	case 'S': o->sys_root = arg; return -1;
	case 'v': o->verbose = true; return -1;
	case 'h': usage(stdout); return MMC_EXIT_OK;
	case 'V': puts("mmclient " MMC_VERSION); return MMC_EXIT_OK;
	default: usage(stderr); return MMC_EXIT_USAGE;
	}
}

int mmc_opts_parse(int argc, char **argv, struct mmc_opts *o)
{
	bool syslog_given = false;
	int c, rc;

	set_defaults(o);
	optind = 0; /* 0: GNU getopt reinitializes fully (tests parse many times) */
	while ((c = getopt_long(argc, argv, "i:t:l1fsp:vh", longopts, NULL)) != -1) {
		rc = take(c, optarg, o, &syslog_given);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return bad("argument", argv[optind], "unexpected");
	if (o->check_ms > o->interval_ms)
		o->check_ms = o->interval_ms;
	/* --once always runs in the foreground: it is a command, not a daemon */
	if (o->once)
		o->foreground = true;
	o->use_syslog = syslog_given || !o->foreground;
	return -1;
}

/* getopt_long over the flags of SPEC 3.1. Every refusal names the flag and
 * the value, and exits 2 through the caller. */
#include "mm_options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_config.h"
#include "mm_guard.h"
#include "mm_parse.h"

#ifndef MM_DEFAULT_POLICY
#define MM_DEFAULT_POLICY "tax"
#endif

enum {
	OPT_POLICY = 256,
	OPT_BACKEND,
	OPT_SCENARIO,
	OPT_INTERVAL,
	OPT_HTTP,
	OPT_VERSION,
	OPT_FAST,
	OPT_DURATION,
	OPT_SUMMARY,
	OPT_RESERVE,
	OPT_FLOOR,
	OPT_DOM0,
	OPT_CANVAS,
	OPT_GUARD_OFF,
	OPT_SYSLOG,
	OPT_MANAGE,
	OPT_INCLUDE,
	OPT_EXCLUDE,
	OPT_STALE,
	OPT_CONTROL,
	OPT_CONTROL_GROUP,
	OPT_REPLAY,
	OPT_SPEED,
	OPT_LINGER,
	OPT_HISTORY,
};

static const struct option longopts[] = {
    {"pool", required_argument, NULL, 'N'},
    {"free", required_argument, NULL, 'f'},
    {"reset", no_argument, NULL, 'r'},
    {"verbose", no_argument, NULL, 'v'},
    {"log-dir", required_argument, NULL, 'd'},
    {"config", required_argument, NULL, 'c'},
    {"check-config", no_argument, NULL, 'n'},
    {"help", no_argument, NULL, 'h'},
    {"quiet", no_argument, NULL, 'q'},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"backend", required_argument, NULL, OPT_BACKEND},
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"http", optional_argument, NULL, OPT_HTTP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"fast", no_argument, NULL, OPT_FAST},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"reserve", required_argument, NULL, OPT_RESERVE},
    {"floor", required_argument, NULL, OPT_FLOOR},
    {"manage-dom0", no_argument, NULL, OPT_DOM0},
    {"canvas", required_argument, NULL, OPT_CANVAS},
    {"sim-disable-guard", required_argument, NULL, OPT_GUARD_OFF},
    {"syslog", no_argument, NULL, OPT_SYSLOG},
    {"manage", required_argument, NULL, OPT_MANAGE},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"stale-intervals", required_argument, NULL, OPT_STALE},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"control-group", required_argument, NULL, OPT_CONTROL_GROUP},
    {"replay", required_argument, NULL, OPT_REPLAY},
    {"speed", required_argument, NULL, OPT_SPEED},
    {"linger", required_argument, NULL, OPT_LINGER},
    {"history", required_argument, NULL, OPT_HISTORY},
    {NULL, 0, NULL, 0},
};

void mm_options_usage(FILE *f)
{
	fputs("Usage: mmserver [OPTION]...\n"
	      "Balance memory between Xen guests through their balloon drivers.\n\n"
	      "  -N, --pool SIZE        memory shared by the managed guests (default auto:\n"
	      "                         their allocations + Xen free - reserve)\n"
	      "  -f, --free SIZE        free memory each guest should keep (default 150M)\n"
	      "  -r, --reset            equal split (tax rate 0)\n"
	      "      --policy NAME[:ARGS]  balancing policy (default tax, AUTO); --policy help\n"
	      "                         lists every policy and its arguments\n"
	      "      --reserve SIZE     Xen free memory never handed out (default 64M)\n"
	      "      --floor SIZE       no target below this (default 200M; per domain in config)\n"
	      "      --interval MS      balancing period without report events (default 1000)\n"
	      "  -d, --log-dir DIR      data logs (default YY-MM-DD_<k> here)\n"
	      "  -v, --verbose          table of every round on stdout\n"
	      "  -q, --quiet            only warnings and errors on stderr\n"
	      "      --syslog           diagnostics to syslog instead of stderr\n"
	      "  -c, --config FILE      config file (default " MM_CONFIG_DEFAULT_PATH ")\n"
	      "  -n, --check-config     check the configuration and exit\n"
	      "      --http[=[ADDR:]PORT]  serve JSON and the canvas (default 127.0.0.1:9091)\n"
	      "      --canvas DIR       folder of the canvas page\n"
	      "      --history SIZE     memory for the page's round history (default 384K:\n"
	      "                         about 145 rounds at 100 domains; 64K to 1G)\n"
	      "      --backend xen|sim  default xen\n"
	      "      --manage-dom0      balance dom0 too (xen)\n"
	      "      --manage MODE      which domains are ours: reporting (default: those\n"
	      "                         that have reported), all, or list (--include only)\n"
	      "      --include GLOB     manage only names matching (repeatable)\n"
	      "      --exclude GLOB     never touch names matching (repeatable; wins)\n"
	      "      --stale-intervals N  no new report for N intervals: held (default 10)\n"
	      "      --control PATH     control socket for mmctl(8) reservations (default\n"
	      "                         /run/xenmm/mmserver.sock with xen, off with sim;\n"
	      "                         none: off)\n"
	      "      --control-group GROUP  group allowed to use it (mode 0660)\n"
	      "      --scenario FILE    simulator scenario (JSON; sim)\n"
	      "      --fast             run the simulation as fast as possible (sim)\n"
	      "      --duration S       simulated seconds (sim; default the scenario's)\n"
	      "      --summary FILE     write the run's metrics as JSON (sim)\n"
	      "      --replay LOGDIR    play a finished run's logs (-d) into the canvas\n"
	      "                         (needs --http; the last run in LOGDIR)\n"
	      "      --speed X          replay pace: X times the recorded one (default 0:\n"
	      "                         every round at once; the page's slider plays them)\n"
	      "      --linger S|forever after a simulation or replay ends, keep serving the\n"
	      "                         last state over HTTP S seconds (default 2; replay:\n"
	      "                         forever, until SIGINT/SIGTERM)\n"
	      "      --sim-disable-guard NAME  turn a guard off to watch it matter (sim only):\n"
	      "                         maxmem, floor, pool, reserve, deadband, hold\n"
	      "  -h, --help             this text\n"
	      "      --version          version\n\n"
	      "SIZE: a number with K, M, G or T (binary); a bare number is KiB and must be\n"
	      ">= 1024. Exit status: 0 ok, 1 runtime failure, 2 usage or config error.\n",
	      f);
}

static int refuse(const char *flag, const char *value, const char *why)
{
	fprintf(stderr, "mmserver: %s '%s': %s\n", flag, value ? value : "", why);
	return MM_EXIT_USAGE;
}

static int size_opt(const char *flag, const char *v, uint64_t *out)
{
	int rc = mm_parse_size_kib(v, out);
	return rc ? refuse(flag, v, mm_parse_strerror(rc)) : 0;
}

/* "[ADDR:]PORT"; no value means 127.0.0.1:9091. ADDR is numeric (no DNS
 * in a daemon's startup): IPv4, IPv6 in brackets ("[::1]:9091"), or
 * "localhost", which means 127.0.0.1. */
static int http_opt(const char *v, struct mm_options *o)
{
	static char addr[64];
	const char *colon = v ? strrchr(v, ':') : NULL, *port = colon ? colon + 1 : v;
	const char *a = v;
	size_t alen = colon ? (size_t)(colon - v) : 0;
	uint64_t p;

	o->http_addr = "127.0.0.1";
	o->http_port = 9091;
	if (!v)
		return 0;
	if (colon) {
		if (alen >= 2 && v[0] == '[' && v[alen - 1] == ']')
			a = v + 1, alen -= 2; /* [IPv6]:PORT */
		else if (memchr(v, ':', alen))
			return refuse("--http", v, "write an IPv6 address in brackets: [::1]:PORT");
		if (alen >= sizeof(addr) || alen == 0)
			return refuse("--http", v, "expected [ADDR:]PORT");
		memcpy(addr, a, alen);
		addr[alen] = '\0';
		o->http_addr = strcmp(addr, "localhost") ? addr : "127.0.0.1";
	}
	if (mm_parse_u64(port, 65535, &p))
		return refuse("--http", v, "port must be 0 to 65535");
	o->http_port = (uint16_t)p;
	return 0;
}

/* A pace factor: 0 (as fast as possible) or 0.01 to 10000, nothing after. */
static int speed_opt(const char *v, struct mm_options *o)
{
	char *end = NULL;
	double x = strtod(v, &end);

	if (end == v || *end || !(x == 0 || (x >= 0.01 && x <= 10000)))
		return refuse("--speed", v, "must be 0 or 0.01 to 10000");
	o->speed = x;
	o->speed_arg = v;
	return 0;
}

static int one(int c, const char *arg, struct mm_options *o)
{
	uint64_t x;
	int g;

	switch (c) {
	case 'N':
		if (!strcmp(arg, "auto"))
			return o->set.pool_kib = 0, o->given |= MM_SET_POOL, 0;
		return o->given |= MM_SET_POOL, size_opt("-N/--pool", arg, &o->set.pool_kib);
	case 'f': return o->given |= MM_SET_FREE, size_opt("-f/--free", arg, &o->set.free_kib);
	case OPT_RESERVE:
		return o->given |= MM_SET_RESERVE, size_opt("--reserve", arg, &o->set.reserve_kib);
	case OPT_FLOOR:
		return o->given |= MM_SET_FLOOR, size_opt("--floor", arg, &o->set.floor_kib);
	case 'r':
		snprintf(o->set.policy, sizeof(o->set.policy), "tax:0");
		o->given |= MM_SET_POLICY;
		return 0;
	case OPT_POLICY:
		if (strlen(arg) >= sizeof(o->set.policy))
			return refuse("--policy", arg, "too long");
		snprintf(o->set.policy, sizeof(o->set.policy), "%s", arg);
		o->given |= MM_SET_POLICY;
		return 0;
	case OPT_INTERVAL:
		if (mm_parse_u64(arg, 3600000, &x) || x < 10)
			return refuse("--interval", arg, "must be 10 to 3600000 (ms)");
		return o->set.interval_ms = x, o->given |= MM_SET_INTERVAL, 0;
	case OPT_DURATION:
		if (mm_parse_u64(arg, 100000000, &x) || x == 0)
			return refuse("--duration", arg, "must be 1 to 100000000 (s)");
		return o->duration_ms = x * 1000, 0;
	case OPT_BACKEND: return o->backend = arg, 0; /* main checks it against the table */
	case OPT_GUARD_OFF:
		g = mm_guard_from_name(arg);
		if (g < 0)
			return refuse("--sim-disable-guard", arg,
			              "must be maxmem, floor, pool, reserve, deadband or hold");
		return o->set.guard_off |= (unsigned)g, 0;
	case OPT_HTTP: return http_opt(arg, o);
	case OPT_MANAGE:
	case OPT_INCLUDE:
	case OPT_EXCLUDE:
	case OPT_STALE: {
		static const char *const keys[] = {"manage", "include", "exclude",
		                                   "stale_intervals"};
		static const char *const flags[] = {"--manage", "--include", "--exclude",
		                                    "--stale-intervals"};
		const char *why =
		    mm_config_apply_scope(&o->set, &o->given, keys[c - OPT_MANAGE], arg);
		return why ? refuse(flags[c - OPT_MANAGE], arg, why) : 0;
	}
	case OPT_REPLAY: return o->replay = arg, 0;
	case OPT_SPEED: return speed_opt(arg, o);
	case OPT_LINGER:
		if (!strcmp(arg, "forever"))
			return o->linger_forever = true, o->linger_given = true, 0;
		if (mm_parse_u64(arg, 100000000, &x))
			return refuse("--linger", arg, "must be 0 to 100000000 (s) or forever");
		return o->linger_ms = x * 1000, o->linger_forever = false, o->linger_given = true,
		       0;
	case 'd': return o->log_dir = arg, 0;
	case 'c': return o->config = arg, 0;
	case OPT_HISTORY:
		if ((g = size_opt("--history", arg, &x)) != 0)
			return g;
		if (x < MM_HISTORY_MIN_KIB || x > MM_HISTORY_MAX_KIB)
			return refuse("--history", arg, "must be 64K to 1G");
		return o->history_kib = x, 0;
	case OPT_SCENARIO: return o->scenario = arg, 0;
	case OPT_SUMMARY: return o->summary = arg, 0;
	case OPT_CANVAS: return o->canvas = arg, 0;
	case OPT_CONTROL:
		if (strcmp(arg, "none") && arg[0] != '/')
			return refuse("--control", arg, "must be an absolute path or none");
		return o->control = arg, 0;
	case OPT_CONTROL_GROUP: return o->control_group = arg, 0;
	case 'v': return o->verbose = true, 0;
	case 'q': return o->quiet = true, 0;
	case 'n': return o->check_only = true, 0;
	case 'h': return o->help = true, 0;
	case OPT_VERSION: return o->version = true, 0;
	case OPT_FAST: return o->fast = true, 0;
	case OPT_DOM0: return o->manage_dom0 = true, 0;
	case OPT_SYSLOG: return o->use_syslog = true, 0;
	default: return MM_EXIT_USAGE; /* getopt printed why */
	}
}

int mm_options_parse(int argc, char **argv, struct mm_options *o)
{
	int c, rc;

	memset(o, 0, sizeof(*o));
	mm_settings_defaults(&o->set, MM_DEFAULT_POLICY);
	o->backend = "xen";
	o->linger_ms = 2000; /* open pages get the "finished" event */
	o->history_kib = MM_HISTORY_DEFAULT_KIB;
	opterr = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "N:f:rvd:c:nhq", longopts, NULL)) != -1) {
		const char *arg = optarg;
		/* "--http 127.0.0.1:0" as SPEC 3.1 writes it: getopt only sees an
		 * optional value after '=', so take a following non-option word. */
		if (c == OPT_HTTP && !arg && optind < argc && argv[optind][0] != '-')
			arg = argv[optind++];
		rc = one(c, arg, o);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return refuse("argument", argv[optind], "unexpected (options only)");
	if (!strcmp(o->backend, "sim") && !o->scenario && !o->help && !o->version &&
	    strcmp(o->set.policy, "help"))
		return refuse("--backend", "sim", "needs --scenario FILE");
	if (o->replay && !o->http_addr && !o->help && !o->version && !o->check_only)
		return refuse("--replay", o->replay,
		              "needs --http (it plays the logs into the page)");
	if (o->replay && !o->linger_given)
		o->linger_forever = true;
	if (!o->replay && o->speed > 0)
		return refuse("--speed", o->speed_arg, "only with --replay");
	if (strcmp(o->backend, "sim") && (o->scenario || o->fast || o->set.guard_off))
		return refuse("--scenario/--fast/--sim-disable-guard", o->backend,
		              "only with --backend sim");
	return 0;
}

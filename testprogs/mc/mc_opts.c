/* mm_bench_mc option parsing (see mc_opts.h). Numbers go through the
 * strict parsers of common/mm_parse.h; the key space size parses exactly
 * like every xenmm size (mm_parse_size_kib). */
#include "mc_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mc_mix.h"
#include "mm_parse.h"

enum {
	OPT_ALLOW_REMOTE = 256,
	OPT_PROTOCOL,
	OPT_SCHEDULE,
	OPT_WARMUP,
	OPT_COOLDOWN,
	OPT_KEYSPACE,
	OPT_KEY_SIZE,
	OPT_HOT,
	OPT_ZIPF,
	OPT_FILL,
	OPT_NO_FILL,
	OPT_FILL_TIMEOUT,
	OPT_SEED,
	OPT_LATE,
	OPT_BATCH,
	OPT_REFILL,
	OPT_COALESCE,
	OPT_DELAY,
	OPT_RECORD,
	OPT_AUTO,
	OPT_CONTROL,
};

static const struct option long_opts[] = {
    {"server", required_argument, NULL, 's'},
    {"allow-remote", no_argument, NULL, OPT_ALLOW_REMOTE},
    {"conns", required_argument, NULL, 'c'},
    {"procs", required_argument, NULL, 'P'},
    {"depth", required_argument, NULL, 'd'},
    {"protocol", required_argument, NULL, OPT_PROTOCOL},
    {"rate", required_argument, NULL, 'r'},
    {"schedule", required_argument, NULL, OPT_SCHEDULE},
    {"duration", required_argument, NULL, 't'},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"cooldown", required_argument, NULL, OPT_COOLDOWN},
    {"get-ratio", required_argument, NULL, 'g'},
    {"keys", required_argument, NULL, 'k'},
    {"keyspace", required_argument, NULL, OPT_KEYSPACE},
    {"key-size", required_argument, NULL, OPT_KEY_SIZE},
    {"value-size", required_argument, NULL, 'v'},
    {"hot", required_argument, NULL, OPT_HOT},
    {"zipf", required_argument, NULL, OPT_ZIPF},
    {"fill", no_argument, NULL, OPT_FILL},
    {"no-fill", no_argument, NULL, OPT_NO_FILL},
    {"fill-timeout", required_argument, NULL, OPT_FILL_TIMEOUT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"late-us", required_argument, NULL, OPT_LATE},
    {"batch-us", required_argument, NULL, OPT_BATCH},
    {"refill", required_argument, NULL, OPT_REFILL},
    {"coalesce-us", required_argument, NULL, OPT_COALESCE},
    {"delay-us", required_argument, NULL, OPT_DELAY},
    {"quiet", no_argument, NULL, 'q'},
    {"record", required_argument, NULL, OPT_RECORD},
    {"auto", required_argument, NULL, OPT_AUTO},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void mc_opts_usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: mm_bench_mc [OPTIONS]\n"
	    "       mm_bench_mc monitor [HOST[:PORT]] [OPTIONS]   (see monitor --help)\n"
	    "memcached load generator: fill a key space, then run closed-loop (max rate)\n"
	    "or open-loop (--rate) from a schedule fixed before the run; latency counts\n"
	    "from when each request was due. Loopback servers only unless --allow-remote.\n\n"
	    "Target and load:\n"
	    "  -s, --server HOST[:PORT]  memcached address (default 127.0.0.1:11211)\n"
	    "      --allow-remote        allow a non-loopback server\n"
	    "  -c, --conns N             connections in total (default 4)\n"
	    "  -P, --procs N             worker processes, one thread each (default 1)\n"
	    "  -d, --depth N             requests in flight per connection, a hard bound\n"
	    "                            (default 1)\n"
	    "      --refill N            closed loop: top a connection up once N replies are\n"
	    "                            back, N requests per write (default 1)\n"
	    "      --protocol text|meta  get/set or mg/ms (default text)\n"
	    "  -r, --rate OPS            open loop at OPS requests/s; 0 = closed loop (default)\n"
	    "      --schedule poisson|fixed  open-loop arrivals, a fixed count each second\n"
	    "                            (default poisson)\n"
	    "      --batch-us US|auto    open loop: send on a US grid, arrivals due together\n"
	    "                            sharing a connection up to --depth; the wait counts\n"
	    "                            in their latency (default auto: 16 arrivals' mean\n"
	    "                            gap, 10..750 us, none under 2667/s a worker; 0:\n"
	    "                            each at its own time)\n"
	    "      --coalesce-us US      replies may wait up to US in the socket, timed by the\n"
	    "                            kernel's receive stamp, so one wakeup reads many\n"
	    "                            (closed loop: less when few are in flight; default\n"
	    "                            500; 0: wake on every reply)\n"
	    "Time (seconds; every run is bounded, at most %d s):\n"
	    "  -t, --duration S          run length including warm-up and cool-down (default 10);\n"
	    "                            0 = fill only\n"
	    "      --warmup S            not measured at the start (default 1)\n"
	    "      --cooldown S          not measured at the end (default 1)\n"
	    "Data:\n"
	    "  -g, --get-ratio F         share of gets, 0..1 (default 0.9)\n"
	    "  -k, --keys N              key space in keys (default 10000)\n"
	    "      --keyspace SIZE       key space by value bytes, e.g. 512M (sets --keys)\n"
	    "      --key-size N          key length in bytes (default 16)\n"
	    "  -v, --value-size N|MIN-MAX|N:W,N:W,...  value bytes: fixed, uniform, or a\n"
	    "                            weighted list (e.g. 100:0.7,1000:0.2,10000:0.1)\n"
	    "                            (default 100)\n"
	    "      --hot FRAC:PROB       PROB of requests go to the first FRAC of the keys\n"
	    "      --zipf S              Zipf key popularity, exponent S (e.g. 0.99); key 0\n"
	    "                            is the most popular\n"
	    "      --fill / --no-fill    store every key before the run (default on)\n"
	    "      --fill-timeout S      give up filling after S (default 120)\n"
	    "      --seed N              schedule and mix seed (default 1)\n"
	    "Output:\n"
	    "      --late-us US          a send this late after its due time (or its grid\n"
	    "                            point with --batch-us) counts as late\n"
	    "                            (default 1000)\n"
	    "      --delay-us US         a reply this late after due counts as delayed\n"
	    "                            (default 10000)\n"
	    "  -q, --quiet               no per-second lines, summary only\n"
	    "      --record FILE         per-second rows as TSV (with unix_ms, events)\n"
	    "      --auto FILE           run each line of FILE (options) in turn; the file is\n"
	    "                            checked whole first; a table of all sets at the end\n"
	    "      --control stdin|PORT  live control from stdin or 127.0.0.1:PORT (0: any):\n"
	    "                            add N, remove N, rate OPS, pause, resume, stop, status\n"
	    "  -h, --help                this text\n"
	    "Exit: 0 ok, 1 cannot connect or run, 2 usage error, 3 run saw errors.\n",
	    MC_DURATION_MAX_S);
}

void mc_opts_defaults(struct mc_opts *o)
{
	memset(o, 0, sizeof(*o));
	strcpy(o->host, "127.0.0.1");
	strcpy(o->port, "11211");
	o->conns = 4;
	o->procs = 1;
	o->depth = 1;
	o->duration_s = 10;
	o->warmup_s = 1;
	o->cooldown_s = 1;
	o->get_ratio = 0.9;
	o->keys = 10000;
	o->value_min = o->value_max = 100;
	o->fill = true;
	o->fill_timeout_s = 120;
	o->seed = 1;
	o->late_us = 1000;
	o->coalesce_us = 500;
	o->batch_auto = true;
	o->delay_us = 10000;
}

static int bad(FILE *err, const char *opt, const char *arg, const char *why)
{
	fprintf(err, "mm_bench_mc: %s '%s': %s\n", opt, arg, why);
	return -EINVAL;
}

static int num(FILE *err, const char *opt, const char *arg, uint64_t min, uint64_t max,
               uint64_t *out)
{
	int rc = mm_parse_u64(arg, max, out);

	if (rc)
		return bad(err, opt, arg, mm_parse_strerror(rc));
	if (*out < min)
		return bad(err, opt, arg, "too small");
	return 0;
}

static int num32(FILE *err, const char *opt, const char *arg, uint32_t min, uint32_t max,
                 uint32_t *out)
{
	uint64_t v;
	int rc = num(err, opt, arg, min, max, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

/* A fraction 0..1 with up to 6 decimals ("0.9", "1"). */
static int frac_n(FILE *err, const char *opt, const char *arg, size_t len, double *out)
{
	uint64_t micro;

	if (mm_parse_micro_n(arg, len, 1000000, &micro))
		return bad(err, opt, arg, "expected a number from 0 to 1");
	*out = (double)micro / 1e6;
	return 0;
}

/* HOST, HOST:PORT, [V6]:PORT or [V6]. */
static int parse_server(struct mc_opts *o, const char *arg, FILE *err)
{
	const char *host = arg, *colon, *port = NULL;
	size_t host_len;
	uint64_t p;

	if (arg[0] == '[') {
		const char *end = strchr(arg, ']');
		if (!end || (end[1] != '\0' && end[1] != ':'))
			return bad(err, "--server", arg, "expected [ADDR]:PORT");
		host = arg + 1;
		host_len = (size_t)(end - host);
		port = end[1] == ':' ? end + 2 : NULL;
	} else {
		colon = strrchr(arg, ':');
		if (colon && strchr(arg, ':') != colon)
			return bad(err, "--server", arg, "IPv6 addresses need [ADDR]:PORT");
		host_len = colon ? (size_t)(colon - arg) : strlen(arg);
		port = colon ? colon + 1 : NULL;
	}
	if (host_len == 0 || host_len >= sizeof(o->host))
		return bad(err, "--server", arg, "bad host");
	if (port && num(err, "--server port", port, 1, 65535, &p))
		return -EINVAL;
	memcpy(o->host, host, host_len);
	o->host[host_len] = '\0';
	if (port)
		snprintf(o->port, sizeof(o->port), "%u", (unsigned)p);
	return 0;
}

/* SIZE:WEIGHT,SIZE:WEIGHT,... weights are decimals, normalised to 1. */
static int parse_value_list(struct mc_opts *o, const char *arg, FILE *err)
{
	const char *p = arg;
	double sum = 0;
	uint32_t n = 0, vmin = UINT32_MAX, vmax = 0;

	if (arg[strlen(arg) - 1] == ',')
		p = ","; /* a trailing comma: an empty pair, refused below */
	while (*p) {
		const char *colon = strchr(p, ':'), *end = strchr(p, ',');
		uint64_t size, w;
		if (!end)
			end = p + strlen(p);
		if (n == MC_VSIZES_MAX || !colon || colon > end ||
		    mm_parse_u64_n(p, (size_t)(colon - p), MC_VALUE_MAX - 1024, &size) ||
		    size < 1 ||
		    mm_parse_micro_n(colon + 1, (size_t)(end - colon - 1), UINT64_C(1000000000000),
		                     &w) ||
		    w == 0)
			return bad(
			    err, "--value-size", arg,
			    "expected up to 16 SIZE:WEIGHT pairs, e.g. 100:0.9,1000:0.1 (sizes "
			    "1..1047552 bytes, weights above 0)");
		o->vsize[n] = (uint32_t)size;
		sum += (double)w;
		o->vweight[n++] = sum;
		vmin = (uint32_t)size < vmin ? (uint32_t)size : vmin;
		vmax = (uint32_t)size > vmax ? (uint32_t)size : vmax;
		p = *end ? end + 1 : end;
	}
	for (uint32_t i = 0; i < n; i++)
		o->vweight[i] /= sum;
	o->nsizes = n;
	o->value_min = vmin;
	o->value_max = vmax;
	return 0;
}

static int parse_value_size(struct mc_opts *o, const char *arg, FILE *err)
{
	const char *dash = strchr(arg, '-');
	uint64_t lo, hi;

	o->nsizes = 0;
	if (strchr(arg, ':'))
		return parse_value_list(o, arg, err);
	if (!dash) {
		if (num(err, "--value-size", arg, 1, MC_VALUE_MAX - 1024, &lo))
			return -EINVAL;
		o->value_min = o->value_max = (uint32_t)lo;
		return 0;
	}
	if (mm_parse_u64_n(arg, (size_t)(dash - arg), MC_VALUE_MAX - 1024, &lo) ||
	    mm_parse_u64(dash + 1, MC_VALUE_MAX - 1024, &hi) || lo < 1 || lo > hi)
		return bad(err, "--value-size", arg, "expected N or MIN-MAX bytes, 1..1047552");
	o->value_min = (uint32_t)lo;
	o->value_max = (uint32_t)hi;
	return 0;
}

static int parse_hot(struct mc_opts *o, const char *arg, FILE *err)
{
	const char *colon = strchr(arg, ':');

	if (!colon)
		return bad(err, "--hot", arg, "expected FRAC:PROB, e.g. 0.1:0.9");
	if (frac_n(err, "--hot", arg, (size_t)(colon - arg), &o->hot_frac) ||
	    frac_n(err, "--hot", colon + 1, strlen(colon + 1), &o->hot_prob))
		return -EINVAL;
	return 0;
}

static int copy_path(char *dst, size_t cap, const char *opt, const char *arg, FILE *err)
{
	if (strlen(arg) >= cap || arg[0] == '\0')
		return bad(err, opt, arg, "empty or too long");
	strcpy(dst, arg);
	return 0;
}

static int parse_choice(FILE *err, const char *opt, const char *arg, const char *a, const char *b,
                        int *out)
{
	if (strcmp(arg, a) == 0)
		*out = 0;
	else if (strcmp(arg, b) == 0)
		*out = 1;
	else
		return bad(err, opt, arg, "unknown value");
	return 0;
}

/* One option; returns 0, 1 for --help, or -EINVAL. */
static int apply_opt(struct mc_opts *o, int c, const char *arg, FILE *err)
{
	uint64_t v;
	int choice = 0, rc = 0;

	switch (c) {
	case 's': return parse_server(o, arg, err);
	case OPT_ALLOW_REMOTE: o->allow_remote = true; return 0;
	case 'c': return num32(err, "--conns", arg, 1, MC_CONNS_MAX, &o->conns);
	case 'P': return num32(err, "--procs", arg, 1, MC_PROCS_MAX, &o->procs);
	case 'd': return num32(err, "--depth", arg, 1, MC_DEPTH_MAX, &o->depth);
	case OPT_PROTOCOL:
		rc = parse_choice(err, "--protocol", arg, "text", "meta", &choice);
		o->proto = choice ? MC_PROTO_META : MC_PROTO_TEXT;
		return rc;
	case 'r':
		rc = num(err, "--rate", arg, 0, 100000000, &v);
		o->rate_per_s = (double)v;
		return rc;
	case OPT_SCHEDULE:
		rc = parse_choice(err, "--schedule", arg, "poisson", "fixed", &choice);
		o->sched = choice ? MC_SCHED_FIXED : MC_SCHED_POISSON;
		return rc;
	case 't': return num32(err, "--duration", arg, 0, MC_DURATION_MAX_S, &o->duration_s);
	case OPT_WARMUP: return num32(err, "--warmup", arg, 0, MC_DURATION_MAX_S, &o->warmup_s);
	case OPT_COOLDOWN:
		return num32(err, "--cooldown", arg, 0, MC_DURATION_MAX_S, &o->cooldown_s);
	case 'g': return frac_n(err, "--get-ratio", arg, strlen(arg), &o->get_ratio);
	case 'k':
		o->keyspace_kib = 0;
		return num(err, "--keys", arg, 1, UINT64_C(1) << 40, &o->keys);
	case OPT_KEYSPACE:
		if ((rc = mm_parse_size_kib(arg, &o->keyspace_kib)))
			return bad(err, "--keyspace", arg, mm_parse_strerror(rc));
		return 0;
	case OPT_KEY_SIZE: return num32(err, "--key-size", arg, 3, MC_KEY_MAX, &o->key_len);
	case 'v': return parse_value_size(o, arg, err);
	case OPT_HOT: return parse_hot(o, arg, err);
	case OPT_ZIPF:
		if (mm_parse_micro_n(arg, strlen(arg), 10000000, &v) || v == 0)
			return bad(err, "--zipf", arg, "expected an exponent above 0, at most 10");
		o->zipf_s = (double)v / 1e6;
		return 0;
	case OPT_FILL: o->fill = true; return 0;
	case OPT_NO_FILL: o->fill = false; return 0;
	case OPT_FILL_TIMEOUT:
		return num32(err, "--fill-timeout", arg, 1, MC_DURATION_MAX_S, &o->fill_timeout_s);
	case OPT_SEED: return num(err, "--seed", arg, 0, UINT64_MAX, &o->seed);
	case OPT_LATE: return num(err, "--late-us", arg, 0, UINT64_C(1) << 32, &o->late_us);
	case OPT_BATCH:
		o->batch_auto = !strcmp(arg, "auto");
		return o->batch_auto ? 0 : num(err, "--batch-us", arg, 0, 100000, &o->batch_us);
	case OPT_REFILL: return num32(err, "--refill", arg, 1, MC_DEPTH_MAX, &o->refill);
	case OPT_COALESCE: return num(err, "--coalesce-us", arg, 0, 100000, &o->coalesce_us);
	case OPT_DELAY: return num(err, "--delay-us", arg, 0, UINT64_C(1) << 32, &o->delay_us);
	case 'q': o->quiet = true; return 0;
	case OPT_RECORD: return copy_path(o->record, sizeof(o->record), "--record", arg, err);
	case OPT_AUTO: return copy_path(o->auto_file, sizeof(o->auto_file), "--auto", arg, err);
	case OPT_CONTROL:
		if (strcmp(arg, "stdin") != 0 && mm_parse_u64(arg, 65535, &v))
			return bad(err, "--control", arg, "expected stdin or a port number");
		return copy_path(o->control, sizeof(o->control), "--control", arg, err);
	case 'h': mc_opts_usage(stdout); return 1;
	default: fprintf(err, "mm_bench_mc: try --help\n"); return -EINVAL;
	}
}

int mc_opts_parse(struct mc_opts *o, int argc, char **argv, FILE *err)
{
	int c, rc;

	optind = 0; /* GNU getopt: 0 re-initialises, so --auto lines can reuse it */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "s:c:P:d:r:t:g:k:v:qh", long_opts, NULL)) != -1)
		if ((rc = apply_opt(o, c, optarg, err)))
			return rc;
	if (optind < argc) {
		fprintf(err, "mm_bench_mc: unexpected argument '%s' (try --help)\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

int mc_opts_parse_line(struct mc_opts *o, const char *line, FILE *err)
{
	char buf[1024], *words[64], *save = NULL, *w;
	int n = 1;

	if (strlen(line) >= sizeof(buf)) {
		fprintf(err, "mm_bench_mc: --auto line too long\n");
		return -EINVAL;
	}
	strcpy(buf, line);
	words[0] = (char *)"mm_bench_mc";
	for (w = strtok_r(buf, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 63) {
			fprintf(err, "mm_bench_mc: --auto line has too many words\n");
			return -EINVAL;
		}
		words[n++] = w;
	}
	words[n] = NULL;
	return mc_opts_parse(o, n, words, err);
}

int mc_opts_finish(struct mc_opts *o, FILE *err)
{
	uint64_t mean_value = ((uint64_t)o->value_min + o->value_max) / 2;

	if (o->nsizes) {
		double mean = 0, prev = 0;
		for (uint32_t i = 0; i < o->nsizes; i++) {
			mean += o->vsize[i] * (o->vweight[i] - prev);
			prev = o->vweight[i];
		}
		mean_value = (uint64_t)(mean + 0.5);
	}

	if (o->keyspace_kib)
		o->keys = o->keyspace_kib * 1024 / (mean_value ? mean_value : 1);
	if (o->keys == 0)
		o->keys = 1;
	if (o->key_len == 0)
		o->key_len = mc_key_min_len(o->keys) > 16 ? mc_key_min_len(o->keys) : 16;
	if (o->key_len < mc_key_min_len(o->keys)) {
		fprintf(err, "mm_bench_mc: --key-size %u is too short for %llu keys (need %u)\n",
		        o->key_len, (unsigned long long)o->keys, mc_key_min_len(o->keys));
		return -EINVAL;
	}
	if (o->duration_s && o->warmup_s + o->cooldown_s >= o->duration_s) {
		fprintf(err,
		        "mm_bench_mc: --duration %u leaves nothing to measure after "
		        "--warmup %u and --cooldown %u\n",
		        o->duration_s, o->warmup_s, o->cooldown_s);
		return -EINVAL;
	}
	if (o->zipf_s > 0 && o->hot_frac > 0) {
		fprintf(err,
		        "mm_bench_mc: --zipf and --hot are two key popularities: choose one\n");
		return -EINVAL;
	}
	if (o->refill > o->depth) {
		fprintf(err, "mm_bench_mc: --refill %u is more than --depth %u\n", o->refill,
		        o->depth);
		return -EINVAL;
	}
	if (o->conns < o->procs) {
		fprintf(err, "mm_bench_mc: --conns %u is less than --procs %u\n", o->conns,
		        o->procs);
		return -EINVAL;
	}
	return 0;
}

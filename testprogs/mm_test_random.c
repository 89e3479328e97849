/* mm_test_random LOW HIGH [SECONDS]: each interval, holds a new size drawn
 * uniformly from [LOW, HIGH] (every page written). --seed makes the
 * sequence repeatable. It does not report to xenstore. */
#include <getopt.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mm_tp.h"

#define PROG "mm_test_random"

struct random_opts {
	uint64_t low_kib, high_kib, seconds, interval_ms, seed;
	enum mm_tp_out out;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [OPTIONS] LOW HIGH [SECONDS]\n"
	           "Hold a new random size in [LOW, HIGH] each interval, for SECONDS\n"
	           "(default: until a signal). Sizes take K, M, G, T suffixes.\n\n"
	           "  -i, --interval-ms MS    time per size (default 1000)\n"
	           "  -S, --seed N            random seed (default: from the clock and pid)\n"
	           "  -p, --progress          key=value progress lines on stdout\n"
	           "  -q, --quiet             no output\n"
	           "  -h, --help              this text\n"
	           "Exit: 0 time up or SIGINT/SIGTERM, 1 out of memory, 2 usage error.\n");
}

static int parse_args(int argc, char **argv, struct random_opts *o)
{
	int n = argc - optind;

	if (n < 2 || n > 3) {
		usage(stderr);
		return -1;
	}
	if (mm_tp_parse_size(PROG, "LOW", argv[optind], &o->low_kib) ||
	    mm_tp_parse_size(PROG, "HIGH", argv[optind + 1], &o->high_kib))
		return -1;
	if (n == 3 && mm_tp_parse_uint(PROG, "SECONDS", argv[optind + 2], 1, 31536000, &o->seconds))
		return -1;
	if (o->low_kib > o->high_kib) {
		fprintf(stderr, PROG ": LOW must not exceed HIGH\n");
		return -1;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct random_opts *o)
{
	static const struct option lo[] = {{"interval-ms", required_argument, NULL, 'i'},
	                                   {"seed", required_argument, NULL, 'S'},
	                                   {"progress", no_argument, NULL, 'p'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	int c, rc;

	*o = (struct random_opts){.interval_ms = 1000,
	                          .seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32)};
	while ((c = getopt_long(argc, argv, "i:S:pqh", lo, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 'i':
			rc = mm_tp_parse_uint(PROG, "--interval-ms", optarg, 1, 3600000,
			                      &o->interval_ms);
			break;
		case 'S':
			rc = mm_tp_parse_uint(PROG, "--seed", optarg, 0, UINT64_MAX, &o->seed);
			break;
		case 'p': o->out = MM_TP_PROGRESS; break;
		case 'q': o->out = MM_TP_QUIET; break;
		case 'h': usage(stdout); exit(MM_TP_EXIT_OK);
		default: usage(stderr); return -1;
		}
		if (rc)
			return -1;
	}
	return parse_args(argc, argv, o);
}

int main(int argc, char **argv)
{
	struct random_opts o;
	struct mm_tp_hold h;
	uint64_t t0 = mm_tp_now_ms(), rng;
	int rc = 0;

	if (parse_opts(argc, argv, &o))
		return MM_TP_EXIT_USAGE;
	mm_tp_signals_install();
	mm_tp_hold_init(&h);
	rng = o.seed;
	while (!mm_tp_stop && (o.seconds == 0 || mm_tp_now_ms() - t0 < o.seconds * 1000u)) {
		uint64_t kib = mm_tp_rand_range(&rng, o.low_kib, o.high_kib);
		if ((rc = mm_tp_hold_resize(&h, kib))) {
			fprintf(stderr, PROG ": error=resize target_kib=%llu errno=%d\n",
			        (unsigned long long)kib, -rc);
			break;
		}
		mm_tp_report(o.out, PROG, t0, "size", mm_tp_hold_kib(&h));
		mm_tp_sleep_ms(o.interval_ms);
	}
	mm_tp_hold_dispose(&h);
	mm_tp_report(o.out, PROG, t0, mm_tp_stop ? "stopped" : "done", 0);
	return rc ? MM_TP_EXIT_RUNTIME : MM_TP_EXIT_OK;
}

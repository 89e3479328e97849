/* mm_test_mono LOW HIGH: holds LOW, ramps held memory up to HIGH in steps
 * (default 20 MiB per second), then back down to LOW; repeats --cycles
 * times. Every held page is written. It does not report to xenstore. */
#include <getopt.h>
#include <stdlib.h>

#include "mm_tp.h"

#define PROG "mm_test_mono"

struct mono_opts {
	uint64_t low_kib, high_kib, step_kib, interval_ms, cycles;
	enum mm_tp_out out;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [OPTIONS] LOW HIGH\n"
	           "Hold LOW, ramp up to HIGH one step per interval, then back down to LOW.\n"
	           "Sizes take K, M, G, T suffixes (binary); a bare number is KiB (>= 1024).\n\n"
	           "  -s, --step SIZE         step size (default 20M)\n"
	           "  -i, --interval-ms MS    time per step (default 1000)\n"
	           "  -c, --cycles N          up-and-down cycles, 0 = until a signal (default 1)\n"
	           "  -p, --progress          key=value progress lines on stdout\n"
	           "  -q, --quiet             no output\n"
	           "  -h, --help              this text\n"
	           "Exit: 0 done or stopped by SIGINT/SIGTERM, 1 out of memory, 2 usage error.\n");
}

static int parse_opts(int argc, char **argv, struct mono_opts *o)
{
	static const struct option lo[] = {{"step", required_argument, NULL, 's'},
	                                   {"interval-ms", required_argument, NULL, 'i'},
	                                   {"cycles", required_argument, NULL, 'c'},
	                                   {"progress", no_argument, NULL, 'p'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	int c;

	*o = (struct mono_opts){.step_kib = 20 * 1024, .interval_ms = 1000, .cycles = 1};
	while ((c = getopt_long(argc, argv, "s:i:c:pqh", lo, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 's': rc = mm_tp_parse_size(PROG, "--step", optarg, &o->step_kib); break;
		case 'i':
			rc = mm_tp_parse_uint(PROG, "--interval-ms", optarg, 1, 3600000,
			                      &o->interval_ms);
			break;
		case 'c':
			rc = mm_tp_parse_uint(PROG, "--cycles", optarg, 0, 1000000, &o->cycles);
			break;
		case 'p': o->out = MM_TP_PROGRESS; break;
		case 'q': o->out = MM_TP_QUIET; break;
		case 'h': usage(stdout); exit(MM_TP_EXIT_OK);
		default: usage(stderr); return -1;
		}
		if (rc)
			return -1;
	}
	if (argc - optind != 2) {
		usage(stderr);
		return -1;
	}
	if (mm_tp_parse_size(PROG, "LOW", argv[optind], &o->low_kib) ||
	    mm_tp_parse_size(PROG, "HIGH", argv[optind + 1], &o->high_kib))
		return -1;
	if (o->low_kib > o->high_kib || o->step_kib == 0) {
		fprintf(stderr, PROG ": LOW must not exceed HIGH, and the step must be > 0\n");
		return -1;
	}
	return 0;
}

/* Moves the hold to kib, reports it, then waits one interval. Returns 1 when
 * stopped by a signal, -1 on failure, 0 to go on. */
static int step_to(struct mm_tp_hold *h, const struct mono_opts *o, uint64_t t0, uint64_t kib,
                   const char *event)
{
	int rc = mm_tp_hold_resize(h, kib);

	if (rc) {
		fprintf(stderr, PROG ": error=resize target_kib=%llu errno=%d\n",
		        (unsigned long long)kib, -rc);
		return -1;
	}
	mm_tp_report(o->out, PROG, t0, event, mm_tp_hold_kib(h));
	return mm_tp_sleep_ms(o->interval_ms) ? 1 : 0;
}

static int run_cycle(struct mm_tp_hold *h, const struct mono_opts *o, uint64_t t0)
{
	uint64_t kib = o->low_kib;
	int rc;

	for (;;) {
		if ((rc = step_to(h, o, t0, kib, "up")))
			return rc;
		if (kib == o->high_kib)
			break;
		kib = o->high_kib - kib > o->step_kib ? kib + o->step_kib : o->high_kib;
	}
	while (kib > o->low_kib) {
		kib = kib - o->low_kib > o->step_kib ? kib - o->step_kib : o->low_kib;
		if ((rc = step_to(h, o, t0, kib, "down")))
			return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mono_opts o;
	struct mm_tp_hold h;
	uint64_t t0 = mm_tp_now_ms();
	int rc = 0;

	if (parse_opts(argc, argv, &o))
		return MM_TP_EXIT_USAGE;
	mm_tp_signals_install();
	mm_tp_hold_init(&h);
	for (uint64_t i = 0; rc == 0 && (o.cycles == 0 || i < o.cycles); i++)
		rc = run_cycle(&h, &o, t0);
	mm_tp_hold_dispose(&h);
	mm_tp_report(o.out, PROG, t0, rc > 0 ? "stopped" : "done", 0);
	return rc < 0 ? MM_TP_EXIT_RUNTIME : MM_TP_EXIT_OK;
}

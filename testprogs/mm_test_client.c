/* mm_test_client BASE DELTA MAX: a fake mmclient whose used memory is a
 * triangle wave (BASE up by DELTA per report to MAX, then back down), so a
 * server keeps rebalancing. It formats real SPEC section 2 reports with
 * mm_report_format; it holds no memory itself. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mm_parse.h"
#include "mm_report.h"
#include "mm_tp.h"
#ifdef MM_TP_WITH_XS
#include "mmc_xs.h"
#endif

#define PROG "mm_test_client"

struct client_opts {
	uint64_t base_kib, delta_kib, max_kib, tot_kib, interval_ms, count;
	const char *out_path;
	int xenstore; /* also write memory/report through mmclient's writer */
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [OPTIONS] BASE DELTA MAX\n"
	           "Write a guest report (SPEC section 2) each interval whose used memory\n"
	           "goes from BASE up by DELTA to MAX and back down, again and again.\n"
	           "Sizes take K, M, G, T suffixes; a bare number is KiB (>= 1024).\n\n"
	           "  -t, --tot SIZE          reported MemTotal (default: this machine's)\n"
	           "  -i, --interval-ms MS    report period (default 1000)\n"
	           "  -n, --count N           stop after N reports, 0 = never (default 0)\n"
	           "  -o, --out FILE          append report lines to FILE (default stdout)\n"
	           "  -x, --xenstore          also write each report to memory/report, as\n"
	           "                          mmclient does (inside a Xen guest)\n"
	           "  -h, --help              this text\n"
	           "Exit: 0 done or SIGINT/SIGTERM, 1 cannot write, 2 usage error.\n");
}

/* MemTotal of this machine, in KiB, from /proc/meminfo. */
static int read_memtotal(uint64_t *kib)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long v;
	char line[128];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &v) == 1) {
			*kib = v;
			rc = 0;
		}
	fclose(f);
	return rc;
}

static int check_args(struct client_opts *o)
{
	if (o->tot_kib == 0 && read_memtotal(&o->tot_kib)) {
		fprintf(stderr, PROG ": cannot read MemTotal from /proc/meminfo: give --tot\n");
		return -1;
	}
	if (o->delta_kib == 0 || o->base_kib > o->max_kib || o->max_kib > o->tot_kib) {
		fprintf(stderr, PROG ": need DELTA > 0 and BASE <= MAX <= tot (tot_kib=%llu)\n",
		        (unsigned long long)o->tot_kib);
		return -1;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct client_opts *o)
{
	static const struct option lo[] = {{"tot", required_argument, NULL, 't'},
	                                   {"interval-ms", required_argument, NULL, 'i'},
	                                   {"count", required_argument, NULL, 'n'},
	                                   {"out", required_argument, NULL, 'o'},
	                                   {"xenstore", no_argument, NULL, 'x'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	int c, rc;

	*o = (struct client_opts){.interval_ms = 1000};
	while ((c = getopt_long(argc, argv, "t:i:n:o:xh", lo, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 't': rc = mm_tp_parse_size(PROG, "--tot", optarg, &o->tot_kib); break;
		case 'i':
			rc = mm_tp_parse_uint(PROG, "--interval-ms", optarg, 1, 3600000,
			                      &o->interval_ms);
			break;
		case 'n':
			rc = mm_tp_parse_uint(PROG, "--count", optarg, 0, UINT32_MAX, &o->count);
			break;
		case 'o': o->out_path = optarg; break;
		case 'x': o->xenstore = 1; break;
		case 'h': usage(stdout); exit(MM_TP_EXIT_OK);
		default: usage(stderr); return -1;
		}
		if (rc)
			return -1;
	}
	if (argc - optind != 3) {
		usage(stderr);
		return -1;
	}
	if (mm_tp_parse_size(PROG, "BASE", argv[optind], &o->base_kib) ||
	    mm_tp_parse_size(PROG, "DELTA", argv[optind + 1], &o->delta_kib) ||
	    mm_tp_parse_size(PROG, "MAX", argv[optind + 2], &o->max_kib))
		return -1;
	return check_args(o);
}

/* Next point of the triangle wave: *dir is +1 going up, -1 going down. */
static uint64_t triangle_next(const struct client_opts *o, uint64_t used, int *dir)
{
	if (*dir > 0 && o->max_kib - used <= o->delta_kib) {
		*dir = -1;
		return o->max_kib;
	}
	if (*dir < 0 && used - o->base_kib <= o->delta_kib) {
		*dir = 1;
		return o->base_kib;
	}
	return *dir > 0 ? used + o->delta_kib : used - o->delta_kib;
}

#ifdef MM_TP_WITH_XS
static struct mmc_xs *xs;
#endif

static int write_report(FILE *out, const struct client_opts *o, uint64_t seq, uint64_t used)
{
	struct mm_report r = {.has = MM_REPORT_HAS_SEQ, .seq = seq, .tot_kib = o->tot_kib};
	char line[MM_REPORT_MAX_BYTES + 1];

	r.free_kib = o->tot_kib - used;
	if (mm_report_format(&r, line, sizeof(line)) < 0)
		return -EOVERFLOW;
#ifdef MM_TP_WITH_XS
	/* the same writer mmclient uses: one atomic write of memory/report */
	if (o->xenstore) {
		int rc = mmc_xs_write_report(xs, &r);
		if (rc)
			return rc;
	}
#endif
	if (fprintf(out, "%s\n", line) < 0 || fflush(out) != 0)
		return -EIO;
	return 0;
}

/* Connects to xenstore when --xenstore was asked; 0 or an exit code. */
static int open_xenstore(const struct client_opts *o)
{
	if (!o->xenstore)
		return 0;
#ifdef MM_TP_WITH_XS
	int rc = mmc_xs_open(&xs);
	if (rc == 0)
		return 0;
	fprintf(stderr,
	        PROG ": --xenstore: cannot reach xenstore (%s): run it inside a Xen guest\n",
	        strerror(-rc));
#else
	fprintf(stderr, PROG ": --xenstore: built without libxenstore\n");
#endif
	return MM_TP_EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
	struct client_opts o;
	FILE *out = stdout;
	uint64_t used, seq;
	int dir = 1, rc = 0;

	if (parse_opts(argc, argv, &o))
		return MM_TP_EXIT_USAGE;
	if (o.out_path && !(out = fopen(o.out_path, "a"))) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", o.out_path, strerror(errno));
		return MM_TP_EXIT_RUNTIME;
	}
	rc = open_xenstore(&o);
	if (rc)
		return rc;
	mm_tp_signals_install();
	used = o.base_kib;
	for (seq = 1; !mm_tp_stop && (o.count == 0 || seq <= o.count); seq++) {
		if ((rc = write_report(out, &o, seq, used))) {
			fprintf(stderr, PROG ": error=write errno=%d\n", -rc);
			break;
		}
		used = triangle_next(&o, used, &dir);
		if (o.count && seq == o.count)
			break;
		mm_tp_sleep_ms(o.interval_ms);
	}
	if (out != stdout)
		fclose(out);
	return rc ? MM_TP_EXIT_RUNTIME : MM_TP_EXIT_OK;
}

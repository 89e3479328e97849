/* mm_util_swap [FILE]: appends one key=value line of swap use every
 * interval (default 3 s) to FILE: SwapTotal/SwapFree from meminfo, the
 * pswpin/pswpout counters from vmstat and, when the kernel has PSI, the
 * memory pressure averages. It only reads /proc; --proc DIR points it at a
 * fake tree for tests. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "mm_tp.h"

#define PROG "mm_util_swap"

struct swap_opts {
	uint64_t interval_ms, count;
	const char *proc_dir, *path;
};

struct swap_sample {
	unsigned long long total_kib, free_kib, pswpin, pswpout;
	bool has_psi;
	double psi_some10, psi_full10; /* % of the last 10 s stalled on memory */
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [OPTIONS] [FILE]\n"
	           "Append a line of swap use to FILE (default swap.log; '-' is stdout)\n"
	           "every interval: unix time, swap total/used (KiB), pswpin, pswpout,\n"
	           "and memory pressure (PSI avg10, %%) when the kernel has it.\n\n"
	           "  -i, --interval-ms MS    period (default 3000)\n"
	           "  -n, --count N           stop after N lines, 0 = never (default 0)\n"
	           "      --proc DIR          read DIR/meminfo and DIR/vmstat (default /proc)\n"
	           "  -h, --help              this text\n"
	           "Exit: 0 done or SIGINT/SIGTERM, 1 cannot read /proc or write FILE, 2 usage.\n");
}

static int parse_opts(int argc, char **argv, struct swap_opts *o)
{
	static const struct option lo[] = {{"interval-ms", required_argument, NULL, 'i'},
	                                   {"count", required_argument, NULL, 'n'},
	                                   {"proc", required_argument, NULL, 'P'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	int c, rc;

	*o = (struct swap_opts){.interval_ms = 3000, .proc_dir = "/proc", .path = "swap.log"};
	while ((c = getopt_long(argc, argv, "i:n:h", lo, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 'i':
			rc = mm_tp_parse_uint(PROG, "--interval-ms", optarg, 1, 3600000,
			                      &o->interval_ms);
			break;
		case 'n':
			rc = mm_tp_parse_uint(PROG, "--count", optarg, 0, UINT32_MAX, &o->count);
			break;
		case 'P': o->proc_dir = optarg; break;
		case 'h': usage(stdout); exit(MM_TP_EXIT_OK);
		default: usage(stderr); return -1;
		}
		if (rc)
			return -1;
	}
	if (argc - optind > 1) {
		usage(stderr);
		return -1;
	}
	if (argc - optind == 1)
		o->path = argv[optind];
	return 0;
}

/* Finds the line of DIR/NAME that starts with key (then ':' or ' ') and
 * reads the number after it. */
static int scan_file(const char *dir, const char *name, const char *key, unsigned long long *val)
{
	char path[4096], line[256];
	size_t klen = strlen(key);
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "r")))
		return -errno;
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, key, klen) == 0 && (line[klen] == ':' || line[klen] == ' ') &&
		        sscanf(line + klen + 1, "%llu", val) == 1;
	fclose(f);
	return found ? 0 : -ENOENT;
}

/* DIR/pressure/memory: "some avg10=0.12 ..." and "full avg10=0.05 ...";
 * absent on kernels without PSI, which is not an error. */
static void scan_psi(const char *dir, struct swap_sample *s)
{
	char path[4096], line[256];
	double v;
	FILE *f;
	int got = 0;

	snprintf(path, sizeof(path), "%s/pressure/memory", dir);
	s->has_psi = false;
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "some avg10=%lf", &v) == 1 && v >= 0 && v <= 100) {
			s->psi_some10 = v;
			got |= 1;
		} else if (sscanf(line, "full avg10=%lf", &v) == 1 && v >= 0 && v <= 100) {
			s->psi_full10 = v;
			got |= 2;
		}
	}
	fclose(f);
	s->has_psi = got == 3;
}

static int sample(const char *dir, struct swap_sample *s)
{
	int rc = 0;

	rc |= scan_file(dir, "meminfo", "SwapTotal", &s->total_kib);
	rc |= scan_file(dir, "meminfo", "SwapFree", &s->free_kib);
	rc |= scan_file(dir, "vmstat", "pswpin", &s->pswpin);
	rc |= scan_file(dir, "vmstat", "pswpout", &s->pswpout);
	scan_psi(dir, s);
	return rc ? -EIO : 0;
}

static int log_line(FILE *out, const struct swap_sample *s)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	fprintf(out, "time_ms=%lld swap_total_kib=%llu swap_used_kib=%llu pswpin=%llu pswpout=%llu",
	        (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000, s->total_kib,
	        s->total_kib > s->free_kib ? s->total_kib - s->free_kib : 0, s->pswpin, s->pswpout);
	if (s->has_psi)
		fprintf(out, " psi_some10=%.2f psi_full10=%.2f", s->psi_some10, s->psi_full10);
	fputc('\n', out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	struct swap_opts o;
	struct swap_sample s;
	FILE *out = stdout;
	int rc = 0;

	if (parse_opts(argc, argv, &o))
		return MM_TP_EXIT_USAGE;
	if (strcmp(o.path, "-") != 0 && !(out = fopen(o.path, "a"))) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", o.path, strerror(errno));
		return MM_TP_EXIT_RUNTIME;
	}
	mm_tp_signals_install();
	for (uint64_t n = 1; !mm_tp_stop; n++) {
		if ((rc = sample(o.proc_dir, &s))) {
			fprintf(stderr, PROG ": cannot read meminfo/vmstat under %s\n", o.proc_dir);
			break;
		}
		if ((rc = log_line(out, &s))) {
			fprintf(stderr, PROG ": cannot write %s\n", o.path);
			break;
		}
		if (o.count && n >= o.count)
			break;
		mm_tp_sleep_ms(o.interval_ms);
	}
	if (out != stdout)
		fclose(out);
	return rc ? MM_TP_EXIT_RUNTIME : MM_TP_EXIT_OK;
}

/* mm_test_static SIZE: holds SIZE and writes every page again each interval
 * so the memory stays hot. A line on stdin with a SIZE resizes it, "q"
 * quits; end of input just stops listening. No xenstore, no reports. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm_tp.h"

#define PROG "mm_test_static"

struct static_opts {
	uint64_t size_kib, interval_ms, duration_s;
	enum mm_tp_out out;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [OPTIONS] SIZE\n"
	           "Hold SIZE and rewrite every page each interval (the memory stays hot).\n"
	           "Stdin: a line with a SIZE resizes, 'q' quits. Sizes take K, M, G, T.\n\n"
	           "  -i, --interval-ms MS    rewrite period (default 1000)\n"
	           "  -d, --duration S        quit after S seconds, 0 = never (default 0)\n"
	           "  -p, --progress          key=value progress lines on stdout\n"
	           "  -q, --quiet             no output\n"
	           "  -h, --help              this text\n"
	           "Exit: 0 quit, time up or SIGINT/SIGTERM, 1 out of memory, 2 usage error.\n");
}

static int parse_opts(int argc, char **argv, struct static_opts *o)
{
	static const struct option lo[] = {{"interval-ms", required_argument, NULL, 'i'},
	                                   {"duration", required_argument, NULL, 'd'},
	                                   {"progress", no_argument, NULL, 'p'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	int c, rc;

	*o = (struct static_opts){.interval_ms = 1000};
	while ((c = getopt_long(argc, argv, "i:d:pqh", lo, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 'i':
			rc = mm_tp_parse_uint(PROG, "--interval-ms", optarg, 1, 3600000,
			                      &o->interval_ms);
			break;
		case 'd':
			rc = mm_tp_parse_uint(PROG, "--duration", optarg, 0, 31536000,
			                      &o->duration_s);
			break;
		case 'p': o->out = MM_TP_PROGRESS; break;
		case 'q': o->out = MM_TP_QUIET; break;
		case 'h': usage(stdout); exit(MM_TP_EXIT_OK);
		default: usage(stderr); return -1;
		}
		if (rc)
			return -1;
	}
	if (argc - optind != 1) {
		usage(stderr);
		return -1;
	}
	return mm_tp_parse_size(PROG, "SIZE", argv[optind], &o->size_kib);
}

/* Handles one stdin line. Returns 1 to quit, 0 otherwise (a bad size is
 * reported and ignored: the program keeps what it holds). */
static int handle_line(struct mm_tp_hold *h, const struct static_opts *o, uint64_t t0, char *line)
{
	uint64_t kib;
	int rc;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0')
		return 0;
	if (strcmp(line, "q") == 0 || strcmp(line, "quit") == 0)
		return 1;
	if (mm_tp_parse_size(PROG, "stdin size", line, &kib))
		return 0;
	rc = mm_tp_hold_resize(h, kib);
	if (rc)
		fprintf(stderr, PROG ": error=resize target_kib=%llu errno=%d\n",
		        (unsigned long long)kib, -rc);
	mm_tp_report(o->out, PROG, t0, "resize", mm_tp_hold_kib(h));
	return 0;
}

/* Pending stdin bytes: read() rather than stdio, so poll() never misses a
 * line that stdio has already buffered. */
struct line_buf {
	char data[256];
	size_t len;
	bool eof;
};

/* Handles every complete line in lb; returns 1 if one said quit. */
static int drain_lines(struct mm_tp_hold *h, const struct static_opts *o, uint64_t t0,
                       struct line_buf *lb)
{
	char *nl;
	int quit = 0;

	while (!quit && (nl = memchr(lb->data, '\n', lb->len)) != NULL) {
		size_t n = (size_t)(nl - lb->data) + 1;
		*nl = '\0';
		quit = handle_line(h, o, t0, lb->data);
		memmove(lb->data, lb->data + n, lb->len - n);
		lb->len -= n;
	}
	if (lb->len == sizeof(lb->data))
		lb->len = 0; /* a line longer than any size: drop it */
	return quit;
}

/* Waits up to ms for stdin input and acts on the complete lines. */
static int wait_input(struct mm_tp_hold *h, const struct static_opts *o, uint64_t t0, uint64_t ms,
                      struct line_buf *lb)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	ssize_t r;

	if (lb->eof) { /* a signal here is a stop, not a quit: the caller checks the flag */
		mm_tp_sleep_ms(ms);
		return 0;
	}
	if (poll(&pfd, 1, (int)ms) <= 0)
		return 0; /* timeout, or EINTR: the caller checks the flag */
	r = read(STDIN_FILENO, lb->data + lb->len, sizeof(lb->data) - lb->len);
	if (r <= 0) {
		if (r == 0 || errno != EINTR)
			lb->eof = true;
		if (r == 0 && lb->len > 0) { /* a last line without a newline */
			if (lb->len == sizeof(lb->data))
				lb->len--;
			lb->data[lb->len++] = '\n';
		}
		return lb->len ? drain_lines(h, o, t0, lb) : 0;
	}
	lb->len += (size_t)r;
	return drain_lines(h, o, t0, lb);
}

int main(int argc, char **argv)
{
	struct static_opts o;
	struct mm_tp_hold h;
	uint64_t t0 = mm_tp_now_ms(), next;
	struct line_buf lb = {.len = 0};
	int rc, quit = 0;

	if (parse_opts(argc, argv, &o))
		return MM_TP_EXIT_USAGE;
	mm_tp_signals_install();
	mm_tp_hold_init(&h);
	if ((rc = mm_tp_hold_resize(&h, o.size_kib))) {
		fprintf(stderr, PROG ": error=alloc size_kib=%llu errno=%d\n",
		        (unsigned long long)o.size_kib, -rc);
		return MM_TP_EXIT_RUNTIME;
	}
	mm_tp_report(o.out, PROG, t0, "hold", mm_tp_hold_kib(&h));
	next = mm_tp_now_ms() + o.interval_ms;
	while (!mm_tp_stop && !quit) {
		uint64_t now = mm_tp_now_ms();
		if (o.duration_s && now - t0 >= o.duration_s * 1000u)
			break;
		if (now >= next) {
			mm_tp_hold_rewrite(&h);
			next = now + o.interval_ms;
		}
		quit = wait_input(&h, &o, t0, next - now, &lb);
	}
	mm_tp_hold_dispose(&h);
	mm_tp_report(o.out, PROG, t0, quit ? "quit" : "stopped", 0);
	return MM_TP_EXIT_OK;
}

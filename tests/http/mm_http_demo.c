/* mm_http_demo: serves the HTTP API and the canvas from synthetic rounds
 * (synth_round.c), standing in for mmserver in the HTTP, browser and load
 * tests. Prints the listening URL on stderr as mmserver does, and every 5 s
 * the cost of mm_http_publish over that window (for bench/http). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm_http.h"
#include "mm_parse.h"
#include "synth_round.h"

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

struct opts {
	const char *addr, *canvas;
	uint64_t port, domains, interval_ms, rounds;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){"127.0.0.1", MM_SOURCE_DIR "/canvas", 0, 5, 1000, 0};
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		int rc = 0;
		if (!strcmp(k, "--addr"))
			o->addr = v;
		else if (!strcmp(k, "--canvas"))
			o->canvas = v;
		else if (!strcmp(k, "--port"))
			rc = mm_parse_u64(v, 65535, &o->port);
		else if (!strcmp(k, "--domains"))
			rc = mm_parse_u64(v, 4096, &o->domains);
		else if (!strcmp(k, "--interval-ms"))
			rc = mm_parse_u64(v, 3600000, &o->interval_ms);
		else if (!strcmp(k, "--rounds"))
			rc = mm_parse_u64(v, UINT64_MAX, &o->rounds);
		else
			rc = -EINVAL;
		if (rc) {
			fprintf(stderr, "mm_http_demo: bad option %s %s\n", k, v);
			return -EINVAL;
		}
	}
	return argc % 2 == 1 ? 0 : -EINVAL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* One key=value line with the publish cost of the last window, in µs. */
static void report_window(uint64_t *ns, size_t n)
{
	uint64_t sum = 0;
	if (!n)
		return;
	qsort(ns, n, sizeof(*ns), cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += ns[i];
	fprintf(stderr,
	        "level=info msg=publish_cost rounds=%zu mean_us=%.1f p50_us=%.1f p99_us=%.1f "
	        "max_us=%.1f\n",
	        n, (double)sum / (double)n / 1e3, (double)ns[n / 2] / 1e3,
	        (double)ns[(n * 99) / 100] / 1e3, (double)ns[n - 1] / 1e3);
}

static void run(struct mm_http *h, const struct opts *o, struct synth *s)
{
	uint64_t window[4096], next = now_ns(), last_report = next;
	size_t nw = 0;
	struct timespec ts;

	while (!quit && (o->rounds == 0 || s->round.seq < o->rounds)) {
		synth_step(s, o->interval_ms);
		uint64_t t0 = now_ns();
		mm_http_publish(h, &s->round);
		window[nw++ % 4096] = now_ns() - t0;
		if (now_ns() - last_report >= 5000000000u) {
			report_window(window, nw < 4096 ? nw : 4096);
			nw = 0;
			last_report = now_ns();
		}
		next += o->interval_ms * 1000000u;
		ts.tv_sec = (time_t)(next / 1000000000u);
		ts.tv_nsec = (long)(next % 1000000000u);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	report_window(window, nw < 4096 ? nw : 4096);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct mm_http *h;
	struct synth s;
	char err[256];

	if (parse_opts(argc, argv, &o)) {
		fprintf(stderr, "usage: mm_http_demo [--addr A] [--port P] [--canvas DIR] "
		                "[--domains N] [--interval-ms MS] [--rounds K]\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (synth_init(&s, o.domains, 42, (uint64_t)time(NULL) * 1000u))
		return 1;
	if (mm_http_start(o.addr, (uint16_t)o.port, o.canvas, &h, err, sizeof(err))) {
		fprintf(stderr, "level=error msg=\"%s\"\n", err);
		return 1;
	}
	fprintf(stderr, "level=info msg=listening url=http://%s:%u/\n", o.addr,
	        (unsigned)mm_http_port(h));
	run(h, &o, &s);
	mm_http_stop(h);
	synth_dispose(&s);
	return 0;
}

/* bench_publish: cost of mm_http_publish and of each renderer at N domains
 * (synthetic rounds, no clients), in µs per round: what the balancing
 * thread pays for HTTP. Usage: bench_publish [DOMAINS] [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "http_render.h"
#include "mm_http.h"
#include "synth_round.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double time_state(const struct mm_round *r)
{
	double t0 = now_us();
	json_t *o = mm_http_state_json(r);
	char *s = json_dumps(o, JSON_COMPACT | MM_HTTP_JSON_FLAGS);
	double t = now_us() - t0;
	free(s);
	json_decref(o);
	return t;
}

static double time_metrics(const struct mm_round *r)
{
	struct mm_http_totals t = {0};
	struct mm_buf b;
	size_t len;
	double t0 = now_us();
	mm_buf_init(&b);
	mm_http_metrics_text(r, &t, &b);
	free(mm_buf_take(&b, &len));
	return now_us() - t0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
	int rounds = argc > 2 ? atoi(argv[2]) : 200;
	struct synth s;
	struct mm_http *h;
	char err[256];
	double st = 0, me = 0, pub = 0;

	if (synth_init(&s, n, 3, 1700000000000u) ||
	    mm_http_start("127.0.0.1", 0, NULL, &h, err, sizeof(err))) {
		fprintf(stderr, "bench_publish: %s\n", err);
		return 1;
	}
	for (int i = 0; i < rounds; i++) {
		synth_step(&s, 1000);
		st += time_state(&s.round);
		me += time_metrics(&s.round);
		double t0 = now_us();
		mm_http_publish(h, &s.round);
		pub += now_us() - t0;
	}
	printf("domains=%zu rounds=%d state_json_us=%.0f metrics_us=%.0f publish_us=%.0f\n", n,
	       rounds, st / rounds, me / rounds, pub / rounds);
	mm_http_stop(h);
	synth_dispose(&s);
	return 0;
}

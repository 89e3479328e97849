/* xq_watch13: issue 13's "report -> target written" on a real Xen, seen from one clock. Runs in
 * dom0 of the QEMU lab with one libxenstore connection and stamps every watch event with
 * CLOCK_MONOTONIC as it is taken off the connection (the value is read afterwards, so a read
 * never delays the stamp of the next event). It decides nothing about latency: the host pairs
 * reports with targets (bench/xen/lab_report.py).
 *   xq_watch13 watch SECONDS DOMID...  every change of memory/report and memory/target of the
 *                                      domains: "ev t_us=T dom=N node=report|target value=V"
 *   xq_watch13 ping COUNT              the floor: write a node of dom0, time until the watch
 *                                      on it fires: "ping i=I us=U"
 * Exit: 0 done, 1 xenstore failed, 2 usage. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#define DOMS_MAX 8
#define PING     "/local/domain/0/data/xq-watch13-ping"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Waits up to ms for the connection to be readable; 1 readable, 0 not. */
static int readable(struct xs_handle *xs, int ms)
{
	struct pollfd p = {xs_fileno(xs), POLLIN, 0};

	return poll(&p, 1, ms) > 0;
}

struct ev {
	uint64_t t_us;
	char path[128];
};

/* Takes every pending event off the connection, stamped; returns how many (at most cap). */
static int drain(struct xs_handle *xs, struct ev *ev, int cap)
{
	int n = 0;
	char **w;

	while (n < cap && (w = xs_check_watch(xs)) != NULL) {
		ev[n].t_us = now_us();
		snprintf(ev[n].path, sizeof(ev[n].path), "%s", w[XS_WATCH_PATH]);
		free(w);
		n++;
	}
	return n;
}

static void print_event(struct xs_handle *xs, const struct ev *e)
{
	unsigned dom;
	char node[16];
	unsigned len = 0;
	char *v;

	if (sscanf(e->path, "/local/domain/%u/memory/%15s", &dom, node) != 2)
		return;
	v = xs_read(xs, XBT_NULL, e->path, &len);
	for (unsigned i = 0; v && i < len; i++)
		if (v[i] == '\n' || v[i] == '\r')
			v[i] = ' ';
	printf("ev t_us=%" PRIu64 " dom=%u node=%s value=%s\n", e->t_us, dom, node, v ? v : "-");
	free(v);
}

static int watch(struct xs_handle *xs, int seconds, int ndom, char **doms)
{
	static const char *const nodes[] = {"report", "target"};
	uint64_t end = now_us() + (uint64_t)seconds * 1000000u;
	struct ev ev[64];

	for (int i = 0; i < ndom; i++)
		for (int k = 0; k < 2; k++) {
			char path[128];
			snprintf(path, sizeof(path), "/local/domain/%s/memory/%s", doms[i],
			         nodes[k]);
			if (!xs_watch(xs, path, nodes[k])) {
				fprintf(stderr, "xq_watch13: watch %s failed: %s\n", path,
				        strerror(errno));
				return 1;
			}
		}
	while (now_us() < end) {
		int n;
		if (!readable(xs, 500))
			continue;
		n = drain(xs, ev, 64);
		for (int i = 0; i < n; i++)
			print_event(xs, &ev[i]);
		fflush(stdout);
	}
	return 0;
}

static int ping(struct xs_handle *xs, int count)
{
	struct ev ev[8];

	if (!xs_write(xs, XBT_NULL, PING, "0", 1) || !xs_watch(xs, PING, "ping")) {
		fprintf(stderr, "xq_watch13: %s: %s\n", PING, strerror(errno));
		return 1;
	}
	while (readable(xs, 200)) /* the watch fires once when set */
		drain(xs, ev, 8);
	for (int i = 1; i <= count; i++) {
		char val[16];
		uint64_t t0;
		int got = 0;

		snprintf(val, sizeof(val), "%d", i);
		t0 = now_us();
		if (!xs_write(xs, XBT_NULL, PING, val, (unsigned)strlen(val))) {
			fprintf(stderr, "xq_watch13: write %s: %s\n", PING, strerror(errno));
			return 1;
		}
		while (!got && readable(xs, 5000))
			got = drain(xs, ev, 8);
		if (!got) {
			fprintf(stderr, "xq_watch13: no watch event for write %d in 5 s\n", i);
			return 1;
		}
		printf("ping i=%d us=%" PRIu64 "\n", i, ev[0].t_us - t0);
		struct timespec nap = {0, 20 * 1000000L}; /* spread the writes */
		nanosleep(&nap, NULL);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	int rc;

	if (argc >= 4 && !strcmp(argv[1], "watch") && argc - 3 <= DOMS_MAX && atoi(argv[2]) > 0) {
		rc = -1;
	} else if (argc == 3 && !strcmp(argv[1], "ping") && atoi(argv[2]) > 0) {
		rc = -2;
	} else {
		fprintf(stderr,
		        "usage: xq_watch13 watch SECONDS DOMID... | xq_watch13 ping COUNT\n");
		return 2;
	}
	xs = xs_open(0);
	if (!xs) {
		fprintf(stderr, "xq_watch13: xs_open: %s\n", strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (rc == -1)
		rc = watch(xs, atoi(argv[2]), argc - 3, argv + 3);
	else
		rc = ping(xs, atoi(argv[2]));
	xs_close(xs);
	return rc;
}

/* xq_hostile: a hostile guest for the QEMU lab (issue 12, run-chaos.sh). Runs inside a guest
 * whose mmclient is stopped and writes its own memory/report through libxenstore, as any
 * root process in the guest can: garbage, a 1 PiB lie, negative numbers, a replayed old
 * report, 100 reports per second (valid lies, then garbage), and a report that grows past the
 * 512-byte limit. One line per phase on stdout ("phase=NAME writes=N failed=M ms=T"); dom0
 * judges what mmserver made of it. Usage: xq_hostile [SCALE] (phase lengths x SCALE/10). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <xenstore.h>

#define REPORT  "memory/report"
#define PIB_KIB UINT64_C(1099511627776) /* 1 PiB in KiB: the parser's own bound */

#define THREADS_MAX 4

struct run {
	struct xs_handle *xs[THREADS_MAX]; /* one connection per writer */
	_Atomic uint64_t seq;              /* the next seq of a "valid" lie */
	unsigned scale;                    /* phase length x scale / 10 */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Sleeps until the absolute monotonic time at_ms. */
static void sleep_until(uint64_t at_ms)
{
	struct timespec ts = {.tv_sec = (time_t)(at_ms / 1000u),
	                      .tv_nsec = (long)(at_ms % 1000u) * 1000000L};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

typedef size_t make_fn(struct run *r, unsigned i, char *buf, size_t cap);

struct phase {
	struct run *r;
	make_fn *make;
	uint64_t t0, end;
	unsigned period_ms; /* of each writer */
	_Atomic unsigned next, writes, failed, last_errno;
	_Atomic size_t max_len;
};

struct writer {
	struct phase *p;
	unsigned k; /* which connection */
};

/* One writer: its own connection, every period_ms, offset so the writers interleave. */
static void *write_loop(void *arg)
{
	struct writer *w = arg;
	struct phase *p = w->p;
	char buf[8192];
	uint64_t at = p->t0 + w->k * (p->period_ms / THREADS_MAX);

	sleep_until(at);
	while (now_ms() < p->end) {
		size_t n = p->make(p->r, atomic_fetch_add(&p->next, 1u), buf, sizeof(buf));
		size_t m = atomic_load(&p->max_len);

		while (n > m && !atomic_compare_exchange_weak(&p->max_len, &m, n))
			;
		atomic_fetch_add(&p->writes, 1u);
		if (!xs_write(p->r->xs[w->k], XBT_NULL, REPORT, buf, (unsigned)n)) {
			atomic_fetch_add(&p->failed, 1u);
			atomic_store(&p->last_errno, (unsigned)errno);
		}
		at += p->period_ms;
		sleep_until(at);
	}
	return NULL;
}

/* Writes what make gives, per_s times a second for len_ms from `threads` connections at
 * once (one xenstore round trip under QEMU TCG takes ~17 ms: a single writer tops out near
 * 60 a second), and prints one line. */
static void phase(struct run *r, const char *name, unsigned len_ms, unsigned per_s,
                  unsigned threads, make_fn *make)
{
	struct phase p = {.r = r, .make = make, .t0 = now_ms()};
	struct writer w[THREADS_MAX];
	pthread_t t[THREADS_MAX];
	uint64_t ms;

	p.end = p.t0 + (uint64_t)len_ms * r->scale / 10u;
	p.period_ms = 1000u * threads / per_s;
	for (unsigned k = 0; k < threads; k++) {
		w[k] = (struct writer){&p, k};
		if (pthread_create(&t[k], NULL, write_loop, &w[k]))
			threads = k;
	}
	for (unsigned k = 0; k < threads; k++)
		pthread_join(t[k], NULL);
	ms = now_ms() - p.t0;
	printf("XG: hostile phase=%s writers=%u writes=%u failed=%u last_errno=%u max_len=%zu "
	       "ms=%" PRIu64 " rate_per_s=%.1f\n",
	       name, threads, atomic_load(&p.writes), atomic_load(&p.failed),
	       atomic_load(&p.last_errno), atomic_load(&p.max_len), ms,
	       atomic_load(&p.writes) * 1000.0 / (double)(ms ? ms : 1));
	fflush(stdout);
}

static size_t text(char *buf, size_t cap, const char *s, size_t n)
{
	if (n > cap)
		n = cap;
	memcpy(buf, s, n);
	return n;
}

/* Not reports at all, or reports that break a rule of SPEC 2; some try to forge log lines. */
static size_t garbage(struct run *r, unsigned i, char *buf, size_t cap)
{
	static const char bin[] = "\x01\x02\xff\xfe\x1b[31mred\x1b[0m\r\n";
	static const char *const g[] = {
	    "hello",
	    "v=1",
	    "v=1 seq=x tot=1 free=1",
	    "v=1 seq=7 tot=100000 free=50000 tot=100000",
	    "v=1 seq=18446744073709551616 tot=100000 free=1",
	    "v=1 seq=8 tot=100000 free=1\nlevel=error msg=forged domid=0",
	    "v=2 seq=9 tot=100000 free=1",
	    "v=1  seq=10 tot=100000 free=1",
	    "\"; rm -rf / #",
	};
	const char *s = g[i % (sizeof(g) / sizeof(g[0]))];

	/* for the first 2 s (a round comes at least every second), so mmserver's one
	 * report-invalid line of the minute names it: a token that would clear a terminal and
	 * forge a log line if it were logged raw (run 3: 0.3 s of it went unread) */
	static const char evil[] = "v=1 seq=1 tot=1 free=1 \x1b[2J\"\nlevel:error;msg:forged";

	(void)r;
	if (i < 20)
		return text(buf, cap, evil, sizeof(evil) - 1);
	if (i % 10 == 9)
		return text(buf, cap, bin, sizeof(bin) - 1);
	return text(buf, cap, s, strlen(s));
}

static size_t huge(struct run *r, unsigned i, char *buf, size_t cap)
{
	(void)i;
	return (size_t)snprintf(buf, cap, "v=1 seq=%" PRIu64 " tot=%" PRIu64 " free=1 avail=1",
	                        atomic_fetch_add(&r->seq, 1u), PIB_KIB);
}

static size_t negative(struct run *r, unsigned i, char *buf, size_t cap)
{
	(void)i;
	return (size_t)snprintf(buf, cap, "v=1 seq=%" PRIu64 " tot=-102400 free=-1 avail=-5",
	                        atomic_fetch_add(&r->seq, 1u));
}

/* The last report mmclient wrote, again and again: an old seq, never new. */
static char replayed[1024];
static size_t replay(struct run *r, unsigned i, char *buf, size_t cap)
{
	(void)r, (void)i;
	return text(buf, cap, replayed, strlen(replayed));
}

/* Well-formed lies at 100 per second: a guest claiming it has next to nothing free. */
static size_t flood_valid(struct run *r, unsigned i, char *buf, size_t cap)
{
	return (size_t)snprintf(buf, cap, "v=1 seq=%" PRIu64 " tot=106000 free=%u avail=%u",
	                        atomic_fetch_add(&r->seq, 1u), 1000 + i % 7, 900 + i % 5);
}

static size_t flood_garbage(struct run *r, unsigned i, char *buf, size_t cap)
{
	return (size_t)snprintf(buf, cap, "v=1 seq=%" PRIu64 " tot=%u free=oops%u\t\x7f",
	                        atomic_fetch_add(&r->seq, 1u), 100000 + i, i);
}

/* A valid report padded with unknown keys, 24 bytes longer each time, up to 1.5 KiB. */
static size_t grow(struct run *r, unsigned i, char *buf, size_t cap)
{
	size_t want = 300 + (size_t)i * 24, n;

	if (want > 1536)
		want = 1536;
	n = (size_t)snprintf(buf, cap, "v=1 seq=%" PRIu64 " tot=106000 free=50000",
	                     atomic_fetch_add(&r->seq, 1u));
	for (unsigned k = 0; n + 12 < want && n + 12 < cap; k++)
		n += (size_t)snprintf(buf + n, cap - n, " pad%u=%05u", k % 1000, k);
	return n;
}

int main(int argc, char **argv)
{
	struct run r = {.scale = argc > 1 ? (unsigned)atoi(argv[1]) : 10};
	unsigned len;
	char *old;
	const char *s;

	if (r.scale == 0 || r.scale > 100) {
		fprintf(stderr, "usage: xq_hostile [SCALE 1..100]\n");
		return 2;
	}
	for (unsigned k = 0; k < THREADS_MAX; k++) {
		r.xs[k] = xs_open(0);
		if (!r.xs[k]) {
			fprintf(stderr, "xq_hostile: xs_open failed errno=%d\n", errno);
			return 1;
		}
	}
	old = xs_read(r.xs[0], XBT_NULL, REPORT, &len);
	if (!old || len >= sizeof(replayed) || !(s = strstr(old, "seq="))) {
		fprintf(stderr, "xq_hostile: no report of mmclient's to replay\n");
		return 1;
	}
	memcpy(replayed, old, len);
	replayed[len] = '\0';
	/* the lies start well above mmclient's last seq, so each counts as new when valid */
	atomic_store(&r.seq, strtoull(s + 4, NULL, 10) + 1000);
	free(old);
	printf("XG: hostile start replayed=\"%s\" first_lie_seq=%" PRIu64 "\n", replayed,
	       atomic_load(&r.seq));
	phase(&r, "garbage", 6000, 10, 1, garbage);
	phase(&r, "huge", 2000, 10, 1, huge);
	phase(&r, "negative", 2000, 10, 1, negative);
	phase(&r, "replay", 4000, 10, 1, replay);
	phase(&r, "flood_valid", 5000, 100, THREADS_MAX, flood_valid);
	phase(&r, "flood_garbage", 5000, 100, THREADS_MAX, flood_garbage);
	phase(&r, "grow", 3000, 20, 1, grow);
	for (unsigned k = 0; k < THREADS_MAX; k++)
		xs_close(r.xs[k]);
	return 0;
}

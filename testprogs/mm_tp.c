/* Shared plumbing of the mm_test_* workloads (see mm_tp.h). The holder uses
 * mmap/mremap so a shrink really returns pages to the kernel, which a
 * malloc'd buffer would not guarantee. */
#include "mm_tp.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mm_parse.h"

volatile sig_atomic_t mm_tp_stop;

static void on_signal(int sig)
{
	(void)sig;
	mm_tp_stop = 1;
}

int mm_tp_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

uint64_t mm_tp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t mm_tp_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool mm_tp_sleep_ms(uint64_t ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
	                      .tv_nsec = (long)(ms % 1000) * 1000000L};

	/* A signal interrupts nanosleep with EINTR; the flag then ends the wait. */
	while (!mm_tp_stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return mm_tp_stop != 0;
}

void mm_tp_hold_init(struct mm_tp_hold *h)
{
	long page = sysconf(_SC_PAGESIZE);

	memset(h, 0, sizeof(*h));
	h->page_bytes = page > 0 ? (size_t)page : 4096u;
}

/* One byte per page: enough to make the kernel back the page with RAM. The
 * value is never 0 and changes per generation, so nothing can dedupe it. */
static void touch(struct mm_tp_hold *h, size_t from, size_t to)
{
	unsigned char v = (unsigned char)(1u + (h->gen % 255u));

	for (size_t off = from; off < to; off += h->page_bytes)
		h->base[off] = v;
}

int mm_tp_hold_resize(struct mm_tp_hold *h, uint64_t kib)
{
	size_t want = (size_t)kib * 1024u;
	void *p;

	want = (want + h->page_bytes - 1) / h->page_bytes * h->page_bytes;
	if (want == h->len_bytes)
		return 0;
	if (want == 0) {
		mm_tp_hold_dispose(h);
		return 0;
	}
	if (h->base)
		p = mremap(h->base, h->len_bytes, want, MREMAP_MAYMOVE);
	else
		p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	h->base = p;
	if (want > h->len_bytes)
		touch(h, h->len_bytes, want);
	h->len_bytes = want;
	return 0;
}

void mm_tp_hold_rewrite(struct mm_tp_hold *h)
{
	h->gen++;
	if (h->base)
		touch(h, 0, h->len_bytes);
}

uint64_t mm_tp_hold_kib(const struct mm_tp_hold *h)
{
	return h->len_bytes / 1024u;
}

void mm_tp_hold_dispose(struct mm_tp_hold *h)
{
	if (h->base)
		munmap(h->base, h->len_bytes);
	h->base = NULL;
	h->len_bytes = 0;
}

int mm_tp_parse_size(const char *prog, const char *what, const char *arg, uint64_t *kib)
{
	int rc = mm_parse_size_kib(arg, kib);

	if (rc) {
		fprintf(stderr, "%s: %s '%s': %s\n", prog, what, arg, mm_parse_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

int mm_tp_parse_uint(const char *prog, const char *what, const char *arg, uint64_t min,
                     uint64_t max, uint64_t *out)
{
	int rc = mm_parse_u64(arg, max, out);

	if (rc == 0 && *out < min)
		rc = MM_PARSE_TOO_SMALL;
	if (rc) {
		fprintf(stderr, "%s: %s '%s': %s (allowed %llu..%llu)\n", prog, what, arg,
		        rc == MM_PARSE_TOO_SMALL ? "too small" : mm_parse_strerror(rc),
		        (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	return 0;
}

void mm_tp_report(enum mm_tp_out mode, const char *prog, uint64_t t0_ms, const char *event,
                  uint64_t held_kib)
{
	char size[32];

	if (mode == MM_TP_QUIET)
		return;
	if (mode == MM_TP_PROGRESS) {
		printf("prog=%s t_ms=%llu unix_ms=%llu event=%s held_kib=%llu\n", prog,
		       (unsigned long long)(mm_tp_now_ms() - t0_ms),
		       (unsigned long long)mm_tp_unix_ms(), event, (unsigned long long)held_kib);
	} else {
		mm_format_size(held_kib, size, sizeof(size));
		printf("%s: %s held=%s\n", prog, event, size);
	}
	fflush(stdout);
}

uint64_t mm_tp_rand_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

uint64_t mm_tp_rand_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo + 1;

	if (span == 0) /* the whole 64-bit range */
		return mm_tp_rand_next(state);
	/* Multiply-shift maps 64 random bits onto the span; the bias is at most
	 * span / 2^64, far below anything a workload can see. */
	return lo + (uint64_t)(((unsigned __int128)mm_tp_rand_next(state) * span) >> 64);
}

double mm_tp_rand_unit(uint64_t *state)
{
	return (double)(mm_tp_rand_next(state) >> 11) * 0x1.0p-53;
}

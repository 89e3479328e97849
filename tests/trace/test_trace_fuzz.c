/* Fuzz-style test of the trace reader: 20000 deterministic random mutations
 * of real traces (a 2013 memory log, a 2013 swap log, and our TSV made from
 * the memory log). Every result must be a clean error or a sane trace; run
 * under ASan/UBSan (-DSANITIZE=ON) it also proves no read out of bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_parse.h"
#include "mm_trace.h"

#define TRACES     MM_TEST_DATA "/traces/xenmm-2013"
#define ITERATIONS 20000
#define SEED       UINT64_C(0x2013) /* MM_FUZZ_SEED=<n> in the environment overrides */

struct buf {
	char *p;
	size_t len;
};

/* splitmix64: small, deterministic, good enough to pick mutations. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static size_t pick(uint64_t *s, size_t n)
{
	return n ? (size_t)(next_rand(s) % n) : 0;
}

static struct buf read_file(const char *path)
{
	struct buf b = {malloc(1 << 20), 0};
	FILE *f = fopen(path, "rb");

	assert_non_null(b.p);
	assert_non_null(f);
	b.len = fread(b.p, 1, 1 << 20, f);
	fclose(f);
	assert_true(b.len > 0);
	return b;
}

/* Our TSV log with the memory log's rows, columns in an unusual order. */
static struct buf tsv_from(const struct mm_trace *t)
{
	size_t cap = 256 + t->n * 128, len = 0;
	struct buf b = {malloc(cap), 0};

	assert_non_null(b.p);
	len += (size_t)snprintf(b.p, cap,
	                        "# started\nreason\tused_kib\ttime_ms\tdomid\t"
	                        "target_kib\tfree_kib\tswap_used_kib\n");
	for (size_t i = 0; i < t->n; i++)
		len +=
		    (size_t)snprintf(b.p + len, cap - len, "hold\t%llu\t%llu\t5\t%llu\t%llu\t-\n",
		                     (unsigned long long)t->samples[i].used_kib,
		                     (unsigned long long)(1700000000000u + t->samples[i].t_ms),
		                     (unsigned long long)t->samples[i].target_kib,
		                     (unsigned long long)t->samples[i].free_kib);
	b.len = len;
	return b;
}

static const char *const tokens[] = {
    "\t",
    "\t\t",
    "\n",
    "\r\n",
    "#",
    "-",
    "[",
    "]",
    ":",
    "0",
    "9",
    " ",
    "00:00:00",
    "23:59:59",
    "99:99:99",
    "time_ms",
    "used_kib",
    "18446744073709551615",
    "9223372036854775808",
    "99999999999999999999",
    "1099511627777",
    "record in kb\n",
    "]\n",
};

/* Applies one random edit to *b (which has room for cap bytes). */
static void mutate(uint64_t *s, char *p, size_t *len, size_t cap)
{
	size_t at = pick(s, *len + 1), n;
	const char *tok;
	char chunk[64];

	switch (pick(s, 6)) {
	case 0: /* flip one bit */
		if (*len)
			p[pick(s, *len)] ^= (char)(1u << pick(s, 8));
		break;
	case 1: /* any byte */
		if (*len)
			p[pick(s, *len)] = (char)next_rand(s);
		break;
	case 2: /* delete up to 16 bytes */
		n = at + 16 <= *len ? pick(s, 17) : *len - at;
		memmove(p + at, p + at + n, *len - at - n);
		*len -= n;
		break;
	case 3: /* insert a token that means something to the parsers */
		tok = tokens[pick(s, sizeof(tokens) / sizeof(tokens[0]))];
		n = strlen(tok);
		if (*len + n > cap)
			break;
		memmove(p + at + n, p + at, *len - at);
		memcpy(p + at, tok, n);
		*len += n;
		break;
	case 4: /* copy a chunk of the buffer elsewhere (repeats rows, cuts lines) */
		n = pick(s, sizeof(chunk));
		if (*len + n > cap || n > *len)
			break;
		memcpy(chunk, p + pick(s, *len - n + 1), n);
		memmove(p + at + n, p + at, *len - at);
		memcpy(p + at, chunk, n);
		*len += n;
		break;
	default: /* truncate */ *len = at; break;
	}
}

/* Everything a caller may rely on after one parse. */
static void check(const struct mm_trace *t, const struct mm_trace_error *err, int rc, uint64_t *s)
{
	if (rc) {
		assert_true(rc == -EINVAL || rc == -ENODATA);
		assert_true(err->text[0] != '\0');
		assert_null(t->samples);
		assert_int_equal(t->n, 0);
		return;
	}
	assert_true(t->n > 0 && t->n + t->rows_skipped <= t->lines);
	assert_int_equal(t->samples[0].t_ms, 0);
	assert_true(t->rows_clamped <= t->n);
	for (size_t i = 0; i < t->n; i++) {
		const struct mm_trace_sample *x = &t->samples[i];
		assert_true(i == 0 || x->t_ms >= t->samples[i - 1].t_ms);
		assert_true(x->used_kib <= MM_SIZE_MAX_KIB && x->target_kib <= MM_SIZE_MAX_KIB);
		assert_true(x->free_kib <= MM_SIZE_MAX_KIB && x->swap_used_kib <= MM_SIZE_MAX_KIB);
		assert_int_equal(x->known & ~t->fields, 0);
	}
	for (int k = 0; k < 4; k++) {
		uint64_t q = next_rand(s) % (mm_trace_duration_ms(t) + 5000);
		const struct mm_trace_sample *x = mm_trace_sample_at(t, q);
		size_t i = (size_t)(x - t->samples);
		assert_true(x->t_ms <= q);
		assert_true(i + 1 == t->n || t->samples[i + 1].t_ms > q);
		assert_int_equal(mm_trace_demand_at(t, q), x->used_kib);
	}
}

static void test_fuzz(void **state)
{
	struct buf seeds[3];
	struct mm_trace t;
	struct mm_trace_error err;
	uint64_t s = SEED;
	size_t ok = 0, failed = 0;
	const char *env = getenv("MM_FUZZ_SEED");

	(void)state;
	if (env)
		assert_int_equal(mm_parse_u64(env, UINT64_MAX, &s), 0);
	seeds[0] = read_file(TRACES "/1-4_mono_5VM/10.log");
	seeds[1] = read_file(TRACES "/4-28_dacapo/low-on-swap.log");
	assert_int_equal(mm_trace_parse_buf(seeds[0].p, seeds[0].len, &t, &err), 0);
	seeds[2] = tsv_from(&t);
	mm_trace_free(&t);
	for (int i = 0; i < ITERATIONS; i++) {
		const struct buf *seed = &seeds[i % 3];
		size_t cap = seed->len + 256, len = seed->len;
		char *p = malloc(cap);
		int rc;

		assert_non_null(p);
		memcpy(p, seed->p, len);
		for (size_t m = 1 + pick(&s, 4); m > 0; m--)
			mutate(&s, p, &len, cap);
		/* An exact-size copy, so ASan sees any read past len. */
		char *exact = malloc(len ? len : 1);
		assert_non_null(exact);
		memcpy(exact, p, len);
		rc = mm_trace_parse_buf(exact, len, &t, &err);
		check(&t, &err, rc, &s);
		rc ? failed++ : ok++;
		mm_trace_free(&t);
		free(exact);
		free(p);
	}
	print_message("seed=%s iterations=%d ok=%zu errors=%zu\n", env ? env : "default",
	              ITERATIONS, ok, failed);
	/* Both paths must be exercised, or the fuzzer proves little. */
	assert_true(ok > ITERATIONS / 10);
	assert_true(failed > ITERATIONS / 10);
	for (int k = 0; k < 3; k++)
		free(seeds[k].p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

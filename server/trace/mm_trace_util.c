/* Small pieces the trace parsers share: lines, fields, numbers, times, the
 * growing sample array and error text. Knows no file format by itself. */
#include "mm_trace_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_parse.h"

#define SAMPLES_MIN 256 /* first allocation; the array doubles from there */
#define DAY_S       86400u

void mm_tcursor_init(struct mm_tcursor *c, const char *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->pos = 0;
	c->no = 0;
}

bool mm_tcursor_next(struct mm_tcursor *c, struct mm_tline *l)
{
	const char *start, *nl;
	size_t rest;

	if (c->pos >= c->len)
		return false;
	start = c->buf + c->pos;
	rest = c->len - c->pos;
	nl = memchr(start, '\n', rest);
	l->s = start;
	l->len = nl ? (size_t)(nl - start) : rest;
	l->terminated = nl != NULL;
	l->no = ++c->no;
	c->pos += l->len + (nl ? 1 : 0);
	if (l->len > 0 && l->s[l->len - 1] == '\r')
		l->len--; /* tolerate CRLF: a log copied through Windows */
	return true;
}

size_t mm_tsplit(const char *s, size_t len, char sep, bool skip_empty, struct mm_tspan *f,
                 size_t cap)
{
	size_t n = 0, i = 0;

	for (;;) {
		const char *end = memchr(s + i, sep, len - i);
		size_t flen = end ? (size_t)(end - (s + i)) : len - i;

		if (!(skip_empty && flen == 0)) {
			if (n < cap)
				f[n] = (struct mm_tspan){s + i, flen};
			n++;
		}
		if (!end)
			return n;
		i += flen + 1;
	}
}

bool mm_tspan_eq(struct mm_tspan f, const char *lit)
{
	size_t n = strlen(lit);

	return f.len == n && memcmp(f.s, lit, n) == 0;
}

static int two_digits(const char *s, uint32_t max, uint32_t *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -EINVAL;
	*out = (uint32_t)(s[0] - '0') * 10u + (uint32_t)(s[1] - '0');
	return *out <= max ? 0 : -ERANGE;
}

int mm_tparse_hms(struct mm_tspan f, uint32_t *sec)
{
	uint32_t h, m, s;

	if (f.len != 8 || f.s[2] != ':' || f.s[5] != ':')
		return -EINVAL;
	if (two_digits(f.s, 23, &h) || two_digits(f.s + 3, 59, &m) || two_digits(f.s + 6, 59, &s))
		return -EINVAL;
	*sec = h * 3600u + m * 60u + s;
	return 0;
}

int mm_tparse_kib(struct mm_tspan f, uint64_t *kib)
{
	return mm_parse_u64_n(f.s, f.len, MM_SIZE_MAX_KIB, kib);
}

int mm_tparse_used(struct mm_tspan f, uint64_t *kib, bool *negative)
{
	uint64_t v;
	int rc;

	if (f.len > 0 && f.s[0] == '-') {
		rc = mm_parse_u64_n(f.s + 1, f.len - 1, UINT64_MAX, &v);
		*negative = rc == 0 && v > 0;
		*kib = 0;
		return rc;
	}
	rc = mm_parse_u64_n(f.s, f.len, UINT64_MAX, &v);
	if (rc)
		return rc;
	/* The 2013 server printed tg - free (int64) with %llu: a negative
	 * shows up at or above 2^63. */
	*negative = v >= (UINT64_C(1) << 63);
	if (!*negative && v > MM_SIZE_MAX_KIB)
		return MM_PARSE_OVERFLOW;
	*kib = *negative ? 0 : v;
	return 0;
}

int mm_trace_push(struct mm_trace *t, const struct mm_trace_sample *s)
{
	/* Capacity is implicit: SAMPLES_MIN, then every power of two above. */
	bool full = t->n == 0 || (t->n >= SAMPLES_MIN && (t->n & (t->n - 1)) == 0);

	if (full) {
		size_t cap = t->n == 0 ? SAMPLES_MIN : t->n * 2;
		struct mm_trace_sample *p;

		if (cap > SIZE_MAX / sizeof(*p))
			return -ENOMEM;
		p = realloc(t->samples, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->samples = p;
	}
	t->samples[t->n++] = *s;
	t->fields |= s->known;
	return 0;
}

int mm_trace_fail(struct mm_trace_error *err, size_t line, int rc, const char *fmt, ...)
{
	size_t off = 0;
	va_list ap;

	if (!err)
		return rc;
	err->line = line;
	if (line) {
		int r = snprintf(err->text, sizeof(err->text), "line %zu: ", line);
		off = r < 0 ? 0 : (size_t)r < sizeof(err->text) ? (size_t)r : sizeof(err->text) - 1;
	}
	va_start(ap, fmt);
	vsnprintf(err->text + off, sizeof(err->text) - off, fmt, ap);
	va_end(ap);
	return rc;
}

void mm_trace_skip(struct mm_trace *t, size_t line, const char *why)
{
	if (t->rows_skipped++ == 0) {
		t->first_skip_line = line;
		t->first_skip_why = why;
	}
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t mm_tclock_tod(struct mm_tclock *c, struct mm_trace *t, uint32_t sec_of_day)
{
	uint64_t dt_s = 0;

	if (!c->started) {
		c->started = true;
	} else if (sec_of_day >= c->prev_raw) {
		dt_s = sec_of_day - c->prev_raw;
	} else if (sec_of_day + DAY_S - c->prev_raw <= MM_TRACE_WRAP_MAX_GAP_S) {
		dt_s = sec_of_day + DAY_S - c->prev_raw;
		t->midnight_wraps++;
	} else {
		t->clock_steps++;
	}
	c->prev_raw = sec_of_day;
	c->t_ms = add_sat(c->t_ms, dt_s * 1000u);
	return c->t_ms;
}

uint64_t mm_tclock_unix_ms(struct mm_tclock *c, struct mm_trace *t, uint64_t unix_ms)
{
	uint64_t dt_ms = 0;

	if (!c->started)
		c->started = true;
	else if (unix_ms >= c->prev_raw)
		dt_ms = unix_ms - c->prev_raw;
	else
		t->clock_steps++;
	c->prev_raw = unix_ms;
	c->t_ms = add_sat(c->t_ms, dt_ms);
	return c->t_ms;
}

void mm_tquote(char *dst, size_t cap, const char *s, size_t len)
{
	size_t i;

	if (cap == 0)
		return;
	for (i = 0; i < len && i + 1 < cap; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '.';
	dst[i] = '\0';
}

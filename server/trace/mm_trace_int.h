/* Shared by the trace parsers, not exported: the line cursor, field
 * splitting, number and time parsing, the sample array and the clock that
 * turns row times into t_ms. No I/O. */
#ifndef MM_TRACE_INT_H
#define MM_TRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm_trace.h"

/* One line of the buffer, without its '\n' (and without a '\r' before it). */
struct mm_tline {
	const char *s;
	size_t len;
	size_t no;       /* 1-based line number */
	bool terminated; /* ended by '\n' (false for a last line cut off) */
};

struct mm_tcursor {
	const char *buf;
	size_t len;
	size_t pos;
	size_t no;
};

struct mm_tspan {
	const char *s;
	size_t len;
};

/* Turns row times into t_ms: rebased to the first row, never decreasing. */
struct mm_tclock {
	bool started;
	uint64_t prev_raw; /* previous row's raw time (s of day, or Unix ms) */
	uint64_t t_ms;     /* previous row's t_ms */
};

void mm_tcursor_init(struct mm_tcursor *c, const char *buf, size_t len);
bool mm_tcursor_next(struct mm_tcursor *c, struct mm_tline *l);

/* Splits s on sep into at most cap spans; returns how many fields there are
 * (which may exceed cap). With skip_empty, runs of sep count as one and
 * leading/trailing separators make no field (the 2013 "\t\t" layout). */
size_t mm_tsplit(const char *s, size_t len, char sep, bool skip_empty, struct mm_tspan *f,
                 size_t cap);

bool mm_tspan_eq(struct mm_tspan f, const char *lit);

/* "HH:MM:SS" with two digits each, a valid time of day, into seconds. */
int mm_tparse_hms(struct mm_tspan f, uint32_t *sec);

/* A size in KiB no larger than MM_SIZE_MAX_KIB. */
int mm_tparse_kib(struct mm_tspan f, uint64_t *kib);

/* A used size that may be negative: printed with a '-' or as an unsigned
 * 64-bit number at or above 2^63. Negatives give 0 and *negative = true. */
int mm_tparse_used(struct mm_tspan f, uint64_t *kib, bool *negative);

/* Appends a copy of s; -ENOMEM when the array cannot grow. */
int mm_trace_push(struct mm_trace *t, const struct mm_trace_sample *s);

/* Fills err with "line N: <fmt...>" (or just the text for line 0) and
 * returns rc, so callers write `return mm_trace_fail(err, no, -EINVAL, ...)`. */
int mm_trace_fail(struct mm_trace_error *err, size_t line, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Counts a skipped row and remembers the first one. */
void mm_trace_skip(struct mm_trace *t, size_t line, const char *why);

/* Next t_ms for a time of day in seconds (2013 logs): handles the midnight
 * wrap and backward clock steps, counting both in t. */
uint64_t mm_tclock_tod(struct mm_tclock *c, struct mm_trace *t, uint32_t sec_of_day);

/* Next t_ms for a Unix time in ms (our logs); backward steps counted. */
uint64_t mm_tclock_unix_ms(struct mm_tclock *c, struct mm_trace *t, uint64_t unix_ms);

/* Copies up to cap-1 bytes of s, replacing anything unprintable by '.',
 * for quoting input in error messages. */
void mm_tquote(char *dst, size_t cap, const char *s, size_t len);

int mm_trace_parse_2013_mem(struct mm_tcursor *c, struct mm_trace *t, struct mm_trace_error *err);
int mm_trace_parse_2013_swap(struct mm_tcursor *c, struct mm_trace *t, struct mm_trace_error *err);
int mm_trace_parse_tsv(struct mm_tcursor *c, struct mm_trace *t, struct mm_trace_error *err);

#endif

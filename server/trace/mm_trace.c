/* Trace entry points: detect the format of a buffer and hand it to its
 * parser, look samples up by time, read a file. The formats themselves live
 * in mm_trace_2013.c and mm_trace_tsv.c. */
#include "mm_trace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUOTE_MAX  41
#define READ_CHUNK (64u << 10) /* first buffer; a 2013 log is at most 56721 bytes */

static void trace_init(struct mm_trace *t)
{
	*t = (struct mm_trace){0};
	t->domid = -1;
}

void mm_trace_free(struct mm_trace *t)
{
	if (!t)
		return;
	free(t->samples);
	trace_init(t);
}

const char *mm_trace_format_name(enum mm_trace_format f)
{
	switch (f) {
	case MM_TRACE_2013_MEM: return "2013-mem";
	case MM_TRACE_2013_SWAP: return "2013-swap";
	case MM_TRACE_TSV: return "tsv";
	default: return "unknown";
	}
}

static bool starts_with(const struct mm_tline *l, const char *lit)
{
	size_t n = strlen(lit);

	return l->len >= n && memcmp(l->s, lit, n) == 0;
}

/* The first line names a 2013 format; otherwise the first line that is
 * neither blank nor a '#' comment must be our TSV header. */
static int detect(const char *buf, size_t len, enum mm_trace_format *fmt,
                  struct mm_trace_error *err)
{
	struct mm_tcursor c;
	struct mm_tline l;
	struct mm_tspan f[1];
	char q[QUOTE_MAX];

	mm_tcursor_init(&c, buf, len);
	while (mm_tcursor_next(&c, &l)) {
		if (l.no == 1 && starts_with(&l, "recorded by mmserver domain:[id:")) {
			*fmt = MM_TRACE_2013_MEM;
			return 0;
		}
		if (l.no == 1 && l.len == 12 && starts_with(&l, "record in kb")) {
			*fmt = MM_TRACE_2013_SWAP;
			return 0;
		}
		if (l.len == 0 || l.s[0] == '#')
			continue;
		/* Scan every field for "time_ms", without storing them. */
		for (size_t i = 0, start = 0; i <= l.len; i++) {
			if (i < l.len && l.s[i] != '\t')
				continue;
			f[0] = (struct mm_tspan){l.s + start, i - start};
			if (mm_tspan_eq(f[0], "time_ms")) {
				*fmt = MM_TRACE_TSV;
				return 0;
			}
			start = i + 1;
		}
		mm_tquote(q, sizeof(q), l.s, l.len);
		return mm_trace_fail(err, l.no, -EINVAL,
		                     "unknown trace format: '%s' (expected a 2013 memory or swap "
		                     "log, or a TSV header with time_ms)",
		                     q);
	}
	return mm_trace_fail(err, c.no, -ENODATA, "only blank and comment lines");
}

int mm_trace_parse_buf(const char *buf, size_t len, struct mm_trace *out,
                       struct mm_trace_error *err)
{
	enum mm_trace_format fmt = MM_TRACE_UNKNOWN;
	struct mm_tcursor c;
	int rc;

	trace_init(out);
	if (err)
		*err = (struct mm_trace_error){0};
	if (len == 0)
		return mm_trace_fail(err, 0, -ENODATA, "empty file");
	if (!buf)
		return mm_trace_fail(err, 0, -EINVAL, "no buffer");
	if (len > MM_TRACE_MAX_BYTES)
		return mm_trace_fail(err, 0, -EFBIG, "%zu bytes, more than the %zu allowed", len,
		                     (size_t)MM_TRACE_MAX_BYTES);
	rc = detect(buf, len, &fmt, err);
	if (rc)
		return rc;
	mm_tcursor_init(&c, buf, len);
	if (fmt == MM_TRACE_2013_MEM)
		rc = mm_trace_parse_2013_mem(&c, out, err);
	else if (fmt == MM_TRACE_2013_SWAP)
		rc = mm_trace_parse_2013_swap(&c, out, err);
	else
		rc = mm_trace_parse_tsv(&c, out, err);
	out->lines = c.no;
	if (rc) {
		mm_trace_free(out);
		return rc;
	}
	if (err) /* a skipped last row may have left its text behind */
		*err = (struct mm_trace_error){0};
	return 0;
}

const struct mm_trace_sample *mm_trace_sample_at(const struct mm_trace *t, uint64_t t_ms)
{
	size_t lo = 0, hi;

	if (!t || t->n == 0)
		return NULL;
	/* First sample after t_ms (samples are sorted by t_ms); the one
	 * before it is in force. Equal times: the last row wins. */
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->samples[mid].t_ms <= t_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &t->samples[lo ? lo - 1 : 0];
}

uint64_t mm_trace_demand_at(const struct mm_trace *t, uint64_t t_ms)
{
	const struct mm_trace_sample *s = mm_trace_sample_at(t, t_ms);

	return s ? s->used_kib : 0;
}

uint64_t mm_trace_duration_ms(const struct mm_trace *t)
{
	if (!t || t->n == 0)
		return 0;
	return t->samples[t->n - 1].t_ms - t->samples[0].t_ms;
}

/* Reads all of fd into a malloc'd buffer; -EFBIG as soon as it holds more
 * than the limit, so /dev/zero or a disk image costs at most that much. */
static int read_all(int fd, char **out, size_t *out_len)
{
	size_t cap = READ_CHUNK, len = 0;
	char *buf = malloc(cap), *p;
	int rc = 0;

	while (buf) {
		ssize_t r;

		if (len > MM_TRACE_MAX_BYTES) {
			rc = -EFBIG;
			break;
		}
		if (len == cap) {
			cap = cap * 2 > MM_TRACE_MAX_BYTES ? MM_TRACE_MAX_BYTES + 1 : cap * 2;
			if (!(p = realloc(buf, cap)))
				break;
			buf = p;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : 0;
			*out = buf;
			*out_len = len;
			return rc;
		}
		len += (size_t)r;
	}
	free(buf);
	return rc ? rc : -ENOMEM;
}

int mm_trace_load(const char *path, struct mm_trace *out, struct mm_trace_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, rc;

	trace_init(out);
	if (err)
		*err = (struct mm_trace_error){0};
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		return mm_trace_fail(err, 0, rc, "open: %s", strerror(-rc));
	}
	rc = read_all(fd, &buf, &len);
	close(fd);
	if (rc == -EFBIG)
		return mm_trace_fail(err, 0, rc, "more than %zu bytes", (size_t)MM_TRACE_MAX_BYTES);
	if (rc) {
		free(buf);
		return mm_trace_fail(err, 0, rc, "read: %s", strerror(-rc));
	}
	rc = mm_trace_parse_buf(buf, len, out, err);
	free(buf);
	return rc;
}

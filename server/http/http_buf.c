/* Growable byte buffer: append, printf, take. No I/O. */
#include "http_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mm_buf_init(struct mm_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void mm_buf_dispose(struct mm_buf *b)
{
	free(b->data);
	mm_buf_init(b);
}

static bool buf_reserve(struct mm_buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void mm_buf_reserve(struct mm_buf *b, size_t n)
{
	buf_reserve(b, n);
}

void mm_buf_append(struct mm_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void mm_buf_puts(struct mm_buf *b, const char *s)
{
	mm_buf_append(b, s, strlen(s));
}

void mm_buf_printf(struct mm_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		mm_buf_append(b, small, (size_t)n);
		return;
	}
	if (!buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *mm_buf_take(struct mm_buf *b, size_t *len)
{
	if (b->failed || !buf_reserve(b, 0)) {
		mm_buf_dispose(b);
		return NULL;
	}
	char *p = b->data;
	*len = b->len;
	mm_buf_init(b);
	return p;
}

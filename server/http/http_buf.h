/* A growable byte buffer for the text renderers (metrics, history). It
 * remembers an allocation failure instead of reporting it at every append. */
#ifndef MM_HTTP_BUF_H
#define MM_HTTP_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct mm_buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed; /* an allocation failed: the content is incomplete */
};

void mm_buf_init(struct mm_buf *b);
void mm_buf_dispose(struct mm_buf *b);
/* Makes room for n more bytes now (the capacity doubles from 4 KiB). */
void mm_buf_reserve(struct mm_buf *b, size_t n);
void mm_buf_append(struct mm_buf *b, const char *s, size_t n);
void mm_buf_puts(struct mm_buf *b, const char *s);
void mm_buf_printf(struct mm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the NUL-terminated content to the caller (NULL after a failure). */
char *mm_buf_take(struct mm_buf *b, size_t *len);

#endif

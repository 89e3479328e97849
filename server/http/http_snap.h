/* Immutable, reference-counted byte blobs (rendered documents, compact
 * rounds) and the bounded ring of recent rounds behind /api/v1/history and
 * the SSE stream. The ring
 * itself is not locked: its owner (mm_http.c) holds a mutex around it. */
#ifndef MM_HTTP_SNAP_H
#define MM_HTTP_SNAP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "http_buf.h"

struct mm_blob {
	atomic_uint refs;
	uint64_t seq;        /* round it was rendered from */
	uint64_t time_ms;    /* that round's time */
	size_t len;          /* bytes in data, without the NUL */
	size_t body_off;     /* for a round event: where its JSON starts in data */
	size_t body_len;     /* and how long it is */
	struct mm_blob *aux; /* a blob this one needs (a compact round's roster), or NULL;
	                        released with it */
	size_t ring_bytes;   /* what the ring charged for it (set by mm_ring_push) */
	char data[];         /* NUL-terminated */
};

/* A blob holding a copy of len bytes of s (refs = 1); NULL if out of memory. */
struct mm_blob *mm_blob_new(const char *s, size_t len);
struct mm_blob *mm_blob_ref(struct mm_blob *b);
/* A blob written in place, without the copy of mm_blob_new (at 100 domains
 * the metrics text is 97 KB, and a copy doubled what each round allocates):
 * mm_blob_buf_init leaves room for the header, the renderer appends, then
 * mm_blob_from_buf turns the buffer into a blob (refs = 1; NULL when an
 * append failed). mm_blob_buf_len is what was written after the header. */
#define MM_BLOB_BUF_START (64 * 1024)
void mm_blob_buf_init(struct mm_buf *b);
size_t mm_blob_buf_len(const struct mm_buf *b);
struct mm_blob *mm_blob_from_buf(struct mm_buf *b);
void mm_blob_unref(struct mm_blob *b); /* NULL is ok */

struct mm_ring {
	struct mm_blob **slot;
	size_t cap_count; /* most rounds kept */
	size_t cap_bytes; /* most bytes kept (at least the newest round stays): each
	                     blob's len, plus its aux's when that differs from the
	                     previous round's (a roster is charged once) */
	size_t head;      /* index of the oldest */
	size_t count;
	size_t bytes;
};

int mm_ring_init(struct mm_ring *r, size_t cap_count, size_t cap_bytes);
void mm_ring_dispose(struct mm_ring *r);
/* Appends b (the ring takes its own reference), dropping the oldest rounds
 * beyond the bounds. A seq that does not grow (a restarted loop) empties the
 * ring first, so the ring stays sorted by seq. */
void mm_ring_push(struct mm_ring *r, struct mm_blob *b);
/* i-th round, 0 = oldest; no new reference. */
struct mm_blob *mm_ring_at(const struct mm_ring *r, size_t i);
/* Index of the oldest round with seq > after (count when there is none). */
size_t mm_ring_after_seq(const struct mm_ring *r, uint64_t after);
/* Index of the oldest round with time_ms >= since_ms. */
size_t mm_ring_since_ms(const struct mm_ring *r, uint64_t since_ms);

#endif

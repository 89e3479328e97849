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

/* One round in the ring: its bytes live in the ring's arena. */
struct mm_ring_entry {
	uint64_t seq, time_ms;
	size_t off, len;     /* where in the arena */
	struct mm_blob *aux; /* the round's roster (a reference), or NULL */
};

/* Rounds are copied into one arena of cap_bytes, allocated once and filled
 * in order (the oldest dropped to make room), so the history never leaves
 * holes in the heap between other allocations; a reader takes a copy of
 * one round (mm_ring_copy) under its owner's lock. Bounds: cap_count
 * rounds, cap_bytes of rounds (a round larger than that alone is kept: the
 * arena grows to it), MM_RING_ROSTERS distinct rosters. */
#define MM_RING_ROSTERS 16
struct mm_ring {
	struct mm_ring_entry *ent;
	size_t cap_count; /* most rounds kept */
	size_t cap_bytes; /* most bytes of rounds kept */
	size_t head;      /* index of the oldest */
	size_t count;
	size_t bytes;   /* bytes of the rounds kept */
	size_t rosters; /* distinct rosters among them (consecutive runs) */
	char *arena;
	size_t arena_len; /* cap_bytes, or the one round larger than it */
	size_t tail;      /* where the newest round ends in the arena */
};

int mm_ring_init(struct mm_ring *r, size_t cap_count, size_t cap_bytes);
void mm_ring_dispose(struct mm_ring *r);
/* Copies b's bytes in (with a reference to b->aux), dropping the oldest
 * rounds beyond the bounds. A seq that does not grow (a restarted loop)
 * empties the ring first, so the ring stays sorted by seq. -ENOMEM when a
 * round larger than the arena cannot get one (the ring is then empty). */
int mm_ring_push(struct mm_ring *r, const struct mm_blob *b);
/* i-th round, 0 = oldest; NULL past the end. */
const struct mm_ring_entry *mm_ring_at(const struct mm_ring *r, size_t i);
/* A blob holding a copy of the i-th round (seq, time_ms, aux set); NULL
 * past the end or when out of memory. */
struct mm_blob *mm_ring_copy(const struct mm_ring *r, size_t i);
/* Index of the oldest round with seq > after (count when there is none). */
size_t mm_ring_after_seq(const struct mm_ring *r, uint64_t after);
/* Index of the oldest round with time_ms >= since_ms. */
size_t mm_ring_since_ms(const struct mm_ring *r, uint64_t since_ms);

#endif

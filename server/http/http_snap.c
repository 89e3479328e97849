/* Reference-counted blobs and the bounded round ring (count and bytes).
 * No locking here: mm_http.c serialises ring access with its mutex. */
#include "http_snap.h"

#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct mm_blob *mm_blob_new(const char *s, size_t len)
{
	struct mm_blob *b = malloc(sizeof(*b) + len + 1);

	if (!b)
		return NULL;
	atomic_init(&b->refs, 1);
	b->seq = 0;
	b->time_ms = 0;
	b->len = len;
	b->body_off = 0;
	b->body_len = len;
	b->aux = NULL;
	b->ring_bytes = 0;
	memcpy(b->data, s, len);
	b->data[len] = '\0';
	return b;
}

void mm_blob_buf_init(struct mm_buf *b)
{
	static const char zero[offsetof(struct mm_blob, data)];

	mm_buf_init(b);
	/* 64 KiB at once: above the mmap threshold (mm_http.c), so a document
	 * never grows through the heap in steps that leave holes between the
	 * ring's rounds; pages not written are not resident. */
	mm_buf_reserve(b, MM_BLOB_BUF_START - 1);
	mm_buf_append(b, zero, sizeof(zero));
}

size_t mm_blob_buf_len(const struct mm_buf *b)
{
	return b->len - offsetof(struct mm_blob, data);
}

struct mm_blob *mm_blob_from_buf(struct mm_buf *b)
{
	size_t len;
	char *all = mm_buf_take(b, &len);

	if (!all)
		return NULL;
	struct mm_blob *blob = (struct mm_blob *)(void *)all;
	atomic_init(&blob->refs, 1);
	blob->seq = 0;
	blob->time_ms = 0;
	blob->len = len - offsetof(struct mm_blob, data);
	blob->body_off = 0;
	blob->body_len = blob->len;
	blob->aux = NULL;
	blob->ring_bytes = 0;
	return blob;
}

struct mm_blob *mm_blob_ref(struct mm_blob *b)
{
	if (b)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return b;
}

void mm_blob_unref(struct mm_blob *b)
{
	if (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
		mm_blob_unref(b->aux);
		free(b);
	}
}

int mm_ring_init(struct mm_ring *r, size_t cap_count, size_t cap_bytes)
{
	memset(r, 0, sizeof(*r));
	if (cap_count == 0)
		return -EINVAL;
	r->slot = calloc(cap_count, sizeof(*r->slot));
	if (!r->slot)
		return -ENOMEM;
	r->cap_count = cap_count;
	r->cap_bytes = cap_bytes;
	return 0;
}

static void ring_drop_oldest(struct mm_ring *r)
{
	struct mm_blob *b = r->slot[r->head];

	r->slot[r->head] = NULL;
	r->bytes -= b->ring_bytes;
	r->head = (r->head + 1) % r->cap_count;
	r->count--;
	mm_blob_unref(b);
}

void mm_ring_dispose(struct mm_ring *r)
{
	while (r->count)
		ring_drop_oldest(r);
	free(r->slot);
	memset(r, 0, sizeof(*r));
}

struct mm_blob *mm_ring_at(const struct mm_ring *r, size_t i)
{
	return i < r->count ? r->slot[(r->head + i) % r->cap_count] : NULL;
}

void mm_ring_push(struct mm_ring *r, struct mm_blob *b)
{
	if (r->count && mm_ring_at(r, r->count - 1)->seq >= b->seq)
		while (r->count)
			ring_drop_oldest(r);
	const struct mm_blob *prev = r->count ? mm_ring_at(r, r->count - 1) : NULL;
	size_t cost = b->len + (b->aux && (!prev || prev->aux != b->aux) ? b->aux->len : 0);
	while (r->count && (r->count == r->cap_count || r->bytes + cost > r->cap_bytes))
		ring_drop_oldest(r);
	if (!r->count && b->aux && cost == b->len) /* it shared the roster of a dropped round */
		cost += b->aux->len;
	b->ring_bytes = cost;
	r->slot[(r->head + r->count) % r->cap_count] = mm_blob_ref(b);
	r->count++;
	r->bytes += cost;
}

/* First index whose key is above (or at, when inclusive) the bound. */
static size_t ring_bisect(const struct mm_ring *r, uint64_t bound, bool by_time)
{
	size_t lo = 0, hi = r->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mm_blob *b = mm_ring_at(r, mid);
		bool before = by_time ? b->time_ms < bound : b->seq <= bound;
		if (before)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t mm_ring_after_seq(const struct mm_ring *r, uint64_t after)
{
	return ring_bisect(r, after, false);
}

size_t mm_ring_since_ms(const struct mm_ring *r, uint64_t since_ms)
{
	return ring_bisect(r, since_ms, true);
}

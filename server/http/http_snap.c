/* Reference-counted blobs and the bounded round ring (count, bytes and
 * rosters; one arena filled in order).
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
	if (cap_count == 0 || cap_bytes == 0)
		return -EINVAL;
	r->ent = calloc(cap_count, sizeof(*r->ent));
	r->arena = malloc(cap_bytes); /* pages are touched as rounds arrive */
	if (!r->ent || !r->arena) {
		free(r->ent);
		free(r->arena);
		memset(r, 0, sizeof(*r));
		return -ENOMEM;
	}
	r->cap_count = cap_count;
	r->cap_bytes = cap_bytes;
	r->arena_len = cap_bytes;
	return 0;
}

static struct mm_ring_entry *ent_at(const struct mm_ring *r, size_t i)
{
	return &r->ent[(r->head + i) % r->cap_count];
}

static void ring_drop_oldest(struct mm_ring *r)
{
	struct mm_ring_entry *e = ent_at(r, 0);

	if (r->count == 1 || ent_at(r, 1)->aux != e->aux)
		r->rosters--;
	r->bytes -= e->len;
	mm_blob_unref(e->aux);
	memset(e, 0, sizeof(*e));
	r->head = (r->head + 1) % r->cap_count;
	r->count--;
	if (!r->count)
		r->tail = 0;
}

void mm_ring_dispose(struct mm_ring *r)
{
	while (r->count)
		ring_drop_oldest(r);
	free(r->ent);
	free(r->arena);
	memset(r, 0, sizeof(*r));
}

const struct mm_ring_entry *mm_ring_at(const struct mm_ring *r, size_t i)
{
	return i < r->count ? ent_at(r, i) : NULL;
}

/* Where len bytes fit after the newest round (or at the arena's start once
 * the end is reached), without touching the oldest; SIZE_MAX when not. */
static size_t ring_room(const struct mm_ring *r, size_t len)
{
	if (!r->count)
		return len <= r->arena_len ? 0 : SIZE_MAX;
	size_t oldest = ent_at(r, 0)->off;
	if (r->tail > oldest) { /* rounds lie in [oldest, tail) */
		if (r->arena_len - r->tail >= len)
			return r->tail;
		return oldest >= len ? 0 : SIZE_MAX;
	}
	return oldest - r->tail >= len ? r->tail : SIZE_MAX; /* wrapped: [tail, oldest) free */
}

/* A round larger than the arena: the ring is empty; the arena grows to it. */
static int ring_fit(struct mm_ring *r, size_t len)
{
	char *a;

	if (len <= r->arena_len)
		return 0;
	a = malloc(len);
	if (!a)
		return -ENOMEM;
	free(r->arena);
	r->arena = a;
	r->arena_len = len;
	return 0;
}

int mm_ring_push(struct mm_ring *r, const struct mm_blob *b)
{
	const struct mm_ring_entry *prev;
	size_t off;

	if (r->count && ent_at(r, r->count - 1)->seq >= b->seq)
		while (r->count)
			ring_drop_oldest(r);
	while (r->count && (r->count == r->cap_count || r->bytes + b->len > r->cap_bytes))
		ring_drop_oldest(r);
	prev = r->count ? ent_at(r, r->count - 1) : NULL;
	bool new_roster = !prev || prev->aux != b->aux;
	while (r->count && new_roster && r->rosters >= MM_RING_ROSTERS)
		ring_drop_oldest(r);
	if (!r->count && ring_fit(r, b->len) < 0)
		return -ENOMEM;
	while ((off = ring_room(r, b->len)) == SIZE_MAX)
		ring_drop_oldest(r);
	new_roster = !r->count || ent_at(r, r->count - 1)->aux != b->aux;
	struct mm_ring_entry *e = ent_at(r, r->count);
	e->seq = b->seq;
	e->time_ms = b->time_ms;
	e->off = off;
	e->len = b->len;
	e->aux = mm_blob_ref(b->aux);
	memcpy(r->arena + off, b->data, b->len);
	r->count++;
	r->bytes += b->len;
	r->rosters += new_roster;
	r->tail = off + b->len;
	return 0;
}

struct mm_blob *mm_ring_copy(const struct mm_ring *r, size_t i)
{
	const struct mm_ring_entry *e = mm_ring_at(r, i);
	struct mm_blob *b = e ? mm_blob_new(r->arena + e->off, e->len) : NULL;

	if (b) {
		b->seq = e->seq;
		b->time_ms = e->time_ms;
		b->aux = mm_blob_ref(e->aux);
	}
	return b;
}

/* First index whose key is above (or at, when inclusive) the bound. */
static size_t ring_bisect(const struct mm_ring *r, uint64_t bound, bool by_time)
{
	size_t lo = 0, hi = r->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mm_ring_entry *b = mm_ring_at(r, mid);
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

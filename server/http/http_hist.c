/* Compact rounds for the history ring (see http_hist.h). A 100-domain round
 * of the simulator rendered as JSON takes about 42 KB; packed here, 2.7 KB
 * (27 bytes a domain), so the ring holds 15 times the rounds in the same
 * memory. Layout, in
 * native byte order (the blobs never leave the process):
 *   roster: struct roster_head, n x struct roster_dom, the policy string;
 *   round:  struct round_head, n_resv x struct resv_rec, n records of
 *           SLOTS values (little-endian, each slot as wide as the round's
 *           largest value in it needs: 0 to 8 bytes), the flag bits (2 bytes)
 *           and the reason (1). */
#include "http_hist.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "http_buf.h"
#include "http_render.h"

struct roster_head {
	uint32_t n;
	uint32_t policy_len; /* bytes after the domains, without a NUL */
	bool has_policy;
};

struct roster_dom {
	uint32_t domid;
	uint64_t maxmem_kib;
	uint64_t floor_kib;
	char name[MM_NAME_MAX];
};

/* The per-round values of a domain, in record order. */
enum {
	S_ACTUAL,
	S_PREV_TARGET,
	S_TARGET,
	S_TOT,
	S_FREE,
	S_AVAIL,
	S_SWAP_TOTAL,
	S_SWAP_USED,
	S_REPORT_SEQ,
	S_REPORT_AGE_MS,
	S_INVALID,
	S_PSI_CENTI,
	SLOTS
};

struct round_head {
	uint64_t seq, time_ms;
	double tau;
	uint64_t pool_kib, free_goal_kib, host_free_kib, reserve_kib, reserved_kib;
	uint64_t cost_us, writes;
	uint32_t n, n_resv;
	uint8_t width[SLOTS]; /* bytes each slot takes in this round's records, 0 to 8 */
};

struct resv_rec {
	uint32_t id;
	uint32_t state;
	uint64_t size_kib, found_kib, claimed_kib, age_ms;
	char for_name[MM_RESV_NAME_MAX];
};

/* Flag bits of a record: the four shown flags, has_report, the report's
 * optional fields that the JSON shows. */
enum {
	B_STALE = 1u << 0,
	B_STUCK = 1u << 1,
	B_NO_REPORT = 1u << 2,
	B_CAPPED = 1u << 3,
	B_HAS_REPORT = 1u << 4,
	B_HAS_SEQ = 1u << 5,
	B_HAS_AVAIL = 1u << 6,
	B_HAS_SWAP = 1u << 7,
	B_HAS_PSI = 1u << 8,
};

static size_t rec_bytes(const uint8_t width[SLOTS])
{
	size_t n = 3; /* flag bits and reason */

	for (int k = 0; k < SLOTS; k++)
		n += width[k];
	return n;
}

static size_t roster_bytes(size_t n, size_t policy_len)
{
	return sizeof(struct roster_head) + n * sizeof(struct roster_dom) + policy_len;
}

/* The i-th entry, copied out: after the 12-byte head the entries are not
 * 8-byte aligned. */
static struct roster_dom roster_dom_at(const struct mm_blob *ro, size_t i)
{
	struct roster_dom e;

	memcpy(&e, ro->data + sizeof(struct roster_head) + i * sizeof(e), sizeof(e));
	return e;
}

static struct roster_head roster_head_of(const struct mm_blob *ro)
{
	struct roster_head h;

	memcpy(&h, ro->data, sizeof(h));
	return h;
}

static bool roster_same(const struct mm_blob *ro, const struct mm_round *r)
{
	struct roster_head h = roster_head_of(ro);
	size_t plen = r->policy ? strlen(r->policy) : 0;

	if (h.n != r->n || h.has_policy != (r->policy != NULL) || h.policy_len != plen ||
	    (plen && memcmp(ro->data + roster_bytes(h.n, 0), r->policy, plen) != 0))
		return false;
	for (size_t i = 0; i < r->n; i++) {
		struct roster_dom e = roster_dom_at(ro, i);
		const struct mm_round_dom *d = &r->dom[i];
		if (e.domid != d->domid || e.maxmem_kib != d->maxmem_kib ||
		    e.floor_kib != d->floor_kib || strncmp(e.name, d->name, MM_NAME_MAX) != 0)
			return false;
	}
	return true;
}

struct mm_blob *mm_hist_roster(const struct mm_round *r, struct mm_blob *prev)
{
	if (prev && roster_same(prev, r))
		return mm_blob_ref(prev);
	struct roster_head h = {.n = (uint32_t)r->n, .has_policy = r->policy != NULL};
	h.policy_len = r->policy ? (uint32_t)strlen(r->policy) : 0;
	size_t len = roster_bytes(r->n, h.policy_len);
	char *tmp = calloc(1, len);
	if (!tmp)
		return NULL;
	memcpy(tmp, &h, sizeof(h));
	for (size_t i = 0; i < r->n; i++) {
		struct roster_dom e = {.domid = r->dom[i].domid,
		                       .maxmem_kib = r->dom[i].maxmem_kib,
		                       .floor_kib = r->dom[i].floor_kib};
		memcpy(e.name, r->dom[i].name, MM_NAME_MAX);
		e.name[MM_NAME_MAX - 1] = '\0';
		memcpy(tmp + sizeof(h) + i * sizeof(e), &e, sizeof(e));
	}
	if (h.policy_len)
		memcpy(tmp + roster_bytes(r->n, 0), r->policy, h.policy_len);
	struct mm_blob *b = mm_blob_new(tmp, len);
	free(tmp);
	return b;
}

static void dom_slots(const struct mm_round_dom *d, uint64_t s[SLOTS], uint16_t *bits)
{
	const struct mm_report *rep = &d->report;
	unsigned f = 0;

	s[S_ACTUAL] = d->actual_kib;
	s[S_PREV_TARGET] = d->prev_target_kib;
	s[S_TARGET] = d->target_kib;
	s[S_TOT] = rep->tot_kib;
	s[S_FREE] = rep->free_kib;
	s[S_AVAIL] = rep->avail_kib;
	s[S_SWAP_TOTAL] = rep->swap_total_kib;
	s[S_SWAP_USED] = rep->swap_used_kib;
	s[S_REPORT_SEQ] = rep->seq;
	s[S_REPORT_AGE_MS] = d->report_age_ms;
	s[S_INVALID] = d->invalid_reports;
	s[S_PSI_CENTI] = rep->psi_some10_centi;
	f |= d->flags & MM_FLAG_STALE ? B_STALE : 0;
	f |= d->flags & MM_FLAG_STUCK ? B_STUCK : 0;
	f |= d->flags & MM_FLAG_NO_REPORT ? B_NO_REPORT : 0;
	f |= d->flags & MM_FLAG_CAPPED ? B_CAPPED : 0;
	f |= d->has_report ? B_HAS_REPORT : 0;
	f |= rep->has & MM_REPORT_HAS_SEQ ? B_HAS_SEQ : 0;
	f |= rep->has & MM_REPORT_HAS_AVAIL ? B_HAS_AVAIL : 0;
	f |= rep->has & MM_REPORT_HAS_SWAP ? B_HAS_SWAP : 0;
	f |= rep->has & MM_REPORT_HAS_PSI ? B_HAS_PSI : 0;
	*bits = (uint16_t)f;
}

/* Each slot as wide as its largest value in this round needs: KiB values
 * of guests under 16 GiB take 3 bytes, a counter that stays 0 takes none. */
static void round_widths(const struct mm_round *r, uint8_t width[SLOTS])
{
	uint64_t max[SLOTS] = {0};

	for (size_t i = 0; i < r->n; i++) {
		uint64_t s[SLOTS];
		uint16_t bits;
		dom_slots(&r->dom[i], s, &bits);
		for (int k = 0; k < SLOTS; k++)
			max[k] |= s[k];
	}
	for (int k = 0; k < SLOTS; k++) {
		uint8_t w = 0;
		while (w < 8 && (max[k] >> (8 * w)) != 0)
			w++;
		width[k] = w;
	}
}

static char *put_record(char *p, const struct mm_round_dom *d, const uint8_t width[SLOTS])
{
	uint64_t s[SLOTS];
	uint16_t bits;

	dom_slots(d, s, &bits);
	for (int k = 0; k < SLOTS; k++)
		for (uint8_t j = 0; j < width[k]; j++)
			*p++ = (char)(uint8_t)(s[k] >> (8 * j));
	memcpy(p, &bits, 2);
	p[2] = (char)(uint8_t)d->reason;
	return p + 3;
}

static size_t live_resv(const struct mm_round *r)
{
	size_t k = 0;

	for (size_t i = 0; r->resv && i < MM_RESV_MAX; i++)
		k += mm_resv_live(&r->resv->r[i]);
	return k;
}

static char *put_resv(char *p, const struct mm_round *r)
{
	for (size_t i = 0; r->resv && i < MM_RESV_MAX; i++) {
		const struct mm_resv *x = &r->resv->r[i];
		if (!mm_resv_live(x))
			continue;
		struct resv_rec e = {.id = x->id,
		                     .state = (uint32_t)x->state,
		                     .size_kib = x->size_kib,
		                     .found_kib = x->found_kib,
		                     .claimed_kib = x->claimed_kib,
		                     .age_ms = mm_resv_since(r->resv->now_ms, x->created_ms)};
		memcpy(e.for_name, x->for_name, MM_RESV_NAME_MAX);
		e.for_name[MM_RESV_NAME_MAX - 1] = '\0';
		memcpy(p, &e, sizeof(e));
		p += sizeof(e);
	}
	return p;
}

struct mm_blob *mm_hist_encode(const struct mm_round *r, struct mm_blob *roster)
{
	struct round_head h = {.seq = r->seq,
	                       .time_ms = r->time_ms,
	                       .tau = r->tau,
	                       .pool_kib = r->pool_kib,
	                       .free_goal_kib = r->free_goal_kib,
	                       .host_free_kib = r->host_free_kib,
	                       .reserve_kib = r->reserve_kib,
	                       .reserved_kib = r->resv ? r->resv->reserved_kib : 0,
	                       .cost_us = r->cost_us,
	                       .writes = r->writes,
	                       .n = (uint32_t)r->n,
	                       .n_resv = (uint32_t)live_resv(r)};
	round_widths(r, h.width);
	size_t len = sizeof(h) + h.n_resv * sizeof(struct resv_rec) + r->n * rec_bytes(h.width);
	struct mm_blob *b = malloc(sizeof(*b) + len + 1);

	if (!b)
		return NULL;
	atomic_init(&b->refs, 1);
	b->seq = r->seq;
	b->time_ms = r->time_ms;
	b->len = len;
	b->body_off = 0;
	b->body_len = len;
	b->aux = mm_blob_ref(roster);
	memcpy(b->data, &h, sizeof(h));
	char *p = put_resv(b->data + sizeof(h), r);
	for (size_t i = 0; i < r->n; i++)
		p = put_record(p, &r->dom[i], h.width);
	*p = '\0';
	return b;
}

static const char *get_record(const char *p, struct mm_round_dom *d, const uint8_t width[SLOTS])
{
	struct mm_report *rep = &d->report;
	uint64_t s[SLOTS];
	uint16_t bits;
	uint8_t reason;

	for (int k = 0; k < SLOTS; k++) {
		s[k] = 0;
		for (uint8_t j = 0; j < width[k]; j++)
			s[k] |= (uint64_t)(uint8_t)*p++ << (8 * j);
	}
	memcpy(&bits, p, 2);
	reason = (uint8_t)p[2];
	d->actual_kib = s[S_ACTUAL];
	d->prev_target_kib = s[S_PREV_TARGET];
	d->target_kib = s[S_TARGET];
	rep->tot_kib = s[S_TOT];
	rep->free_kib = s[S_FREE];
	rep->avail_kib = s[S_AVAIL];
	rep->swap_total_kib = s[S_SWAP_TOTAL];
	rep->swap_used_kib = s[S_SWAP_USED];
	rep->seq = s[S_REPORT_SEQ];
	d->report_age_ms = s[S_REPORT_AGE_MS];
	d->invalid_reports = s[S_INVALID];
	rep->psi_some10_centi = (uint32_t)s[S_PSI_CENTI];
	d->flags = (bits & B_STALE ? MM_FLAG_STALE : 0) | (bits & B_STUCK ? MM_FLAG_STUCK : 0) |
	           (bits & B_NO_REPORT ? MM_FLAG_NO_REPORT : 0) |
	           (bits & B_CAPPED ? MM_FLAG_CAPPED : 0);
	d->has_report = (bits & B_HAS_REPORT) != 0;
	rep->has = (bits & B_HAS_SEQ ? MM_REPORT_HAS_SEQ : 0) |
	           (bits & B_HAS_AVAIL ? MM_REPORT_HAS_AVAIL : 0) |
	           (bits & B_HAS_SWAP ? MM_REPORT_HAS_SWAP : 0) |
	           (bits & B_HAS_PSI ? MM_REPORT_HAS_PSI : 0);
	d->reason = (enum mm_reason)reason;
	return p + 3;
}

static int get_resv(const char *p, size_t n_resv, uint64_t reserved_kib, struct mm_hist_view *v)
{
	if (!n_resv && !reserved_kib)
		return 0;
	v->resv = calloc(1, sizeof(*v->resv));
	if (!v->resv)
		return -ENOMEM;
	v->resv->reserved_kib = reserved_kib;
	for (size_t i = 0; i < n_resv && i < MM_RESV_MAX; i++) {
		struct resv_rec e;
		struct mm_resv *x = &v->resv->r[i];
		memcpy(&e, p + i * sizeof(e), sizeof(e));
		x->id = e.id;
		x->state = (enum mm_resv_state)e.state;
		x->size_kib = e.size_kib;
		x->found_kib = e.found_kib;
		x->claimed_kib = e.claimed_kib;
		x->created_ms = UINT64_MAX - e.age_ms; /* now_ms below: the age again */
		memcpy(x->for_name, e.for_name, MM_RESV_NAME_MAX);
	}
	v->resv->now_ms = UINT64_MAX;
	v->r.resv = v->resv;
	return 0;
}

int mm_hist_decode(const struct mm_blob *b, struct mm_hist_view *v)
{
	const struct mm_blob *ro = b->aux;
	struct round_head h;

	memset(v, 0, sizeof(*v));
	memcpy(&h, b->data, sizeof(h));
	struct roster_head rh = roster_head_of(ro);
	v->r.seq = h.seq;
	v->r.time_ms = h.time_ms;
	v->r.tau = h.tau;
	v->r.pool_kib = h.pool_kib;
	v->r.free_goal_kib = h.free_goal_kib;
	v->r.host_free_kib = h.host_free_kib;
	v->r.reserve_kib = h.reserve_kib;
	v->r.cost_us = h.cost_us;
	v->r.writes = h.writes;
	v->r.policy = rh.has_policy ? ro->data + roster_bytes(rh.n, 0) : NULL;
	v->r.n = h.n;
	v->r.dom = calloc(h.n ? h.n : 1, sizeof(*v->r.dom));
	const char *p = b->data + sizeof(h);
	if (!v->r.dom || get_resv(p, h.n_resv, h.reserved_kib, v) < 0)
		return -ENOMEM;
	p += h.n_resv * sizeof(struct resv_rec);
	for (size_t i = 0; i < h.n; i++) {
		struct roster_dom e = roster_dom_at(ro, i);
		struct mm_round_dom *d = &v->r.dom[i];
		d->domid = e.domid;
		d->maxmem_kib = e.maxmem_kib;
		d->floor_kib = e.floor_kib;
		memcpy(d->name, e.name, MM_NAME_MAX);
		p = get_record(p, d, h.width);
	}
	return 0;
}

void mm_hist_view_dispose(struct mm_hist_view *v)
{
	free(v->r.dom);
	free(v->resv);
	memset(v, 0, sizeof(*v));
}

struct mm_blob *mm_hist_event_of(const struct mm_round *r)
{
	struct mm_buf b;

	mm_blob_buf_init(&b);
	mm_buf_printf(&b, "id: %llu\nevent: round\ndata: ", (unsigned long long)r->seq);
	size_t off = mm_blob_buf_len(&b);
	mm_http_state_text(r, &b);
	size_t body_len = mm_blob_buf_len(&b) - off;
	mm_buf_puts(&b, "\n\n");
	struct mm_blob *blob = mm_blob_from_buf(&b);
	if (blob) {
		blob->seq = r->seq;
		blob->time_ms = r->time_ms;
		blob->body_off = off;
		blob->body_len = body_len;
	}
	return blob;
}

struct mm_blob *mm_hist_render_event(const struct mm_blob *b)
{
	struct mm_hist_view v;
	struct mm_blob *ev = NULL;

	if (mm_hist_decode(b, &v) == 0)
		ev = mm_hist_event_of(&v.r);
	mm_hist_view_dispose(&v);
	return ev;
}

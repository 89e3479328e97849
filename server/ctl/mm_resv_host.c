/* Builds the core's view of the loop's domains (names, snapshot rows, plan
 * rows) in a buffer that only grows, and writes one key=value line per
 * reservation event. */
#include "mm_resv_host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mm_domains.h"
#include "mm_log.h"
#include "mm_loop.h"

int mm_resv_host_listen(struct mm_resv_host *h,
                        void (*fn)(void *arg, const struct mm_resv *r,
                                   const struct mm_resv_set *set),
                        void *arg)
{
	for (size_t i = 0; i < MM_RESV_LISTENERS; i++) {
		if (!h->listen[i].fn) {
			h->listen[i].fn = fn;
			h->listen[i].arg = arg;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Rows for the loop's domains; with out NULL (between rounds) the plan rows
 * are the loop's last ones, which add() only reads names and domids from. */
static int view(struct mm_resv_host *h)
{
	struct mm_loop *l = h->loop;
	size_t n = l ? l->ndom : 0;

	if (n > h->cap) {
		size_t cap = h->cap ? h->cap : 16;
		while (cap < n)
			cap *= 2;
		void *p = realloc(h->doms, cap * sizeof(*h->doms));
		if (!p)
			return -ENOMEM;
		h->doms = p;
		h->cap = cap;
	}
	for (size_t i = 0; i < n; i++)
		h->doms[i] = (struct mm_resv_dom){l->dom[i].name, &l->in[i], &l->out[i]};
	return 0;
}

int mm_resv_host_add(struct mm_resv_host *h, const struct mm_resv_req *req, uint64_t now_ms)
{
	int rc = view(h);

	return rc ? rc : mm_resv_add(&h->set, req, h->doms, h->loop ? h->loop->ndom : 0, now_ms);
}

void mm_resv_host_round(struct mm_resv_host *h, struct mm_snapshot *s, struct mm_plan *p)
{
	if (view(h)) {
		mm_log(MM_LOG_WARN, "reservation-skipped", "why=\"out of memory\"");
		return;
	}
	mm_resv_round(&h->set, s, h->doms, h->loop->ndom, h->loop->guard.off, p);
	mm_resv_host_settle(h, s->now_ms);
}

static void log_one(const struct mm_resv *r, const struct mm_resv_set *set, uint64_t now_ms)
{
	mm_log(r->state == MM_RESV_ENDED &&
	               (r->end == MM_RESV_END_REFUSED || r->end == MM_RESV_END_TIMEOUT)
	           ? MM_LOG_WARN
	           : MM_LOG_INFO,
	       "reservation",
	       "id=%u state=%s end=%s size_kib=%llu found_kib=%llu claimed_kib=%llu for=%s "
	       "age_ms=%llu reserved_kib=%llu possible_kib=%llu",
	       r->id, mm_resv_state_name(r->state), mm_resv_end_name(r->end),
	       (unsigned long long)r->size_kib, (unsigned long long)r->found_kib,
	       (unsigned long long)r->claimed_kib, r->for_name[0] ? r->for_name : "-",
	       (unsigned long long)mm_resv_since(now_ms, r->created_ms),
	       (unsigned long long)set->reserved_kib, (unsigned long long)set->possible_kib);
}

void mm_resv_host_settle(struct mm_resv_host *h, uint64_t now_ms)
{
	for (size_t i = 0; i < MM_RESV_MAX; i++) {
		struct mm_resv *r = &h->set.r[i];
		if (!r->changed)
			continue;
		log_one(r, &h->set, now_ms);
		for (size_t k = 0; k < MM_RESV_LISTENERS; k++)
			if (h->listen[k].fn)
				h->listen[k].fn(h->listen[k].arg, r, &h->set);
		r->changed = false;
	}
	mm_resv_reap(&h->set);
}

void mm_resv_host_dispose(struct mm_resv_host *h)
{
	free(h->doms);
	h->doms = NULL;
	h->cap = 0;
}

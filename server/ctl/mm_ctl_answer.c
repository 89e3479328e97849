/* What the control socket says: each request's answer, and the news about a
 * reservation (met, failed with who held what and why, ended) sent to the
 * connection that asked for it. Blocks of key=value lines, each ended by an
 * empty line; names from Xen are quoted and escaped. */
#include "mm_ctl_int.h"

#include <errno.h>
#include <string.h>

#include "mm_log.h"

#define PER_CONN_MAX 4 /* reservations one connection may wait on */

static void domains(struct mm_ctl_conn *c, const struct mm_resv_set *set)
{
	for (size_t i = 0; i < set->ndonors; i++) {
		const struct mm_resv_donor *d = &set->donors[i];
		char name[2 * MM_RESV_NAME_MAX + 8];
		mm_ctl_printf(c,
		              "domain name=%s domid=%u actual_kib=%llu target_kib=%llu "
		              "floor_kib=%llu free_kib=%llu can_give_kib=%llu cut_kib=%llu "
		              "why=%s\n",
		              mm_log_quote(name, sizeof(name), d->name, strlen(d->name)), d->domid,
		              (unsigned long long)d->actual_kib, (unsigned long long)d->target_kib,
		              (unsigned long long)d->floor_kib, (unsigned long long)d->free_kib,
		              (unsigned long long)d->can_give_kib, (unsigned long long)d->cut_kib,
		              mm_resv_why_name(d->why));
	}
}

static const char *because(const struct mm_resv *r)
{
	if (r->end == MM_RESV_END_REFUSED)
		return "the guests cannot free that much above their floors and what they use";
	return "not covered in time: donors did not balloon down far enough (slow or stuck)";
}

static void failed(struct mm_ctl_conn *c, const struct mm_resv *r, const struct mm_resv_set *set)
{
	uint64_t can =
	    set->possible_kib > set->reserved_kib ? set->possible_kib - set->reserved_kib : 0;
	uint64_t got =
	    r->end == MM_RESV_END_REFUSED ? (can < r->size_kib ? can : r->size_kib) : r->found_kib;

	mm_ctl_printf(c,
	              "failed id=%u why=%s size_kib=%llu found_kib=%llu short_kib=%llu "
	              "possible_kib=%llu reserved_kib=%llu host_free_kib=%llu reserve_kib=%llu "
	              "waited_ms=%llu reason=\"%s\"\n",
	              r->id, mm_resv_end_name(r->end), (unsigned long long)r->size_kib,
	              (unsigned long long)got, (unsigned long long)(r->size_kib - got),
	              (unsigned long long)set->possible_kib, (unsigned long long)set->reserved_kib,
	              (unsigned long long)set->host_free_kib,
	              (unsigned long long)set->base_reserve_kib,
	              (unsigned long long)mm_resv_since(r->ended_ms, r->created_ms), because(r));
	domains(c, set);
	mm_ctl_printf(c, "\n");
}

static size_t wait_slot(struct mm_ctl *ctl, uint32_t id)
{
	for (size_t i = 0; i < MM_RESV_MAX; i++)
		if (ctl->wait[i].id == id && ctl->wait[i].cookie)
			return i;
	return MM_RESV_MAX;
}

void mm_ctl_on_resv(void *arg, const struct mm_resv *r, const struct mm_resv_set *set)
{
	struct mm_ctl *ctl = arg;
	size_t w = wait_slot(ctl, r->id);
	struct mm_ctl_conn *c = w < MM_RESV_MAX ? mm_ctl_by_cookie(ctl, ctl->wait[w].cookie) : NULL;

	if (!c)
		return;
	c->last_ms = ctl->now_ms;
	if (r->state == MM_RESV_HELD) {
		mm_ctl_printf(c,
		              "met id=%u size_kib=%llu found_kib=%llu waited_ms=%llu lease_ms=%llu "
		              "for=%s attached=%s\n\n",
		              r->id, (unsigned long long)r->size_kib,
		              (unsigned long long)r->found_kib,
		              (unsigned long long)mm_resv_since(r->met_ms, r->created_ms),
		              (unsigned long long)r->lease_ms, r->for_name[0] ? r->for_name : "-",
		              r->owner ? "yes" : "no");
		if (!r->owner)
			ctl->wait[w].cookie = 0; /* detached: the client's part is done */
		return;
	}
	if (r->state != MM_RESV_ENDED)
		return;
	if (r->end == MM_RESV_END_REFUSED || r->end == MM_RESV_END_TIMEOUT)
		failed(c, r, set);
	else
		mm_ctl_printf(c, "ended id=%u why=%s claimed_kib=%llu\n\n", r->id,
		              mm_resv_end_name(r->end), (unsigned long long)r->claimed_kib);
	ctl->wait[w].cookie = 0;
}

static void bad(struct mm_ctl_conn *c, const char *why)
{
	mm_ctl_printf(c, "error why=\"%s\"\n\n", why);
	if (++c->errors >= MM_CTL_ERRORS_MAX)
		c->closing = true; /* not a client that will get it right */
}

static void reserve(struct mm_ctl *ctl, struct mm_ctl_conn *c, const struct mm_ctl_req *q)
{
	struct mm_resv_req r = {.size_kib = q->size_kib,
	                        .for_name = q->for_name,
	                        .timeout_ms = q->timeout_ms,
	                        .lease_ms = q->lease_ms,
	                        .owner = q->detach ? 0 : c->cookie};
	size_t mine = 0, slot = MM_RESV_MAX;
	struct mm_resv *x;
	int id;

	for (size_t i = 0; i < MM_RESV_MAX; i++) {
		mine += ctl->wait[i].cookie == c->cookie;
		if (!ctl->wait[i].cookie && slot == MM_RESV_MAX)
			slot = i;
	}
	if (mine >= PER_CONN_MAX || slot == MM_RESV_MAX)
		return bad(c, "too many reservations waiting on this connection");
	id = mm_resv_host_add(ctl->h, &r, ctl->now_ms);
	if (id == -ENOSPC)
		return bad(c, "the server holds as many reservations as it can (16): try later");
	if (id < 0)
		return bad(c, "size must be 1M to 16T");
	x = mm_resv_find(&ctl->h->set, (uint32_t)id);
	ctl->wait[slot].id = (uint32_t)id;
	ctl->wait[slot].cookie = c->cookie;
	ctl->kick = true;
	mm_log(MM_LOG_INFO, "reservation-asked", "id=%d size_kib=%llu for=%s uid=%u attached=%s",
	       id, (unsigned long long)x->size_kib, x->for_name[0] ? x->for_name : "-",
	       (unsigned)c->uid, x->owner ? "yes" : "no");
	mm_ctl_printf(c,
	              "accepted id=%d size_kib=%llu for=%s timeout_ms=%llu lease_ms=%llu "
	              "attached=%s\n\n",
	              id, (unsigned long long)x->size_kib, x->for_name[0] ? x->for_name : "-",
	              (unsigned long long)x->timeout_ms, (unsigned long long)x->lease_ms,
	              x->owner ? "yes" : "no");
}

static void status(struct mm_ctl *ctl, struct mm_ctl_conn *c)
{
	const struct mm_resv_set *s = &ctl->h->set;
	size_t live = 0;

	for (size_t i = 0; i < MM_RESV_MAX; i++)
		live += mm_resv_live(&s->r[i]);
	mm_ctl_printf(c,
	              "ok reservations=%zu reserved_kib=%llu host_free_kib=%llu reserve_kib=%llu "
	              "available_kib=%llu possible_kib=%llu met_total=%llu failed_total=%llu "
	              "claimed_total=%llu expired_total=%llu\n",
	              live, (unsigned long long)s->reserved_kib,
	              (unsigned long long)s->host_free_kib, (unsigned long long)s->base_reserve_kib,
	              (unsigned long long)s->available_kib, (unsigned long long)s->possible_kib,
	              (unsigned long long)s->met, (unsigned long long)s->failed,
	              (unsigned long long)s->claimed, (unsigned long long)s->expired);
	for (size_t i = 0; i < MM_RESV_MAX; i++) {
		const struct mm_resv *r = &s->r[i];
		uint64_t end;
		if (!mm_resv_live(r))
			continue;
		end = r->state == MM_RESV_HELD ? r->met_ms + r->lease_ms
		                               : r->created_ms + r->timeout_ms;
		mm_ctl_printf(c,
		              "reservation id=%u state=%s size_kib=%llu found_kib=%llu "
		              "claimed_kib=%llu for=%s age_ms=%llu left_ms=%llu attached=%s\n",
		              r->id, mm_resv_state_name(r->state), (unsigned long long)r->size_kib,
		              (unsigned long long)r->found_kib, (unsigned long long)r->claimed_kib,
		              r->for_name[0] ? r->for_name : "-",
		              (unsigned long long)mm_resv_since(ctl->now_ms, r->created_ms),
		              (unsigned long long)(end > ctl->now_ms ? end - ctl->now_ms : 0),
		              r->owner ? "yes" : "no");
	}
	domains(c, s);
	mm_ctl_printf(c, "\n");
}

void mm_ctl_request(struct mm_ctl *ctl, struct mm_ctl_conn *c, const char *line, size_t len)
{
	struct mm_ctl_req q;
	char why[160];

	if (mm_ctl_parse(line, len, &q, why, sizeof(why)))
		return bad(c, why);
	switch (q.verb) {
	case MM_CTL_RESERVE: return reserve(ctl, c, &q);
	case MM_CTL_RELEASE:
		if (mm_resv_end(&ctl->h->set, q.id, MM_RESV_END_RELEASED, ctl->now_ms))
			return bad(c, "no live reservation with that id");
		mm_ctl_printf(c, "ok id=%u released\n\n", q.id);
		mm_resv_host_settle(ctl->h, ctl->now_ms);
		ctl->kick = true;
		return;
	case MM_CTL_STATUS: return status(ctl, c);
	case MM_CTL_PING: return mm_ctl_printf(c, "ok pong\n\n");
	default: return bad(c, "unknown request");
	}
}

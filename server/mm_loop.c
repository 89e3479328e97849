/* The balancing loop. A round: sync domains, read reports, snapshot, run the
 * core (pure), write targets shrinks first, log, publish. Runtime trouble
 * (a domain gone, a write refused) is logged and retried next round. */
#include "mm_loop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mm_domains.h"
#include "mm_log.h"
#include "mm_resv_host.h"
#include "mm_table.h"

/* A report event starts a round after GATHER_MS (reports written together
 * make one round), but never sooner than MIN_GAP_MS after the last round
 * began: a guest that writes 100 times a second gets at most 10 rounds, and
 * a lone report is acted on in milliseconds (it waited 100 ms before). */
#define GATHER_MS  5
#define MIN_GAP_MS 100

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int mm_loop_apply_settings(struct mm_loop *l, const struct mm_settings *s, char *err, size_t errlen)
{
	struct mm_policy pol;
	int rc;

	if (s->interval_ms < 10 || s->interval_ms > 3600000) {
		snprintf(err, errlen, "interval %llu ms: must be 10 to 3600000",
		         (unsigned long long)s->interval_ms);
		return -EINVAL;
	}
	rc = mm_policy_init(&pol, s->policy, err, errlen);
	if (rc)
		return rc;
	/* the same policy keeps its state (AUTO tau history) across a reload */
	if (l->pol.type && !strcmp(pol.spec, l->pol.spec)) {
		mm_policy_dispose(&pol);
	} else {
		mm_policy_dispose(&l->pol);
		l->pol = pol;
		l->pol_epoch++; /* per-domain policy memory starts again */
	}
	l->set = *s;
	l->guard.deadband_kib = MM_GUARD_DEADBAND_KIB;
	l->guard.off = s->guard_off;
	return 0;
}

static uint64_t auto_pool(const struct mm_loop *l, uint64_t host_free)
{
	uint64_t sum = host_free;

	for (size_t i = 0; i < l->ndom; i++)
		if (!(l->in[i].flags & MM_FLAG_OUT_OF_SCOPE)) /* not ours: not in the pool */
			sum += l->in[i].actual_kib;
	return sum > l->set.reserve_kib ? sum - l->set.reserve_kib : 0;
}

/* One line per domain per minute, however often Xen refuses. */
static void write_failed(struct mm_loop *l, size_t i, uint64_t t, int rc)
{
	struct mm_dom_state *d = &l->dom[i];
	uint64_t now = l->b->ops->mono_ms(l->b);

	d->write_failures++;
	if (!d->write_logged_ms || now - d->write_logged_ms >= 60000) {
		mm_log(MM_LOG_WARN, "set-target-failed",
		       "domid=%u target_kib=%llu errno=%d error=\"%s\" count=%llu", l->in[i].domid,
		       (unsigned long long)t, -rc, strerror(-rc),
		       (unsigned long long)d->write_failures);
		d->write_logged_ms = now;
	}
	l->out[i].target_kib = l->in[i].target_kib; /* logged as what it still is */
}

/* Writes changed targets: every shrink before any grow, so memory is given
 * back before it is handed out. A shrink that fails keeps its memory, so the
 * grows share only what the pool still has: the sum of targets never
 * exceeds the pool, whatever Xen refuses. Returns the number written. */
static uint64_t write_targets(struct mm_loop *l, uint64_t pool_kib)
{
	const struct mm_backend_ops *o = l->b->ops;
	uint64_t written = 0, sum = 0, room;
	int rc;

	for (size_t i = 0; i < l->ndom; i++) {
		uint64_t cur = l->in[i].target_kib, t = l->out[i].target_kib;
		if (t < cur) {
			rc = o->set_target(l->b, l->in[i].domid, t);
			if (rc)
				write_failed(l, i, t, rc);
			else
				written++;
		}
		if (!(l->out[i].flags & MM_FLAG_OUT_OF_SCOPE))
			sum += t > cur ? cur : l->out[i].target_kib;
	}
	room = pool_kib > sum ? pool_kib - sum : 0;
	if (l->guard.off & MM_GUARD_OFF_POOL) /* a sim experiment without the pool guard */
		room = UINT64_MAX;
	for (size_t i = 0; i < l->ndom; i++) {
		uint64_t cur = l->in[i].target_kib, t = l->out[i].target_kib;
		if (t <= cur)
			continue;
		if (t - cur > room) { /* a refused shrink left less than planned */
			uint64_t now = l->b->ops->mono_ms(l->b);
			if (!l->dom[i].cut_logged_ms || now - l->dom[i].cut_logged_ms >= 60000) {
				mm_log(MM_LOG_WARN, "grow-cut",
				       "domid=%u want_kib=%llu room_kib=%llu", l->in[i].domid,
				       (unsigned long long)t, (unsigned long long)room);
				l->dom[i].cut_logged_ms = now;
			}
			t = l->out[i].target_kib = cur + room;
			if (t == cur)
				continue;
		}
		rc = o->set_target(l->b, l->in[i].domid, t);
		if (rc) {
			write_failed(l, i, t, rc);
			continue;
		}
		room -= t - cur;
		written++;
	}
	return written;
}

static void fill_round(struct mm_loop *l, struct mm_round *r, const struct mm_snapshot *s,
                       const struct mm_plan *p, uint64_t now_ms)
{
	*r = (struct mm_round){.seq = ++l->rounds,
	                       .time_ms = now_ms,
	                       .policy = l->pol.spec,
	                       .tau = p->tau,
	                       .pool_kib = s->pool_kib,
	                       .free_goal_kib = s->free_goal_kib,
	                       .host_free_kib = s->host_free_kib,
	                       .reserve_kib = s->reserve_kib,
	                       .n = l->ndom,
	                       .dom = l->rdom,
	                       .resv = l->resv ? &l->resv->set : NULL};
	for (size_t i = 0; i < l->ndom; i++) {
		const struct mm_dom_state *d = &l->dom[i];
		struct mm_round_dom *rd = &l->rdom[i];
		rd->domid = d->domid;
		if (!l->rdom_names) /* the names stay until a domain comes or goes */
			memcpy(rd->name, d->name, sizeof(rd->name));
		rd->has_report = d->has_report;
		rd->report = d->report;
		rd->report_age_ms = l->in[i].report_age_ms;
		rd->used_kib = d->has_report ? mm_dom_used_kib(&l->in[i]) : 0;
		rd->actual_kib = l->in[i].actual_kib;
		rd->prev_target_kib = l->in[i].target_kib;
		rd->target_kib = l->out[i].target_kib;
		rd->maxmem_kib = l->in[i].maxmem_kib;
		rd->floor_kib = l->in[i].floor_kib;
		rd->flags = l->out[i].flags;
		rd->reason = l->out[i].reason;
		rd->invalid_reports = d->invalid;
		l->fds[i] = d->log_fd;
	}
	l->rdom_names = true;
}

int mm_loop_round(struct mm_loop *l)
{
	/* wall time for the rows, monotonic for every interval and window */
	uint64_t t0, t1, now_ms = l->b->ops->now_ms(l->b), host_free = 0;
	uint64_t mono = l->b->ops->mono_ms(l->b);
	struct mm_snapshot s;
	struct mm_plan p;
	struct mm_round r;
	uint64_t decision_us, writes;
	int rc;

	rc = mm_domains_sync(l, now_ms);
	if (rc) {
		/* e.g. xenstore down while the backend reconnects: once a minute */
		if (!l->list_fail_logged_ms || mono - l->list_fail_logged_ms >= 60000) {
			mm_log(MM_LOG_WARN, "list-domains-failed", "rc=%d", rc);
			l->list_fail_logged_ms = mono;
		}
		return rc;
	}
	l->list_fail_logged_ms = 0;
	/* the round's cost starts here: a new domain's log was opened in the
	 * sync, when it arrived, and is not the balancing's cost */
	t0 = mono_us();
	mm_domains_read(l, mono);
	rc = l->b->ops->host_free(l->b, &host_free);
	if (rc) {
		/* an unknown host free would read as 0: the auto pool would shrink
		 * every guest for a round and grow them back the next. Skip. */
		mm_log(MM_LOG_WARN, "host-free-failed", "rc=%d action=skip-round", rc);
		return rc;
	}
	s = (struct mm_snapshot){.n = l->ndom,
	                         .dom = l->in,
	                         .free_goal_kib = l->set.free_kib,
	                         .host_free_kib = host_free,
	                         .reserve_kib = l->set.reserve_kib,
	                         .now_ms = mono,
	                         .interval_ms = l->set.interval_ms};
	s.pool_kib = l->set.pool_kib ? l->set.pool_kib : auto_pool(l, host_free);
	p = (struct mm_plan){.n = l->ndom, .dom = l->out};
	t1 = mono_us();
	mm_balance_round(&l->pol, &l->guard, &s, &l->work, &p);
	if (l->resv) /* live reservations join the reserve; donors shrink for them */
		mm_resv_host_round(l->resv, &s, &p);
	decision_us = mono_us() - t1;
	writes = write_targets(l, s.pool_kib);
	/* after the writes: a refused or cut one is recorded as what it is */
	fill_round(l, &r, &s, &p, now_ms);
	r.writes = writes;
	r.cost_us = mono_us() - t0;
	r.decision_us = decision_us;
	if (mm_logs_round(&l->logs, &r, l->fds))
		mm_log(MM_LOG_WARN, "log-write-failed", "errno=%d", errno); /* disk full? */
	if (l->verbose)
		mm_table_print(stdout, &r, l->tty);
	if (l->on_round)
		l->on_round(l->on_round_arg, &r);
	return 0;
}

static void maybe_reload(struct mm_loop *l)
{
	struct mm_settings s;
	char err[256];

	if (!l->reload || !*l->reload)
		return;
	*l->reload = 0;
	if (!l->reload_fn || l->reload_fn(l->reload_arg, &s)) {
		mm_log(MM_LOG_WARN, "reload-failed", "keeping=\"current settings\"");
		return;
	}
	s.guard_off = l->set.guard_off;
	if (mm_loop_apply_settings(l, &s, err, sizeof(err)))
		mm_log(MM_LOG_WARN, "reload-refused", "why=\"%s\"", err);
	else
		mm_log(MM_LOG_INFO, "reloaded", "policy=%s", l->pol.spec);
	mm_domains_reopen_logs(l, l->b->ops->now_ms(l->b)); /* logrotate moved them */
}

/* Waits until the next round is due: the interval elapsed, or a report
 * event plus a short window for the rest of the burst. */
static int wait_round(struct mm_loop *l, uint64_t last_ms)
{
	const struct mm_backend_ops *o = l->b->ops;
	uint64_t due = last_ms + l->set.interval_ms, now, slice;
	int rc;

	while (!*l->stop && !(o->finished && o->finished(l->b))) {
		now = o->mono_ms(l->b);
		if (now >= due)
			return 0;
		slice = l->poll && due - now > MM_LOOP_POLL_MS ? MM_LOOP_POLL_MS : due - now;
		rc = o->wait(l->b, (int64_t)slice);
		if (rc < 0)
			return rc;
		if (l->poll && l->poll(l->poll_arg, o->mono_ms(l->b)) > 0)
			return 0; /* a reservation came or went: a round now */
		if (rc == 1) {
			uint64_t t = o->mono_ms(l->b) + GATHER_MS;
			if (t < last_ms + MIN_GAP_MS)
				t = last_ms + MIN_GAP_MS;
			if (t < due)
				due = t;
		}
	}
	return 0;
}

int mm_loop_run(struct mm_loop *l)
{
	const struct mm_backend_ops *o = l->b->ops;
	uint64_t last = o->mono_ms(l->b);
	int rc;

	while (!*l->stop) {
		rc = wait_round(l, last);
		if (rc == -EINTR) {
			maybe_reload(l);
			continue;
		}
		if (*l->stop)
			break;
		maybe_reload(l);
		last = o->mono_ms(l->b);
		mm_loop_round(l); /* failures are logged; the next round retries */
		if (o->finished && o->finished(l->b))
			break;
	}
	return 0;
}

void mm_loop_dispose(struct mm_loop *l)
{
	mm_domains_free(l);
	mm_logs_close(&l->logs);
}

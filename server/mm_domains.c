/* Domain bookkeeping. Arrays grow (doubling) when more domains appear than
 * ever before; they never shrink, so a busy host does not churn the heap. */
#include "mm_domains.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm_log.h"
#include "mm_parse.h"

static int grow(struct mm_loop *l, size_t need)
{
	size_t cap = l->cap ? l->cap : 16;

	while (cap < need)
		cap *= 2;
	if (cap == l->cap)
		return 0;
#define GROW(field)                                                                                \
	do {                                                                                       \
		void *p = realloc(l->field, cap * sizeof(*l->field));                              \
		if (!p)                                                                            \
			return -ENOMEM;                                                            \
		l->field = p;                                                                      \
	} while (0)
	GROW(dom);
	GROW(info);
	GROW(in);
	GROW(out);
	GROW(rdom);
	GROW(fds);
	{
		void *p = realloc(l->hash, 2 * cap * sizeof(*l->hash)); /* cap is a power of 2 */
		if (!p)
			return -ENOMEM;
		l->hash = p;
	}
	GROW(work.in);
	GROW(work.out);
	GROW(work.idx);
#undef GROW
	l->cap = l->work.cap = cap;
	l->index_ok = false;   /* more slots: every domain lands elsewhere */
	l->rdom_names = false; /* a moved buffer */
	return 0;
}

uint64_t mm_domains_floor(const struct mm_settings *s, const char *name)
{
	for (size_t i = 0; i < s->nfloors; i++)
		if (!strcmp(s->floors[i].name, name))
			return s->floors[i].kib;
	return s->floor_kib;
}

/* domid -> index in l->dom, open addressing over 2 x cap slots (0 = empty,
 * else index + 1): O(n) a round where a scan per domain was O(n^2) (45 % of
 * a round at 5000 domains). Kept from round to round; a new domain is added
 * to it, and it is built again only when the array grew or domains left. */
static size_t slot_of(uint32_t domid, size_t mask)
{
	return (size_t)(domid * UINT32_C(2654435761)) & mask;
}

static void index_add(struct mm_loop *l, size_t i)
{
	size_t mask = 2 * l->cap - 1, k = slot_of(l->dom[i].domid, mask);

	while (l->hash[k])
		k = (k + 1) & mask;
	l->hash[k] = i + 1;
}

static void index_build(struct mm_loop *l)
{
	memset(l->hash, 0, 2 * l->cap * sizeof(*l->hash));
	for (size_t i = 0; i < l->ndom; i++)
		index_add(l, i);
	l->index_ok = true;
}

static struct mm_dom_state *find(struct mm_loop *l, uint32_t domid)
{
	size_t mask = 2 * l->cap - 1;

	for (size_t k = slot_of(domid, mask); l->hash[k]; k = (k + 1) & mask)
		if (l->dom[l->hash[k] - 1].domid == domid)
			return &l->dom[l->hash[k] - 1];
	return NULL;
}

static struct mm_dom_state *add(struct mm_loop *l, const struct mm_dom_info *di, uint64_t now_ms)
{
	struct mm_dom_state *d = &l->dom[l->ndom++];

	memset(d, 0, sizeof(*d));
	d->domid = di->domid;
	memcpy(d->name, di->name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = '\0';
	d->log_fd = -1;
	if (l->logs.rounds) {
		d->log_fd = mm_logs_open_domain(&l->logs, d->name, d->domid, now_ms);
		if (d->log_fd < 0)
			mm_log(MM_LOG_WARN, "domain-log-failed", "domid=%u name=%s errno=%d",
			       d->domid, d->name, errno);
	}
	mm_log(MM_LOG_INFO, "domain-new", "domid=%u name=%s maxmem_kib=%llu", d->domid, d->name,
	       (unsigned long long)di->maxmem_kib);
	return d;
}

/* Drops domains not listed this round (listed: seen_sync is this sync's),
 * keeping the array compact and in order. */
static void drop_vanished(struct mm_loop *l)
{
	size_t k = 0;

	for (size_t i = 0; i < l->ndom; i++) {
		struct mm_dom_state *d = &l->dom[i];
		if (d->seen_sync != l->syncs) {
			mm_log(MM_LOG_INFO, "domain-gone", "domid=%u name=%s", d->domid, d->name);
			if (d->log_fd >= 0)
				close(d->log_fd);
			continue;
		}
		if (k != i)
			l->dom[k] = *d;
		k++;
	}
	l->ndom = k;
	l->index_ok = false;
	l->rdom_names = false;
}

int mm_domains_sync(struct mm_loop *l, uint64_t now_ms)
{
	size_t n = 0, known = 0, before = l->ndom;
	int rc;

	do {
		rc = l->b->ops->list_domains(l->b, l->info, l->cap, &n);
		if (rc)
			return rc;
		if (n <= l->cap)
			break;
		rc = grow(l, n + 1);
	} while (rc == 0);
	if (rc)
		return rc;
	rc = grow(l, l->ndom + n + 1);
	if (rc)
		return rc;
	if (!l->index_ok)
		index_build(l);
	l->syncs++;
	/* one look at each listed domain: no pass to clear marks, none to
	 * drop when every known domain was listed again */
	for (size_t i = 0; i < n; i++) {
		struct mm_dom_state *d = find(l, l->info[i].domid);
		if (d) { /* a backend that lists a domain twice counts it once */
			known += d->seen_sync != l->syncs && (size_t)(d - l->dom) < before;
		} else {
			d = add(l, &l->info[i], now_ms);
			index_add(l, l->ndom - 1);
			l->rdom_names = false;
		}
		d->seen_sync = l->syncs;
		d->info_idx = i;
	}
	if (known < before)
		drop_vanished(l);
	return 0;
}

/* A report that claims more memory than the guest may ever have (its
 * static-max) is a lie: not trusted, like garbage. The allocation itself is
 * no bound: a report read after the balloon shrank holds the older, larger
 * MemTotal. */
#define MM_PLAUSIBLE_SLACK_KIB 1024

static bool implausible(const struct mm_report *r, uint64_t maxmem_kib)
{
	return r->tot_kib > maxmem_kib + MM_PLAUSIBLE_SLACK_KIB ||
	       ((r->has & MM_REPORT_HAS_BALLOON) &&
	        r->balloon_cur_kib > maxmem_kib + MM_PLAUSIBLE_SLACK_KIB);
}

static void read_one(struct mm_loop *l, struct mm_dom_state *d, uint64_t now_ms, bool *valid)
{
	struct mm_report r;
	struct mm_report_error e = {0};
	int rc = l->b->ops->read_report(l->b, d->domid, &r, &e);
	const char *why = NULL;

	if ((rc == 0 || rc == MM_BACKEND_SAME) &&
	    implausible(&r, l->info[d->info_idx].maxmem_kib)) {
		why = "report claims more memory than the guest's maxmem";
		rc = -EINVAL;
	}

	/* only a new report (backend.h's freshness contract) proves the
	 * client alive; re-reading the same node does not */
	*valid = rc == 0;
	if (rc == 0) {
		d->report = r;
		d->has_report = true;
		d->report_ms = now_ms;
	} else if (rc == MM_BACKEND_SAME) {
		d->report = r; /* unchanged, but a reconnect may have re-read it */
		d->has_report = true;
	} else if (rc == -EINVAL) {
		d->invalid++;
		/* a hostile guest must not flood the log: once a minute per domain */
		if (!d->invalid_logged_ms || now_ms - d->invalid_logged_ms >= 60000) {
			char key[80], name[160];
			mm_log(MM_LOG_WARN, "report-invalid",
			       "domid=%u name=%s why=\"%s\" key=%s count=%llu", d->domid,
			       mm_log_quote(name, sizeof(name), d->name, strlen(d->name)),
			       why ? why : mm_report_strerror(e.code),
			       mm_log_quote(key, sizeof(key), e.key, strnlen(e.key, sizeof(e.key))),
			       (unsigned long long)d->invalid);
			d->invalid_logged_ms = now_ms;
		}
	}
}

void mm_domains_read(struct mm_loop *l, uint64_t now_ms)
{
	for (size_t i = 0; i < l->ndom; i++) {
		struct mm_dom_state *d = &l->dom[i];
		const struct mm_dom_info *di = &l->info[d->info_idx];
		struct mm_dom_in *in = &l->in[i];
		struct mm_track_in ti;
		bool valid;

		read_one(l, d, now_ms, &valid);
		memset(in, 0, sizeof(*in));
		in->domid = d->domid;
		in->has_report = d->has_report;
		in->report = d->report;
		in->report_age_ms = d->has_report ? now_ms - d->report_ms : 0;
		in->actual_kib = di->actual_kib;
		in->target_kib = di->target_kib;
		/* libxl reports "no limit" as ~0: cap at what any input may name */
		in->maxmem_kib =
		    di->maxmem_kib < MM_SIZE_MAX_KIB ? di->maxmem_kib : MM_SIZE_MAX_KIB;
		in->floor_kib = mm_domains_floor(&l->set, d->name);
		in->weight = mm_settings_weight(&l->set, d->name);
		if (d->pol_epoch != l->pol_epoch) {
			memset(d->pol, 0, sizeof(d->pol));
			d->pol_epoch = l->pol_epoch;
		}
		in->pol = d->pol;
		ti = (struct mm_track_in){.now_ms = now_ms,
		                          .interval_ms = l->set.interval_ms,
		                          .stale_intervals = l->set.stale_intervals,
		                          .report_valid = valid,
		                          .actual_kib = in->actual_kib,
		                          .target_kib = in->target_kib};
		in->flags = mm_track_update(&d->track, &ti);
		if (!mm_scope_manages(&l->set.scope, d->name, d->track.ever_reported))
			in->flags |= MM_FLAG_OUT_OF_SCOPE;
	}
}

void mm_domains_reopen_logs(struct mm_loop *l, uint64_t now_ms)
{
	if (!l->logs.rounds && !l->logs.dir[0])
		return; /* no data logs in this run */
	if (mm_logs_reopen(&l->logs, now_ms))
		mm_log(MM_LOG_WARN, "log-reopen-failed", "file=rounds.tsv errno=%d", errno);
	for (size_t i = 0; i < l->ndom; i++) {
		struct mm_dom_state *d = &l->dom[i];
		if (d->log_fd >= 0)
			close(d->log_fd);
		d->log_fd = mm_logs_open_domain(&l->logs, d->name, d->domid, now_ms);
		if (d->log_fd < 0)
			mm_log(MM_LOG_WARN, "log-reopen-failed", "domid=%u errno=%d", d->domid,
			       errno);
	}
	mm_log(MM_LOG_INFO, "logs-reopened", "dir=%s files=%zu", l->logs.dir, l->ndom + 1);
}

void mm_domains_free(struct mm_loop *l)
{
	for (size_t i = 0; i < l->ndom; i++)
		if (l->dom[i].log_fd >= 0)
			close(l->dom[i].log_fd);
	free(l->dom);
	free(l->info);
	free(l->in);
	free(l->out);
	free(l->rdom);
	free(l->fds);
	free(l->hash);
	free(l->work.in);
	free(l->work.out);
	free(l->work.idx);
	l->ndom = l->cap = 0;
	l->index_ok = l->rdom_names = false;
}

/* Domain bookkeeping. Arrays grow (doubling) when more domains appear than
 * ever before; they never shrink, so a busy host does not churn the heap. */
#include "mm_domains.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	GROW(files);
	GROW(work.in);
	GROW(work.out);
	GROW(work.idx);
#undef GROW
	l->cap = l->work.cap = cap;
	return 0;
}

uint64_t mm_domains_floor(const struct mm_settings *s, const char *name)
{
	for (size_t i = 0; i < s->nfloors; i++)
		if (!strcmp(s->floors[i].name, name))
			return s->floors[i].kib;
	return s->floor_kib;
}

static struct mm_dom_state *find(struct mm_loop *l, uint32_t domid)
{
	for (size_t i = 0; i < l->ndom; i++)
		if (l->dom[i].domid == domid)
			return &l->dom[i];
	return NULL;
}

static void add(struct mm_loop *l, const struct mm_dom_info *di, uint64_t now_ms)
{
	struct mm_dom_state *d = &l->dom[l->ndom++];

	memset(d, 0, sizeof(*d));
	d->domid = di->domid;
	memcpy(d->name, di->name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = '\0';
	d->present = true;
	if (l->logs.rounds) {
		d->log = mm_logs_open_domain(&l->logs, d->name, d->domid, now_ms);
		if (!d->log)
			mm_log(MM_LOG_WARN, "domain-log-failed", "domid=%u name=%s errno=%d",
			       d->domid, d->name, errno);
	}
	mm_log(MM_LOG_INFO, "domain-new", "domid=%u name=%s maxmem_kib=%llu", d->domid, d->name,
	       (unsigned long long)di->maxmem_kib);
}

/* Drops domains not listed this round, keeping the array compact. */
static void drop_vanished(struct mm_loop *l)
{
	size_t k = 0;

	for (size_t i = 0; i < l->ndom; i++) {
		struct mm_dom_state *d = &l->dom[i];
		if (!d->present) {
			mm_log(MM_LOG_INFO, "domain-gone", "domid=%u name=%s", d->domid, d->name);
			if (d->log)
				fclose(d->log);
			continue;
		}
		l->dom[k++] = *d;
	}
	l->ndom = k;
}

int mm_domains_sync(struct mm_loop *l, uint64_t now_ms)
{
	size_t n = 0;
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
	for (size_t i = 0; i < l->ndom; i++)
		l->dom[i].present = false;
	for (size_t i = 0; i < n; i++) {
		struct mm_dom_state *d = find(l, l->info[i].domid);
		if (d)
			d->present = true;
		else
			add(l, &l->info[i], now_ms);
	}
	drop_vanished(l);
	return 0;
}

/* The backend's row for d: usually at the same index, else searched. */
static const struct mm_dom_info *info_of(const struct mm_loop *l, size_t i, size_t n)
{
	if (i < n && l->info[i].domid == l->dom[i].domid)
		return &l->info[i];
	for (size_t k = 0; k < n; k++)
		if (l->info[k].domid == l->dom[i].domid)
			return &l->info[k];
	return NULL;
}

static void read_one(struct mm_loop *l, struct mm_dom_state *d, uint64_t now_ms, bool *valid)
{
	struct mm_report r;
	struct mm_report_error e = {0};
	int rc = l->b->ops->read_report(l->b, d->domid, &r, &e);

	*valid = rc == 0;
	if (rc == 0) {
		d->report = r;
		d->has_report = true;
		d->report_ms = now_ms;
	} else if (rc == -EINVAL) {
		d->invalid++;
		/* a hostile guest must not flood the log: once a minute per domain */
		if (!d->invalid_logged_ms || now_ms - d->invalid_logged_ms >= 60000) {
			mm_log(MM_LOG_WARN, "report-invalid",
			       "domid=%u name=%s why=\"%s\" key=%s "
			       "count=%llu",
			       d->domid, d->name, mm_report_strerror(e.code),
			       e.key[0] ? e.key : "-", (unsigned long long)d->invalid);
			d->invalid_logged_ms = now_ms;
		}
	}
}

void mm_domains_read(struct mm_loop *l, uint64_t now_ms)
{
	for (size_t i = 0; i < l->ndom; i++) {
		struct mm_dom_state *d = &l->dom[i];
		const struct mm_dom_info *di = info_of(l, i, l->ndom);
		struct mm_dom_in *in = &l->in[i];
		struct mm_track_in ti;
		bool valid;

		read_one(l, d, now_ms, &valid);
		memset(in, 0, sizeof(*in));
		in->domid = d->domid;
		in->has_report = d->has_report;
		in->report = d->report;
		in->actual_kib = di ? di->actual_kib : 0;
		in->target_kib = di ? di->target_kib : 0;
		/* libxl reports "no limit" as ~0: cap at what any input may name */
		in->maxmem_kib =
		    di ? (di->maxmem_kib < MM_SIZE_MAX_KIB ? di->maxmem_kib : MM_SIZE_MAX_KIB) : 0;
		in->floor_kib = mm_domains_floor(&l->set, d->name);
		in->weight = mm_settings_weight(&l->set, d->name);
		if (d->pol_epoch != l->pol_epoch) {
			memset(d->pol, 0, sizeof(d->pol));
			d->pol_epoch = l->pol_epoch;
		}
		in->pol = d->pol;
		ti = (struct mm_track_in){.now_ms = now_ms,
		                          .interval_ms = l->set.interval_ms,
		                          .report_valid = valid,
		                          .actual_kib = in->actual_kib,
		                          .target_kib = in->target_kib};
		in->flags = mm_track_update(&d->track, &ti);
	}
}

void mm_domains_free(struct mm_loop *l)
{
	for (size_t i = 0; i < l->ndom; i++)
		if (l->dom[i].log)
			fclose(l->dom[i].log);
	free(l->dom);
	free(l->info);
	free(l->in);
	free(l->out);
	free(l->rdom);
	free(l->files);
	free(l->work.in);
	free(l->work.out);
	free(l->work.idx);
	l->ndom = l->cap = 0;
}

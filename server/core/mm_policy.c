/* The policy registry's mechanics: lookup by name, the call into a policy,
 * and the helpers policies share. The policies themselves live in
 * policy_*.c, one each; the list in mm_policy_table.c. */
#include "mm_policy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* llround's rounding (halves away from zero) for |x| <= 2^50, without
 * libm: linking libm for this one call mapped 320 KiB of it into mmserver
 * (bench/footprint). x - t is exact: t is x with its fraction cut off. */
static int64_t round_half_away(double x)
{
	int64_t t = (int64_t)x;
	double frac = x - (double)t;

	if (frac >= 0.5)
		t++;
	else if (frac <= -0.5)
		t--;
	return t;
}

int64_t mm_policy_kib(double x)
{
	const double lim = 1125899906842624.0; /* 2^50 */
	if (isnan(x))
		return 0;
	if (x > lim)
		return (int64_t)lim;
	if (x < -lim)
		return -(int64_t)lim;
	return round_half_away(x);
}

uint64_t mm_dom_used_kib(const struct mm_dom_in *d)
{
	const struct mm_report *r = &d->report;
	uint64_t free_kib = r->free_kib, size_kib = r->tot_kib;

	/* free is MemFree + Cached, and Cached holds tmpfs and shared memory,
	 * which a balloon cannot take back without swapping (a guest whose
	 * tmpfs was counted free was shrunk until it had nothing left to kill).
	 * MemAvailable leaves them out, so a lower avail caps what counts as
	 * free; in a guest without them avail is the higher of the two. */
	if ((r->has & MM_REPORT_HAS_AVAIL) && r->avail_kib < free_kib)
		free_kib = r->avail_kib;
	if ((r->has & MM_REPORT_HAS_BALLOON) && r->balloon_cur_kib >= r->tot_kib)
		size_kib = r->balloon_cur_kib;
	return size_kib > free_kib ? size_kib - free_kib : 0;
}

static void known_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; mm_policy_types[i] && off < len; i++) {
		int w =
		    snprintf(buf + off, len - off, "%s%s", i ? ", " : "", mm_policy_types[i]->name);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int mm_policy_init(struct mm_policy *p, const char *spec, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	char names[256];

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; mm_policy_types[i]; i++) {
		const struct mm_policy_type *t = mm_policy_types[i];
		if (strlen(t->name) != nlen || strncmp(t->name, spec, nlen))
			continue;
		snprintf(p->spec, sizeof(p->spec), "%s", t->name);
		if (t->init(p->state, colon ? colon + 1 : NULL, p->spec, sizeof(p->spec), err,
		            errlen))
			return -EINVAL;
		p->type = t;
		return 0;
	}
	known_names(names, sizeof(names));
	snprintf(err, errlen, "unknown policy '%s' (known: %s; --policy help describes them)", spec,
	         names);
	return -EINVAL;
}

static enum mm_reason direction(int64_t want, uint64_t cur)
{
	if (want > 0 && (uint64_t)want > cur)
		return MM_REASON_GROW;
	if (want < 0 || (uint64_t)want < cur)
		return MM_REASON_SHRINK;
	return MM_REASON_HOLD;
}

void mm_policy_run(struct mm_policy *p, const struct mm_snapshot *s, struct mm_plan *out)
{
	out->tau = 0;
	if (s->n == 0 || !p->type)
		return;
	for (size_t i = 0; i < s->n; i++) {
		out->dom[i].want_kib = (int64_t)s->dom[i].target_kib;
		out->dom[i].reason = MM_REASON_UNSET;
	}
	p->type->run(p->state, s, out);
	for (size_t i = 0; i < s->n; i++)
		if (out->dom[i].reason == MM_REASON_UNSET)
			out->dom[i].reason = direction(out->dom[i].want_kib, s->dom[i].target_kib);
}

void mm_policy_dispose(struct mm_policy *p)
{
	if (p->type && p->type->dispose)
		p->type->dispose(p->state);
	p->type = NULL;
}

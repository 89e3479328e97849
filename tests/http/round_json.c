/* JSON description -> struct mm_round for the golden tests. Unknown keys are
 * an error so a typo in a case cannot silently test nothing. */
#include "round_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_report(json_t *rep, struct mm_report *out, char *err, size_t errlen)
{
	json_int_t tot = -1, freek = -1, avail = -1, swap_total = -1, swap_used = -1, seq = -1,
	           psi = -1;
	json_error_t je;

	if (json_unpack_ex(rep, &je, JSON_STRICT, "{s:I, s:I, s?I, s?I, s?I, s?I, s?I}", "tot",
	                   &tot, "free", &freek, "avail", &avail, "swap_total", &swap_total,
	                   "swap_used", &swap_used, "seq", &seq, "psi_some10_centi", &psi)) {
		snprintf(err, errlen, "report: %s", je.text);
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->tot_kib = (uint64_t)tot;
	out->free_kib = (uint64_t)freek;
	if (avail >= 0) {
		out->has |= MM_REPORT_HAS_AVAIL;
		out->avail_kib = (uint64_t)avail;
	}
	if (swap_total >= 0) {
		out->has |= MM_REPORT_HAS_SWAP;
		out->swap_total_kib = (uint64_t)swap_total;
		out->swap_used_kib = (uint64_t)(swap_used > 0 ? swap_used : 0);
	}
	if (seq >= 0) {
		out->has |= MM_REPORT_HAS_SEQ;
		out->seq = (uint64_t)seq;
	}
	if (psi >= 0) {
		out->has |= MM_REPORT_HAS_PSI;
		out->psi_some10_centi = (uint32_t)psi;
	}
	return 0;
}

static int parse_flags(const json_t *a, uint32_t *flags, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {{"stale", MM_FLAG_STALE},
	             {"stuck", MM_FLAG_STUCK},
	             {"no_report", MM_FLAG_NO_REPORT},
	             {"capped", MM_FLAG_CAPPED}};
	size_t i;
	json_t *v;

	*flags = 0;
	json_array_foreach(a, i, v)
	{
		size_t k = 0;
		while (k < 4 && (!json_is_string(v) || strcmp(json_string_value(v), names[k].name)))
			k++;
		if (k == 4) {
			snprintf(err, errlen, "unknown flag");
			return -EINVAL;
		}
		*flags |= names[k].bit;
	}
	return 0;
}

static int parse_reason(const char *s, enum mm_reason *out)
{
	for (int k = 0; k < MM_REASON_COUNT; k++)
		if (strcmp(s, mm_reason_name((enum mm_reason)k)) == 0) {
			*out = (enum mm_reason)k;
			return 0;
		}
	return -EINVAL;
}

static int parse_dom(json_t *d, struct mm_round_dom *out, char *err, size_t errlen)
{
	json_int_t domid, actual, prev = -1, target, maxmem, floor_kib, age = 0, invalid = 0;
	const char *name, *reason = "hold";
	json_t *rep = NULL, *flags = NULL;
	json_error_t je;

	if (json_unpack_ex(d, &je, JSON_STRICT,
	                   "{s:I, s:s, s?o, s?I, s:I, s?I, s:I, s:I, s:I, s?o, s?s, s?I}", "domid",
	                   &domid, "name", &name, "report", &rep, "report_age_ms", &age,
	                   "actual_kib", &actual, "prev_target_kib", &prev, "target_kib", &target,
	                   "maxmem_kib", &maxmem, "floor_kib", &floor_kib, "flags", &flags,
	                   "reason", &reason, "invalid_reports", &invalid)) {
		snprintf(err, errlen, "domain: %s", je.text);
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->domid = (uint32_t)domid;
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->has_report = rep != NULL;
	if (rep && parse_report(rep, &out->report, err, errlen))
		return -EINVAL;
	out->report_age_ms = (uint64_t)age;
	out->actual_kib = (uint64_t)actual;
	out->target_kib = (uint64_t)target;
	out->prev_target_kib = prev >= 0 ? (uint64_t)prev : (uint64_t)target;
	out->maxmem_kib = (uint64_t)maxmem;
	out->floor_kib = (uint64_t)floor_kib;
	out->invalid_reports = (uint64_t)invalid;
	if (flags && parse_flags(flags, &out->flags, err, errlen))
		return -EINVAL;
	if (parse_reason(reason, &out->reason)) {
		snprintf(err, errlen, "unknown reason '%s'", reason);
		return -EINVAL;
	}
	return 0;
}

/* tau is a number, or the string "nan"/"inf" to test non-finite values. */
static double parse_tau(const json_t *t)
{
	if (json_is_string(t))
		return strcmp(json_string_value(t), "nan") == 0 ? NAN : INFINITY;
	return json_number_value(t);
}

int round_from_json(json_t *in, struct mm_round *r, char *err, size_t errlen)
{
	json_int_t seq, time_ms, pool, free_goal, host_free, reserve, cost = 0, writes = 0;
	const char *policy;
	json_t *tau, *doms;
	json_error_t je;

	memset(r, 0, sizeof(*r));
	if (json_unpack_ex(in, &je, JSON_STRICT,
	                   "{s:I, s:I, s:s, s:o, s:I, s:I, s:I, s:I, s?I, s?I, s:o}", "seq", &seq,
	                   "time_ms", &time_ms, "policy", &policy, "tau", &tau, "pool_kib", &pool,
	                   "free_goal_kib", &free_goal, "host_free_kib", &host_free, "reserve_kib",
	                   &reserve, "cost_us", &cost, "writes", &writes, "domains", &doms) ||
	    !json_is_array(doms)) {
		snprintf(err, errlen, "round: %s", je.text);
		return -EINVAL;
	}
	r->seq = (uint64_t)seq;
	r->time_ms = (uint64_t)time_ms;
	r->policy = strdup(policy);
	r->tau = parse_tau(tau);
	r->pool_kib = (uint64_t)pool;
	r->free_goal_kib = (uint64_t)free_goal;
	r->host_free_kib = (uint64_t)host_free;
	r->reserve_kib = (uint64_t)reserve;
	r->cost_us = (uint64_t)cost;
	r->writes = (uint64_t)writes;
	r->n = json_array_size(doms);
	r->dom = calloc(r->n ? r->n : 1, sizeof(*r->dom));
	for (size_t i = 0; i < r->n; i++)
		if (parse_dom(json_array_get(doms, i), &r->dom[i], err, errlen)) {
			round_dispose(r);
			return -EINVAL;
		}
	return 0;
}

void round_dispose(struct mm_round *r)
{
	free((void *)(uintptr_t)r->policy);
	free(r->dom);
	memset(r, 0, sizeof(*r));
}

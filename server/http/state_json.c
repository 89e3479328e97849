/* Renders a round as the /api/v1/state JSON object, and the 2013 footprint.
 * Pure: no I/O and no clock. Key order is left to the dumper (sorted). */
#include <math.h>
#include <string.h>

#include "http_render.h"

/* jansson integers are signed 64 bit; KiB values never get near 2^63, but
 * a garbage value must not turn negative in the output. */
static json_t *j_u64(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *j_opt_u64(bool present, uint64_t v)
{
	return present ? j_u64(v) : json_null();
}

static json_t *j_real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *flags_json(uint32_t flags)
{
	return json_pack("{s:b, s:b, s:b, s:b}", "stale", (flags & MM_FLAG_STALE) != 0, "stuck",
	                 (flags & MM_FLAG_STUCK) != 0, "no_report",
	                 (flags & MM_FLAG_NO_REPORT) != 0, "capped", (flags & MM_FLAG_CAPPED) != 0);
}

static uint64_t report_used_kib(const struct mm_report *rep)
{
	return rep->tot_kib > rep->free_kib ? rep->tot_kib - rep->free_kib : 0;
}

/* Report fields; all keys always present (null when unknown) so a page can
 * rely on the shape. */
static int report_fields(json_t *o, const struct mm_round_dom *d)
{
	const struct mm_report *rep = &d->report;
	bool ok = d->has_report;
	bool swap = ok && (rep->has & MM_REPORT_HAS_SWAP);
	int rc = 0;

	rc |= json_object_set_new(o, "tot_kib", j_opt_u64(ok, rep->tot_kib));
	rc |= json_object_set_new(o, "free_kib", j_opt_u64(ok, rep->free_kib));
	rc |= json_object_set_new(o, "used_kib", j_opt_u64(ok, report_used_kib(rep)));
	rc |= json_object_set_new(
	    o, "avail_kib", j_opt_u64(ok && (rep->has & MM_REPORT_HAS_AVAIL), rep->avail_kib));
	rc |= json_object_set_new(o, "swap_total_kib", j_opt_u64(swap, rep->swap_total_kib));
	rc |= json_object_set_new(o, "swap_used_kib", j_opt_u64(swap, rep->swap_used_kib));
	rc |= json_object_set_new(o, "report_seq",
	                          j_opt_u64(ok && (rep->has & MM_REPORT_HAS_SEQ), rep->seq));
	rc |= json_object_set_new(o, "psi_some10",
	                          ok && (rep->has & MM_REPORT_HAS_PSI)
	                              ? json_real(rep->psi_some10_centi / 100.0)
	                              : json_null());
	rc |= json_object_set_new(o, "report_age_ms", j_opt_u64(ok, d->report_age_ms));
	return rc ? -1 : 0;
}

static json_t *dom_json(const struct mm_round_dom *d)
{
	json_t *o = json_object();
	int rc = o ? 0 : -1;

	if (o) {
		rc |= json_object_set_new(o, "domid", j_u64(d->domid));
		rc |= json_object_set_new(o, "name",
		                          json_stringn(d->name, strnlen(d->name, sizeof(d->name))));
		rc |= json_object_set_new(o, "has_report", json_boolean(d->has_report));
		rc |= json_object_set_new(o, "actual_kib", j_u64(d->actual_kib));
		rc |= json_object_set_new(o, "prev_target_kib", j_u64(d->prev_target_kib));
		rc |= json_object_set_new(o, "target_kib", j_u64(d->target_kib));
		rc |= json_object_set_new(o, "maxmem_kib", j_u64(d->maxmem_kib));
		rc |= json_object_set_new(o, "floor_kib", j_u64(d->floor_kib));
		rc |= json_object_set_new(o, "reason", json_string(mm_reason_name(d->reason)));
		rc |= json_object_set_new(o, "flags", flags_json(d->flags));
		rc |= json_object_set_new(o, "invalid_reports", j_u64(d->invalid_reports));
		rc |= report_fields(o, d);
	}
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int round_fields(json_t *o, const struct mm_round *r)
{
	uint64_t sum_target = 0, sum_actual = 0;
	int rc = 0;

	for (size_t i = 0; i < r->n; i++) {
		sum_target += r->dom[i].target_kib;
		sum_actual += r->dom[i].actual_kib;
	}
	rc |= json_object_set_new(o, "v", json_integer(1));
	rc |= json_object_set_new(o, "seq", j_u64(r->seq));
	rc |= json_object_set_new(o, "time_ms", j_u64(r->time_ms));
	rc |= json_object_set_new(o, "policy", r->policy ? json_string(r->policy) : json_null());
	rc |= json_object_set_new(o, "tau", j_real(r->tau));
	rc |= json_object_set_new(o, "pool_kib", j_u64(r->pool_kib));
	rc |= json_object_set_new(o, "free_goal_kib", j_u64(r->free_goal_kib));
	rc |= json_object_set_new(o, "host_free_kib", j_u64(r->host_free_kib));
	rc |= json_object_set_new(o, "reserve_kib", j_u64(r->reserve_kib));
	rc |= json_object_set_new(o, "cost_us", j_u64(r->cost_us));
	rc |= json_object_set_new(o, "writes", j_u64(r->writes));
	rc |= json_object_set_new(o, "n", j_u64(r->n));
	rc |= json_object_set_new(o, "sum_target_kib", j_u64(sum_target));
	rc |= json_object_set_new(o, "sum_actual_kib", j_u64(sum_actual));
	return rc ? -1 : 0;
}

/* Live reservations (issue 17): what each holds or still waits for. Always
 * an array, empty without any, so a page can rely on the shape. */
static json_t *resv_json(const struct mm_round *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && r->resv && i < MM_RESV_MAX; i++) {
		const struct mm_resv *x = &r->resv->r[i];
		if (!mm_resv_live(x))
			continue;
		if (json_array_append_new(
		        a, json_pack("{s:I, s:s, s:o, s:o, s:o, s:s, s:o}", "id", (json_int_t)x->id,
		                     "state", mm_resv_state_name(x->state), "size_kib",
		                     j_u64(x->size_kib), "found_kib", j_u64(x->found_kib),
		                     "claimed_kib", j_u64(x->claimed_kib), "for", x->for_name,
		                     "age_ms",
		                     j_u64(mm_resv_since(r->resv->now_ms, x->created_ms))))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *mm_http_state_json(const struct mm_round *r)
{
	json_t *o = json_object();
	json_t *doms = json_array();

	if (!o || !doms || round_fields(o, r))
		goto fail;
	for (size_t i = 0; i < r->n; i++)
		if (json_array_append_new(doms, dom_json(&r->dom[i])))
			goto fail;
	if (json_object_set_new(o, "domains", doms))
		goto fail_o; /* set_new already released doms */
	if (json_object_set_new(o, "reservations", resv_json(r)) ||
	    json_object_set_new(o, "reserved_kib", j_u64(r->resv ? r->resv->reserved_kib : 0)))
		goto fail_o;
	return o;
fail:
	json_decref(doms);
fail_o:
	json_decref(o);
	return NULL;
}

json_t *mm_http_footprint_json(const struct mm_round *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n; i++) {
		const struct mm_round_dom *d = &r->dom[i];
		const struct mm_report *rep = &d->report;
		json_t *row = d->has_report ? json_pack("[I,I,I]", (json_int_t)rep->tot_kib,
		                                        (json_int_t)report_used_kib(rep),
		                                        (json_int_t)rep->free_kib)
		                            : json_pack("[i,i,i]", 0, 0, 0);
		if (json_array_append_new(a, row)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Units are in every name: MiB*s for integrals, s for times. */
#include "mm_summary.h"

#include <errno.h>
#include <jansson.h>

static double mean_reaction_s(const struct mm_guest_metrics *g)
{
	return g->reactions ? (double)g->reaction_sum_ms / (double)g->reactions / 1000.0 : 0;
}

static void row(FILE *f, const struct mm_guest_metrics *g)
{
	fprintf(f, "%-12.12s %14.1f %5llu %8llu %11.1f %10.1f %14.1f %7llu %10.1f %6llu %6llu\n",
	        g->name, mm_mib_s(g->shortfall_kib_ms), (unsigned long long)g->oom_events,
	        (unsigned long long)g->episodes, mean_reaction_s(g),
	        (double)g->reaction_max_ms / 1000.0, mm_mib_s(g->idle_kib_ms),
	        (unsigned long long)g->writes, (double)g->moved_kib / 1024.0,
	        (unsigned long long)g->maxmem_violations, (unsigned long long)g->floor_violations);
}

static const char *start_name(int result)
{
	return result == 1 ? "started" : result == 2 ? "failed" : "pending";
}

/* Guests whose creation waited or failed, and the scenario's reservations
 * (issue 17): how long a start waited and whether it succeeded. */
static void starts_print(FILE *f, const struct mm_metrics *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->g[i].start_result != 1 || m->g[i].start_wait_ms)
			fprintf(f, "start %s result=%s waited_s=%.1f\n", m->g[i].name,
			        start_name(m->g[i].start_result),
			        (double)m->g[i].start_wait_ms / 1000.0);
	if (m->resv_met || m->resv_failed)
		fprintf(f, "reservations met=%llu failed=%llu wait_mean_s=%.1f wait_max_s=%.1f\n",
		        (unsigned long long)m->resv_met, (unsigned long long)m->resv_failed,
		        (double)m->resv_wait_sum_ms / 1000.0 /
		            (double)(m->resv_met + m->resv_failed),
		        (double)m->resv_wait_max_ms / 1000.0);
}

void mm_summary_print(FILE *f, const char *scenario, const char *policy, const struct mm_metrics *m)
{
	struct mm_guest_metrics sum;

	mm_metrics_total(m, &sum);
	snprintf(sum.name, sizeof(sum.name), "TOTAL");
	fprintf(f, "\nsummary scenario=%s policy=%s simulated_s=%.1f ticks=%llu\n", scenario,
	        policy, (double)m->duration_ms / 1000.0, (unsigned long long)m->ticks);
	fprintf(f, "%-12s %14s %5s %8s %11s %10s %14s %7s %10s %6s %6s\n", "guest",
	        "shortfall_MiBs", "oom", "episodes", "react_avg_s", "react_max_s", "idle_MiBs",
	        "writes", "moved_MiB", "maxmem", "floor");
	for (size_t i = 0; i < m->n; i++)
		row(f, &m->g[i]);
	row(f, &sum);
	fprintf(f, "physical limit shortfall_MiBs=%.1f  reserve_violation_ticks=%llu\n",
	        mm_mib_s(m->limit_kib_ms), (unsigned long long)m->reserve_violation_ticks);
	starts_print(f, m);
}

static json_t *guest_json(const struct mm_guest_metrics *g)
{
	return json_pack(
	    "{s:s, s:f, s:I, s:I, s:f, s:f, s:f, s:I, s:f, s:I, s:I, s:f, s:s}", "name", g->name,
	    "shortfall_mib_s", mm_mib_s(g->shortfall_kib_ms), "oom_events",
	    (json_int_t)g->oom_events, "episodes", (json_int_t)g->episodes, "reaction_mean_s",
	    mean_reaction_s(g), "reaction_max_s", (double)g->reaction_max_ms / 1000.0, "idle_mib_s",
	    mm_mib_s(g->idle_kib_ms), "writes", (json_int_t)g->writes, "moved_mib",
	    (double)g->moved_kib / 1024.0, "maxmem_violations", (json_int_t)g->maxmem_violations,
	    "floor_violations", (json_int_t)g->floor_violations, "start_wait_s",
	    (double)g->start_wait_ms / 1000.0, "start", start_name(g->start_result));
}

/* The sum row: a start is per guest, not summed. */
static json_t *total_json(const struct mm_guest_metrics *sum)
{
	json_t *o = guest_json(sum);

	json_object_del(o, "start");
	json_object_del(o, "start_wait_s");
	return o;
}

int mm_summary_write_json(const char *path, const char *scenario, const char *policy,
                          const struct mm_metrics *m)
{
	struct mm_guest_metrics sum;
	json_t *guests = json_array(), *root;
	int rc;

	mm_metrics_total(m, &sum);
	snprintf(sum.name, sizeof(sum.name), "TOTAL");
	for (size_t i = 0; i < m->n; i++)
		json_array_append_new(guests, guest_json(&m->g[i]));
	root =
	    json_pack("{s:s, s:s, s:f, s:I, s:o, s:o, s:f, s:I, s:I, s:I, s:f}", "scenario",
	              scenario, "policy", policy, "simulated_s", (double)m->duration_ms / 1000.0,
	              "ticks", (json_int_t)m->ticks, "guests", guests, "total", total_json(&sum),
	              "limit_shortfall_mib_s", mm_mib_s(m->limit_kib_ms), "reserve_violation_ticks",
	              (json_int_t)m->reserve_violation_ticks, "reservations_met",
	              (json_int_t)m->resv_met, "reservations_failed", (json_int_t)m->resv_failed,
	              "reservation_wait_max_s", (double)m->resv_wait_max_ms / 1000.0);
	if (!root)
		return -ENOMEM;
	rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_SORT_KEYS) ? -EIO : 0;
	json_decref(root);
	return rc;
}

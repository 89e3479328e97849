/* The end-of-run summary of a simulator run, as a table and as JSON. Units
 * are in every name: MiB*s for integrals, s for times, MiB for moves. The
 * reaction is the mean wait of the workload's demand steps; a step still
 * open at the end counts up to the end (SPEC 6). */
#include "mm_summary.h"

#include <errno.h>
#include <jansson.h>

static double mean_reaction_s(const struct mm_guest_metrics *g, uint64_t end_ms)
{
	uint64_t n = mm_reaction_count(g);
	return n ? (double)mm_reaction_sum_ms(g, end_ms) / (double)n / 1000.0 : 0;
}

static void row(FILE *f, const struct mm_guest_metrics *g, uint64_t end_ms)
{
	fprintf(f,
	        "%-12.12s %14.1f %5llu %8llu %11.1f %10.1f %8.1f %14.1f %7llu %10.1f %6llu "
	        "%6llu\n",
	        g->name, mm_mib_s(g->shortfall_kib_ms), (unsigned long long)g->oom_events,
	        (unsigned long long)mm_reaction_count(g), mean_reaction_s(g, end_ms),
	        (double)mm_reaction_max_ms(g, end_ms) / 1000.0, (double)g->harm_ms / 1000.0,
	        mm_mib_s(g->idle_kib_ms), (unsigned long long)g->writes,
	        (double)g->moved_kib / 1024.0, (unsigned long long)g->maxmem_violations,
	        (unsigned long long)g->floor_violations);
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
	fprintf(f, "%-12s %14s %5s %8s %11s %10s %8s %14s %7s %10s %6s %6s\n", "guest",
	        "shortfall_MiBs", "oom", "steps", "react_avg_s", "react_max_s", "harm_s",
	        "idle_MiBs", "writes", "moved_MiB", "maxmem", "floor");
	for (size_t i = 0; i < m->n; i++)
		row(f, &m->g[i], m->duration_ms);
	row(f, &sum, m->duration_ms);
	fprintf(f,
	        "physical limit shortfall_MiBs=%.1f  host_left_MiBs=%.1f  "
	        "reserve_violation_ticks=%llu\n",
	        mm_mib_s(m->limit_kib_ms), mm_mib_s(m->host_left_kib_ms),
	        (unsigned long long)m->reserve_violation_ticks);
	starts_print(f, m);
}

static json_t *guest_json(const struct mm_guest_metrics *g, uint64_t end_ms)
{
	json_t *o = json_pack(
	    "{s:s, s:f, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:f, s:I, s:I}", "name",
	    g->name, "shortfall_mib_s", mm_mib_s(g->shortfall_kib_ms), "oom_events",
	    (json_int_t)g->oom_events, "episodes", (json_int_t)g->episodes, "steps",
	    (json_int_t)mm_reaction_count(g), "reaction_mean_s", mean_reaction_s(g, end_ms),
	    "reaction_max_s", (double)mm_reaction_max_ms(g, end_ms) / 1000.0, "harm_s",
	    (double)g->harm_ms / 1000.0, "stall_s", (double)g->stall_ms / 1000.0, "start_wait_s",
	    (double)g->start_wait_ms / 1000.0, "idle_mib_s", mm_mib_s(g->idle_kib_ms), "writes",
	    (json_int_t)g->writes, "moved_mib", (double)g->moved_kib / 1024.0, "maxmem_violations",
	    (json_int_t)g->maxmem_violations, "floor_violations", (json_int_t)g->floor_violations);
	return o;
}

json_t *mm_summary_json(const char *scenario, const char *policy, const struct mm_metrics *m)
{
	struct mm_guest_metrics sum;
	json_t *guests = json_array();

	mm_metrics_total(m, &sum);
	snprintf(sum.name, sizeof(sum.name), "TOTAL");
	for (size_t i = 0; guests && i < m->n; i++) {
		json_t *g = guest_json(&m->g[i], m->duration_ms);
		json_object_set_new(g, "start", json_string(start_name(m->g[i].start_result)));
		json_array_append_new(guests, g);
	}
	return json_pack("{s:s, s:s, s:f, s:I, s:o*, s:o*, s:f, s:f, s:I, s:I, s:I, s:f}",
	                 "scenario", scenario, "policy", policy, "simulated_s",
	                 (double)m->duration_ms / 1000.0, "ticks", (json_int_t)m->ticks, "guests",
	                 guests, "total", guest_json(&sum, m->duration_ms), "limit_shortfall_mib_s",
	                 mm_mib_s(m->limit_kib_ms), "host_left_mib_s",
	                 mm_mib_s(m->host_left_kib_ms), "reserve_violation_ticks",
	                 (json_int_t)m->reserve_violation_ticks, "reservations_met",
	                 (json_int_t)m->resv_met, "reservations_failed", (json_int_t)m->resv_failed,
	                 "reservation_wait_max_s", (double)m->resv_wait_max_ms / 1000.0);
}

int mm_summary_write_json(const char *path, const char *scenario, const char *policy,
                          const struct mm_metrics *m)
{
	json_t *root = mm_summary_json(scenario, policy, m);
	int rc;

	if (!root)
		return -ENOMEM;
	rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_SORT_KEYS) ? -EIO : 0;
	json_decref(root);
	return rc;
}

/* Renders /metrics in the Prometheus text exposition format 0.0.4: base
 * units (bytes, seconds), _total for counters, per-domain series labelled
 * domain and domid. Pure: the caller passes the round and the totals. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http_render.h"

#define KIB 1024u

static void family(struct mm_buf *b, const char *name, const char *type, const char *help)
{
	mm_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void gauge_u64(struct mm_buf *b, const char *name, const char *help, uint64_t v)
{
	family(b, name, "gauge", help);
	mm_buf_printf(b, "%s %" PRIu64 "\n", name, v);
}

static void counter_u64(struct mm_buf *b, const char *name, const char *help, uint64_t v)
{
	family(b, name, "counter", help);
	mm_buf_printf(b, "%s %" PRIu64 "\n", name, v);
}

/* Label values escape backslash, double quote and newline (format spec);
 * runs of plain bytes are copied in one go. */
static void label_value(struct mm_buf *b, const char *s, size_t max)
{
	size_t run = 0, i;

	for (i = 0; i < max && s[i]; i++) {
		const char *esc = s[i] == '\\'   ? "\\\\"
		                  : s[i] == '"'  ? "\\\""
		                  : s[i] == '\n' ? "\\n"
		                                 : NULL;
		if (!esc)
			continue;
		mm_buf_append(b, s + run, i - run);
		mm_buf_puts(b, esc);
		run = i + 1;
	}
	mm_buf_append(b, s + run, i - run);
}

/* Per-domain label sets, escaped once per render: {domain="..",domid=".." */
struct dom_labels {
	char (*text)[2 * MM_NAME_MAX + 32];
};

static const char *dom_label(const struct dom_labels *l, size_t i)
{
	return l->text[i];
}

static int dom_labels_init(struct dom_labels *l, const struct mm_round *r)
{
	l->text = calloc(r->n ? r->n : 1, sizeof(*l->text));
	if (!l->text)
		return -1;
	struct mm_buf b; /* one buffer for every label: no allocation per domain */
	mm_buf_init(&b);
	for (size_t i = 0; i < r->n; i++) {
		b.len = 0;
		mm_buf_puts(&b, "{domain=\"");
		label_value(&b, r->dom[i].name, sizeof(r->dom[i].name));
		mm_buf_printf(&b, "\",domid=\"%" PRIu32 "\"", r->dom[i].domid);
		if (b.failed || b.len >= sizeof(l->text[i])) {
			mm_buf_dispose(&b);
			free(l->text);
			return -1;
		}
		memcpy(l->text[i], b.data, b.len + 1);
	}
	mm_buf_dispose(&b);
	return 0;
}

/* Which value a per-domain byte gauge shows; false: no sample. */
typedef bool (*dom_value_fn)(const struct mm_round_dom *d, uint64_t *kib);

static bool v_actual(const struct mm_round_dom *d, uint64_t *v)
{
	*v = d->actual_kib;
	return true;
}
static bool v_target(const struct mm_round_dom *d, uint64_t *v)
{
	*v = d->target_kib;
	return true;
}
static bool v_maxmem(const struct mm_round_dom *d, uint64_t *v)
{
	*v = d->maxmem_kib;
	return true;
}
static bool v_floor(const struct mm_round_dom *d, uint64_t *v)
{
	*v = d->floor_kib;
	return true;
}
static bool v_tot(const struct mm_round_dom *d, uint64_t *v)
{
	*v = d->report.tot_kib;
	return d->has_report;
}
static bool v_free(const struct mm_round_dom *d, uint64_t *v)
{
	*v = d->report.free_kib;
	return d->has_report;
}
static bool v_used(const struct mm_round_dom *d, uint64_t *v)
{
	*v = d->report.tot_kib > d->report.free_kib ? d->report.tot_kib - d->report.free_kib : 0;
	return d->has_report;
}
static bool v_swap_used(const struct mm_round_dom *d, uint64_t *v)
{
	*v = d->report.swap_used_kib;
	return d->has_report && (d->report.has & MM_REPORT_HAS_SWAP);
}

static const struct {
	const char *name;
	const char *help;
	dom_value_fn fn;
} dom_bytes[] = {
    {"xenmm_domain_actual_bytes", "Current allocation of the domain.", v_actual},
    {"xenmm_domain_target_bytes", "Balloon target after the last round.", v_target},
    {"xenmm_domain_maxmem_bytes", "Static maximum of the domain.", v_maxmem},
    {"xenmm_domain_floor_bytes", "Lowest target the balancer may set.", v_floor},
    {"xenmm_domain_memory_total_bytes", "MemTotal reported by the guest.", v_tot},
    {"xenmm_domain_memory_free_bytes", "MemFree plus Cached reported by the guest.", v_free},
    {"xenmm_domain_memory_used_bytes", "Total minus free, as the policy sees it.", v_used},
    {"xenmm_domain_swap_used_bytes", "Swap in use reported by the guest.", v_swap_used},
};

static void domain_bytes(struct mm_buf *b, const struct mm_round *r, const struct dom_labels *l)
{
	for (size_t k = 0; k < sizeof(dom_bytes) / sizeof(dom_bytes[0]); k++) {
		family(b, dom_bytes[k].name, "gauge", dom_bytes[k].help);
		for (size_t i = 0; i < r->n; i++) {
			uint64_t kib;
			if (!dom_bytes[k].fn(&r->dom[i], &kib))
				continue;
			mm_buf_puts(b, dom_bytes[k].name);
			mm_buf_puts(b, dom_label(l, i));
			mm_buf_printf(b, "} %" PRIu64 "\n", kib * KIB);
		}
	}
}

static void domain_misc(struct mm_buf *b, const struct mm_round *r, const struct dom_labels *l)
{
	family(b, "xenmm_domain_report_age_seconds", "gauge", "Age of the last valid report.");
	for (size_t i = 0; i < r->n; i++) {
		if (!r->dom[i].has_report)
			continue;
		mm_buf_puts(b, "xenmm_domain_report_age_seconds");
		mm_buf_puts(b, dom_label(l, i));
		mm_buf_printf(b, "} %.3f\n", (double)r->dom[i].report_age_ms / 1000.0);
	}
	family(b, "xenmm_domain_invalid_reports_total", "counter",
	       "Reports that failed to parse since the domain appeared.");
	for (size_t i = 0; i < r->n; i++) {
		mm_buf_puts(b, "xenmm_domain_invalid_reports_total");
		mm_buf_puts(b, dom_label(l, i));
		mm_buf_printf(b, "} %" PRIu64 "\n", r->dom[i].invalid_reports);
	}
}

/* `,key="state"} 0|1`: 1100 of these at 100 domains, so no printf. */
static void state_tail(struct mm_buf *b, const char *key, const char *state, bool on)
{
	mm_buf_puts(b, key);
	mm_buf_puts(b, state);
	mm_buf_puts(b, on ? "\"} 1\n" : "\"} 0\n");
}

/* Flags and the reason are state sets: one series per state, 1 for the
 * current one, so series do not appear and vanish as states change. */
static void domain_states(struct mm_buf *b, const struct mm_round *r, const struct dom_labels *l)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} flags[] = {{"stale", MM_FLAG_STALE},
	             {"stuck", MM_FLAG_STUCK},
	             {"no_report", MM_FLAG_NO_REPORT},
	             {"capped", MM_FLAG_CAPPED}};

	family(b, "xenmm_domain_flag", "gauge", "1 when the domain carries the flag.");
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
			mm_buf_puts(b, "xenmm_domain_flag");
			mm_buf_puts(b, dom_label(l, i));
			state_tail(b, ",flag=\"", flags[k].name,
			           (r->dom[i].flags & flags[k].bit) != 0);
		}
	family(b, "xenmm_domain_reason", "gauge", "1 for the reason of the last target decision.");
	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; k < MM_REASON_COUNT; k++) {
			mm_buf_puts(b, "xenmm_domain_reason");
			mm_buf_puts(b, dom_label(l, i));
			state_tail(b, ",reason=\"", mm_reason_name((enum mm_reason)k),
			           (int)r->dom[i].reason == k);
		}
}

static void round_gauges(struct mm_buf *b, const struct mm_round *r)
{
	family(b, "xenmm_policy_info", "gauge", "The balancing policy in use.");
	mm_buf_puts(b, "xenmm_policy_info{policy=\"");
	label_value(b, r->policy ? r->policy : "", 64);
	mm_buf_puts(b, "\"} 1\n");
	family(b, "xenmm_tax_rate_ratio", "gauge", "Tax rate tau of the last round (0..1).");
	mm_buf_printf(b, "xenmm_tax_rate_ratio %.9g\n", isfinite(r->tau) ? r->tau : 0.0);
	gauge_u64(b, "xenmm_pool_bytes", "Memory pool shared by the managed domains.",
	          r->pool_kib * KIB);
	gauge_u64(b, "xenmm_free_goal_bytes", "Free memory each guest should keep (f).",
	          r->free_goal_kib * KIB);
	gauge_u64(b, "xenmm_host_free_bytes", "Free memory of the host (Xen).",
	          r->host_free_kib * KIB);
	gauge_u64(b, "xenmm_host_reserve_bytes", "Host free memory never given away.",
	          r->reserve_kib * KIB);
	gauge_u64(b, "xenmm_domains", "Managed domains in the last round.", r->n);
	family(b, "xenmm_last_round_cost_seconds", "gauge",
	       "Wall time of the last round's own work.");
	mm_buf_printf(b, "xenmm_last_round_cost_seconds %.6f\n", (double)r->cost_us / 1e6);
	family(b, "xenmm_last_round_timestamp_seconds", "gauge", "Unix time of the last round.");
	mm_buf_printf(b, "xenmm_last_round_timestamp_seconds %.3f\n", (double)r->time_ms / 1e3);
}

/* Reservations (issue 17): held and waiting now, and outcomes since start. */
static void resv_metrics(struct mm_buf *b, const struct mm_round *r)
{
	const struct mm_resv_set *s = r->resv;
	uint64_t waiting = 0, held = 0;

	for (size_t i = 0; s && i < MM_RESV_MAX; i++) {
		waiting += s->r[i].state == MM_RESV_WAITING;
		held += s->r[i].state == MM_RESV_HELD;
	}
	gauge_u64(b, "xenmm_reserved_bytes", "Memory live reservations keep out of the pool.",
	          s ? s->reserved_kib * KIB : 0);
	family(b, "xenmm_reservations", "gauge", "Live reservations by state.");
	mm_buf_printf(b, "xenmm_reservations{state=\"waiting\"} %" PRIu64 "\n", waiting);
	mm_buf_printf(b, "xenmm_reservations{state=\"held\"} %" PRIu64 "\n", held);
	family(b, "xenmm_reservations_total", "counter", "Reservations by outcome since start.");
	mm_buf_printf(b, "xenmm_reservations_total{outcome=\"met\"} %" PRIu64 "\n", s ? s->met : 0);
	mm_buf_printf(b, "xenmm_reservations_total{outcome=\"failed\"} %" PRIu64 "\n",
	              s ? s->failed : 0);
	mm_buf_printf(b, "xenmm_reservations_total{outcome=\"claimed\"} %" PRIu64 "\n",
	              s ? s->claimed : 0);
	mm_buf_printf(b, "xenmm_reservations_total{outcome=\"expired\"} %" PRIu64 "\n",
	              s ? s->expired : 0);
}

#ifndef MM_VERSION
#define MM_VERSION "unknown"
#endif
#ifndef MM_BUILD_XEN
#define MM_BUILD_XEN "no"
#endif
#ifndef MM_DEFAULT_POLICY
#define MM_DEFAULT_POLICY "tax"
#endif

void mm_http_build_info_text(struct mm_buf *b)
{
	family(b, "xenmm_build_info", "gauge",
	       "Version and build options of this mmserver (value always 1).");
	mm_buf_puts(b, "xenmm_build_info{version=\"" MM_VERSION "\",xen=\"" MM_BUILD_XEN
	               "\",default_policy=\"" MM_DEFAULT_POLICY "\"} 1\n");
}

void mm_http_metrics_text(const struct mm_round *r, const struct mm_http_totals *t,
                          struct mm_buf *out)
{
	counter_u64(out, "xenmm_rounds_total", "Balancing rounds published.", t->rounds);
	counter_u64(out, "xenmm_target_writes_total", "Balloon targets written.", t->writes);
	family(out, "xenmm_round_cost_seconds_total", "counter", "Wall time of all rounds.");
	mm_buf_printf(out, "xenmm_round_cost_seconds_total %.6f\n", (double)t->cost_us / 1e6);
	family(out, "xenmm_http_publish_seconds_total", "counter",
	       "Time the balancing thread spent rendering HTTP snapshots.");
	mm_buf_printf(out, "xenmm_http_publish_seconds_total %.9f\n", (double)t->publish_ns / 1e9);
	family(out, "xenmm_http_last_publish_seconds", "gauge", "Time the previous publish took.");
	mm_buf_printf(out, "xenmm_http_last_publish_seconds %.9f\n",
	              (double)t->last_publish_ns / 1e9);
	if (!r)
		return;
	round_gauges(out, r);
	resv_metrics(out, r);
	struct dom_labels l;
	if (dom_labels_init(&l, r)) {
		out->failed = true;
		return;
	}
	domain_bytes(out, r, &l);
	domain_misc(out, r, &l);
	domain_states(out, r, &l);
	free(l.text);
}

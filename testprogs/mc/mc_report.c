/* Output of mm_bench_mc (see mc_report.h). Latencies print in microseconds
 * with one decimal; the histogram's resolution (0.8%) makes more useless. */
#include "mc_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mc_engine.h"

#define US(ns) ((double)(ns) / 1000.0)

const char *mc_phase_name(const struct mc_opts *o, int64_t sec)
{
	if (sec < (int64_t)o->warmup_s)
		return "warmup";
	if (sec < (int64_t)o->duration_s - (int64_t)o->cooldown_s)
		return "run";
	if (sec < (int64_t)o->duration_s)
		return "cooldown";
	return "drain";
}

int mc_agg_init(struct mc_agg *a, const struct mc_opts *o, uint32_t nworkers, unsigned set_index,
                FILE *out, FILE *record)
{
	memset(a, 0, sizeof(*a));
	a->o = o;
	a->nworkers = nworkers;
	a->set_index = set_index;
	a->out = out;
	a->record = record;
	a->slot = calloc(MC_AGG_SLOTS, sizeof(*a->slot));
	a->window = malloc(sizeof(*a->window));
	if (!a->slot || !a->window) {
		mc_agg_dispose(a);
		return -ENOMEM;
	}
	for (int i = 0; i < MC_AGG_SLOTS; i++)
		mc_tick_reset(&a->slot[i].t, i);
	mc_tick_reset(a->window, 0);
	return 0;
}

void mc_agg_dispose(struct mc_agg *a)
{
	free(a->slot);
	free(a->window);
	a->slot = NULL;
	a->window = NULL;
}

static void hit_ratio(char *buf, size_t len, const struct mc_counts *c)
{
	if (c->gets)
		snprintf(buf, len, "%.3f", (double)c->hits / (double)c->gets);
	else
		snprintf(buf, len, "na");
}

void mc_record_header(FILE *f)
{
	fprintf(f, "set\tsec\tunix_ms\tphase\tops_per_s\tgets\tsets\thits\tmisses\thit_ratio\t"
	           "p50_us\tp90_us\tp99_us\tp999_us\tmax_us\tlate\tdelayed\terrors\tclosed\t"
	           "conns\tdue_per_s\tpaused\tevents\n");
}

static void print_second(struct mc_agg *a, const struct mc_tick *t, const char *events)
{
	const struct mc_counts *c = &t->c;
	const char *phase = mc_phase_name(a->o, t->sec);
	/* the wall clock at the end of the second, when its figures are whole */
	long long unix_ms = (long long)(a->t0_unix_ms + (t->sec + 1) * 1000);
	char hit[16];

	hit_ratio(hit, sizeof(hit), c);
	snprintf(a->last_line, sizeof(a->last_line),
	         "sec=%lld unix_ms=%lld phase=%s ops_s=%llu hit=%s p50_us=%.1f p99_us=%.1f "
	         "max_us=%.1f late=%llu delayed=%llu err=%llu closed=%llu conns=%llu due=%llu "
	         "paused=%d%s%s%s",
	         (long long)t->sec, unix_ms, phase, (unsigned long long)c->done, hit,
	         US(mc_hist_percentile(&t->lat, 50)), US(mc_hist_percentile(&t->lat, 99)),
	         US(t->lat.max_ns), (unsigned long long)c->late, (unsigned long long)c->delayed,
	         (unsigned long long)c->errors, (unsigned long long)c->closed,
	         (unsigned long long)c->conns, (unsigned long long)c->due, c->paused ? 1 : 0,
	         events[0] ? " events=\"" : "", events, events[0] ? "\"" : "");
	if (!a->o->quiet)
		fprintf(a->out, "%s\n", a->last_line);
	if (a->record)
		fprintf(a->record,
		        "%u\t%lld\t%lld\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%s\t%.1f\t%.1f\t%.1f\t"
		        "%.1f\t%.1f\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%d\t%s\n",
		        a->set_index, (long long)t->sec, unix_ms, phase,
		        (unsigned long long)c->done, (unsigned long long)c->gets,
		        (unsigned long long)c->sets, (unsigned long long)c->hits,
		        (unsigned long long)c->misses, hit, US(mc_hist_percentile(&t->lat, 50)),
		        US(mc_hist_percentile(&t->lat, 90)), US(mc_hist_percentile(&t->lat, 99)),
		        US(mc_hist_percentile(&t->lat, 99.9)), US(t->lat.max_ns),
		        (unsigned long long)c->late, (unsigned long long)c->delayed,
		        (unsigned long long)c->errors, (unsigned long long)c->closed,
		        (unsigned long long)c->conns, (unsigned long long)c->due, c->paused ? 1 : 0,
		        events[0] ? events : "-");
	fflush(a->out);
}

void mc_agg_event(struct mc_agg *a, int64_t sec, const char *text)
{
	struct mc_agg_slot *s;
	size_t len;

	if (sec < a->next_sec)
		sec = a->next_sec; /* that second is printed: the next line carries it */
	if (sec >= a->next_sec + MC_AGG_SLOTS)
		sec = a->next_sec + MC_AGG_SLOTS - 1;
	if (strncmp(text, "rate", 4) == 0 || strcmp(text, "pause") == 0)
		a->rate_changed = true;
	s = &a->slot[sec % MC_AGG_SLOTS];
	len = strlen(s->events);
	snprintf(s->events + len, sizeof(s->events) - len, "%s%s", len ? ";" : "", text);
}

/* Prints second next_sec (complete or not) and frees its slot. */
static void emit_next(struct mc_agg *a)
{
	struct mc_agg_slot *s = &a->slot[a->next_sec % MC_AGG_SLOTS];

	if (s->got) {
		print_second(a, &s->t, s->events);
		mc_counts_add(&a->total, &s->t.c);
		if (strcmp(mc_phase_name(a->o, s->t.sec), "run") == 0) {
			mc_tick_merge(a->window, &s->t);
			a->window_secs++;
		}
	}
	a->next_sec++;
	mc_tick_reset(&s->t, a->next_sec + MC_AGG_SLOTS - 1);
	s->got = 0;
	s->events[0] = '\0';
}

void mc_agg_add(struct mc_agg *a, const struct mc_tick *t)
{
	struct mc_agg_slot *s;

	if (t->sec < 0) {
		mc_counts_add(&a->total, &t->c);
		return;
	}
	if (t->sec < a->next_sec)
		return; /* already printed partial: cannot happen with in-order workers */
	while (t->sec >= a->next_sec + MC_AGG_SLOTS)
		emit_next(a);
	s = &a->slot[t->sec % MC_AGG_SLOTS];
	mc_tick_merge(&s->t, t);
	s->got++;
	while (a->slot[a->next_sec % MC_AGG_SLOTS].got == a->nworkers)
		emit_next(a);
}

void mc_agg_flush(struct mc_agg *a)
{
	for (int i = 0; i < MC_AGG_SLOTS; i++)
		emit_next(a);
}

bool mc_agg_had_errors(const struct mc_agg *a)
{
	return a->total.errors || a->total.closed || a->total.failed || a->total.connect_errors;
}

void mc_agg_summary(const struct mc_agg *a, bool stopped, struct mc_result *r)
{
	const struct mc_tick *w = a->window;
	const struct mc_counts *t = &a->total;
	double secs = a->window_secs ? (double)a->window_secs : 1.0;
	double achieved = (double)w->c.done / secs, target = a->o->rate_per_s;

	if (target > 0 && a->rate_changed)
		target = (double)w->c.due / secs;
	char hit[16], target_s[32], err_s[32];

	hit_ratio(hit, sizeof(hit), &w->c);
	snprintf(target_s, sizeof(target_s), target > 0 ? "%.0f" : "max", target);
	snprintf(err_s, sizeof(err_s), target > 0 ? "%.3f" : "na",
	         target > 0 ? (achieved - target) / target * 100.0 : 0.0);
	fprintf(a->out,
	        "summary set=%u mode=%s proto=%s procs=%u conns=%u depth=%u window_s=%llu "
	        "target_ops_s=%s achieved_ops_s=%.1f rate_error_pct=%s ops=%llu gets=%llu "
	        "sets=%llu hit_ratio=%s p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f "
	        "max_us=%.1f mean_us=%.1f svc_p50_us=%.1f svc_p99_us=%.1f svc_p999_us=%.1f "
	        "late=%llu delayed=%llu errors=%llu closed=%llu failed=%llu connect_errors=%llu "
	        "unfinished=%llu unsent=%llu skipped=%llu due=%llu start_unix_ms=%lld stopped=%d "
	        "grid_us=%.0f\n",
	        a->set_index, target > 0 ? "open" : "closed",
	        a->o->proto == MC_PROTO_META ? "meta" : "text", a->o->procs, a->o->conns,
	        a->o->depth, (unsigned long long)a->window_secs, target_s, achieved, err_s,
	        (unsigned long long)w->c.done, (unsigned long long)w->c.gets,
	        (unsigned long long)w->c.sets, hit, US(mc_hist_percentile(&w->lat, 50)),
	        US(mc_hist_percentile(&w->lat, 90)), US(mc_hist_percentile(&w->lat, 99)),
	        US(mc_hist_percentile(&w->lat, 99.9)), US(w->lat.max_ns),
	        mc_hist_mean_ns(&w->lat) / 1000.0, US(mc_hist_percentile(&w->svc, 50)),
	        US(mc_hist_percentile(&w->svc, 99)), US(mc_hist_percentile(&w->svc, 99.9)),
	        (unsigned long long)w->c.late, (unsigned long long)w->c.delayed,
	        (unsigned long long)t->errors, (unsigned long long)t->closed,
	        (unsigned long long)t->failed, (unsigned long long)t->connect_errors,
	        (unsigned long long)t->unfinished, (unsigned long long)t->unsent,
	        (unsigned long long)t->skipped, (unsigned long long)w->c.due,
	        (long long)a->t0_unix_ms, stopped ? 1 : 0,
	        (double)mc_batch_grid_ns(a->o, target, a->nworkers) / 1000.0);
	fflush(a->out);
	if (!r)
		return;
	*r = (struct mc_result){.set_index = a->set_index,
	                        .target_ops_s = target,
	                        .achieved_ops_s = achieved,
	                        .hit_ratio = w->c.gets ? (double)w->c.hits / (double)w->c.gets : -1,
	                        .p50_us = US(mc_hist_percentile(&w->lat, 50)),
	                        .p99_us = US(mc_hist_percentile(&w->lat, 99)),
	                        .p999_us = US(mc_hist_percentile(&w->lat, 99.9)),
	                        .max_us = US(w->lat.max_ns),
	                        .ops = w->c.done,
	                        .late = w->c.late,
	                        .errors = t->errors + t->closed + t->failed + t->connect_errors};
}

void mc_results_table(FILE *f, const struct mc_result *r, size_t n)
{
	fprintf(f, "table  set  target_ops_s  achieved_ops_s  hit_ratio     p50_us     p99_us    "
	           "p999_us     max_us     late   errors  exit\n");
	for (size_t i = 0; i < n; i++) {
		char target[32], hit[16];
		snprintf(target, sizeof(target), r[i].target_ops_s > 0 ? "%.0f" : "max",
		         r[i].target_ops_s);
		snprintf(hit, sizeof(hit), r[i].hit_ratio >= 0 ? "%.3f" : "na", r[i].hit_ratio);
		fprintf(f,
		        "table %4u %13s %15.1f %10s %10.1f %10.1f %10.1f %10.1f %8llu %8llu %5d\n",
		        r[i].set_index, target, r[i].achieved_ops_s, hit, r[i].p50_us, r[i].p99_us,
		        r[i].p999_us, r[i].max_us, (unsigned long long)r[i].late,
		        (unsigned long long)r[i].errors, r[i].rc);
	}
	fflush(f);
}

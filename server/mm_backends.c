/* The backend table and each row's startup glue. This file alone knows
 * which backends this build has; the xen row exists in every build so that
 * asking for it says clearly when it was left out. */
#include "mm_backends.h"

#include <stdio.h>
#include <string.h>

#include "backend_sim.h"
#include "mm_config.h"
#include "mm_log.h"
#include "mm_summary.h"
#ifdef MM_WITH_XEN
#include "backend_xen.h"
#endif

static int sim_open(const struct mm_options *o, struct mm_settings *s, struct mm_backend **out)
{
	struct mm_scenario sc;
	struct mm_sim_opts so = {.fast = o->fast, .duration_ms = o->duration_ms};
	char err[512];

	if (mm_scenario_load(o->scenario, &sc, err, sizeof(err))) {
		fprintf(stderr, "mmserver: scenario %s\n", err);
		return MM_EXIT_USAGE;
	}
	/* scenario hints (pool, f, reserve) fill what the command line left open */
	mm_settings_hints(s, o->given, sc.pool_kib, sc.free_kib, sc.reserve_kib);
	if (mm_backend_sim_create(&sc, &so, out, err, sizeof(err))) {
		mm_scenario_free(&sc);
		fprintf(stderr, "mmserver: %s\n", err);
		return MM_EXIT_RUNTIME;
	}
	mm_backend_sim_set_free_goal(*out, s->free_kib);
	return 0;
}

static int sim_finish(const struct mm_options *o, struct mm_backend *b, const char *policy)
{
	const struct mm_metrics *m = mm_backend_sim_metrics(b);
	const char *name = mm_backend_sim_scenario(b)->name;

	if (!o->quiet)
		mm_summary_print(stdout, name, policy, m);
	if (o->summary && mm_summary_write_json(o->summary, name, policy, m)) {
		mm_log(MM_LOG_ERR, "summary-write-failed", "path=%s", o->summary);
		return MM_EXIT_RUNTIME;
	}
	return 0;
}

static json_t *sim_summary(struct mm_backend *b, const char *policy)
{
	json_t *j =
	    mm_summary_json(mm_backend_sim_scenario(b)->name, policy, mm_backend_sim_metrics(b));

	if (j)
		json_object_set_new(j, "kind", json_string("simulation"));
	return j;
}

static int xen_open(const struct mm_options *o, struct mm_settings *s, struct mm_backend **out)
{
#ifdef MM_WITH_XEN
	struct mm_xen_opts xo = {.manage_dom0 = o->manage_dom0};
	char err[512];

	(void)s;
	if (mm_backend_xen_create(&xo, out, err, sizeof(err))) {
		fprintf(stderr, "mmserver: %s\n", err);
		return MM_EXIT_RUNTIME;
	}
	return 0;
#else
	(void)o, (void)s, (void)out;
	fprintf(stderr, "mmserver: this build has no xen backend (libxenlight/libxenstore were "
	                "not found at build time); use --backend sim --scenario FILE\n");
	return MM_EXIT_RUNTIME;
#endif
}

static const struct mm_backend_kind sim_kind = {
    .name = "sim",
    .help = "a simulated host running --scenario FILE",
    .open = sim_open,
    .finish = sim_finish,
    .summary = sim_summary,
};

static const struct mm_backend_kind xen_kind = {
    .name = "xen",
    .help = "this Xen host (libxenlight + libxenstore; dom0, root)",
    .open = xen_open,
};

const struct mm_backend_kind *const mm_backend_kinds[] = {&xen_kind, &sim_kind, NULL};

const struct mm_backend_kind *mm_backend_kind_find(const char *name)
{
	for (size_t i = 0; mm_backend_kinds[i]; i++)
		if (!strcmp(mm_backend_kinds[i]->name, name))
			return mm_backend_kinds[i];
	fprintf(stderr, "mmserver: --backend '%s': must be one of:", name);
	for (size_t i = 0; mm_backend_kinds[i]; i++)
		fprintf(stderr, " %s", mm_backend_kinds[i]->name);
	fputc('\n', stderr);
	return NULL;
}

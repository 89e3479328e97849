/* The sim backend: a simulated Xen host running a scenario, behind the same
 * ops table as the real one. Also owns the metrics of the run. */
#ifndef MM_BACKEND_SIM_H
#define MM_BACKEND_SIM_H

#include <stdbool.h>

#include "backend.h"
#include "mm_metrics.h"
#include "mm_scenario.h"

struct mm_sim_opts {
	bool fast;            /* run as fast as possible instead of in real time */
	uint64_t duration_ms; /* 0: the scenario's own */
};

/* Takes ownership of *sc on success (freed by destroy). */
int mm_backend_sim_create(struct mm_scenario *sc, const struct mm_sim_opts *o,
                          struct mm_backend **out, char *err, size_t errlen);

/* The run's metrics so far (valid until destroy), and the pool a perfect
 * balancer could share. */
const struct mm_metrics *mm_backend_sim_metrics(struct mm_backend *b);
const struct mm_scenario *mm_backend_sim_scenario(struct mm_backend *b);

/* Simulated ms since the scenario's start. */
uint64_t mm_backend_sim_elapsed_ms(struct mm_backend *b);

/* A scenario reservation was met or failed after waited_ms (metrics). */
void mm_backend_sim_resv_result(struct mm_backend *b, bool met, uint64_t waited_ms);

/* Sets the free goal f used by the idle metric (the server's -f). */
void mm_backend_sim_set_free_goal(struct mm_backend *b, uint64_t free_kib);

#endif

/* Everything reservations need around the loop, started in one call: the
 * reservation keeper, the control socket (optional) and, with the
 * simulator, the scenario's scheduled reservations and their metrics. The
 * loop sees only l->resv and l->poll. */
#ifndef MM_CONTROL_H
#define MM_CONTROL_H

#include <stdbool.h>

#include "mm_ctl.h"
#include "mm_resv_host.h"

struct mm_loop;
struct mm_backend;

struct mm_control {
	struct mm_resv_host host;
	struct mm_ctl *ctl;     /* NULL: no socket */
	struct mm_backend *sim; /* the sim backend when its scenario reserves */
	size_t sim_next;        /* next scheduled reservation to ask for */
	uint32_t *sim_ids;      /* per scheduled reservation: its id once asked */
};

/* Wires c into l: the socket at path when path is set (group as in
 * mm_ctl_open), and sim's scheduled reservations when sim is not NULL.
 * Does nothing (0) when neither applies. 0 or -errno, err says why. */
int mm_control_start(struct mm_control *c, struct mm_loop *l, const char *path, const char *group,
                     struct mm_backend *sim, char *err, size_t errlen);

/* The loop's poll hook (arg: the mm_control). */
int mm_control_poll(void *arg, uint64_t now_ms);

void mm_control_stop(struct mm_control *c);

#endif

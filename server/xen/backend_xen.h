/* The xen backend of mmserver (SPEC 3.2): libxenstore for reports, watches
 * and report-node provisioning, libxenlight for domains, host free memory
 * and targets. Implements server/backend.h; knows nothing of the policy. */
#ifndef BACKEND_XEN_H
#define BACKEND_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"

struct mm_xen_opts {
	bool manage_dom0; /* dom0 is left alone unless this is set */
};

/* Opens xenstore and libxenlight. On failure returns a negative errno and
 * one line in err saying what is missing, e.g. "no Xen here:
 * /dev/xen/privcmd missing (not dom0?); try --backend sim". */
int mm_backend_xen_create(const struct mm_xen_opts *o, struct mm_backend **out, char *err,
                          size_t errlen);

/* Counters since creation, for logs, tests and the bench. */
struct mm_xen_stats {
	uint64_t events;          /* watch events drained */
	uint64_t wakeups;         /* wait() calls that returned 1 */
	uint64_t reconnects;      /* xenstore connections reopened */
	uint64_t invalid_reports; /* reports read that did not parse */
	uint64_t provisioned;     /* report nodes created or re-permissioned */
	uint64_t set_target_failures;
	uint64_t slow_calls; /* calls that blocked XB_SLOW_MS or more (xenstored slow) */
	uint64_t domains_added, domains_dropped;
	bool connected; /* xenstore connection up right now */
};

/* 0, or -EINVAL when b is not a xen backend. */
int mm_backend_xen_stats(struct mm_backend *b, struct mm_xen_stats *out);

#endif

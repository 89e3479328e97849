/* The backend interface: everything mmserver needs from a host, as one ops
 * table. The loop and the policy never learn which backend runs (xen, sim).
 * Fallible ops return 0 or a negative errno; they never exit. */
#ifndef MM_BACKEND_H
#define MM_BACKEND_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm_report.h"

#define MM_NAME_MAX 64

/* read_report: the node holds the report already returned, nothing new. */
#define MM_BACKEND_SAME 1

struct mm_dom_info {
	uint32_t domid;
	char name[MM_NAME_MAX];
	uint64_t actual_kib; /* current allocation */
	uint64_t target_kib; /* current balloon target */
	uint64_t maxmem_kib; /* static-max */
};

struct mm_backend;
struct mm_scope;

struct mm_backend_ops {
	const char *name;
	/* Fills up to cap managed domains (dom0 excluded unless configured);
	 * *n is the number of domains that exist, which may exceed cap. */
	int (*list_domains)(struct mm_backend *b, struct mm_dom_info *out, size_t cap, size_t *n);
	/* Freshness is part of the contract, so a dead client is seen as one:
	 * 0 with *out filled when the report is new since the last call for
	 * this domain (mm_report_seq_new: its seq advanced or a restarted
	 * client began again; a report without seq when the guest wrote its
	 * nodes, i.e. a watch fired, since the last read);
	 * MM_BACKEND_SAME with *out filled when it is the report already
	 * returned (re-read, or replayed with an old seq); -ENOENT when the
	 * domain has no report yet; -EINVAL when it has one that does not
	 * parse (err says why). */
	int (*read_report)(struct mm_backend *b, uint32_t domid, struct mm_report *out,
	                   struct mm_report_error *err);
	int (*host_free)(struct mm_backend *b, uint64_t *free_kib);
	int (*set_target)(struct mm_backend *b, uint32_t domid, uint64_t target_kib);
	/* Blocks until a report event or timeout_ms (monotonic); returns 1 on
	 * an event, 0 on timeout, -EINTR when a signal arrived. Waits with
	 * ppoll and the backend's wait_sigmask, so a signal blocked outside the
	 * wait is taken inside it, never lost between a flag check and the
	 * wait. The sim in fast mode advances its own clock instead. */
	int (*wait)(struct mm_backend *b, int64_t timeout_ms);
	/* Wall time, ms since the Unix epoch: for log rows and the page only,
	 * never for an interval (the sim: its own clock). */
	uint64_t (*now_ms)(struct mm_backend *b);
	/* Monotonic ms (never steps back, not a date): every interval, window
	 * and age is measured on it (the sim: its own clock). */
	uint64_t (*mono_ms)(struct mm_backend *b);
	/* True when the backend has nothing more to run (end of a scenario). */
	bool (*finished)(struct mm_backend *b);
	void (*destroy)(struct mm_backend *b);
};

struct mm_backend {
	const struct mm_backend_ops *ops;
	void *priv;
	/* the signal mask to wait with (signals the daemon blocks elsewhere);
	 * NULL: the thread's own mask */
	const sigset_t *wait_sigmask;
	/* the management scope (SPEC 11) as the loop holds it now (a reload
	 * may change it): a domain its name rules out is never written, not
	 * even its report node. NULL: any domain may be. */
	const struct mm_scope *scope;
};

#endif

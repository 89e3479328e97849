/* The simulated guest (SPEC 5): a balloon that moves toward its target at a
 * set speed, a kernel and an application whose demand comes from a workload,
 * swap for what does not fit, and the report mmclient would write. Pure:
 * time comes in as an argument. */
#ifndef MM_GUEST_H
#define MM_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "mm_report.h"
#include "mm_workload.h"

enum mm_behaviour {
	MM_BEH_NORMAL,
	MM_BEH_STUCK,          /* balloon never moves */
	MM_BEH_SLOW,           /* balloon at a tenth of its speed */
	MM_BEH_HIDDEN_FLOOR,   /* balloon will not go below param_kib */
	MM_BEH_HIDDEN_CEILING, /* balloon will not go above param_kib */
	MM_BEH_INTERMITTENT,   /* stuck for 10 s of every 30 s */
	MM_BEH_SILENT,         /* never reports */
	MM_BEH_GARBAGE,        /* reports text that does not parse */
	/* hostile guests (issue 12): each lies in its own way */
	MM_BEH_HUGE,     /* claims the largest sizes a report may hold, all used */
	MM_BEH_NEGATIVE, /* writes negative numbers */
	MM_BEH_FLAPPING, /* claims all used and nothing used, turn about */
	MM_BEH_REPLAY,   /* after 5 reports, writes its 3rd again and again (old seq) */
	MM_BEH_FLOOD,    /* reports every tick, whatever its interval */
	MM_BEH_GROWING,  /* pads each report with unknown keys until past 512 bytes */
};

struct mm_guest_cfg {
	char name[MM_NAME_MAX];
	uint64_t maxmem_kib;
	uint64_t memory_kib; /* initial allocation */
	uint64_t floor_kib;
	uint64_t overhead_kib;   /* allocation the guest never sees (MemTotal below target) */
	uint64_t kernel_min_kib; /* MemTotal share the kernel keeps */
	uint64_t balloon_kib_s;  /* balloon speed, KiB per second */
	uint64_t swap_kib;
	uint32_t cache_permille; /* part of the spare memory page cache fills */
	enum mm_behaviour behaviour;
	uint64_t behaviour_kib;     /* hidden floor/ceiling */
	uint64_t start_ms, stop_ms; /* domain exists in [start, stop); stop 0 = for ever */
	/* its mmclient dies at client_stop (0: never) and comes back at
	 * client_restart (0: never), the domain running on meanwhile */
	uint64_t client_stop_ms, client_restart_ms;
	/* like xl create, a start waits for the host to have the guest's
	 * memory; after this long it fails (0: waits for ever) */
	uint64_t start_timeout_ms;
	struct mm_workload workload;
};

struct mm_guest {
	const struct mm_guest_cfg *cfg;
	uint32_t domid;
	bool alive;
	uint64_t alloc_kib; /* actual allocation */
	uint64_t target_kib;
	uint64_t demand_kib; /* application demand now */
	uint64_t resident_kib, swap_used_kib;
	bool oom; /* in an OOM episode (swap full) */
	uint64_t oom_events;
	uint64_t pswpin, pswpout, pgmajfault;
	uint64_t swap_touch_kib_ms; /* swap traffic not yet whole pages */
	/* Pressure model (PSI-like, documented in mm_guest.c): the working set,
	 * the share of time stalled now, and its 10 s average in percent. */
	uint64_t ws_kib;
	double stall;      /* 0..1 */
	double psi_some10; /* percent, 0..100 */
	bool under_ws;     /* usable memory below the working set: harm */
	uint64_t seq;
};

/* The working set is the demand plus its hot page cache: this part (in
 * permille of the demand) is touched often enough that evicting it stalls. */
#define MM_GUEST_HOT_CACHE_PERMILLE 50
/* A deficit of this share of the working set (permille) stalls all the time. */
#define MM_GUEST_FULL_STALL_PERMILLE 100
/* Swapped-out memory is touched again once every this many ms (thrashing). */
#define MM_GUEST_SWAP_TOUCH_MS 10000

/* Creates the domain at now_ms with its initial allocation. */
void mm_guest_start(struct mm_guest *g, const struct mm_guest_cfg *cfg, uint32_t domid,
                    uint64_t now_ms);

/* Advances the guest by dt_ms ending at now_ms (ms since scenario start). */
void mm_guest_tick(struct mm_guest *g, uint64_t now_ms, uint64_t dt_ms);

/* The report mmclient would write now, as text (what xenstore would hold);
 * returns its length, or -1 for a silent guest. */
int mm_guest_report(struct mm_guest *g, char *buf, size_t len);

#endif

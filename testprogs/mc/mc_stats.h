/* What a worker measured in one second (a tick), and how a tick crosses
 * the worker->parent pipe. No printing: mc_report does that. */
#ifndef MC_STATS_H
#define MC_STATS_H

#include <stdint.h>

#include "mc_hist.h"

struct mc_counts {
	uint64_t sent;       /* requests written */
	uint64_t done;       /* replies received */
	uint64_t gets, sets; /* replies by request type */
	uint64_t hits, misses, stored, not_stored;
	uint64_t errors;  /* ERROR / CLIENT_ERROR / SERVER_ERROR replies */
	uint64_t late;    /* sent more than --late-us after due */
	uint64_t delayed; /* replied more than --delay-us after due */
	uint64_t closed;  /* connections lost (EOF, reset, garbage) */
	uint64_t failed;  /* requests lost with a connection */
	uint64_t connect_errors;
	uint64_t unfinished; /* still in flight when the run ended */
	uint64_t unsent;     /* due before the end, never sent */
	uint64_t due;        /* open loop: arrivals the schedule puts in this second */
	uint64_t skipped;    /* open loop: arrivals dropped while paused */
	/* State at the end of the second (summed over workers, so the
	 * aggregate is the whole run's): */
	uint64_t conns;  /* connections up */
	uint64_t paused; /* workers paused */
};

struct mc_tick {
	int64_t sec; /* seconds since the run's start; -1 for the end-of-run record */
	struct mc_counts c;
	struct mc_hist lat; /* reply time minus due time */
	struct mc_hist svc; /* reply time minus send time */
};

void mc_tick_reset(struct mc_tick *t, int64_t sec);
void mc_counts_add(struct mc_counts *dst, const struct mc_counts *src);
/* dst += src: counts and both histograms. */
void mc_tick_merge(struct mc_tick *dst, const struct mc_tick *src);

/* Writes one tick to fd, whole (retries short writes); 0 or -errno. */
int mc_tick_send(int fd, const struct mc_tick *t);
/* Reads one tick; 1 done, 0 at EOF (before a tick), -errno / -EPROTO. */
int mc_tick_recv(int fd, struct mc_tick *t);

#endif

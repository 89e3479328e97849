/* One worker's event loop: its connections on one epoll, one thread. Modes:
 * fill (store each key once), closed loop (keep --depth requests in flight
 * per connection) and open loop (send what the schedule says is due).
 * It measures and emits ticks; it prints nothing but its own errors. */
#ifndef MC_ENGINE_H
#define MC_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include "mc_conn.h"
#include "mc_opts.h"
#include "mc_stats.h"

enum mc_mode { MC_MODE_FILL, MC_MODE_CLOSED, MC_MODE_OPEN };

struct mc_engine_cfg {
	const struct mc_opts *o;
	const struct mc_addr *addr;
	enum mc_mode mode;
	uint32_t nconns;
	double rate_per_s;           /* open loop: the total over all workers */
	uint32_t worker, nworkers;   /* open loop: this worker's share of the schedule */
	uint64_t seed;               /* schedule and mix */
	uint64_t t0_ns;              /* CLOCK_MONOTONIC start of the run (second 0) */
	uint64_t end_ns;             /* no request is issued from here on */
	uint64_t drain_ns;           /* how long to wait for replies after end_ns */
	uint64_t key_from, key_step; /* fill: keys key_from, +key_step, ... */
	int tick_fd;                 /* where ticks go (-1: kept in the result only) */
	int ctl_fd;                  /* struct mc_ctl_msg from the parent (-1: none) */
};

struct mc_engine_result {
	struct mc_counts total;
	uint64_t elapsed_ns;
};

uint64_t mc_now_ns(void); /* CLOCK_MONOTONIC */
int64_t mc_unix_ms(void); /* CLOCK_REALTIME in ms, to line records up with other logs */

/* Runs to the end (or until mm_tp_stop). Returns 0, or -errno when the
 * first connections cannot be made (message on err). */
int mc_engine_run(const struct mc_engine_cfg *cfg, struct mc_engine_result *res, FILE *err);

/* The open loop's send grid at rate_per_s shared by nworkers (--batch-us,
 * or what auto picks), ns; 0: each arrival at its own time. The summary
 * prints it, since its wait is in the latency from the due time. */
uint64_t mc_batch_grid_ns(const struct mc_opts *o, double rate_per_s, uint32_t nworkers);

#endif

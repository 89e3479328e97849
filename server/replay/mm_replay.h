/* Reads a finished run's data logs (SPEC 3.5: rounds.tsv and one <name>.log
 * per domain, as -d writes them) and turns them back into rounds, so the
 * canvas can play an experiment after the fact (mmserver --replay). It only
 * reads files; publishing and pacing are the caller's (mm_replay_play).
 *
 * The logs do not record maxmem, floors, the reserve, the free goal or the
 * report age: maxmem is taken as the largest of target/actual/total seen in
 * the domain's log (a lower bound), the others come from the settings the
 * caller passes (the command line and config, as for a live run). When a
 * folder holds several runs (logs append), the last one is replayed. */
#ifndef MM_REPLAY_H
#define MM_REPLAY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "mm_loop.h"
#include "mm_round.h"

struct mm_replay_row {
	uint64_t time_ms, target_kib, actual_kib, tot_kib, free_kib, swap_used_kib;
	uint32_t domid;
	uint8_t reason; /* enum mm_reason */
};

struct mm_replay_dom {
	char name[MM_NAME_MAX];
	size_t n, cap, cur; /* cur: next row to join (rounds are read in order) */
	struct mm_replay_row *row;
	uint64_t maxmem_kib;
	uint64_t prev_target_kib;
};

struct mm_replay_rnd {
	uint64_t time_ms, pool_kib, host_free_kib, cost_us, writes;
	double tau;
	char policy[32];
};

struct mm_replay {
	size_t nrounds, cap;
	struct mm_replay_rnd *rnd;
	size_t ndoms;
	struct mm_replay_dom *dom;
	struct mm_round_dom *scratch; /* ndoms entries, what mm_replay_round fills */
	uint64_t skipped_rows;        /* malformed rows, ignored */
	uint64_t unknown_reasons;     /* reason names this build does not know: "hold" */
};

/* Loads dir. 0, or a negative errno with a sentence in err (no rounds.tsv,
 * no round in it, no domain log, a file too large...). */
int mm_replay_load(const char *dir, struct mm_replay *rp, char *err, size_t errlen);

/* Fills out with round i (call with i = 0, 1, 2... in order). out->dom points
 * into rp: valid until the next call. set gives f, the reserve and floors. */
void mm_replay_round(struct mm_replay *rp, size_t i, const struct mm_settings *set,
                     struct mm_round *out);

/* Plays every round through publish(arg, round): at speed 0 all at once,
 * else spaced as recorded divided by speed. Stops early when *stop is set.
 * Returns the number of rounds published. */
size_t mm_replay_play(struct mm_replay *rp, const struct mm_settings *set, double speed,
                      volatile sig_atomic_t *stop,
                      void (*publish)(void *arg, const struct mm_round *r), void *arg);

void mm_replay_free(struct mm_replay *rp);

#endif

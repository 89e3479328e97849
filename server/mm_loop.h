/* mmserver's main loop: wait for reports or the interval, run a round,
 * write targets, log. Knows the backend only through its ops table. */
#ifndef MM_LOOP_H
#define MM_LOOP_H

#include <signal.h>
#include <stdbool.h>

#include "backend.h"
#include "mm_balance.h"
#include "mm_logs.h"
#include "mm_round.h"
#include "mm_scope.h"
#include "mm_track.h"

#define MM_FLOORS_MAX 64

/* What a config reload may change. */
struct mm_settings {
	char policy[32];
	uint64_t pool_kib; /* 0 = auto */
	uint64_t free_kib; /* f */
	uint64_t reserve_kib;
	uint64_t floor_kib; /* default per-domain floor */
	size_t nfloors;     /* per-domain floors by name */
	struct {
		char name[MM_NAME_MAX];
		uint64_t kib;
	} floors[MM_FLOORS_MAX];
	size_t nweights; /* per-domain weights (priority 1..100) by name */
	struct {
		char name[MM_NAME_MAX];
		uint32_t weight;
	} weights[MM_FLOORS_MAX];
	uint64_t interval_ms;
	uint64_t stale_intervals; /* no new report for this many intervals: stale */
	struct mm_scope scope;    /* which domains are ours */
	unsigned guard_off;       /* MM_GUARD_OFF_*: simulator experiments only */
};

/* The weight (1..100) the config gives a domain by name; 50 by default. */
uint32_t mm_settings_weight(const struct mm_settings *s, const char *name);

struct mm_dom_state;

struct mm_loop {
	struct mm_backend *b;
	struct mm_settings set;
	struct mm_policy pol;
	struct mm_guard_cfg guard;
	struct mm_logs logs;
	bool verbose; /* -v table on stdout */
	bool tty;     /* redraw the table in place */
	/* called after every round, e.g. to publish to HTTP */
	void (*on_round)(void *arg, const struct mm_round *r);
	void *on_round_arg;
	/* called on SIGHUP to re-read the config into *out; 0 or -errno */
	int (*reload_fn)(void *arg, struct mm_settings *out);
	void *reload_arg;
	volatile sig_atomic_t *stop, *reload;
	/* per-domain state and per-round buffers, grown as domains appear */
	size_t cap, ndom;
	struct mm_dom_state *dom;
	struct mm_dom_info *info;
	struct mm_dom_in *in;
	struct mm_dom_out *out;
	struct mm_round_dom *rdom;
	int *fds;        /* per domain: its data log, -1 if none */
	size_t *hash;    /* domid index over 2 x cap slots (mm_domains.c) */
	bool index_ok;   /* hash holds every domain at its index */
	bool rdom_names; /* rdom's names are the domains' (none came or went) */
	uint64_t syncs;  /* domain lists taken */
	struct mm_balance_work work;
	uint64_t rounds;
	uint64_t pol_epoch;           /* bumped when the policy changes: per-domain memory resets */
	uint64_t list_fail_logged_ms; /* rate limit for a backend that is down */
	/* reservations (issue 17; NULL: none): part of the host reserve while
	 * they live (server/ctl/mm_resv_host.h) */
	struct mm_resv_host *resv;
	/* polled between rounds, at least every MM_LOOP_POLL_MS (the control
	 * socket); returns 1 when a round should run now */
	int (*poll)(void *arg, uint64_t now_ms);
	void *poll_arg;
};

#define MM_LOOP_POLL_MS 100

/* Validates settings and sets the policy; -EINVAL with a sentence in err. */
int mm_loop_apply_settings(struct mm_loop *l, const struct mm_settings *s, char *err,
                           size_t errlen);

/* Runs until *stop is set or the backend is finished; 0 or -errno. */
int mm_loop_run(struct mm_loop *l);

/* One round now (exposed for tests). */
int mm_loop_round(struct mm_loop *l);

void mm_loop_dispose(struct mm_loop *l);

#endif

/* The loop's per-domain memory across rounds: who exists, their last valid
 * report, health tracker, invalid-report count and log file. Domains that
 * vanish are dropped here, their log closed. */
#ifndef MM_DOMAINS_H
#define MM_DOMAINS_H

#include <stdalign.h>
#include <stddef.h>

#include "mm_loop.h"

struct mm_dom_state {
	uint32_t domid;
	char name[MM_NAME_MAX];
	uint64_t seen_sync; /* the loop's syncs when it was last listed */
	size_t info_idx;    /* its row in l->info this round */
	bool has_report;
	struct mm_report report;    /* last valid */
	uint64_t report_ms;         /* when the last new one was read (monotonic) */
	uint64_t invalid;           /* invalid reports seen */
	uint64_t invalid_logged_ms; /* last time one was logged (once a minute) */
	uint64_t write_failures;    /* target writes the backend refused */
	uint64_t write_logged_ms;   /* last time one was logged (once a minute) */
	uint64_t cut_logged_ms;     /* last grow cut short by a refused shrink, logged */
	struct mm_track track;
	int log_fd;         /* its data log; -1 if none */
	uint64_t pol_epoch; /* the loop's pol_epoch when pol was last reset */
	alignas(max_align_t) unsigned char pol[MM_POLICY_DOM_BYTES];
};

/* Lists domains and brings l->dom in line: new ones added (log opened),
 * vanished ones dropped. Sizes every per-round buffer for them. */
int mm_domains_sync(struct mm_loop *l, uint64_t now_ms);

/* Reads every domain's report, updates trackers, fills l->in. mono_ms is
 * the backend's monotonic clock: ages and windows never see a clock step. */
void mm_domains_read(struct mm_loop *l, uint64_t mono_ms);

/* Floor for a domain: a per-name floor from the settings, else the default. */
uint64_t mm_domains_floor(const struct mm_settings *s, const char *name);

/* Closes and opens every data log again, rounds.tsv included (SIGHUP:
 * logrotate moved them); a failure is logged and that file skipped. */
void mm_domains_reopen_logs(struct mm_loop *l, uint64_t now_ms);

void mm_domains_free(struct mm_loop *l);

#endif

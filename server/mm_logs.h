/* The data logs of SPEC 3.5: one TSV file per domain and rounds.tsv, in one
 * directory. Append only, a header naming every column with its unit,
 * flushed every row so a crash loses nothing already decided. */
#ifndef MM_LOGS_H
#define MM_LOGS_H

#include <stdio.h>

#include "mm_round.h"

struct mm_logs {
	char dir[4096];
	FILE *rounds;
	uint64_t last_cost_us; /* the domain rows of the last round: its log_cost_us */
};

/* Picks the default directory name "YY-MM-DD_<k>" under base (k one more
 * than the largest existing one for today) into out. */
int mm_logs_default_dir(const char *base, long unix_s, char *out, size_t len);

/* Creates dir if needed and opens rounds.tsv; now_ms (Unix ms) goes into
 * the restart comment when the file already has rows. 0 or -errno. */
int mm_logs_open(struct mm_logs *l, const char *dir, uint64_t now_ms);

/* Closes and opens rounds.tsv again (logrotate moved it: SIGHUP). 0 or -errno. */
int mm_logs_reopen(struct mm_logs *l, uint64_t now_ms);

/* Opens <dir>/<name>.log for a domain (append; header if new, a restart
 * comment if not). Returns a file descriptor, or -1 with errno set. */
int mm_logs_open_domain(struct mm_logs *l, const char *name, uint32_t domid, uint64_t now_ms);

/* One row per domain (descriptors given per domain, -1 to skip) and one in
 * rounds.tsv. Each domain's row is one write(2) of a whole line: a crash
 * loses no row the round decided and tears none; no stdio buffer sits in
 * between (a thousand domains: a thousand small writes, formatted without
 * printf). Returns how many domain rows could not be written. */
size_t mm_logs_round(struct mm_logs *l, const struct mm_round *r, const int *dom_fds);

/* Formats one domain row (with its newline) into buf (MM_LOGS_ROW_MAX);
 * returns its length. Exposed for tests. */
#define MM_LOGS_ROW_MAX 256
size_t mm_logs_format_row(char *buf, uint64_t time_ms, const struct mm_round_dom *d, double tau);

void mm_logs_close(struct mm_logs *l);

#endif

/* The guest report (SPEC section 2): one line of key=value tokens that a
 * guest writes into its own xenstore node. Parsing and formatting only; who
 * reads or writes xenstore lives elsewhere. */
#ifndef MM_REPORT_H
#define MM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_REPORT_MAX_BYTES 512 /* whole value, without a terminating NUL */
#define MM_REPORT_VERSION   1
/* Counters (pages, events) beyond 2^62 mean a broken or lying guest. */
#define MM_REPORT_MAX_COUNT (UINT64_C(1) << 62)

/* Optional fields present in a report. */
enum {
	MM_REPORT_HAS_SEQ = 1u << 0,
	MM_REPORT_HAS_AVAIL = 1u << 1,
	MM_REPORT_HAS_CACHED = 1u << 2,
	MM_REPORT_HAS_SWAP = 1u << 3,   /* swap_total and swap_used */
	MM_REPORT_HAS_VMSTAT = 1u << 4, /* pswpin, pswpout, pgmajfault */
	MM_REPORT_HAS_PSI = 1u << 5,
	MM_REPORT_HAS_BALLOON = 1u << 6,
	MM_REPORT_LEGACY = 1u << 7, /* came from the 2013 two-node form */
};

struct mm_report {
	uint32_t has; /* MM_REPORT_HAS_* */
	uint64_t seq;
	uint64_t tot_kib;  /* MemTotal */
	uint64_t free_kib; /* MemFree + Cached: the tax algorithm's "free" */
	uint64_t avail_kib;
	uint64_t cached_kib;
	uint64_t swap_total_kib;
	uint64_t swap_used_kib;
	uint64_t pswpin, pswpout, pgmajfault; /* cumulative since guest boot */
	uint32_t psi_some10_centi;            /* /proc/pressure/memory some avg10, in 1/100 % */
	uint64_t balloon_cur_kib;
};

enum mm_report_err {
	MM_REPORT_OK = 0,
	MM_REPORT_E_TOO_LONG = -1,
	MM_REPORT_E_SYNTAX = -2,  /* not key=value tokens split by single spaces */
	MM_REPORT_E_VERSION = -3, /* first token is not v=1 */
	MM_REPORT_E_DUPLICATE = -4,
	MM_REPORT_E_VALUE = -5,        /* not a number, overflow, or above a sane bound */
	MM_REPORT_E_MISSING = -6,      /* tot or free missing */
	MM_REPORT_E_INCONSISTENT = -7, /* e.g. free > tot, swap_used > swap_total */
};

/* Where and why a parse failed, for a log line a human can act on. */
struct mm_report_error {
	int code;
	char key[16]; /* the offending key, truncated; empty when not about one key */
};

const char *mm_report_strerror(int code);

/* Parses exactly len bytes (NUL bytes inside are a syntax error). On error
 * *out is left zeroed and err (if not NULL) says why. */
int mm_report_parse(const char *buf, size_t len, struct mm_report *out,
                    struct mm_report_error *err);

/* The 2013 form: two decimal KiB values from memory/free and memory/tot. */
int mm_report_parse_legacy(const char *free_s, size_t free_len, const char *tot_s, size_t tot_len,
                           struct mm_report *out, struct mm_report_error *err);

/* Writes r as one line (no newline) into buf; returns the length, or a
 * negative value if it would not fit in len or in MM_REPORT_MAX_BYTES. */
int mm_report_format(const struct mm_report *r, char *buf, size_t len);

/* A fresh mmclient starts at seq 1; a report whose seq fell back to at most
 * this is a restarted client, not a replay. */
#define MM_REPORT_SEQ_RESTART 64

/* Freshness by seq: is r new after a report with seq last_seq (seen: there
 * was one)? New when seq advanced, or fell back to a fresh start (a
 * restarted client). The same seq is a re-read; an older one a replay.
 * Reports without a seq (the 2013 form) are judged by the caller: new only
 * when the guest wrote its nodes since the last read. */
bool mm_report_seq_new(bool seen, uint64_t last_seq, const struct mm_report *r);

/* Used memory as the tax algorithm sees it: tot - free (never negative). */
uint64_t mm_report_used_kib(const struct mm_report *r);

#endif

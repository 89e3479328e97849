/* Reads a memory trace (a 2013 mmserver memory or swap log, or our own
 * per-domain TSV log, SPEC 3.5) into an array of samples, for replay in the
 * simulator and for the notebook. Parsing works on a buffer; only
 * mm_trace_load() touches the file system. It never writes or prints.
 *
 * What counts as an error and what is skipped (per case, see mm_trace.c):
 * a file whose format is not recognised, a malformed header, an empty file
 * or one with no usable row is an error with a line number. In 2013 logs
 * (a closed, clean corpus) a malformed row is an error too, except a last
 * line cut off without a newline, which is skipped and counted. In our own
 * logs (append-only: a crash can leave half a row before a restart) a
 * malformed row is skipped and counted. */
#ifndef MM_TRACE_H
#define MM_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* Files above this are refused (-EFBIG), so a wrong path (a disk image)
 * cannot eat the memory. The largest 2013 log is 56721 bytes; a row of our
 * TSV is under 100 bytes, so this holds over 60 days of 1 s rows. */
#define MM_TRACE_MAX_BYTES ((size_t)512 << 20)

/* A backward jump of the 2013 time of day is a midnight wrap when the
 * implied gap (24 h minus the jump) is at most this; longer is a clock step. */
#define MM_TRACE_WRAP_MAX_GAP_S 3600

enum mm_trace_format {
	MM_TRACE_UNKNOWN = 0,
	MM_TRACE_2013_MEM,  /* <n>.log, vmK/on-mem.log: tg, use, free */
	MM_TRACE_2013_SWAP, /* *swap.log: swap total, used, free */
	MM_TRACE_TSV,       /* our per-domain log, columns found by name */
};

/* Which fields of a sample hold data (others are 0). */
enum {
	MM_TRACE_F_TARGET = 1u << 0,
	MM_TRACE_F_USED = 1u << 1,
	MM_TRACE_F_FREE = 1u << 2,
	MM_TRACE_F_SWAP = 1u << 3,
};

struct mm_trace_sample {
	uint64_t t_ms;       /* since the first row; never decreases */
	uint64_t target_kib; /* balloon target set by the balancer */
	uint64_t used_kib;   /* demand; negatives clamped to 0 */
	uint64_t free_kib;   /* as the guest reported it */
	uint64_t swap_used_kib;
	uint32_t known; /* MM_TRACE_F_* */
};

struct mm_trace {
	enum mm_trace_format format;
	int32_t domid;           /* -1 when unknown (swap logs) */
	uint32_t fields;         /* MM_TRACE_F_* present in at least one sample */
	uint64_t start_ms;       /* wall clock of the first row, Unix ms; 0 when unknown.
	                          * 2013 logs: the header date as the host printed it
	                          * (its local zone, offset unknown) */
	uint64_t swap_total_kib; /* largest seen (swap logs), else 0 */
	size_t n;                /* samples */
	struct mm_trace_sample *samples;
	size_t lines;               /* lines read, header and comments included */
	size_t rows_clamped;        /* rows whose used was negative, stored as 0 */
	size_t rows_skipped;        /* malformed rows left out (see above) */
	size_t comments;            /* '#' lines in our logs (one per server restart) */
	size_t midnight_wraps;      /* 2013 time of day went past 24:00 */
	size_t clock_steps;         /* time went backwards: the row is kept at the
	                             * previous t_ms (no time passes) */
	size_t first_skip_line;     /* line of the first skipped row, 0 when none */
	const char *first_skip_why; /* static text, NULL when none */
};

/* Where and why a parse failed; line 0 means the whole file. */
struct mm_trace_error {
	size_t line;
	char text[160]; /* e.g. "line 17: expected 4 fields, got 2" */
};

/* Parses len bytes (need not be NUL-terminated). 0 on success with *out
 * filled (at least one sample); else a negative errno, *out left empty (safe
 * to free) and err (if not NULL) filled: -EINVAL bad format or row,
 * -ENODATA empty or no usable row, -EFBIG too large, -ENOMEM. */
int mm_trace_parse_buf(const char *buf, size_t len, struct mm_trace *out,
                       struct mm_trace_error *err);

/* Reads the file at path and parses it; open/read failures return -errno
 * with the reason in err. */
int mm_trace_load(const char *path, struct mm_trace *out, struct mm_trace_error *err);

/* Releases the samples and leaves *t empty; safe on an empty trace. */
void mm_trace_free(struct mm_trace *t);

/* The sample in force at t_ms (step interpolation: the last sample at or
 * before t_ms, held across missing rows and after the end); NULL only for
 * an empty trace. */
const struct mm_trace_sample *mm_trace_sample_at(const struct mm_trace *t, uint64_t t_ms);

/* Demand (used, KiB) at t_ms by step interpolation; 0 for an empty trace or
 * one without used memory (swap logs: check fields & MM_TRACE_F_USED). */
uint64_t mm_trace_demand_at(const struct mm_trace *t, uint64_t t_ms);

/* Time from the first row to the last, ms; 0 for an empty trace. */
uint64_t mm_trace_duration_ms(const struct mm_trace *t);

/* "2013-mem", "2013-swap", "tsv" or "unknown". */
const char *mm_trace_format_name(enum mm_trace_format f);

#endif

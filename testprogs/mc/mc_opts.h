/* mm_bench_mc options: defaults, parsing (the command line, and each line
 * of an --auto file applied on top of it) and validation. It resolves
 * nothing and opens nothing. */
#ifndef MC_OPTS_H
#define MC_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mc_proto.h"
#include "mc_sched.h"

#define MC_DURATION_MAX_S 3600 /* every run is bounded: one hour at most */
#define MC_CONNS_MAX      4096
#define MC_PROCS_MAX      64
#define MC_DEPTH_MAX      1024

struct mc_opts {
	char host[256];
	char port[16];
	bool allow_remote;
	uint32_t conns, procs, depth;
	uint32_t refill; /* closed loop: top a pipeline up once this many came back (1..depth) */
	enum mc_proto proto;
	double rate_per_s; /* 0: closed loop at the maximum rate */
	enum mc_sched_kind sched;
	uint32_t duration_s, warmup_s, cooldown_s;
	double get_ratio;
	uint64_t keys;
	uint64_t keyspace_kib; /* when set: keys = keyspace / mean value size */
	uint32_t key_len, value_min, value_max;
	double hot_frac, hot_prob;
	double zipf_s;   /* > 0: Zipf key popularity with this exponent */
	uint32_t nsizes; /* > 0: value sizes from the weighted list below */
	uint32_t vsize[16];
	double vweight[16]; /* cumulative, normalised: the last is 1 */
	bool fill;
	uint32_t fill_timeout_s;
	uint64_t seed;
	uint64_t late_us;     /* a send later than this after its due time (grid point) is "late" */
	uint64_t batch_us;    /* open loop: arrivals go out on a grid this fine (0: each alone) */
	bool batch_auto;      /* open loop: the grid follows the rate (see mc_engine.c) */
	uint64_t coalesce_us; /* replies may wait this long unread, timed by the kernel's
	                       * receive stamp (0: the loop wakes on every reply) */
	uint64_t delay_us;    /* a reply later than this after its due time is "delayed" */
	bool quiet;
	char record[1024]; /* TSV file, "" for none */
	char auto_file[1024];
	char control[16]; /* "stdin", a loopback port, or "" for no live control */
};

void mc_opts_defaults(struct mc_opts *o);
/* Parses argv on top of *o. Returns 0, 1 when --help was printed, or
 * -EINVAL after printing why to err. Reentrant: resets getopt. */
int mc_opts_parse(struct mc_opts *o, int argc, char **argv, FILE *err);
/* Splits one --auto line into words and parses them on top of *o. */
int mc_opts_parse_line(struct mc_opts *o, const char *line, FILE *err);
/* After all parsing: derives keys from --keyspace and the default key
 * length, then checks fields against each other. 0 or -EINVAL. */
int mc_opts_finish(struct mc_opts *o, FILE *err);
void mc_opts_usage(FILE *f);

#endif

/* Scenario files (JSON, SPEC 5): the simulated host and its guests. Loading
 * checks everything and says which guest and which field is wrong; the
 * result is plain data for the sim backend. */
#ifndef MM_SCENARIO_H
#define MM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "mm_guest.h"
#include "mm_trace.h"

/* A scenario's guests: memory is the only limit below this (one guest
 * costs about 1 KiB in the simulator and 2 KiB in the loop). */
#define MM_SCENARIO_MAX_GUESTS 100000
#define MM_SCENARIO_MAX_RESV   64

/* A reservation the scenario asks for at at_ms, as `mmctl reserve` would
 * (issue 17); times in ms since the scenario's start, 0 = the default. */
struct mm_sim_resv {
	uint64_t at_ms, size_kib, timeout_ms, lease_ms;
	uint64_t release_ms; /* released then, if still live (0: never) */
	char for_name[MM_NAME_MAX];
};

struct mm_scenario {
	char name[64];
	uint64_t seed;
	uint64_t duration_ms;
	uint64_t tick_ms;   /* simulation step */
	uint64_t report_ms; /* how often guests report, as mmclient's interval */
	uint64_t host_kib;  /* physical memory */
	uint64_t dom0_kib;
	uint64_t reserve_kib;
	uint64_t pool_kib; /* server hint: 0 = auto */
	uint64_t free_kib; /* server hint: 0 = default */
	size_t n;
	struct mm_guest_cfg *guests;
	size_t ntraces;
	struct mm_trace *traces; /* loaded trace files, owned */
	size_t nresv;
	struct mm_sim_resv *resv; /* "reservations", by at_ms; owned */
};

/* Loads path; trace paths inside are relative to the scenario's folder.
 * Returns 0 or a negative errno with a sentence in err. */
int mm_scenario_load(const char *path, struct mm_scenario *sc, char *err, size_t errlen);

/* Parses JSON text; base_dir resolves trace paths. */
int mm_scenario_parse(const char *json, const char *base_dir, struct mm_scenario *sc, char *err,
                      size_t errlen);

void mm_scenario_free(struct mm_scenario *sc);

#endif

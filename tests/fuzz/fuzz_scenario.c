/* Fuzz target: the simulator's scenario loader (server/sim/mm_scenario.c,
 * with the workload strings of mm_workload.c). Trace paths resolve against
 * the repository's scenarios/ folder, so seeds copied from there load their
 * real traces. An accepted scenario is one the simulator can run: 1 to
 * MM_SCENARIO_MAX_GUESTS named guests, each with floor <= memory <= maxmem,
 * those present at the start fitting the host (a guest that starts later
 * waits for room, as xl create does). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mm_scenario.h"

#ifndef MM_FUZZ_SCENARIO_DIR
#define MM_FUZZ_SCENARIO_DIR "."
#endif

static void check_accepted(const struct mm_scenario *sc)
{
	uint64_t sum = sc->dom0_kib + sc->reserve_kib;

	FUZZ_CHECK(sc->n >= 1 && sc->n <= MM_SCENARIO_MAX_GUESTS && sc->guests);
	FUZZ_CHECK(sc->tick_ms > 0 && sc->report_ms % sc->tick_ms == 0);
	FUZZ_CHECK(memchr(sc->name, '\0', sizeof(sc->name)) != NULL);
	for (size_t i = 0; i < sc->n; i++) {
		const struct mm_guest_cfg *g = &sc->guests[i];
		FUZZ_CHECK(g->name[0] != '\0' && memchr(g->name, '\0', sizeof(g->name)));
		FUZZ_CHECK(g->floor_kib <= g->memory_kib && g->memory_kib <= g->maxmem_kib);
		FUZZ_CHECK(g->stop_ms == 0 || g->stop_ms > g->start_ms);
		if (!g->start_ms)
			sum += g->memory_kib;
	}
	FUZZ_CHECK(sum <= sc->host_kib);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_scenario sc;
	char err[512] = "";
	char *json = malloc(size + 1);

	if (!json)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	memset(&sc, 0, sizeof(sc));
	int rc = mm_scenario_parse(json, MM_FUZZ_SCENARIO_DIR, &sc, err, sizeof(err));
	FUZZ_CHECK(rc <= 0);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	if (rc == 0)
		check_accepted(&sc);
	else
		FUZZ_CHECK(err[0] != '\0'); /* a refusal says which field */
	mm_scenario_free(&sc);
	free(json);
	return 0;
}

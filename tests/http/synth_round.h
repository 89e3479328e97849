/* Test helper: a deterministic synthetic host whose rounds look like the
 * real loop's (demand waves, targets following, reasons and flags), for
 * driving the HTTP server without mmserver. Not a simulator: no policy. */
#ifndef MM_TEST_SYNTH_ROUND_H
#define MM_TEST_SYNTH_ROUND_H

#include <stddef.h>
#include <stdint.h>

#include "mm_round.h"

struct synth {
	struct mm_round round;
	double *phase;
	uint64_t rng;
};

int synth_init(struct synth *s, size_t n, uint64_t seed, uint64_t start_ms);
/* Advances by dt_ms and fills s->round (seq + 1). */
void synth_step(struct synth *s, uint64_t dt_ms);
void synth_dispose(struct synth *s);

#endif

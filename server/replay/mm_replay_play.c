/* Pacing a replay: rounds go out as recorded, divided by the speed, or all at
 * once at speed 0. Sleeps are interruptible (a signal sets *stop). */
#include <errno.h>
#include <time.h>

#include "mm_replay.h"

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
	                      .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL); /* EINTR: the caller checks *stop */
}

size_t mm_replay_play(struct mm_replay *rp, const struct mm_settings *set, double speed,
                      volatile sig_atomic_t *stop,
                      void (*publish)(void *arg, const struct mm_round *r), void *arg)
{
	struct mm_round r;
	size_t i;

	for (i = 0; i < rp->nrounds && !*stop; i++) {
		if (i && speed > 0) {
			uint64_t gap_ms = rp->rnd[i].time_ms - rp->rnd[i - 1].time_ms;
			sleep_ms((uint64_t)((double)gap_ms / speed));
			if (*stop)
				break;
		}
		mm_replay_round(rp, i, set, &r);
		publish(arg, &r);
	}
	return i;
}

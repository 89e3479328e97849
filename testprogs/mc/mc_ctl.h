/* Live control of a running mm_bench_mc: the console's command language
 * (parsed here, pure) and the fixed-size message the parent sends each
 * worker down its control pipe. Sockets and pipes are mc_main's. */
#ifndef MC_CTL_H
#define MC_CTL_H

#include <stddef.h>
#include <stdint.h>

enum mc_ctl_op {
	MC_CTL_NONE,   /* empty line */
	MC_CTL_ADD,    /* add n connections */
	MC_CTL_REMOVE, /* remove n connections */
	MC_CTL_RATE,   /* open loop: new total rate from the next second */
	MC_CTL_PAUSE,
	MC_CTL_RESUME,
	MC_CTL_STOP,
	MC_CTL_STATUS,
	MC_CTL_HELP,
};

struct mc_ctl_msg {
	uint32_t op; /* enum mc_ctl_op */
	uint32_t n;
	double rate_per_s;
};

/* Parses one console line ("add 4", "remove 2", "rate 30000", "pause",
 * "resume", "stop", "status", "help"). 0, or -EINVAL with the reason in
 * why. */
int mc_ctl_parse(const char *line, struct mc_ctl_msg *m, char *why, size_t why_len);
const char *mc_ctl_name(enum mc_ctl_op op);
extern const char mc_ctl_help[];

#endif

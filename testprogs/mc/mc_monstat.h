/* memcached "stats" for the monitor: parse one reply into counters, and
 * turn two samples into per-second rates. Pure: no sockets, no clock. */
#ifndef MC_MONSTAT_H
#define MC_MONSTAT_H

#include <stddef.h>
#include <stdint.h>

enum mc_mon_field {
	MC_MON_CMD_GET,
	MC_MON_CMD_SET,
	MC_MON_GET_HITS,
	MC_MON_GET_MISSES,
	MC_MON_EVICTIONS,
	MC_MON_BYTES_READ,
	MC_MON_BYTES_WRITTEN,
	MC_MON_CURR_CONNECTIONS, /* a level, not a counter */
	MC_MON_CURR_ITEMS,       /* a level */
	MC_MON_BYTES,            /* a level: bytes stored */
	MC_MON_NFIELDS,
};

struct mc_mon_sample {
	uint64_t v[MC_MON_NFIELDS];
	uint32_t have; /* bit f set when field f was in the reply */
};

/* Parses "STAT name value\r\n"... "END\r\n". 0, or -EPROTO when a line
 * is not STAT/END or a wanted value is not a number, -ENODATA when a
 * wanted field is missing. Unknown STAT names are skipped. */
int mc_mon_parse(const char *buf, size_t len, struct mc_mon_sample *s);
/* memcached's name of a field, and the name the monitor prints. */
const char *mc_mon_stat_name(enum mc_mon_field f);
const char *mc_mon_key(enum mc_mon_field f);
/* Field f per second between a and b, dt_ns apart; levels give b's value.
 * A counter that went down (server restarted) gives 0. */
double mc_mon_rate(const struct mc_mon_sample *a, const struct mc_mon_sample *b,
                   enum mc_mon_field f, uint64_t dt_ns);
int mc_mon_is_level(enum mc_mon_field f);

#endif

/* memcached stats parsing (see mc_monstat.h). Names from memcached's
 * doc/protocol.txt, "General-purpose statistics". */
#include "mc_monstat.h"

#include <errno.h>
#include <string.h>

#include "mm_parse.h"

static const struct {
	const char *stat, *key;
	int level;
} fields[MC_MON_NFIELDS] = {
    [MC_MON_CMD_GET] = {"cmd_get", "gets_s", 0},
    [MC_MON_CMD_SET] = {"cmd_set", "sets_s", 0},
    [MC_MON_GET_HITS] = {"get_hits", "hits_s", 0},
    [MC_MON_GET_MISSES] = {"get_misses", "misses_s", 0},
    [MC_MON_EVICTIONS] = {"evictions", "evictions_s", 0},
    [MC_MON_BYTES_READ] = {"bytes_read", "read_bytes_s", 0},
    [MC_MON_BYTES_WRITTEN] = {"bytes_written", "written_bytes_s", 0},
    [MC_MON_CURR_CONNECTIONS] = {"curr_connections", "conns", 1},
    [MC_MON_CURR_ITEMS] = {"curr_items", "items", 1},
    [MC_MON_BYTES] = {"bytes", "stored_bytes", 1},
};

const char *mc_mon_stat_name(enum mc_mon_field f)
{
	return fields[f].stat;
}

const char *mc_mon_key(enum mc_mon_field f)
{
	return fields[f].key;
}

int mc_mon_is_level(enum mc_mon_field f)
{
	return fields[f].level;
}

/* One "STAT name value" line (without CRLF). */
static int stat_line(const char *p, size_t n, struct mc_mon_sample *s)
{
	const char *name, *sp;
	size_t name_len;

	if (n < 5 || memcmp(p, "STAT ", 5) != 0)
		return -EPROTO;
	name = p + 5;
	sp = memchr(name, ' ', n - 5);
	if (!sp)
		return -EPROTO;
	name_len = (size_t)(sp - name);
	for (int f = 0; f < MC_MON_NFIELDS; f++) {
		if (strlen(fields[f].stat) != name_len || memcmp(fields[f].stat, name, name_len))
			continue;
		if (mm_parse_u64_n(sp + 1, n - (size_t)(sp + 1 - p), UINT64_MAX, &s->v[f]))
			return -EPROTO;
		s->have |= 1u << f;
	}
	return 0;
}

int mc_mon_parse(const char *buf, size_t len, struct mc_mon_sample *s)
{
	size_t pos = 0;

	memset(s, 0, sizeof(*s));
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n;
		if (!nl || nl == buf + pos || nl[-1] != '\r')
			return -EPROTO;
		n = (size_t)(nl - (buf + pos)) - 1;
		if (n == 3 && memcmp(buf + pos, "END", 3) == 0)
			return s->have == (1u << MC_MON_NFIELDS) - 1 ? 0 : -ENODATA;
		if (stat_line(buf + pos, n, s))
			return -EPROTO;
		pos = (size_t)(nl - buf) + 1;
	}
	return -EPROTO; /* no END */
}

double mc_mon_rate(const struct mc_mon_sample *a, const struct mc_mon_sample *b,
                   enum mc_mon_field f, uint64_t dt_ns)
{
	if (fields[f].level)
		return (double)b->v[f];
	if (dt_ns == 0 || b->v[f] < a->v[f])
		return 0;
	return (double)(b->v[f] - a->v[f]) * 1e9 / (double)dt_ns;
}

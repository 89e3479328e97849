/* mmserver.conf(5): "key = value" lines, '#' comments. Parsing is pure (a
 * buffer in, settings out) so every error names its line. */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#include <stddef.h>

#include "mm_loop.h"

#define MM_CONFIG_DEFAULT_PATH "/etc/xenmm/mmserver.conf"
#define MM_WEIGHT_DEFAULT      50 /* weight.NAME when the config names none */

/* Which settings a source gave, so the command line can win over the file. */
enum {
	MM_SET_POLICY = 1u << 0,
	MM_SET_POOL = 1u << 1,
	MM_SET_FREE = 1u << 2,
	MM_SET_RESERVE = 1u << 3,
	MM_SET_FLOOR = 1u << 4,
	MM_SET_INTERVAL = 1u << 5,
	MM_SET_SCOPE = 1u << 6, /* manage, include, exclude */
	MM_SET_STALE = 1u << 7,
};

/* One scope or freshness key (manage, include, exclude, stale_intervals):
 * NULL when applied, MM_CONFIG_NOT_MINE when k is another key, else what is
 * wrong. Shared by the file and the command line. */
extern const char MM_CONFIG_NOT_MINE[];
const char *mm_config_apply_scope(struct mm_settings *s, unsigned *given, const char *k,
                                  const char *v);

void mm_settings_defaults(struct mm_settings *s, const char *default_policy);

/* Parses text into s (over what s holds); *given gets MM_SET_* bits.
 * -EINVAL with "line N: ..." in err. */
int mm_config_parse(const char *text, size_t len, struct mm_settings *s, unsigned *given, char *err,
                    size_t errlen);

/* Reads and parses a file; a missing file is an error only if required. */
int mm_config_load(const char *path, int required, struct mm_settings *s, unsigned *given,
                   char *err, size_t errlen);

/* Copies into dst the settings src gave (bits in given). */
void mm_settings_overlay(struct mm_settings *dst, const struct mm_settings *src, unsigned given);

/* Fills from a scenario's hints (0 = no hint) what no source gave. */
void mm_settings_hints(struct mm_settings *s, unsigned given, uint64_t pool_kib, uint64_t free_kib,
                       uint64_t reserve_kib);

#endif

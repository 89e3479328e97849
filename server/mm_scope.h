/* Management scope (SPEC 11): which domains mmserver may write. Real hosts
 * run stub domains, driver domains and appliances that are not ours; by
 * default only domains that have reported are managed. Pure: names and
 * settings in, a verdict out. */
#ifndef MM_SCOPE_H
#define MM_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#define MM_SCOPE_GLOBS_MAX 32
#define MM_SCOPE_GLOB_LEN  64

enum mm_manage {
	MM_MANAGE_REPORTING = 0, /* domains that have reported (default) */
	MM_MANAGE_ALL,           /* every domU; one that never reported is still never written */
	MM_MANAGE_LIST,          /* only names matching an include glob */
};

struct mm_scope {
	enum mm_manage manage;
	size_t ninclude, nexclude;
	char include[MM_SCOPE_GLOBS_MAX][MM_SCOPE_GLOB_LEN]; /* fnmatch globs on the name */
	char exclude[MM_SCOPE_GLOBS_MAX][MM_SCOPE_GLOB_LEN]; /* win over include */
};

/* Whether a domain called name is managed; ever_reported: it has sent a
 * valid report since it appeared. */
bool mm_scope_manages(const struct mm_scope *sc, const char *name, bool ever_reported);

/* "reporting", "all" or "list" into *out; -1 if none of them. */
int mm_scope_parse_manage(const char *s, enum mm_manage *out);
const char *mm_scope_manage_name(enum mm_manage m);

/* Adds the space-separated globs of list to include or exclude; NULL, or
 * what is wrong. */
const char *mm_scope_add(struct mm_scope *sc, bool exclude, const char *list);

#endif

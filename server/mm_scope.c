/* Scope verdicts with fnmatch(3) globs; excludes win over includes. */
#include "mm_scope.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static bool any(const char (*globs)[MM_SCOPE_GLOB_LEN], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(globs[i], name, 0) == 0)
			return true;
	return false;
}

bool mm_scope_manages(const struct mm_scope *sc, const char *name, bool ever_reported)
{
	if (any(sc->exclude, sc->nexclude, name))
		return false;
	if (sc->ninclude && !any(sc->include, sc->ninclude, name))
		return false;
	switch (sc->manage) {
	case MM_MANAGE_REPORTING: return ever_reported;
	case MM_MANAGE_ALL: return true;
	case MM_MANAGE_LIST: return sc->ninclude > 0;
	}
	return false;
}

static const char *const names[] = {"reporting", "all", "list"};

int mm_scope_parse_manage(const char *s, enum mm_manage *out)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum mm_manage)i;
			return 0;
		}
	}
	return -1;
}

const char *mm_scope_manage_name(enum mm_manage m)
{
	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}

const char *mm_scope_add(struct mm_scope *sc, bool exclude, const char *list)
{
	char(*globs)[MM_SCOPE_GLOB_LEN] = exclude ? sc->exclude : sc->include;
	size_t *n = exclude ? &sc->nexclude : &sc->ninclude;
	const char *p = list;

	while (*p) {
		size_t len;
		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!len)
			break;
		if (len >= MM_SCOPE_GLOB_LEN)
			return "a glob is longer than 63 bytes";
		if (*n == MM_SCOPE_GLOBS_MAX)
			return "more than 32 globs";
		memcpy(globs[*n], p, len);
		globs[(*n)++][len] = '\0';
		p += len;
	}
	return NULL;
}

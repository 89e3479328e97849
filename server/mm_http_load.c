/* dlopen of the HTTP module. A module from another build must not be called:
 * its struct mm_round could differ, so the version and the layout are
 * checked before the first call. */
#include "mm_http_load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

const struct mm_http_module *mm_http_module_load(const char *path, const char *version, char *err,
                                                 size_t errlen)
{
	const struct mm_http_module *m;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *why = dlerror();

		snprintf(err, errlen, "cannot load the HTTP module: %s", why ? why : path);
		return NULL;
	}
	m = dlsym(h, MM_HTTP_MODULE_SYMBOL);
	if (!m) {
		snprintf(err, errlen, "%s has no %s: not an mmserver HTTP module", path,
		         MM_HTTP_MODULE_SYMBOL);
	} else if (!m->version || strcmp(m->version, version)) {
		snprintf(err, errlen,
		         "%s is from xenmm %s, this mmserver is %s: reinstall one of them", path,
		         m->version ? m->version : "(none)", version);
	} else if (m->round_size != sizeof(struct mm_round)) {
		snprintf(err, errlen,
		         "%s was built with a %zu-byte round, this mmserver with %zu: rebuild both",
		         path, m->round_size, sizeof(struct mm_round));
	} else {
		return m;
	}
	dlclose(h);
	return NULL;
}

/* Says in one line why Xen is not usable here, for the error mmserver
 * prints when the xen backend cannot start. Only looks at device files. */
#ifndef XEN_PROBE_H
#define XEN_PROBE_H

#include <stddef.h>

/* xs_err: the -errno from opening xenstore. */
void xen_probe_explain(int xs_err, char *err, size_t errlen);

#endif

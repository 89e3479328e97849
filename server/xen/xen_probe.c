/* See xen_probe.h. The device paths are those of a Linux dom0 with the Xen
 * drivers loaded (privcmd; xenstored's socket or the xenbus device). */
#include "xen_probe.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool present(const char *path)
{
	return access(path, F_OK) == 0;
}

void xen_probe_explain(int xs_err, char *err, size_t errlen)
{
	if (!present("/dev/xen/privcmd") && !present("/proc/xen/privcmd"))
		snprintf(err, errlen,
		         "no Xen here: /dev/xen/privcmd missing (not dom0?); try --backend sim");
	else if (!present("/var/run/xenstored/socket") && !present("/dev/xen/xenbus"))
		snprintf(err, errlen,
		         "xenstore not reachable: no /var/run/xenstored/socket nor /dev/xen/xenbus "
		         "(is xenstored running?); try --backend sim");
	else
		snprintf(err, errlen,
		         "xenstore not reachable: %s (run mmserver as root in dom0); try --backend "
		         "sim",
		         strerror(-xs_err));
}

/* See xen_xl.h. The 2013 tool passed a zeroed logger to libxl_ctx_alloc;
 * here libxl's own messages reach stderr through xtl's stdio logger. */
#include "xen_xl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <libxl.h>
#include <xentoollog.h>

struct xen_xl {
	libxl_ctx *ctx;
	xentoollog_logger_stdiostream *log;
};

int xen_xl_open(struct xen_xl **out, char *err, size_t errlen)
{
	struct xen_xl *x = calloc(1, sizeof(*x));
	int r;

	*out = NULL;
	if (!x)
		return -ENOMEM;
	x->log = xtl_createlogger_stdiostream(
	    stderr, XTL_WARN, XTL_STDIOSTREAM_SHOW_DATE | XTL_STDIOSTREAM_HIDE_PROGRESS);
	r = libxl_ctx_alloc(&x->ctx, LIBXL_VERSION, 0, (xentoollog_logger *)x->log);
	if (r) {
		snprintf(err, errlen, "libxenlight: cannot open a context (libxl error %d)", r);
		xtl_logger_destroy((xentoollog_logger *)x->log);
		free(x);
		return -EIO;
	}
	*out = x;
	return 0;
}

void xen_xl_close(struct xen_xl *x)
{
	if (!x)
		return;
	libxl_ctx_free(x->ctx);
	xtl_logger_destroy((xentoollog_logger *)x->log);
	free(x);
}

int xen_xl_list(struct xen_xl *x, struct xen_xl_dom **out, size_t *n)
{
	int nb = 0;
	libxl_dominfo *info = libxl_list_domain(x->ctx, &nb);
	struct xen_xl_dom *d;

	*out = NULL;
	*n = 0;
	if (!info)
		return -EIO;
	d = calloc((size_t)nb + 1, sizeof(*d));
	if (!d) {
		libxl_dominfo_list_free(info, nb);
		return -ENOMEM;
	}
	for (int i = 0; i < nb; i++) {
		d[i].domid = info[i].domid;
		d[i].cur_kib = info[i].current_memkb;
		d[i].going = info[i].dying || info[i].shutdown;
	}
	libxl_dominfo_list_free(info, nb);
	*out = d;
	*n = (size_t)nb;
	return 0;
}

int xen_xl_free_kib(struct xen_xl *x, uint64_t *kib)
{
	return libxl_get_free_memory(x->ctx, kib) ? -EIO : 0;
}

int xen_xl_set_target(struct xen_xl *x, uint32_t domid, uint64_t kib)
{
	int r;

	if (kib > INT64_MAX)
		return -EINVAL;
	r = libxl_set_memory_target(x->ctx, domid, (int64_t)kib, 0, 1);
	switch (r) {
	case 0: return 0;
	case ERROR_INVAL: return -EINVAL;
	case ERROR_DOMAIN_NOTFOUND: return -ENOENT;
	default: return -EIO;
	}
}

/* The double's libxenlight: the libxl_* functions xenmm calls, with the
 * real libxl.h prototypes, forwarded to mm_xen_double. A process whose
 * MM_DOUBLE_DOMID is not 0 gets ERROR_FAIL, as a guest without privcmd. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxl.h>

#include "double_client.h"

struct libxl__ctx {
	int fd;
	xentoollog_logger *lg; /* kept, as the real library keeps it */
};

static struct dp_buf req;
static char rep[DP_MAX_PACKET];

int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags, xentoollog_logger *lg)
{
	struct libxl__ctx *c;
	uint32_t id;

	(void)flags;
	*pctx = NULL;
	if (version != LIBXL_VERSION)
		return ERROR_VERSION;
	c = calloc(1, sizeof(*c));
	if (!c)
		return ERROR_NOMEM;
	c->lg = lg;
	c->fd = dc_connect(-1, &id);
	if (c->fd < 0) {
		free(c);
		return ERROR_FAIL;
	}
	*pctx = c;
	return 0;
}

int libxl_ctx_free(libxl_ctx *ctx)
{
	if (ctx) {
		close(ctx->fd);
		free(ctx);
	}
	return 0;
}

/* One request; returns the reply's code (a libxl error or 0) with *r on
 * the reply's arguments. */
static int call(libxl_ctx *ctx, struct dp_reader *r)
{
	int32_t code;
	uint32_t tx;
	long n = dc_call(ctx->fd, &req, rep);

	if (n < 0 || dp_open(r, rep, (size_t)n, &code, &tx))
		return ERROR_FAIL;
	return code;
}

libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb_domain_out)
{
	struct dp_reader r, count;
	uint64_t v[3];
	libxl_dominfo *list;
	int n = 0;

	*nb_domain_out = 0;
	dp_start(&req, DP_XL_LIST, 0);
	if (call(ctx, &r))
		return NULL;
	for (count = r; dp_get_u64(&count, &v[0]) == 0 && dp_get_u64(&count, &v[1]) == 0 &&
	                dp_get_u64(&count, &v[2]) == 0;)
		n++;
	list = calloc((size_t)n + 1, sizeof(*list));
	if (!list)
		return NULL;
	for (int i = 0; i < n; i++) {
		dp_get_u64(&r, &v[0]);
		dp_get_u64(&r, &v[1]);
		dp_get_u64(&r, &v[2]);
		list[i].domid = (libxl_domid)v[0];
		list[i].current_memkb = v[1];
		list[i].max_memkb = v[2];
		list[i].running = true;
	}
	*nb_domain_out = n;
	return list;
}

void libxl_dominfo_list_free(libxl_dominfo *list, int nb_domain)
{
	for (int i = 0; list && i < nb_domain; i++)
		free(list[i].ssid_label);
	free(list);
}

int libxl_get_free_memory(libxl_ctx *ctx, uint64_t *memkb)
{
	struct dp_reader r;
	int rc;

	dp_start(&req, DP_XL_FREE, 0);
	rc = call(ctx, &r);
	if (rc == 0 && dp_get_u64(&r, memkb))
		rc = ERROR_FAIL;
	return rc;
}

int libxl_set_memory_target(libxl_ctx *ctx, uint32_t domid, int64_t target_memkb, int relative,
                            int enforce)
{
	struct dp_reader r;

	dp_start(&req, DP_XL_SETTGT, 0);
	dp_put_u64(&req, domid);
	dp_put_u64(&req, (uint64_t)target_memkb);
	dp_put_u64(&req, (uint64_t)(relative != 0));
	dp_put_u64(&req, (uint64_t)(enforce != 0));
	return call(ctx, &r);
}

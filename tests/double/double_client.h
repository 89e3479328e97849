/* The client side shared by the double's xs_* and libxl_* functions and
 * the control API: connect to the daemon as the domain named by
 * MM_DOUBLE_DOMID, and one blocking request/reply. Test-only. */
#ifndef DOUBLE_CLIENT_H
#define DOUBLE_CLIENT_H

#include <stdint.h>

#include "double_proto.h"

/* Opens a request connection as domid, or as the env's MM_DOUBLE_DOMID
 * (default 0) when domid is -1; fd or -errno. *conn_id receives the
 * daemon's id for it. */
int dc_connect(int64_t domid, uint32_t *conn_id);
/* Sends req, waits for the reply into rep (DP_MAX_PACKET bytes); returns
 * the reply's length or -errno (-ECONNRESET when the daemon closed us). */
long dc_call(int fd, const struct dp_buf *req, char *rep);

#endif

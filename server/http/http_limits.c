/* Connection and stream limits from the descriptor limit (see the header). */
#include "http_limits.h"

#include <errno.h>
#include <string.h>

int mm_http_limits_for(uint64_t nofile, struct mm_http_limits *out)
{
	uint64_t reserve =
	    nofile / 2 > MM_HTTP_FD_RESERVE_MIN ? nofile / 2 : MM_HTTP_FD_RESERVE_MIN;
	uint64_t spare = nofile > reserve + MM_HTTP_FD_OWN ? nofile - reserve - MM_HTTP_FD_OWN : 0;
	uint64_t conns = spare / 2;

	memset(out, 0, sizeof(*out));
	out->nofile = nofile;
	if (conns > MM_HTTP_CONN_MAX)
		conns = MM_HTTP_CONN_MAX;
	if (conns < MM_HTTP_CONN_MIN)
		return -EMFILE;
	out->conn_limit = (unsigned)conns;
	out->sse_limit = out->conn_limit / 2;
	out->fds_balancer = nofile - MM_HTTP_FD_OWN - 2 * conns;
	out->conn_bytes = MM_HTTP_CONN_MEMORY + MM_HTTP_BLOCK_BYTES + 512;
	return 0;
}

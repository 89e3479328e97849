/* Guest-side xenstore access for mmclient. Owns the connection and nothing
 * else: no policy about when to write, no retry loop (the caller reopens
 * when mmc_xs_lost() says so). */
#include "mmc_xs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "mm_paths.h"

struct mmc_xs {
	struct xs_handle *h;
};

int mmc_xs_open(struct mmc_xs **out)
{
	struct mmc_xs *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (!x)
		return -ENOMEM;
	errno = 0;
	x->h = xs_open(0);
	if (!x->h) {
		int e = errno ? errno : ENOENT;

		free(x);
		return -e;
	}
	*out = x;
	return 0;
}

void mmc_xs_close(struct mmc_xs *x)
{
	if (!x)
		return;
	xs_close(x->h);
	free(x);
}

int mmc_xs_write_raw(struct mmc_xs *x, const char *path, const void *buf, size_t len)
{
	errno = 0;
	if (len > UINT32_MAX)
		return -E2BIG;
	if (!xs_write(x->h, XBT_NULL, path, buf, (unsigned)len))
		return errno ? -errno : -EIO;
	return 0;
}

int mmc_xs_write_report(struct mmc_xs *x, const struct mm_report *r)
{
	char line[MM_REPORT_MAX_BYTES + 1];
	int n = mm_report_format(r, line, sizeof(line));

	if (n < 0)
		return -EOVERFLOW;
	return mmc_xs_write_raw(x, MM_XS_REPORT, line, (size_t)n);
}

/* Both 2013 nodes or neither; xenstored answers EAGAIN when another writer
 * raced us, so a few retries suffice. */
int mmc_xs_write_legacy(struct mmc_xs *x, const struct mm_report *r)
{
	char f[24], t[24];
	int fl = snprintf(f, sizeof(f), "%" PRIu64, r->free_kib);
	int tl = snprintf(t, sizeof(t), "%" PRIu64, r->tot_kib);

	for (int attempt = 0; attempt < 5; attempt++) {
		xs_transaction_t tx = xs_transaction_start(x->h);
		bool ok;

		if (tx == XBT_NULL)
			return errno ? -errno : -EIO;
		ok = xs_write(x->h, tx, MM_XS_LEGACY_FREE, f, (unsigned)fl) &&
		     xs_write(x->h, tx, MM_XS_LEGACY_TOT, t, (unsigned)tl);
		if (!ok) {
			int e = errno ? errno : EIO;

			xs_transaction_end(x->h, tx, true);
			return -e;
		}
		if (xs_transaction_end(x->h, tx, false))
			return 0;
		if (errno != EAGAIN)
			return errno ? -errno : -EIO;
	}
	return -EAGAIN;
}

bool mmc_xs_lost(int err)
{
	switch (-err) {
	case EACCES:
	case EPERM:
	case ENOENT:
	case EINVAL:
	case E2BIG:
	case ENOSPC:
	case EAGAIN:
	case EOVERFLOW:
	case EEXIST:
	case EISDIR:
	case EROFS:
	case ENOMEM: /* xenstored's answer to a quota overrun */ return false;
	default: return true;
	}
}

/* Ticks and their pipe format (see mc_stats.h): a fixed header, then the
 * two histograms in their sparse form. Both ends are the same binary, so
 * native byte order is fine. */
#include "mc_stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TICK_MAGIC 0x6d63746bu /* "mctk" */

struct tick_hdr {
	uint32_t magic;
	uint32_t lat_len, svc_len;
	uint32_t pad;
	int64_t sec;
	struct mc_counts c;
};

void mc_tick_reset(struct mc_tick *t, int64_t sec)
{
	memset(&t->c, 0, sizeof(t->c));
	t->sec = sec;
	mc_hist_reset(&t->lat);
	mc_hist_reset(&t->svc);
}

void mc_counts_add(struct mc_counts *dst, const struct mc_counts *src)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

void mc_tick_merge(struct mc_tick *dst, const struct mc_tick *src)
{
	mc_counts_add(&dst->c, &src->c);
	mc_hist_merge(&dst->lat, &src->lat);
	mc_hist_merge(&dst->svc, &src->svc);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* 1 when len bytes were read, 0 at EOF before any byte, negative otherwise. */
static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, p + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return got ? -EPROTO : 0;
		got += (size_t)r;
	}
	return 1;
}

int mc_tick_send(int fd, const struct mc_tick *t)
{
	size_t max = mc_hist_encoded_max();
	char *buf = malloc(sizeof(struct tick_hdr) + 2 * max);
	struct tick_hdr *h = (struct tick_hdr *)(void *)buf;
	size_t lat, svc;
	int rc;

	if (!buf)
		return -ENOMEM;
	lat = mc_hist_encode(&t->lat, buf + sizeof(*h), max);
	svc = mc_hist_encode(&t->svc, buf + sizeof(*h) + lat, max);
	memset(h, 0, sizeof(*h));
	h->magic = TICK_MAGIC;
	h->lat_len = (uint32_t)lat;
	h->svc_len = (uint32_t)svc;
	h->sec = t->sec;
	h->c = t->c;
	rc = write_all(fd, buf, sizeof(*h) + lat + svc);
	free(buf);
	return rc;
}

int mc_tick_recv(int fd, struct mc_tick *t)
{
	size_t max = mc_hist_encoded_max();
	struct tick_hdr h;
	char *buf;
	int rc = read_all(fd, &h, sizeof(h));

	if (rc <= 0)
		return rc;
	if (h.magic != TICK_MAGIC || h.lat_len > max || h.svc_len > max)
		return -EPROTO;
	if (!(buf = malloc((size_t)h.lat_len + h.svc_len + 1)))
		return -ENOMEM;
	rc = read_all(fd, buf, (size_t)h.lat_len + h.svc_len);
	mc_tick_reset(t, h.sec);
	t->c = h.c;
	if (rc == 1 && (mc_hist_decode_add(&t->lat, buf, h.lat_len) ||
	                mc_hist_decode_add(&t->svc, buf + h.lat_len, h.svc_len)))
		rc = -EPROTO;
	free(buf);
	return rc == 0 ? -EPROTO : rc;
}

/* The double's watches, as xenstored does them: a watch on P fires for
 * changes to P and below, once at registration, and only for nodes the
 * watcher may read; @introduceDomain and @releaseDomain fire on domain
 * create and destroy. A hash from watched path to watches keeps a change
 * O(depth) with thousands of watches. */
#include "double_daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W_BUCKETS 16384u

struct dd_watch {
	struct dd_conn *conn;
	char *path; /* absolute, or "@..." */
	char *token;
	bool relative;
	struct dd_watch *next;
};

static struct dd_watch *wb[W_BUCKETS];

static uint32_t whash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h & (W_BUCKETS - 1);
}

static void send_event(const struct dd_watch *w, const char *path)
{
	static struct dp_buf b;
	char prefix[48];
	size_t pl;

	if (!w->conn->sink || w->conn->dead)
		return;
	snprintf(prefix, sizeof(prefix), "/local/domain/%" PRIu32 "/", w->conn->domid);
	pl = strlen(prefix);
	if (w->relative && strncmp(path, prefix, pl) == 0)
		path += pl;
	dp_start(&b, DP_EVENT, 0);
	dp_put_str(&b, path);
	dp_put_str(&b, w->token);
	dd_push(w->conn->sink, &b);
}

/* Fires the watches registered exactly on key[0..len) for a change at path. */
static void fire_bucket(const char *key, size_t len, const char *path, const struct dt_node *n)
{
	for (struct dd_watch *w = wb[whash(key, len)]; w; w = w->next) {
		if (strlen(w->path) != len || memcmp(w->path, key, len) != 0)
			continue;
		if (n && !dt_allowed(n, w->conn->domid, DT_R))
			continue;
		send_event(w, path);
	}
}

void dd_watch_fire(void *arg, const char *path, const struct dt_node *n)
{
	size_t len = strlen(path);

	(void)arg;
	/* path itself, then each ancestor: "/a/b/c", "/a/b", "/a", "/" */
	for (;;) {
		fire_bucket(path, len, path, n);
		if (len <= 1)
			break;
		while (len > 1 && path[len - 1] != '/')
			len--;
		if (len > 1)
			len--; /* drop the slash, except the root's */
	}
}

void dd_watch_special(const char *name)
{
	fire_bucket(name, strlen(name), name, NULL);
}

int dd_watch_add(struct dd_conn *c, const char *path, const char *token, bool relative)
{
	struct dd_watch *w = calloc(1, sizeof(*w));
	uint32_t h = whash(path, strlen(path));

	if (!w || !(w->path = strdup(path)) || !(w->token = strdup(token))) {
		if (w)
			free(w->path);
		free(w);
		return -ENOMEM;
	}
	w->conn = c;
	w->relative = relative;
	w->next = wb[h];
	wb[h] = w;
	send_event(w, path); /* xenstored fires every new watch once */
	return 0;
}

static void free_watch(struct dd_watch *w)
{
	free(w->path);
	free(w->token);
	free(w);
}

int dd_watch_del(struct dd_conn *c, const char *path, const char *token)
{
	struct dd_watch **pp = &wb[whash(path, strlen(path))];

	for (; *pp; pp = &(*pp)->next) {
		struct dd_watch *w = *pp;

		if (w->conn == c && strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
			*pp = w->next;
			free_watch(w);
			return 0;
		}
	}
	return -ENOENT;
}

void dd_watch_drop_conn(struct dd_conn *c)
{
	for (size_t i = 0; i < W_BUCKETS; i++) {
		struct dd_watch **pp = &wb[i];

		while (*pp) {
			struct dd_watch *w = *pp;

			if (w->conn == c) {
				*pp = w->next;
				free_watch(w);
			} else {
				pp = &w->next;
			}
		}
	}
}

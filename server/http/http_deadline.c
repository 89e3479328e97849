/* Request deadline (see the header). The list has its own mutex, not the
 * publish lock, so a sweep over 2048 connections never delays a round. */
#include "http_deadline.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "http_internal.h"

struct mm_http_conn {
	struct mm_http_conn *prev, *next;
	int fd;
	uint64_t since_ms; /* when we started to wait for the current request */
	bool waiting;      /* no whole request yet */
	bool cut;          /* its socket was shut down */
};

static struct mm_http_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

static void conn_start(struct mm_http *h, struct MHD_Connection *c, void **socket_context)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct mm_http_conn *k = calloc(1, sizeof(*k));

	*socket_context = k;
	if (!k || !i) /* untracked: the idle timeout still applies */
		return;
	k->fd = i->connect_fd;
	k->since_ms = mm_http_mono_ms();
	k->waiting = true;
	pthread_mutex_lock(&h->conns_lock);
	k->next = h->conns;
	if (h->conns)
		h->conns->prev = k;
	h->conns = k;
	pthread_mutex_unlock(&h->conns_lock);
}

/* MHD calls this before it closes the socket, so a sweep holding the lock
 * never shuts down a descriptor number already reused elsewhere. */
static void conn_end(struct mm_http *h, void **socket_context)
{
	struct mm_http_conn *k = *socket_context;

	*socket_context = NULL;
	if (!k)
		return;
	pthread_mutex_lock(&h->conns_lock);
	if (k->prev)
		k->prev->next = k->next;
	else if (h->conns == k)
		h->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	pthread_mutex_unlock(&h->conns_lock);
	free(k);
}

void mm_http_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                         enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		conn_start(cls, c, socket_context);
	else
		conn_end(cls, socket_context);
}

static void set_waiting(struct mm_http *h, struct MHD_Connection *c, bool waiting)
{
	struct mm_http_conn *k = conn_of(c);

	if (!k)
		return;
	pthread_mutex_lock(&h->conns_lock);
	k->waiting = waiting;
	k->since_ms = mm_http_mono_ms();
	pthread_mutex_unlock(&h->conns_lock);
}

void mm_http_request_arrived(struct mm_http *h, struct MHD_Connection *c)
{
	set_waiting(h, c, false);
}

void mm_http_request_done(void *cls, struct MHD_Connection *c, void **req_cls,
                          enum MHD_RequestTerminationCode toe)
{
	(void)req_cls;
	(void)toe;
	set_waiting(cls, c, true); /* keep-alive: the next request has its own deadline */
}

unsigned mm_http_deadline_sweep(struct mm_http *h, uint64_t now_ms)
{
	unsigned n = 0;

	pthread_mutex_lock(&h->conns_lock);
	for (struct mm_http_conn *k = h->conns; k; k = k->next) {
		if (!k->waiting || k->cut || now_ms - k->since_ms < MM_HTTP_REQUEST_DEADLINE_MS)
			continue;
		shutdown(k->fd, SHUT_RDWR);
		k->cut = true;
		n++;
	}
	h->deadline_cuts += n;
	pthread_mutex_unlock(&h->conns_lock);
	return n;
}

/* One client connection to memcached: a non-blocking socket, an output
 * buffer, an input buffer and the FIFO of requests in flight (memcached
 * answers in order). Socket calls only; the epoll loop is mc_engine's. */
#ifndef MC_CONN_H
#define MC_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

struct mc_req {
	uint64_t due_ns;  /* when the request should have gone out */
	uint64_t sent_ns; /* when it was written to the socket buffer */
	uint8_t op;       /* enum mc_op */
};

enum mc_conn_state { MC_CONN_DOWN, MC_CONN_CONNECTING, MC_CONN_UP };

struct mc_conn {
	int fd;
	enum mc_conn_state state;
	char *out;
	size_t out_len, out_off, out_cap;
	char *in;
	size_t in_len, in_cap;
	struct mc_req *ring;
	uint32_t ring_cap, head, count;
	bool want_out; /* EPOLLOUT registered */
	bool dirty;    /* queued bytes not yet written */
	bool retired;  /* removed by live control: no new requests, closed when drained */
	bool rx_ts;    /* ask the kernel for receive timestamps (SO_TIMESTAMPNS) */
	bool rx_empty; /* the last read took less than it had room for: the socket was
	                * empty then (edge-triggered epoll needs no further read) */
	uint64_t retry_ns;
	uint32_t backoff_ms;
};

struct mc_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[300]; /* for messages: "127.0.0.1:11211" */
};

/* Resolves host:port (numeric or a name). Unless allow_remote, refuses any
 * address that is not loopback (127.0.0.0/8, ::1). 0 or -errno, with a
 * message on err. */
int mc_addr_resolve(const char *host, const char *port, bool allow_remote, struct mc_addr *a,
                    FILE *err);

int mc_conn_init(struct mc_conn *c, uint32_t depth, size_t out_cap);
void mc_conn_dispose(struct mc_conn *c);

/* Connects and waits up to timeout_ms; 0 or -errno. */
int mc_conn_connect_wait(struct mc_conn *c, const struct mc_addr *a, int timeout_ms);
/* Starts a non-blocking connect: 0 connected, 1 in progress, -errno. */
int mc_conn_connect_start(struct mc_conn *c, const struct mc_addr *a);
/* After EPOLLOUT on a connecting socket: 0 connected or -errno. */
int mc_conn_connect_finish(struct mc_conn *c);
/* Closes the socket, drops buffered bytes and the in-flight FIFO. */
void mc_conn_reset(struct mc_conn *c);

/* Writes what is buffered: 0 all written, 1 the socket is full, -errno. */
int mc_conn_flush(struct mc_conn *c);
/* Reads once into the input buffer: bytes read, 0 at EOF, -EAGAIN, -errno;
 * sets rx_empty. */
long mc_conn_read(struct mc_conn *c);
/* The same, and *rx_real_ns gets the kernel's receive time of the last
 * segment read (CLOCK_REALTIME), or 0 when it gave none (needs rx_ts). */
long mc_conn_read_ts(struct mc_conn *c, uint64_t *rx_real_ns);
/* Makes room for at least need bytes of input; 0 or -ENOMEM. */
int mc_conn_reserve_in(struct mc_conn *c, size_t need);

static inline struct mc_req *mc_conn_head(struct mc_conn *c)
{
	return &c->ring[c->head];
}

static inline void mc_conn_pop(struct mc_conn *c)
{
	c->head = (c->head + 1) % c->ring_cap;
	c->count--;
}

static inline struct mc_req *mc_conn_push(struct mc_conn *c)
{
	struct mc_req *r = &c->ring[(c->head + c->count) % c->ring_cap];
	c->count++;
	return r;
}

#endif

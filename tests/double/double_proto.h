/* Wire protocol between the Xen double's daemon (mm_xen_double) and the
 * processes that link the double instead of libxenstore/libxenlight. One
 * message per SOCK_SEQPACKET packet: a header (op or errno, transaction)
 * then length-prefixed arguments, so values may hold any byte. Test-only. */
#ifndef DOUBLE_PROTO_H
#define DOUBLE_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* A unix seqpacket message must fit the socket's send buffer (~208 KiB on
 * Linux by default); 128 KiB holds a 1000-domain list with room to spare. */
#define DP_MAX_PACKET (128 * 1024)
#define DP_ENV_SOCK   "MM_DOUBLE_SOCK"  /* path of the daemon's socket */
#define DP_ENV_DOMID  "MM_DOUBLE_DOMID" /* which domain this process is (default 0) */

enum dp_op {
	DP_HELLO = 1,  /* domid -> connection id */
	DP_EVHELLO,    /* connection id: this socket carries that one's watch events */
	DP_READ,       /* path -> value */
	DP_WRITE,      /* path value */
	DP_MKDIR,      /* path */
	DP_RM,         /* path */
	DP_DIR,        /* path -> names */
	DP_GETPERMS,   /* path -> perm strings ("n0", "r1", ...) */
	DP_SETPERMS,   /* path perm strings... */
	DP_WATCH,      /* path token */
	DP_UNWATCH,    /* path token */
	DP_TXSTART,    /* -> id */
	DP_TXEND,      /* id abort */
	DP_XL_LIST,    /* -> (domid current_kib max_kib)... */
	DP_XL_FREE,    /* -> free_kib */
	DP_XL_SETTGT,  /* domid target_kib relative enforce */
	DP_CTL_CREATE, /* domid name mem_kib maxmem_kib */
	DP_CTL_DESTROY,
	DP_CTL_SPEED,  /* domid kib_per_s (0: instant) */
	DP_CTL_REFUSE, /* domid 0|1: set_target fails for it */
	DP_CTL_GET,    /* domid -> current target maxmem max_pages */
	DP_CTL_DROP,   /* close every other connection */
	DP_CTL_ACCEPT, /* 0|1: while 0, new connections are closed at once */
	DP_CTL_HOST,   /* host_total_kib */
	DP_CTL_STATS,  /* -> requests denied_eacces connections */
	DP_CTL_HVM,    /* domid videoram_kib: an HVM guest whose VGA pages libxl hides */
	DP_EVENT = 100 /* daemon -> client on the event socket: path token */
};

struct dp_buf {
	char data[DP_MAX_PACKET];
	size_t len;
	int overflow;
};

struct dp_reader {
	const char *p;
	size_t left;
};

void dp_start(struct dp_buf *b, int32_t code, uint32_t tx);
void dp_put(struct dp_buf *b, const void *arg, size_t len);
void dp_put_str(struct dp_buf *b, const char *s);
void dp_put_u64(struct dp_buf *b, uint64_t v);

/* Reads the header; 0 or -1 when the packet is too short. */
int dp_open(struct dp_reader *r, const char *buf, size_t len, int32_t *code, uint32_t *tx);
/* Next argument (not NUL-terminated); 0, or -1 when none is left. */
int dp_get(struct dp_reader *r, const char **arg, size_t *len);
/* Next argument copied NUL-terminated into s; -1 if missing or too long. */
int dp_get_str(struct dp_reader *r, char *s, size_t cap);
int dp_get_u64(struct dp_reader *r, uint64_t *v);

/* send() without SIGPIPE; 0 or -errno. */
int dp_send(int fd, const struct dp_buf *b);
/* Connects a seqpacket socket to path; fd or -errno. */
int dp_connect(const char *path);

#endif

/* Shared state of the double's daemon (mm_xen_double): connections, watches
 * and scriptable domains over one double_tree. One process, one thread, so
 * every request is atomic. Test-only. */
#ifndef DOUBLE_DAEMON_H
#define DOUBLE_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "double_proto.h"
#include "double_tree.h"

#define DD_DOMID_MAX 32768u
#define DD_DOM0_KIB  (512u * 1024u) /* dom0's fixed size in the host's memory */

struct dd_out {
	struct dd_out *next;
	size_t len;
	char data[];
};

struct dd_conn {
	int fd;
	uint32_t id, domid;
	bool dead;
	struct dd_conn *sink;   /* request socket: where its watch events go */
	struct dd_conn *owner;  /* event socket: whose events it carries */
	struct dd_out *qh, *qt; /* packets the socket buffer could not take yet */
	struct dd_conn *next;
};

struct dd_dom {
	uint32_t domid;
	char name[64];
	uint64_t cur_kib, target_kib, maxmem_kib, max_pages_kib;
	uint64_t speed_kib_s;  /* balloon speed; 0 = reaches its target at once */
	uint64_t moved_ms;     /* monotonic ms when cur_kib was last brought up to date */
	bool refuse;           /* set_target fails for this domain */
	uint64_t videoram_kib; /* HVM: VGA pages, in the allocation but not in memory/target */
};

struct dd_state {
	struct dt_tree *tree;
	struct dd_conn *conns;
	uint32_t next_conn_id;
	bool accepting;
	uint64_t host_kib;
	struct dd_dom *dom[DD_DOMID_MAX];
	uint64_t requests, denied;
};

extern struct dd_state dd;

uint64_t dd_now_ms(void);
/* Queues a packet for a connection (sent now if its socket has room). */
void dd_push(struct dd_conn *c, const struct dp_buf *b);
/* Watches: fire for a changed node, add, remove, drop a connection's. */
void dd_watch_fire(void *arg, const char *path, const struct dt_node *n);
void dd_watch_special(const char *name);
int dd_watch_add(struct dd_conn *c, const char *path, const char *token, bool relative);
int dd_watch_del(struct dd_conn *c, const char *path, const char *token);
void dd_watch_drop_conn(struct dd_conn *c);
/* Domains. */
int dd_dom_create(uint32_t domid, const char *name, uint64_t mem_kib, uint64_t maxmem_kib);
int dd_dom_destroy(uint32_t domid);
struct dd_dom *dd_dom_get(uint32_t domid); /* brings cur_kib up to date */
int dd_dom_set_target(uint32_t domid, int64_t kib, bool relative, bool enforce);
void dd_dom_target_written(const char *path, const char *val); /* dom0 wrote memory/target */
uint64_t dd_host_free_kib(void);
int dd_dom_hvm(uint32_t domid, uint64_t videoram_kib);
/* Requests. */
void dd_handle(struct dd_conn *c, const char *buf, size_t len);

#endif

/* The control API of the Xen double, for tests and benches: start and stop
 * the daemon, script domains (create, destroy, balloon speed, refuse
 * set_target), drop xenstore connections, act as a guest, and spawn
 * programs that run as a given domain. Test-only. */
#ifndef DOUBLE_CTL_H
#define DOUBLE_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mmd;

struct mmd_dom {
	uint64_t cur_kib, target_kib, maxmem_kib, max_pages_kib;
};

struct mmd_stats {
	uint64_t requests, denied, connections;
};

/* Starts daemon_path (mm_xen_double) on a socket in a fresh temp dir, sets
 * MM_DOUBLE_SOCK (and MM_DOUBLE_DOMID=0) in this process's environment so
 * code linked with the double in this process talks to it, and waits until
 * it answers (up to 5 s). 0 or -errno. */
int mmd_start(const char *daemon_path, struct mmd **out);
void mmd_stop(struct mmd *d); /* SIGTERM by pid, reap, remove the socket */
const char *mmd_socket(const struct mmd *d);
/* The daemon's pid: SIGSTOP it to play a xenstored that does not answer. */
pid_t mmd_pid(const struct mmd *d);

int mmd_domain_create(struct mmd *d, uint32_t domid, const char *name, uint64_t mem_kib,
                      uint64_t maxmem_kib);
int mmd_domain_destroy(struct mmd *d, uint32_t domid);
int mmd_domain_speed(struct mmd *d, uint32_t domid, uint64_t kib_per_s); /* 0: instant */
int mmd_domain_refuse(struct mmd *d, uint32_t domid, bool refuse);
/* Makes a domain HVM with videoram_kib of VGA memory, as libxl does: the
 * allocation counts the VGA pages, memory/target holds target - videoram,
 * and memory/videoram says how much. */
int mmd_domain_hvm(struct mmd *d, uint32_t domid, uint64_t videoram_kib);
int mmd_domain_get(struct mmd *d, uint32_t domid, struct mmd_dom *out);
int mmd_host(struct mmd *d, uint64_t total_kib);
/* Closes every connection but the control one ("xenstored restarted"). */
int mmd_drop_connections(struct mmd *d);
/* While off, new connections are closed at once ("xenstored is down"). */
int mmd_accept(struct mmd *d, bool on);
int mmd_stats(struct mmd *d, struct mmd_stats *out);

/* One xenstore write or read as domain domid (relative paths resolve to its
 * home); 0 or -errno such as -EACCES. */
int mmd_write_as(struct mmd *d, uint32_t domid, const char *path, const void *buf, size_t len);
int mmd_read_as(struct mmd *d, uint32_t domid, const char *path, char *buf, size_t cap);
int mmd_rm_as(struct mmd *d, uint32_t domid, const char *path);

/* Runs argv[0] with MM_DOUBLE_DOMID=domid against this double; pid or -errno. */
pid_t mmd_spawn(struct mmd *d, uint32_t domid, char *const argv[]);

/* Calls cond every 2 ms until it returns true or timeout_ms passes. */
bool mmd_wait_for(bool (*cond)(void *), void *arg, int timeout_ms);

#endif

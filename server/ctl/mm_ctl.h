/* mmserver's control socket (issue 17): a Unix domain socket, never TCP,
 * mode 0660 (owner root, group root or --control-group), non-blocking and
 * polled between rounds so a client can never hold a round up. Bounded:
 * MM_CTL_CONN_MAX connections, MM_CTL_LINE_MAX bytes a request, an answer
 * buffer per connection, an idle time per connection. */
#ifndef MM_CTL_H
#define MM_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "mm_resv_host.h"

#define MM_CTL_DEFAULT_PATH "/run/xenmm/mmserver.sock"
#define MM_CTL_CONN_MAX     16
#define MM_CTL_OUT_MAX      (64 * 1024) /* an answer not read beyond this: closed */
#define MM_CTL_IDLE_MS      60000       /* a connection with nothing live: closed */
#define MM_CTL_PARTIAL_MS   10000       /* half a request for this long: closed */
#define MM_CTL_ERRORS_MAX   3           /* bad requests before the connection closes */

struct mm_ctl;

/* Creates the socket at path (its folder too, 0755, if missing) and
 * listens. group NULL: the process's group. Refuses to replace anything but
 * a stale socket. 0 or -errno with a sentence in err. */
int mm_ctl_open(const char *path, const char *group, struct mm_resv_host *h, struct mm_ctl **out,
                char *err, size_t errlen);

/* Accepts, reads, answers; never blocks. Returns 1 when a reservation was
 * added or ended (a round should run), else 0. */
int mm_ctl_poll(struct mm_ctl *c, uint64_t now_ms);

/* The listening descriptor (for tests). */
int mm_ctl_fd(const struct mm_ctl *c);
size_t mm_ctl_connections(const struct mm_ctl *c);

/* Closes every connection and removes the socket file. */
void mm_ctl_close(struct mm_ctl *c);

#endif

/* The xen backend's xenstore side: the only server file that includes
 * xenstore.h. Reads, watches, and provisioning of guest-owned nodes; no
 * knowledge of domains beyond the paths it is given. */
#ifndef XEN_XS_H
#define XEN_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xen_xs;

int xen_xs_open(struct xen_xs **out); /* 0 or -errno */
void xen_xs_close(struct xen_xs *x);  /* NULL is fine */
int xen_xs_fd(struct xen_xs *x);      /* readable when watch events wait */

int xen_xs_watch(struct xen_xs *x, const char *path, const char *token);
int xen_xs_unwatch(struct xen_xs *x, const char *path, const char *token);
/* Calls fn for every pending event without blocking; returns how many, or
 * -errno when the connection is gone. */
typedef void xen_xs_event_fn(void *arg, const char *path, const char *token);
int xen_xs_drain(struct xen_xs *x, xen_xs_event_fn *fn, void *arg);

/* Reads path into buf (NUL-terminated); *len gets the value's length.
 * -ENOENT, -EACCES, -E2BIG when it does not fit, or another -errno. */
int xen_xs_read(struct xen_xs *x, const char *path, char *buf, size_t cap, size_t *len);
/* Makes path exist with owner as its only user: perms exactly
 * (owner, none for others). Creates it empty if missing. Returns 1 when it
 * changed something, 0 when it was already right, or -errno. */
int xen_xs_provision(struct xen_xs *x, const char *path, uint32_t owner);

/* True when err means the connection is gone (reopen), not a refusal. */
bool xen_xs_lost(int err);

#endif

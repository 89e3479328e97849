/* The xen backend's libxenlight side: the only server file that includes
 * libxl.h. Domain list, host free memory, targets, and a logger that
 * really logs (to stderr, warnings and up). */
#ifndef XEN_XL_H
#define XEN_XL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xen_xl;

struct xen_xl_dom {
	uint32_t domid;
	uint64_t cur_kib; /* current allocation */
	bool going;       /* dying or shut down: not to be balanced */
};

/* 0 or -errno; err gets libxl's complaint in one line. */
int xen_xl_open(struct xen_xl **out, char *err, size_t errlen);
void xen_xl_close(struct xen_xl *x); /* NULL is fine */

/* *out is malloc'd (free it); 0 or -EIO. */
int xen_xl_list(struct xen_xl *x, struct xen_xl_dom **out, size_t *n);
int xen_xl_free_kib(struct xen_xl *x, uint64_t *kib);
/* libxl_set_memory_target, absolute and enforced: it also raises Xen's
 * per-domain cap, which a plain memory/target write cannot (shared/xen-qemu
 * pitfall 6). 0, -EINVAL (above static-max), -ENOENT or -EIO. */
int xen_xl_set_target(struct xen_xl *x, uint32_t domid, uint64_t kib);

#endif

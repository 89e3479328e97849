/* The double's in-memory xenstore tree: nodes with values and xenstore
 * permissions (owner + default, then per-domain entries), checked as C
 * xenstored does: dom0 and the owner may do anything, others need r or w.
 * Paths here are absolute; watches live in the daemon, not here. */
#ifndef DOUBLE_TREE_H
#define DOUBLE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DT_R         1u
#define DT_W         2u
#define DT_MAX_PERMS 16

struct dt_perm {
	uint32_t id;
	uint32_t perm; /* DT_R | DT_W */
};

struct dt_node {
	char *path;
	char *val;
	size_t len;
	struct dt_perm perms[DT_MAX_PERMS]; /* [0]: owner and everyone's default */
	size_t nperms;
	struct dt_node *next; /* hash chain */
};

struct dt_tree;

/* Called for each node a change touched, with the node (before removal for
 * rm), so the daemon can fire watches. */
typedef void dt_notify_fn(void *arg, const char *path, const struct dt_node *n);

struct dt_tree *dt_new(dt_notify_fn *notify, void *arg);
void dt_free(struct dt_tree *t);

struct dt_node *dt_get(struct dt_tree *t, const char *path);
bool dt_allowed(const struct dt_node *n, uint32_t domid, uint32_t mode);

/* Each returns 0 or -errno (-EACCES, -ENOENT, -EINVAL); domid is the caller. */
int dt_read(struct dt_tree *t, uint32_t domid, const char *path, struct dt_node **out);
int dt_write(struct dt_tree *t, uint32_t domid, const char *path, const void *val, size_t len);
int dt_mkdir(struct dt_tree *t, uint32_t domid, const char *path);
int dt_rm(struct dt_tree *t, uint32_t domid, const char *path);
int dt_set_perms(struct dt_tree *t, uint32_t domid, const char *path, const struct dt_perm *p,
                 size_t n);
/* Calls each() with the name of every child. */
int dt_dir(struct dt_tree *t, uint32_t domid, const char *path, void (*each)(void *, const char *),
           void *arg);

/* "n0" / "r1" / "w2" / "b3" <-> struct dt_perm. */
int dt_perm_parse(const char *s, size_t len, struct dt_perm *p);
void dt_perm_format(const struct dt_perm *p, char *s, size_t cap);

#endif

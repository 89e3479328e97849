/* Shared by the control socket's I/O (mm_ctl.c) and its answers
 * (mm_ctl_answer.c); not for other modules. */
#ifndef MM_CTL_INT_H
#define MM_CTL_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include "mm_ctl.h"
#include "mm_ctl_proto.h"

struct mm_ctl_conn {
	int fd; /* -1: free slot */
	uint64_t cookie;
	char in[MM_CTL_LINE_MAX + 2];
	size_t inlen;
	char *out;
	size_t outlen;
	uint64_t last_ms;    /* last byte read or reservation news */
	uint64_t partial_ms; /* since when a request is half there (0: none) */
	unsigned errors;
	bool closing; /* flush what is queued, then close */
	bool failed;  /* answer too big or unwritable: close now */
	uid_t uid;
};

struct mm_ctl {
	int fd;
	char path[108];
	struct mm_resv_host *h;
	struct mm_ctl_conn conn[MM_CTL_CONN_MAX];
	uint64_t next_cookie;
	struct {
		uint32_t id;
		uint64_t cookie;
	} wait[MM_RESV_MAX]; /* who hears about a reservation */
	bool kick;           /* a reservation came or went: round now */
	uint64_t now_ms;
};

/* Appends to a connection's answer; past MM_CTL_OUT_MAX it is dropped. */
void mm_ctl_printf(struct mm_ctl_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Handles one request line from c. */
void mm_ctl_request(struct mm_ctl *ctl, struct mm_ctl_conn *c, const char *line, size_t len);

/* The listener of the reservation host: answers whoever waits. */
void mm_ctl_on_resv(void *arg, const struct mm_resv *r, const struct mm_resv_set *set);

struct mm_ctl_conn *mm_ctl_by_cookie(struct mm_ctl *ctl, uint64_t cookie);

#endif

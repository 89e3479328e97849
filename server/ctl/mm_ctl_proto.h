/* The control socket's line protocol (man/mmctl.8.rst, PROTOCOL): one
 * request per line, words separated by spaces; answers are blocks of
 * key=value lines ended by an empty line. Parsing only, pure; shared by
 * mmserver and mmctl. */
#ifndef MM_CTL_PROTO_H
#define MM_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_CTL_LINE_MAX 256 /* a request longer than this is refused */
#define MM_CTL_NAME_MAX 64

enum mm_ctl_verb {
	MM_CTL_NONE = 0,
	MM_CTL_RESERVE, /* reserve SIZE [for NAME] [timeout T] [lease T] [detach] */
	MM_CTL_RELEASE, /* release ID */
	MM_CTL_STATUS,  /* status */
	MM_CTL_PING,    /* ping */
};

struct mm_ctl_req {
	enum mm_ctl_verb verb;
	uint64_t size_kib;
	char for_name[MM_CTL_NAME_MAX]; /* "" = none */
	uint64_t timeout_ms, lease_ms;  /* 0 = the server's default */
	bool detach;                    /* survives its connection */
	uint32_t id;
};

/* Parses one line (without its newline). 0, or -EINVAL with a sentence in
 * why that quotes nothing the client sent beyond safe bytes. */
int mm_ctl_parse(const char *line, size_t len, struct mm_ctl_req *out, char *why, size_t whylen);

/* "30", "30s", "2m", "1h" to ms, at most an hour; 0 or -EINVAL. */
int mm_ctl_parse_time_ms(const char *s, uint64_t *ms);

/* A domain name as xl accepts it here: 1..63 of [A-Za-z0-9_.-]. */
bool mm_ctl_name_ok(const char *s);

/* Value of key in a key=value answer line ("" if absent; quotes removed). */
bool mm_ctl_field(const char *line, const char *key, char *out, size_t outlen);

#endif

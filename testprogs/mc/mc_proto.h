/* memcached wire format, both text (get/set) and meta (mg/ms): encode one
 * request into a buffer, decode one response from a buffer that may hold a
 * partial reply. Pure functions: no sockets, no clock, no allocation. */
#ifndef MC_PROTO_H
#define MC_PROTO_H

#include <stddef.h>
#include <stdint.h>

enum mc_proto { MC_PROTO_TEXT, MC_PROTO_META };
enum mc_op { MC_OP_GET, MC_OP_SET };

enum mc_resp_kind {
	MC_RESP_HIT,        /* get found the key */
	MC_RESP_MISS,       /* get: no such key */
	MC_RESP_STORED,     /* set succeeded */
	MC_RESP_NOT_STORED, /* set refused (NOT_STORED, EXISTS, NOT_FOUND / NS, EX, NF) */
	MC_RESP_ERROR,      /* ERROR, CLIENT_ERROR ..., SERVER_ERROR ... */
};

struct mc_resp {
	enum mc_resp_kind kind;
	uint32_t value_len; /* bytes of value on a hit */
	size_t need;        /* when incomplete: total bytes the reply needs, 0 if unknown */
};

#define MC_KEY_MAX   250        /* memcached's key length limit */
#define MC_LINE_MAX  1024       /* a reply header longer than this is garbage */
#define MC_VALUE_MAX (1u << 20) /* memcached's default item size limit: 1 MiB */

/* Bytes a request can take at most (header plus value plus CRLFs). */
size_t mc_encode_bound(size_t key_len, size_t value_len);

/* Writes one request; value is used by sets only. Returns the length or
 * -ENOSPC if cap is too small, -EINVAL for a bad key. */
int mc_encode(enum mc_proto proto, enum mc_op op, const char *key, size_t key_len,
              const char *value, size_t value_len, char *buf, size_t cap);
/* The same for a key known to be valid (mc_key_format's): only its length
 * is checked. */
int mc_encode_valid(enum mc_proto proto, enum mc_op op, const char *key, size_t key_len,
                    const char *value, size_t value_len, char *buf, size_t cap);

/* Decodes the reply to a request of type op from buf[0..len). Returns the
 * bytes consumed (> 0) with *r filled, 0 if buf holds only part of the
 * reply (r->need says how much it needs when known), or -EPROTO if the
 * bytes cannot be a reply to op. */
int mc_decode(enum mc_proto proto, enum mc_op op, const char *buf, size_t len, struct mc_resp *r);

const char *mc_resp_name(enum mc_resp_kind kind);

#endif

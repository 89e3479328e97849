/* The HTTP server as a module mmserver loads only with --http or --replay
 * (mm_http_load.h): a daemon run without the page never maps libmicrohttpd
 * and the TLS libraries it brings (about 2.4 MiB resident, bench/footprint).
 * The module exports one symbol, this table, and nothing else (its version
 * script). */
#ifndef MM_HTTP_MODULE_H
#define MM_HTTP_MODULE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mm_round.h"

struct mm_http;

/* The name of the exported table, for dlsym. */
#define MM_HTTP_MODULE_SYMBOL "mm_http_module"

/* The module's file name, in the build tree's server/http and in the
 * installed library folder's xenmm/. */
#define MM_HTTP_MODULE_FILE "mmserver-http.so"

/* Each entry is mm_http.h's function of the same name. */
struct mm_http_module {
	const char *version; /* the xenmm version it was built as: must match */
	size_t round_size;   /* sizeof(struct mm_round) it was built with */
	int (*start_history)(const char *addr, uint16_t port, const char *static_dir,
	                     size_t history_bytes, struct mm_http **out, char *err, size_t errlen);
	uint16_t (*port)(const struct mm_http *h);
	void (*publish)(struct mm_http *h, const struct mm_round *r);
	void (*finish)(struct mm_http *h, json_t *finished);
	void (*stop)(struct mm_http *h);
};

#endif

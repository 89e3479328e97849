/* Fuzz target: what mmserver's HTTP side does with a client's path and
 * query (server/http/http_routes.c, http_static.c). libmicrohttpd splits and
 * decodes the request; these functions decide what it names. Input: the
 * decoded path, then optionally a NUL and a query value (?seconds= and
 * Last-Event-ID). A static path that is accepted must stay inside the canvas
 * folder: no "..", no hidden or empty segment, no byte outside
 * [A-Za-z0-9._-/]. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http_routes.h"
#include "http_static.h"

static void check_rel(const char *rel, size_t cap)
{
	size_t len = strnlen(rel, cap);

	FUZZ_CHECK(len > 0 && len < cap);
	FUZZ_CHECK(rel[0] != '/' && rel[len - 1] != '/');
	FUZZ_CHECK(strspn(rel, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                       "0123456789._-/") == len);
	for (const char *seg = rel; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL)
		FUZZ_CHECK(seg[0] != '.' && seg[0] != '/' && seg[0] != '\0');
	FUZZ_CHECK(mm_http_content_type(rel) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 2);
	char rel[MM_HTTP_STATIC_PATH_MAX + 16];
	uint64_t v = 7;

	if (!url)
		return 0;
	memcpy(url, data, size);
	url[size] = url[size + 1] = '\0';
	const char *query = url + strlen(url) + 1; /* "" when there was no NUL */

	enum mm_http_route r = mm_http_route_of(url);
	FUZZ_CHECK(r >= MM_ROUTE_STATE && r <= MM_ROUTE_STATIC);
	if (r == MM_ROUTE_STATIC && mm_http_static_rel(url, rel, sizeof(rel)) == 0)
		check_rel(rel, sizeof(rel));
	if (r != MM_ROUTE_STATIC)
		FUZZ_CHECK(strncmp(url, "/api/", 5) == 0 || url[1] == 'm' || url[1] == 'f');

	int rc = mm_http_history_seconds(query, &v);
	FUZZ_CHECK(rc == 0 ? v >= 1 && v <= MM_HTTP_HISTORY_MAX_S : rc == -EINVAL && v == 7);
	FUZZ_CHECK(mm_http_history_seconds(NULL, &v) == 0 && v == MM_HTTP_HISTORY_DEFAULT_S);
	rc = mm_http_last_event_id(query, &v);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	free(url);
	return 0;
}

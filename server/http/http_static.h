/* Static files of the canvas: which URL paths map to which files under the
 * canvas folder, their content types, and opening them without ever leaving
 * that folder. Knows nothing of HTTP responses. */
#ifndef MM_HTTP_STATIC_H
#define MM_HTTP_STATIC_H

#include <stddef.h>
#include <stdint.h>

#define MM_HTTP_STATIC_PATH_MAX 256

/* Maps a decoded URL path to a path relative to the canvas folder ("/" and
 * any path ending in "/" get index.html). Only [A-Za-z0-9._-] segments are
 * allowed, none empty or starting with '.', so "..", hidden files, "//",
 * backslashes and control bytes are all refused. 0, or -EINVAL. */
int mm_http_static_rel(const char *url, char *rel, size_t rellen);

/* Content-Type for a file name by its extension. */
const char *mm_http_content_type(const char *rel);

/* Opens rel under dirfd as a regular file, refusing any symlink or ".."
 * that would resolve outside. 0 with *fd and *size, or a negative errno. */
int mm_http_static_open(int dirfd, const char *rel, int *fd, uint64_t *size);

#endif

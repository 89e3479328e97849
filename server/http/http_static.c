/* URL path -> canvas file: strict whitelist mapping, content types, and an
 * open confined to the canvas folder (openat2 RESOLVE_BENEATH, Linux 5.6+,
 * with an O_NOFOLLOW fallback). */
#include "http_static.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int mm_http_static_rel(const char *url, char *rel, size_t rellen)
{
	static const char index_html[] = "index.html";
	size_t n = url ? strlen(url) : 0;

	if (n == 0 || url[0] != '/' || n >= rellen || n >= MM_HTTP_STATIC_PATH_MAX)
		return -EINVAL;
	for (size_t i = 1; i < n; i++) {
		bool seg_start = url[i - 1] == '/';
		if (url[i] == '/' ? seg_start : !name_char(url[i]))
			return -EINVAL; /* empty segment or a forbidden byte */
		if (seg_start && url[i] == '.')
			return -EINVAL; /* ".", "..", hidden files */
	}
	memcpy(rel, url + 1, n); /* includes the NUL */
	if (url[n - 1] == '/') {
		if (n - 1 + sizeof(index_html) > rellen)
			return -EINVAL;
		memcpy(rel + n - 1, index_html, sizeof(index_html));
	}
	return 0;
}

const char *mm_http_content_type(const char *rel)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".md", "text/plain; charset=utf-8"},
	    {".woff2", "font/woff2"},
	};
	const char *dot = strrchr(rel, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static int open_beneath(int dirfd, const char *rel)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS) /* old kernel: the whitelist already bars ".." */
		fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : (int)fd;
}

int mm_http_static_open(int dirfd, const char *rel, int *fd, uint64_t *size)
{
	struct stat st;
	int f = open_beneath(dirfd, rel);

	if (f < 0)
		return f == -ELOOP || f == -EXDEV ? -ENOENT : f;
	if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(f);
		return -ENOENT;
	}
	*fd = f;
	*size = (uint64_t)st.st_size;
	return 0;
}

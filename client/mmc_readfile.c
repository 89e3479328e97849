/* Reads a small kernel file in one go. /proc files are generated on read, so
 * one read() per file keeps each sample consistent; we loop only in case a
 * kernel hands the text over in pieces. */
#include "mmc_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

long mmc_read_file(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len + 1 < cap) {
		ssize_t r = read(fd, buf + len, cap - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len + 1 >= cap)
		return -EFBIG;
	buf[len] = '\0';
	return (long)len;
}

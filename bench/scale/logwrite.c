/* bench/scale/logwrite: what the kernel charges for mmserver's data logs,
 * without mmserver. A round appends one row of ROW_BYTES with one write(2)
 * to each of N files (O_APPEND, as mm_logs does); the same N rows written
 * to a single file show what the syscall costs when the file is always the
 * same, so the difference is the per-file part (the file, inode, page
 * cache and inode-table block that each write touches). TOUCH_MIB of memory
 * written between rounds stands for what mmserver and the simulator touch
 * between two rounds' logs (0: nothing, the kernel's objects stay cached).
 * Usage: logwrite DIR ROUNDS TOUCH_MIB N [N...]   (one TSV line per N)
 * Build: cc -O2 -std=c11 -o logwrite logwrite.c */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ROW_BYTES 80 /* a domain row is 70 to 90 bytes */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median over rounds of the ns per row: n rows a round, to fds[i] (or all
 * to fds[0] when one_file). */
static uint64_t run(const int *fds, size_t n, int one_file, size_t rounds, uint64_t *per_round,
                    unsigned char *touch, size_t touch_bytes)
{
	char row[ROW_BYTES];

	memset(row, 'x', sizeof(row));
	row[sizeof(row) - 1] = '\n';
	for (size_t r = 0; r < rounds; r++) {
		uint64_t t0 = now_ns();
		for (size_t i = 0; i < n; i++)
			if (write(fds[one_file ? 0 : i], row, sizeof(row)) !=
			    (ssize_t)sizeof(row)) {
				fprintf(stderr, "logwrite: write: %s\n", strerror(errno));
				exit(1);
			}
		per_round[r] = (now_ns() - t0) / n;
		for (size_t k = 0; k < touch_bytes; k += 64) /* a line each */
			touch[k]++;
	}
	qsort(per_round, rounds, sizeof(*per_round), cmp_u64);
	return per_round[rounds / 2];
}

int main(int argc, char **argv)
{
	char path[4096];
	size_t rounds, touch_mib;
	unsigned char *touch;

	if (argc < 5) {
		fprintf(stderr, "usage: logwrite DIR ROUNDS TOUCH_MIB N [N...]\n");
		return 2;
	}
	rounds = strtoul(argv[2], NULL, 10);
	if (rounds < 1 || rounds > 100000) {
		fprintf(stderr, "logwrite: ROUNDS %s: must be 1 to 100000\n", argv[2]);
		return 2;
	}
	touch_mib = strtoul(argv[3], NULL, 10);
	touch = touch_mib <= 1024 ? calloc(touch_mib ? touch_mib << 20 : 1, 1) : NULL;
	if (!touch) {
		fprintf(stderr, "logwrite: TOUCH_MIB %s: must be 0 to 1024\n", argv[3]);
		return 2;
	}
	printf("files\trounds\ttouch_mib\tper_file_write_ns\tone_file_write_ns\n");
	for (int a = 4; a < argc; a++) {
		size_t n = strtoul(argv[a], NULL, 10);
		int *fds = calloc(n ? n : 1, sizeof(*fds));
		uint64_t *per_round = calloc(rounds, sizeof(*per_round));
		uint64_t many, one;

		if (n < 1 || n > 100000 || !fds || !per_round) {
			fprintf(stderr, "logwrite: N %s: must be 1 to 100000\n", argv[a]);
			return 2;
		}
		for (size_t i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/vm%zu.log", argv[1], i);
			fds[i] =
			    open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fds[i] < 0) {
				fprintf(stderr, "logwrite: %s: %s (ulimit -n?)\n", path,
				        strerror(errno));
				return 1;
			}
		}
		many = run(fds, n, 0, rounds, per_round, touch, touch_mib << 20);
		one = run(fds, n, 1, rounds, per_round, touch, touch_mib << 20);
		printf("%zu\t%zu\t%zu\t%llu\t%llu\n", n, rounds, touch_mib,
		       (unsigned long long)many, (unsigned long long)one);
		fflush(stdout);
		for (size_t i = 0; i < n; i++) {
			close(fds[i]);
			snprintf(path, sizeof(path), "%s/vm%zu.log", argv[1], i);
			unlink(path);
		}
		free(fds);
		free(per_round);
	}
	free(touch);
	return 0;
}

/* Strict parsing: every word known, every number bounded, no control
 * bytes. A request that is not exactly right is refused with the reason. */
#include "mm_ctl_proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mm_parse.h"

#define WORDS_MAX 12

bool mm_ctl_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < MM_CTL_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

int mm_ctl_parse_time_ms(const char *s, uint64_t *ms)
{
	size_t n = strlen(s), digits = strspn(s, "0123456789");
	uint64_t v, unit = 1000;

	if (!digits || digits > 7 || n > digits + 1)
		return -EINVAL;
	if (n == digits + 1) {
		switch (s[digits]) {
		case 's': unit = 1000; break;
		case 'm': unit = 60000; break;
		case 'h': unit = 3600000; break;
		default: return -EINVAL;
		}
	}
	if (mm_parse_u64_n(s, digits, 3600000, &v) || v * unit > 3600000 || v == 0)
		return -EINVAL;
	*ms = v * unit;
	return 0;
}

static int fail(char *why, size_t len, const char *text)
{
	snprintf(why, len, "%s", text);
	return -EINVAL;
}

/* Splits in place into at most WORDS_MAX words. */
static int split(char *buf, char **w, size_t *nw)
{
	size_t n = 0;
	char *save = NULL;

	for (char *p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		if (n == WORDS_MAX)
			return -EINVAL;
		w[n++] = p;
	}
	*nw = n;
	return 0;
}

static int reserve_words(char **w, size_t n, struct mm_ctl_req *r, char *why, size_t wl)
{
	if (n < 2 || mm_parse_size_kib(w[1], &r->size_kib))
		return fail(why, wl, "reserve needs a SIZE such as 2G, 512M or 1048576 (KiB)");
	for (size_t i = 2; i < n; i++) {
		bool last = i + 1 >= n;
		if (!strcmp(w[i], "detach")) {
			r->detach = true;
		} else if (!strcmp(w[i], "for") && !last) {
			if (!mm_ctl_name_ok(w[++i]))
				return fail(why, wl, "for NAME: 1 to 63 letters, digits, _ . -");
			snprintf(r->for_name, sizeof(r->for_name), "%s", w[i]);
		} else if (!strcmp(w[i], "timeout") && !last) {
			if (mm_ctl_parse_time_ms(w[++i], &r->timeout_ms))
				return fail(why, wl, "timeout: 1s to 1h, e.g. 30s or 2m");
		} else if (!strcmp(w[i], "lease") && !last) {
			if (mm_ctl_parse_time_ms(w[++i], &r->lease_ms))
				return fail(why, wl, "lease: 1s to 1h, e.g. 120s or 5m");
		} else {
			return fail(why, wl,
			            "reserve SIZE [for NAME] [timeout T] [lease T] [detach]: "
			            "unknown or incomplete word");
		}
	}
	return 0;
}

int mm_ctl_parse(const char *line, size_t len, struct mm_ctl_req *out, char *why, size_t whylen)
{
	char buf[MM_CTL_LINE_MAX + 1], *w[WORDS_MAX];
	size_t n = 0;
	uint64_t id;

	memset(out, 0, sizeof(*out));
	if (len && line[len - 1] == '\r')
		len--; /* a telnet-style line end */
	if (len > MM_CTL_LINE_MAX)
		return fail(why, whylen, "line too long");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
			return fail(why, whylen, "control or non-ASCII byte in the request");
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (split(buf, w, &n))
		return fail(why, whylen, "too many words");
	if (!n)
		return fail(why, whylen, "empty request: reserve, release, status or ping");
	if (!strcmp(w[0], "reserve")) {
		out->verb = MM_CTL_RESERVE;
		return reserve_words(w, n, out, why, whylen);
	}
	if (!strcmp(w[0], "release")) {
		if (n != 2 || mm_parse_u64(w[1], UINT32_MAX, &id) || id == 0)
			return fail(why, whylen, "release needs one reservation ID (a number)");
		out->verb = MM_CTL_RELEASE;
		out->id = (uint32_t)id;
		return 0;
	}
	if ((!strcmp(w[0], "status") || !strcmp(w[0], "ping")) && n == 1) {
		out->verb = w[0][0] == 's' ? MM_CTL_STATUS : MM_CTL_PING;
		return 0;
	}
	return fail(why, whylen, "unknown request: reserve, release, status or ping");
}

bool mm_ctl_field(const char *line, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	const char *p = line;

	*out = '\0';
	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[kl] == '=') {
			const char *v = p + kl + 1, *end;
			if (*v == '"') {
				end = strchr(++v, '"');
				end = end ? end : v + strlen(v);
			} else {
				end = v + strcspn(v, " ");
			}
			snprintf(out, outlen, "%.*s", (int)(end - v), v);
			return true;
		}
		p += kl;
	}
	return false;
}

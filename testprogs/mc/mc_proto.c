/* memcached protocol encode/decode (see mc_proto.h). Facts from memcached's
 * doc/protocol.txt: text get replies "VALUE <key> <flags> <bytes>[ <cas>]"
 * + data + "END", a miss is "END"; meta mg with flag v replies "VA <size>"
 * + data, a miss "EN"; ms replies "HD" when stored. */
#include "mc_proto.h"

#include <errno.h>
#include <string.h>

#include "mm_parse.h"

size_t mc_encode_bound(size_t key_len, size_t value_len)
{
	/* "set " key " 0 0 " up to 10 digits CRLF value CRLF, meta is shorter. */
	return 4 + key_len + 5 + 10 + 2 + value_len + 2;
}

static int valid_key(const char *key, size_t key_len)
{
	if (key_len == 0 || key_len > MC_KEY_MAX)
		return 0;
	for (size_t i = 0; i < key_len; i++)
		if ((unsigned char)key[i] <= ' ' || key[i] == 0x7f)
			return 0;
	return 1;
}

/* Decimal digits of v into buf; returns the count. */
static size_t put_u32(char *buf, uint32_t v)
{
	char tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

int mc_encode(enum mc_proto proto, enum mc_op op, const char *key, size_t key_len,
              const char *value, size_t value_len, char *buf, size_t cap)
{
	if (!valid_key(key, key_len))
		return -EINVAL;
	return mc_encode_valid(proto, op, key, key_len, value, value_len, buf, cap);
}

/* No printf: this runs once per request (snprintf was 2-3 % of the
 * client's CPU at depth 32 in perf, and checking each key byte 4 %). */
int mc_encode_valid(enum mc_proto proto, enum mc_op op, const char *key, size_t key_len,
                    const char *value, size_t value_len, char *buf, size_t cap)
{
	int meta = proto == MC_PROTO_META;
	char tail[24];
	size_t tail_len = 0, verb_len, total;

	if (key_len == 0 || key_len > MC_KEY_MAX || value_len > MC_VALUE_MAX)
		return -EINVAL;
	verb_len = meta ? 3 : 4;
	if (op == MC_OP_GET) {
		memcpy(tail, meta ? " v\r\n" : "\r\n", meta ? 4 : 2);
		tail_len = meta ? 4 : 2;
	} else {
		memcpy(tail, meta ? " " : " 0 0 ", meta ? 1 : 5);
		tail_len = meta ? 1 : 5;
		tail_len += put_u32(tail + tail_len, (uint32_t)value_len);
		tail[tail_len++] = '\r';
		tail[tail_len++] = '\n';
	}
	total = verb_len + key_len + tail_len + (op == MC_OP_SET ? value_len + 2 : 0);
	if (total > cap)
		return -ENOSPC;
	memcpy(buf, op == MC_OP_GET ? (meta ? "mg " : "get ") : (meta ? "ms " : "set "), verb_len);
	memcpy(buf + verb_len, key, key_len);
	memcpy(buf + verb_len + key_len, tail, tail_len);
	if (op == MC_OP_SET) {
		memcpy(buf + total - value_len - 2, value, value_len);
		memcpy(buf + total - 2, "\r\n", 2);
	}
	return (int)total;
}

/* Length of the first line including CRLF; 0 if not complete yet; -EPROTO if
 * too long or ended by a bare LF. */
static int line_len(const char *buf, size_t len)
{
	size_t lim = len < MC_LINE_MAX ? len : MC_LINE_MAX;
	const char *nl = memchr(buf, '\n', lim);

	if (!nl)
		return len >= MC_LINE_MAX ? -EPROTO : 0;
	if (nl == buf || nl[-1] != '\r')
		return -EPROTO;
	return (int)(nl - buf) + 1;
}

static int starts(const char *buf, size_t n, const char *word)
{
	size_t w = strlen(word);
	return n >= w && memcmp(buf, word, w) == 0;
}

static int is_error_line(const char *line, size_t n)
{
	return (n == 7 && starts(line, n, "ERROR\r\n")) || starts(line, n, "CLIENT_ERROR ") ||
	       starts(line, n, "SERVER_ERROR ");
}

/* Value size from a VALUE or VA header: the nth space-separated field. */
static int field_u32(const char *line, size_t n, unsigned field, uint32_t *out)
{
	size_t i = 0, start, end;
	uint64_t v;

	for (unsigned f = 0; f < field; f++) {
		while (i < n && line[i] != ' ')
			i++;
		if (i >= n)
			return -EPROTO;
		i++;
	}
	start = i;
	while (i < n && line[i] != ' ' && line[i] != '\r')
		i++;
	end = i;
	if (mm_parse_u64_n(line + start, end - start, MC_VALUE_MAX, &v))
		return -EPROTO;
	*out = (uint32_t)v;
	return 0;
}

/* A hit: header line, value, CRLF, and for text a final "END\r\n". */
static int decode_value(enum mc_proto proto, const char *buf, size_t len, size_t hdr,
                        struct mc_resp *r)
{
	size_t tail = proto == MC_PROTO_TEXT ? 7 : 2; /* "\r\nEND\r\n" or "\r\n" */
	size_t total;

	if (field_u32(buf, hdr, proto == MC_PROTO_TEXT ? 3 : 1, &r->value_len))
		return -EPROTO;
	total = hdr + r->value_len + tail;
	if (len < total) {
		r->need = total;
		return 0;
	}
	if (memcmp(buf + hdr + r->value_len, proto == MC_PROTO_TEXT ? "\r\nEND\r\n" : "\r\n",
	           tail) != 0)
		return -EPROTO;
	r->kind = MC_RESP_HIT;
	return (int)total;
}

static int decode_get(enum mc_proto proto, const char *buf, size_t len, size_t n, struct mc_resp *r)
{
	if (proto == MC_PROTO_TEXT) {
		if (n == 5 && starts(buf, n, "END\r\n")) {
			r->kind = MC_RESP_MISS;
			return (int)n;
		}
		if (starts(buf, n, "VALUE "))
			return decode_value(proto, buf, len, n, r);
		return -EPROTO;
	}
	if (n == 4 && starts(buf, n, "EN\r\n")) {
		r->kind = MC_RESP_MISS;
		return (int)n;
	}
	if (starts(buf, n, "VA "))
		return decode_value(proto, buf, len, n, r);
	return -EPROTO;
}

static int decode_set(enum mc_proto proto, const char *buf, size_t n, struct mc_resp *r)
{
	static const char *const text_no[] = {"NOT_STORED\r\n", "EXISTS\r\n", "NOT_FOUND\r\n"};
	static const char *const meta_no[] = {"NS\r\n", "EX\r\n", "NF\r\n"};
	const char *const *no = proto == MC_PROTO_TEXT ? text_no : meta_no;

	/* Meta replies may carry flags after HD ("HD c123"): accept "HD " too. */
	if ((proto == MC_PROTO_TEXT && n == 8 && starts(buf, n, "STORED\r\n")) ||
	    (proto == MC_PROTO_META && (starts(buf, n, "HD\r\n") || starts(buf, n, "HD ")))) {
		r->kind = MC_RESP_STORED;
		return (int)n;
	}
	for (int i = 0; i < 3; i++)
		if (starts(buf, n, no[i])) {
			r->kind = MC_RESP_NOT_STORED;
			return (int)n;
		}
	return -EPROTO;
}

int mc_decode(enum mc_proto proto, enum mc_op op, const char *buf, size_t len, struct mc_resp *r)
{
	int n = line_len(buf, len);

	memset(r, 0, sizeof(*r));
	if (n <= 0)
		return n;
	if (is_error_line(buf, (size_t)n)) {
		r->kind = MC_RESP_ERROR;
		return n;
	}
	if (op == MC_OP_GET)
		return decode_get(proto, buf, len, (size_t)n, r);
	return decode_set(proto, buf, (size_t)n, r);
}

const char *mc_resp_name(enum mc_resp_kind kind)
{
	switch (kind) {
	case MC_RESP_HIT: return "hit";
	case MC_RESP_MISS: return "miss";
	case MC_RESP_STORED: return "stored";
	case MC_RESP_NOT_STORED: return "not_stored";
	case MC_RESP_ERROR: return "error";
	}
	return "?";
}

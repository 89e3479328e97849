/* Report parsing and formatting. The parser trusts nothing: a report comes
 * from a guest, which may be broken or hostile, so every failure leaves the
 * output zeroed and says why. */
#include "mm_report.h"

#include <stdio.h>
#include <string.h>

#include "mm_parse.h"

enum kind { K_SIZE, K_COUNT, K_PSI, K_VERSION };

struct key_def {
	const char *name;
	enum kind kind;
	uint32_t has;  /* flag set when seen; 0 for required keys */
	size_t offset; /* into struct mm_report */
};

#define F(field) offsetof(struct mm_report, field)
static const struct key_def keys[] = {
    {"v", K_VERSION, 0, 0},
    {"seq", K_COUNT, MM_REPORT_HAS_SEQ, F(seq)},
    {"tot", K_SIZE, 0, F(tot_kib)},
    {"free", K_SIZE, 0, F(free_kib)},
    {"avail", K_SIZE, MM_REPORT_HAS_AVAIL, F(avail_kib)},
    {"cached", K_SIZE, MM_REPORT_HAS_CACHED, F(cached_kib)},
    {"swap_total", K_SIZE, MM_REPORT_HAS_SWAP, F(swap_total_kib)},
    {"swap_used", K_SIZE, MM_REPORT_HAS_SWAP, F(swap_used_kib)},
    {"pswpin", K_COUNT, MM_REPORT_HAS_VMSTAT, F(pswpin)},
    {"pswpout", K_COUNT, MM_REPORT_HAS_VMSTAT, F(pswpout)},
    {"pgmajfault", K_COUNT, MM_REPORT_HAS_VMSTAT, F(pgmajfault)},
    {"psi_some10", K_PSI, MM_REPORT_HAS_PSI, F(psi_some10_centi)},
    {"balloon_cur", K_SIZE, MM_REPORT_HAS_BALLOON, F(balloon_cur_kib)},
};
#undef F
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const char *mm_report_strerror(int code)
{
	switch (code) {
	case MM_REPORT_OK: return "ok";
	case MM_REPORT_E_TOO_LONG: return "report longer than 512 bytes";
	case MM_REPORT_E_SYNTAX: return "not key=value tokens separated by single spaces";
	case MM_REPORT_E_VERSION: return "first token must be v=1";
	case MM_REPORT_E_DUPLICATE: return "duplicate key";
	case MM_REPORT_E_VALUE: return "bad number or value out of range";
	case MM_REPORT_E_MISSING: return "required key tot or free missing";
	case MM_REPORT_E_INCONSISTENT: return "values contradict each other";
	default: return "unknown report error";
	}
}

static int fail(struct mm_report *out, struct mm_report_error *err, int code, const char *key,
                size_t key_len)
{
	memset(out, 0, sizeof(*out));
	if (err) {
		size_t n = key_len < sizeof(err->key) - 1 ? key_len : sizeof(err->key) - 1;
		err->code = code;
		memcpy(err->key, key ? key : "", key ? n : 0);
		err->key[key ? n : 0] = '\0';
	}
	return code;
}

static const struct key_def *find_key(const char *k, size_t len, size_t *idx)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (strlen(keys[i].name) == len && memcmp(keys[i].name, k, len) == 0) {
			*idx = i;
			return &keys[i];
		}
	}
	return NULL;
}

/* Stores one value; returns 0 or MM_REPORT_E_*. */
static int store(struct mm_report *r, const struct key_def *d, const char *v, size_t len)
{
	uint64_t x;

	switch (d->kind) {
	case K_VERSION:
		if (mm_parse_u64_n(v, len, UINT32_MAX, &x) || x != MM_REPORT_VERSION)
			return MM_REPORT_E_VERSION;
		return 0;
	case K_PSI: /* percent with up to 2 decimals, 0.00 .. 100.00 */
		if (mm_parse_micro_n(v, len, 100000000, &x) || x % 10000)
			return MM_REPORT_E_VALUE;
		*(uint32_t *)(void *)((char *)r + d->offset) = (uint32_t)(x / 10000);
		break;
	case K_SIZE:
	case K_COUNT:
		if (mm_parse_u64_n(v, len,
		                   d->kind == K_SIZE ? MM_SIZE_MAX_KIB : MM_REPORT_MAX_COUNT, &x))
			return MM_REPORT_E_VALUE;
		*(uint64_t *)(void *)((char *)r + d->offset) = x;
		break;
	}
	r->has |= d->has;
	return 0;
}

static int check_consistent(const struct mm_report *r)
{
	if (r->tot_kib == 0 || r->free_kib > r->tot_kib)
		return MM_REPORT_E_INCONSISTENT;
	if ((r->has & MM_REPORT_HAS_AVAIL) && r->avail_kib > r->tot_kib)
		return MM_REPORT_E_INCONSISTENT;
	if ((r->has & MM_REPORT_HAS_SWAP) && r->swap_used_kib > r->swap_total_kib)
		return MM_REPORT_E_INCONSISTENT;
	return 0;
}

int mm_report_parse(const char *buf, size_t len, struct mm_report *out, struct mm_report_error *err)
{
	uint32_t seen = 0; /* one bit per keys[] entry */
	size_t pos = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > MM_REPORT_MAX_BYTES)
		return fail(out, err, MM_REPORT_E_TOO_LONG, NULL, 0);
	if (len == 0)
		return fail(out, err, MM_REPORT_E_VERSION, NULL, 0);
	while (pos < len) {
		const char *tok = buf + pos, *sp = memchr(tok, ' ', len - pos);
		size_t tlen = sp ? (size_t)(sp - tok) : len - pos;
		const char *eq = memchr(tok, '=', tlen);
		size_t klen, idx;
		const struct key_def *d;

		if (tlen == 0 || !eq || eq == tok || (sp && pos + tlen + 1 == len))
			return fail(out, err, MM_REPORT_E_SYNTAX, tok, tlen);
		klen = (size_t)(eq - tok);
		if (pos == 0 && !(klen == 1 && tok[0] == 'v'))
			return fail(out, err, MM_REPORT_E_VERSION, tok, klen);
		d = find_key(tok, klen, &idx);
		if (d) {
			if (seen & (1u << idx))
				return fail(out, err, MM_REPORT_E_DUPLICATE, tok, klen);
			seen |= 1u << idx;
			rc = store(out, d, eq + 1, tlen - klen - 1);
			if (rc)
				return fail(out, err, rc, tok, klen);
		} else if (memchr(tok, '\0', tlen)) {
			return fail(out, err, MM_REPORT_E_SYNTAX, tok, klen);
		}
		pos += tlen + (sp ? 1 : 0);
	}
	/* tot and free are keys[2] and keys[3] */
	if (!(seen & (1u << 2)) || !(seen & (1u << 3)))
		return fail(out, err, MM_REPORT_E_MISSING, NULL, 0);
	/* swap_total and swap_used are keys[6] and keys[7]: both or neither */
	if ((out->has & MM_REPORT_HAS_SWAP) && !((seen >> 6) & 1 && (seen >> 7) & 1))
		return fail(out, err, MM_REPORT_E_MISSING, "swap_total", 10);
	rc = check_consistent(out);
	if (rc)
		return fail(out, err, rc, NULL, 0);
	if (err)
		err->code = 0, err->key[0] = '\0';
	return 0;
}

int mm_report_parse_legacy(const char *free_s, size_t free_len, const char *tot_s, size_t tot_len,
                           struct mm_report *out, struct mm_report_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (mm_parse_u64_n(free_s, free_len, MM_SIZE_MAX_KIB, &out->free_kib))
		return fail(out, err, MM_REPORT_E_VALUE, "free", 4);
	if (mm_parse_u64_n(tot_s, tot_len, MM_SIZE_MAX_KIB, &out->tot_kib))
		return fail(out, err, MM_REPORT_E_VALUE, "tot", 3);
	out->has = MM_REPORT_LEGACY;
	rc = check_consistent(out);
	if (rc)
		return fail(out, err, rc, NULL, 0);
	if (err)
		err->code = 0, err->key[0] = '\0';
	return 0;
}

/* Appends " key=value" to buf at *pos; returns -1 when it does not fit. */
static int put(char *buf, size_t len, size_t *pos, const char *key, unsigned long long v)
{
	int n = snprintf(buf + *pos, len - *pos, "%s%s=%llu", *pos ? " " : "", key, v);

	if (n < 0 || (size_t)n >= len - *pos)
		return -1;
	*pos += (size_t)n;
	return 0;
}

int mm_report_format(const struct mm_report *r, char *buf, size_t len)
{
	size_t pos = 0;
	int bad = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	bad |= put(buf, len, &pos, "v", MM_REPORT_VERSION);
	if (r->has & MM_REPORT_HAS_SEQ)
		bad |= put(buf, len, &pos, "seq", r->seq);
	bad |= put(buf, len, &pos, "tot", r->tot_kib);
	bad |= put(buf, len, &pos, "free", r->free_kib);
	if (r->has & MM_REPORT_HAS_AVAIL)
		bad |= put(buf, len, &pos, "avail", r->avail_kib);
	if (r->has & MM_REPORT_HAS_CACHED)
		bad |= put(buf, len, &pos, "cached", r->cached_kib);
	if (r->has & MM_REPORT_HAS_SWAP) {
		bad |= put(buf, len, &pos, "swap_total", r->swap_total_kib);
		bad |= put(buf, len, &pos, "swap_used", r->swap_used_kib);
	}
	if (r->has & MM_REPORT_HAS_VMSTAT) {
		bad |= put(buf, len, &pos, "pswpin", r->pswpin);
		bad |= put(buf, len, &pos, "pswpout", r->pswpout);
		bad |= put(buf, len, &pos, "pgmajfault", r->pgmajfault);
	}
	if (r->has & MM_REPORT_HAS_PSI) {
		int n = snprintf(buf + pos, len - pos, " psi_some10=%u.%02u",
		                 r->psi_some10_centi / 100, r->psi_some10_centi % 100);
		if (n < 0 || (size_t)n >= len - pos)
			return -1;
		pos += (size_t)n;
	}
	if (r->has & MM_REPORT_HAS_BALLOON)
		bad |= put(buf, len, &pos, "balloon_cur", r->balloon_cur_kib);
	if (bad || pos > MM_REPORT_MAX_BYTES)
		return -1;
	return (int)pos;
}

uint64_t mm_report_used_kib(const struct mm_report *r)
{
	return r->tot_kib > r->free_kib ? r->tot_kib - r->free_kib : 0;
}

bool mm_report_seq_new(bool seen, uint64_t last_seq, const struct mm_report *r)
{
	if (!seen)
		return true;
	if (r->seq > last_seq)
		return true;
	return r->seq < last_seq && r->seq <= MM_REPORT_SEQ_RESTART;
}

/* Strict number and size parsers shared by every xenmm program.
 * They accept exactly one value with nothing around it (no spaces, no sign,
 * no trailing garbage) and report why they refused; they never print. */
#ifndef MM_PARSE_H
#define MM_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Largest memory size any xenmm input may name: 1 PiB in KiB. Anything above
 * is a typo or an attack, never a real guest. */
#define MM_SIZE_MAX_KIB (UINT64_C(1) << 40)

/* Why a parse failed; mm_parse_strerror() turns it into words. */
enum mm_parse_err {
	MM_PARSE_OK = 0,
	MM_PARSE_EMPTY = -1,      /* nothing to parse */
	MM_PARSE_NOT_NUMBER = -2, /* first character is not a digit */
	MM_PARSE_TRAILING = -3,   /* digits followed by something else */
	MM_PARSE_OVERFLOW = -4,   /* above the limit the caller gave */
	MM_PARSE_SUFFIX = -5,     /* unknown size suffix */
	MM_PARSE_TOO_SMALL = -6,  /* bare size under 1024 KiB: probably meant MiB */
};

const char *mm_parse_strerror(int err);

/* Decimal unsigned integer in [0, max]. Leading zeros are fine; signs,
 * spaces, hex and empty strings are not. */
int mm_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Same, over exactly len bytes (the text need not be NUL-terminated). */
int mm_parse_u64_n(const char *s, size_t len, uint64_t max, uint64_t *out);

/* Decimal fraction "D[.DDDDDD]" (no sign, no exponent) scaled by 10^6 into
 * [0, max_micro]: "0.75" -> 750000. More than 6 decimals is refused. */
int mm_parse_micro_n(const char *s, size_t len, uint64_t max_micro, uint64_t *out);

/* A memory size in KiB: "NUM[.FRAC][K|M|G|T]" (any case, binary units).
 * A bare number is KiB as in xl, and one under 1024 is refused as a probable
 * mistake ("-f 150" almost always meant 150M). Results above MM_SIZE_MAX_KIB
 * are refused. Fractions round down to whole KiB. */
int mm_parse_size_kib(const char *s, uint64_t *kib);

/* Human form of a KiB size with a binary suffix ("1.5G", "200M", "512K"),
 * always NUL-terminated; returns what snprintf returns. */
int mm_format_size(uint64_t kib, char *buf, size_t len);

#endif

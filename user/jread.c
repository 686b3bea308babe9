// SPDX-License-Identifier: GPL-2.0
/*
 * A strict JSON reader (RFC 8259) over one text in memory, for readers that
 * know the members they want: jr_object() hands each member to a callback
 * with the cursor on its value, which reads it with jr_u64(), jr_string()...
 * or skips it with jr_skip().  The first error is kept in the cursor, with
 * the member it was in; the functions that fail return -EINVAL.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jread.h"
#include "num.h"

#define MAX_DEPTH 64

int jr_fail(struct jr *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err[0])
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void jr_ws(struct jr *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

bool jr_eat(struct jr *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	jr_ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static int read_u4(struct jr *c, unsigned int *u)
{
	int i, d;

	if (c->end - c->p < 4)
		return jr_fail(c, "bad \\u escape in a string");
	for (*u = 0, i = 0; i < 4; i++) {
		d = hex_digit(c->p[i]);
		if (d < 0)
			return jr_fail(c, "bad \\u escape in a string");
		*u = *u << 4 | d;
	}
	c->p += 4;
	return 0;
}

static size_t put_utf8(char *out, unsigned int u)
{
	if (u < 0x80) {
		out[0] = u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = 0xc0 | u >> 6;
		out[1] = 0x80 | (u & 0x3f);
		return 2;
	}
	if (u < 0x10000) {
		out[0] = 0xe0 | u >> 12;
		out[1] = 0x80 | (u >> 6 & 0x3f);
		out[2] = 0x80 | (u & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | u >> 18;
	out[1] = 0x80 | (u >> 12 & 0x3f);
	out[2] = 0x80 | (u >> 6 & 0x3f);
	out[3] = 0x80 | (u & 0x3f);
	return 4;
}

static int read_escape(struct jr *c, char *out, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned int u, lo;
	const char *e;

	if (c->p >= c->end)
		return jr_fail(c, "unterminated string");
	e = strchr(from, *c->p);
	if (e && *c->p) {
		c->p++;
		out[(*n)++] = to[e - from];
		return 0;
	}
	if (*c->p++ != 'u')
		return jr_fail(c, "bad escape in a string");
	if (read_u4(c, &u))
		return -EINVAL;
	if (u >= 0xd800 && u < 0xdc00) {
		if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
			return jr_fail(c, "lone surrogate in a string");
		c->p += 2;
		if (read_u4(c, &lo) || lo < 0xdc00 || lo >= 0xe000)
			return jr_fail(c, "lone surrogate in a string");
		u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (!u)
		return jr_fail(c, "NUL in a string");
	*n += put_utf8(out + *n, u);
	return 0;
}

/* Characters a string holds as they are: not '"', '\\' nor control characters. */
static const bool plain[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0xff] = true,
};

/*
 * A string into @out (NUL-terminated, at most @cap - 1 bytes), escapes
 * decoded; @out may be NULL to skip it.
 */
int jr_string(struct jr *c, char *out, size_t cap, size_t *len)
{
	size_t n = 0;

	if (!jr_eat(c, '"'))
		return jr_fail(c, "\"%s\" is not a string", c->member);
	for (;;) {
		const char *q = c->p;

		while (q < c->end && plain[(unsigned char)*q])
			q++;
		if (out) {
			if (n + (q - c->p) + 5 > cap)
				return jr_fail(c, "\"%s\" is too long", c->member);
			memcpy(out + n, c->p, q - c->p);
		}
		n += q - c->p;
		c->p = q;
		if (q >= c->end)
			return jr_fail(c, "unterminated string");
		if (*q == '"')
			break;
		if (*q != '\\')
			return jr_fail(c, "control character in a string");
		c->p++;
		if (out) {
			if (read_escape(c, out, &n))
				return -EINVAL;
		} else {
			char scratch[8];
			size_t k = 0;

			if (read_escape(c, scratch, &k))
				return -EINVAL;
		}
	}
	c->p++;
	if (out)
		out[n] = 0;
	if (len)
		*len = n;
	return 0;
}

/**
 * jr_string_ref() - a string, where it is: in the text when it has no
 * escape, else decoded into @buf
 * @c: the cursor, on the string
 * @s: the string (not NUL-terminated)
 * @len: its length
 * @buf: for a string with escapes
 * @cap: its size
 *
 * Return: 0, or -EINVAL with the error in @c.
 */
int jr_string_ref(struct jr *c, const char **s, size_t *len, char *buf, size_t cap)
{
	const char *q;

	jr_ws(c);
	if (c->p < c->end && *c->p == '"') {
		for (q = c->p + 1; q < c->end && plain[(unsigned char)*q]; q++)
			;
		if (q < c->end && *q == '"') {
			*s = c->p + 1;
			*len = q - *s;
			c->p = q + 1;
			return 0;
		}
	}
	*s = buf;
	return jr_string(c, buf, cap, len);
}

int jr_u64(struct jr *c, uint64_t *v)
{
	uint64_t x = 0;
	const char *start;

	jr_ws(c);
	start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned int d = *c->p++ - '0';

		if (x >= UINT64_MAX / 10 && (x > UINT64_MAX / 10 || d > UINT64_MAX % 10))
			return jr_fail(c, "\"%s\" is too large", c->member);
		x = x * 10 + d;
	}
	if (c->p == start || (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E')))
		return jr_fail(c, "\"%s\" is not a number", c->member);
	*v = x;
	return 0;
}

int jr_hex(struct jr *c, uint64_t *v)
{
	char buf[24];
	const char *s;
	uint64_t x = 0;
	size_t len, i;
	int d;

	if (jr_string_ref(c, &s, &len, buf, sizeof(buf)))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		d = hex_digit(s[i]);
		if (d < 0 || i == 16)
			break;
		x = x << 4 | d;
	}
	if (!len || i < len)
		return jr_fail(c, "\"%s\" is not a hexadecimal id", c->member);
	*v = x;
	return 0;
}

int jr_bool(struct jr *c, bool *v)
{
	jr_ws(c);
	if (c->end - c->p >= 4 && !memcmp(c->p, "true", 4)) {
		c->p += 4;
		*v = true;
		return 0;
	}
	if (c->end - c->p >= 5 && !memcmp(c->p, "false", 5)) {
		c->p += 5;
		*v = false;
		return 0;
	}
	return jr_fail(c, "\"%s\" is not true or false", c->member);
}

/* Members of an object, each handed to @member with the cursor on its value. */
int jr_object(struct jr *c, jr_member_fn member, void *arg)
{
	char key[64];
	const char *outer = c->member;

	if (!jr_eat(c, '{'))
		return jr_fail(c, "\"%s\" is not an object", outer);
	if (jr_eat(c, '}'))
		return 0;
	do {
		const char *k;
		size_t len;

		c->member = "member name";
		if (jr_string_ref(c, &k, &len, key, sizeof(key)))
			return -EINVAL;
		if (len >= sizeof(key) - 4)
			return jr_fail(c, "\"%s\" is too long", c->member);
		if (k != key)
			memcpy(key, k, len);
		key[len] = 0;
		c->keylen = len;
		if (!jr_eat(c, ':'))
			return jr_fail(c, "no ':' after \"%s\"", key);
		c->member = key;
		if (member(c, key, arg))
			return -EINVAL;
	} while (jr_eat(c, ','));
	c->member = outer;
	if (!jr_eat(c, '}'))
		return jr_fail(c, "expected ',' or '}' in an object");
	return 0;
}

static int skip_element(struct jr *c, void *arg)
{
	return jr_skip(c, *(int *)arg);
}

/**
 * jr_array() - the elements of an array, each handed to @element with the
 * cursor on it
 * @c: the cursor, on the array; c->member names it in errors
 * @element: reads one element (and fails with the error in @c)
 * @arg: for @element
 *
 * Return: 0, or -EINVAL with the error in @c.
 */
int jr_array(struct jr *c, jr_element_fn element, void *arg)
{
	const char *outer = c->member;

	if (!jr_eat(c, '['))
		return jr_fail(c, "\"%s\" is not an array", outer);
	if (jr_eat(c, ']'))
		return 0;
	do {
		c->member = outer;
		if (element(c, arg))
			return -EINVAL;
	} while (jr_eat(c, ','));
	c->member = outer;
	return jr_eat(c, ']') ? 0 : jr_fail(c, "expected ',' or ']' in \"%s\"", outer);
}

static int skip_member(struct jr *c, const char *key, void *arg)
{
	(void)key;
	return jr_skip(c, *(int *)arg);
}

int jr_skip(struct jr *c, int depth)
{
	uint64_t u;
	bool b;

	if (depth > MAX_DEPTH)
		return jr_fail(c, "nested too deep");
	jr_ws(c);
	if (c->p >= c->end)
		return jr_fail(c, "\"%s\" has no value", c->member);
	switch (*c->p) {
	case '"':
		return jr_string(c, NULL, 0, NULL);
	case '{':
		depth++;
		return jr_object(c, skip_member, &depth);
	case '[':
		depth++;
		return jr_array(c, skip_element, &depth);
	case 't':
	case 'f':
		return jr_bool(c, &b);
	case 'n':
		if (c->end - c->p >= 4 && !memcmp(c->p, "null", 4)) {
			c->p += 4;
			return 0;
		}
		break;
	case '-':
		c->p++;
		/* fall through */
	default:
		if (!jr_u64(c, &u)) {
			/* fractions and exponents of members we do not know */
			while (c->p < c->end && strchr("0123456789.eE+-", *c->p))
				c->p++;
			return 0;
		}
		c->err[0] = 0;
	}
	return jr_fail(c, "bad value of \"%s\"", c->member);
}

int jr_u32(struct jr *c, uint32_t *v)
{
	uint64_t x;

	if (jr_u64(c, &x))
		return -EINVAL;
	if (x > UINT32_MAX)
		return jr_fail(c, "\"%s\" is too large", c->member);
	*v = x;
	return 0;
}

int jr_enum(struct jr *c, const char *const *names, int n, uint8_t *v)
{
	char buf[32];
	const char *s;
	size_t len;
	int i;

	if (jr_string_ref(c, &s, &len, buf, sizeof(buf)))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (names[i][0] && !strncmp(s, names[i], len) && !names[i][len]) {
			*v = i;
			return 0;
		}
	}
	return jr_fail(c, "\"%s\" has an unknown value: %.*s", c->member,
		       (int)(len < 32 ? len : 32), s);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The one number parser of causalctl (num.h).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "causalctl.h"
#include "num.h"

/**
 * parse_u64() - a decimal number in [@min, @max]
 * @s: the text: 1 or more digits and nothing else
 * @min: the least allowed
 * @max: the most allowed
 * @v: the number
 *
 * Return: 0, -EINVAL when @s is not a number, -ERANGE when it is out of
 * range (@v is left alone then).
 */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = *p - '0';

		if (x > (UINT64_MAX - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
	}
	if (p == s || *p)
		return -EINVAL;
	if (x < min || x > max)
		return -ERANGE;
	*v = x;
	return 0;
}

/* The value of a hexadecimal digit, or -1. */
int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/**
 * parse_hex() - a 64-bit id in hexadecimal, 1 to 16 digits
 * @s: the text
 * @v: the id
 *
 * Return: 0, or -EINVAL.
 */
int parse_hex(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	int n = 0, d;

	for (; *s; s++, n++) {
		d = hex_digit(*s);
		if (d < 0 || n == 16)
			return -EINVAL;
		x = x << 4 | d;
	}
	*v = x;
	return n ? 0 : -EINVAL;
}

/**
 * arg_u64() - a number of the command line, or a usage error naming it
 * @cmd: the command
 * @what: what the number is ("count", "port")
 * @s: the argument
 * @min: the least allowed
 * @max: the most allowed
 * @v: the number
 *
 * Return: 0, or EXIT_USAGE after "invalid WHAT: S (use MIN to MAX)".
 */
int arg_u64(const char *cmd, const char *what, const char *s, uint64_t min, uint64_t max,
	    uint64_t *v)
{
	if (!parse_u64(s, min, max, v))
		return 0;
	if (max == UINT64_MAX)
		return usage_error(cmd, "invalid %s: %s (use %" PRIu64 " or more)", what, s, min);
	return usage_error(cmd, "invalid %s: %s (use %" PRIu64 " to %" PRIu64 ")", what, s, min,
			   max);
}

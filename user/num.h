/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_NUM_H
#define _CAUSALCTL_NUM_H

#include <stdint.h>

/*
 * Numbers from the command line and from files: the one parser.  Digits
 * only (no sign, no spaces, no 0x unless said), within a range.
 */

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v);
int parse_hex(const char *s, uint64_t *v);
int hex_digit(char ch);
int arg_u64(const char *cmd, const char *what, const char *s, uint64_t min, uint64_t max,
	    uint64_t *v);

#endif /* _CAUSALCTL_NUM_H */

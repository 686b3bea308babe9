/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_JSON_H
#define _CAUSALCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A streaming JSON writer: values are written as they come, the writer only
 * remembers how deep it is and whether a comma is due.
 */
struct json {
	FILE *out;
	bool pretty;
	int depth;
	bool need_comma[32];
	bool after_key;
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_key(struct json *j, const char *key);
void json_open(struct json *j, char bracket);
void json_close(struct json *j, char bracket);
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_null(struct json *j);
void json_bool(struct json *j, bool v);
void json_end(struct json *j);
void json_hex(struct json *j, uint64_t v, int digits);
void json_member_u64(struct json *j, const char *key, uint64_t v);
void json_member_hex(struct json *j, const char *key, uint64_t v, int digits);

#endif /* _CAUSALCTL_JSON_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_JREAD_H
#define _CAUSALCTL_JREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct jr - a cursor in a JSON text
 * @p: the next character
 * @end: the end of the text
 * @member: the member being read, named in errors
 * @keylen: the length of the member name a jr_member_fn is handed
 * @err: the first error, or empty
 */
struct jr {
	const char *p, *end;
	const char *member;
	size_t keylen;
	char err[160];
};

typedef int (*jr_member_fn)(struct jr *c, const char *key, void *arg);
typedef int (*jr_element_fn)(struct jr *c, void *arg);

int jr_fail(struct jr *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jr_ws(struct jr *c);
bool jr_eat(struct jr *c, char ch);
int jr_string(struct jr *c, char *out, size_t cap, size_t *len);
int jr_string_ref(struct jr *c, const char **s, size_t *len, char *buf, size_t cap);
int jr_u64(struct jr *c, uint64_t *v);
int jr_u32(struct jr *c, uint32_t *v);
int jr_hex(struct jr *c, uint64_t *v);
int jr_bool(struct jr *c, bool *v);
int jr_enum(struct jr *c, const char *const *names, int n, uint8_t *v);
int jr_object(struct jr *c, jr_member_fn member, void *arg);
int jr_array(struct jr *c, jr_element_fn element, void *arg);
int jr_skip(struct jr *c, int depth);

#endif /* _CAUSALCTL_JREAD_H */

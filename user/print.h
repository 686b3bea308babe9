/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_PRINT_H
#define _CAUSALCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Output that serves text and JSON from one call per field, so the two never
 * diverge.  In text mode a field prints its format, whose one "%s" is the
 * value; in JSON mode it becomes "key": value.  A NULL format prints nothing
 * as text (the field exists only in JSON); a NULL key nothing as JSON.
 */
void print_init(bool json, bool pretty);
void print_open_object(const char *key);
void print_close_object(void);
void print_open_array(const char *key);
void print_close_array(void);
void print_string(const char *key, const char *fmt, const char *value);
void print_u64(const char *key, const char *fmt, uint64_t value);
void print_node_id(const char *key, const char *fmt, uint64_t id);
void print_null(const char *key);
void print_bool(const char *key, const char *fmt, bool value);
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_end(void);
struct json *print_json(void);

#endif /* _CAUSALCTL_PRINT_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * One call per field for both text and JSON output (see print.h).
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "json.h"
#include "print.h"

static struct json json;
static bool json_mode;

void print_init(bool as_json, bool pretty)
{
	json_mode = as_json;
	json_init(&json, stdout, pretty);
}

static void text(const char *fmt, const char *value)
{
	if (fmt)
		printf(fmt, value);
}

static void key(const char *k)
{
	if (k)
		json_key(&json, k);
}

void print_open_object(const char *k)
{
	if (!json_mode)
		return;
	key(k);
	json_open(&json, '{');
}

void print_close_object(void)
{
	if (json_mode)
		json_close(&json, '}');
}

void print_open_array(const char *k)
{
	if (!json_mode)
		return;
	key(k);
	json_open(&json, '[');
}

void print_close_array(void)
{
	if (json_mode)
		json_close(&json, ']');
}

void print_string(const char *k, const char *fmt, const char *value)
{
	if (!json_mode) {
		text(fmt, value);
	} else if (k) {
		key(k);
		json_string(&json, value);
	}
}

void print_u64(const char *k, const char *fmt, uint64_t value)
{
	char buf[24];

	if (!json_mode) {
		snprintf(buf, sizeof(buf), "%" PRIu64, value);
		text(fmt, buf);
	} else if (k) {
		key(k);
		json_u64(&json, value);
	}
}

/* The text form of a node id: 16 lower-case hex digits. */
#define NODE_ID_LEN 17

static void format_node_id(char buf[NODE_ID_LEN], uint64_t id)
{
	snprintf(buf, NODE_ID_LEN, "%016" PRIx64, id);
}

/* Node ids are strings in JSON too: 64 bits do not fit a JSON number's double. */
void print_node_id(const char *k, const char *fmt, uint64_t id)
{
	char buf[NODE_ID_LEN];

	format_node_id(buf, id);
	print_string(k, fmt, buf);
}

/* A yes/no field: as text, @fmt is printed only when @value is true. */
void print_bool(const char *k, const char *fmt, bool value)
{
	if (!json_mode) {
		if (value)
			text(fmt, "");
	} else if (k) {
		key(k);
		json_bool(&json, value);
	}
}

/* JSON only: "key": null, for what is absent. */
void print_null(const char *k)
{
	if (!json_mode)
		return;
	key(k);
	json_null(&json);
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (json_mode)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* The JSON writer of -j, or NULL as text: for commands that stream many objects. */
struct json *print_json(void)
{
	return json_mode ? &json : NULL;
}

void print_end(void)
{
	if (json_mode)
		json_end(&json);
	fflush(stdout);
}

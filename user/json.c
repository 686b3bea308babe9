// SPDX-License-Identifier: GPL-2.0
/*
 * A small streaming JSON writer (RFC 8259): strings are escaped, numbers are
 * integers, output is compact unless pretty-printing was asked for.
 */

#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *out, bool pretty)
{
	*j = (struct json){ .out = out, .pretty = pretty };
}

static void newline(struct json *j)
{
	if (j->pretty)
		fprintf(j->out, "\n%*s", 2 * j->depth, "");
}

/* Everything that starts a value goes through here: comma and indentation. */
static void begin_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (j->need_comma[j->depth])
			fputc(',', j->out);
		newline(j);
	}
	j->need_comma[j->depth] = true;
}

/* Does @c need escaping in a JSON string? */
static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

static void put_string(struct json *j, const char *s)
{
	const unsigned char *p, *run;

	fputc('"', j->out);
	for (p = (const unsigned char *)s; *p; p++) {
		/* what needs no escape, at once: a character at a time is a lock each */
		for (run = p; *p && !needs_escape(*p); p++)
			;
		if (p > run)
			fwrite(run, 1, p - run, j->out);
		if (!*p)
			break;
		switch (*p) {
		case '"':
			fputs("\\\"", j->out);
			break;
		case '\\':
			fputs("\\\\", j->out);
			break;
		case '\n':
			fputs("\\n", j->out);
			break;
		case '\t':
			fputs("\\t", j->out);
			break;
		case '\r':
			fputs("\\r", j->out);
			break;
		default:
			fprintf(j->out, "\\u%04x", *p);
		}
	}
	fputc('"', j->out);
}

void json_key(struct json *j, const char *key)
{
	begin_value(j);
	put_string(j, key);
	fputs(j->pretty ? ": " : ":", j->out);
	j->after_key = true;
}

void json_open(struct json *j, char bracket)
{
	begin_value(j);
	fputc(bracket, j->out);
	if (j->depth + 1 < (int)(sizeof(j->need_comma) / sizeof(j->need_comma[0])))
		j->depth++;
	j->need_comma[j->depth] = false;
}

void json_close(struct json *j, char bracket)
{
	bool empty = !j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		newline(j);
	fputc(bracket, j->out);
}

void json_string(struct json *j, const char *s)
{
	begin_value(j);
	put_string(j, s);
}

void json_u64(struct json *j, uint64_t v)
{
	begin_value(j);
	fprintf(j->out, "%" PRIu64, v);
}

void json_null(struct json *j)
{
	begin_value(j);
	fputs("null", j->out);
}

void json_bool(struct json *j, bool v)
{
	begin_value(j);
	fputs(v ? "true" : "false", j->out);
}

/* End of one document: a newline, and the stream flushed for the reader. */
void json_end(struct json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}

/* @v as a string of at least @digits hexadecimal digits (ids). */
void json_hex(struct json *j, uint64_t v, int digits)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%0*" PRIx64, digits, v);
	json_string(j, buf);
}

void json_member_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_member_hex(struct json *j, const char *key, uint64_t v, int digits)
{
	json_key(j, key);
	json_hex(j, v, digits);
}

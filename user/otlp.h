/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_OTLP_H
#define _CAUSALCTL_OTLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

/*
 * OTLP trace exports (https://opentelemetry.io/docs/specs/otlp/): spans
 * written as OTLP/JSON or as the protocol's protobuf messages (otlp.proto,
 * encoded by protobuf-c), from one description of each, so that both say
 * the same.
 */

enum otlp_format { OTLP_JSON, OTLP_PROTO };

/* An attribute: a string, or an integer when @str is NULL. */
struct otlp_kv {
	const char *key;
	const char *str;
	int64_t i;
};

#define OTLP_ATTRS_MAX 24

/* Span kinds as the protocol numbers them. */
enum { OTLP_INTERNAL = 1, OTLP_PRODUCER = 4, OTLP_CONSUMER = 5 };

/* A link: a span, in its trace. */
struct otlp_link {
	uint8_t trace[16], id[8];
};

struct otlp_span {
	uint8_t trace[16], id[8], parent[8];
	bool has_parent;
	const char *name;
	int kind;
	uint64_t start, end;
	struct otlp_kv attr[OTLP_ATTRS_MAX];
	size_t nattr;
	const struct otlp_link *links;
	size_t nlinks;
};

struct otlp_arena;

/* A writer of one ExportTraceServiceRequest. */
struct otlp {
	enum otlp_format format;
	FILE *out;
	struct json j;
	/* OTLP_PROTO: the resource being built, packed at its end */
	void *rs;
	struct otlp_arena *arena;
	int err;
};

void otlp_begin(struct otlp *o, enum otlp_format format, FILE *out);
void otlp_resource_begin(struct otlp *o, const struct otlp_kv *attr, size_t nattr,
			 const char *scope, const char *version);
void otlp_span(struct otlp *o, const struct otlp_span *s);
void otlp_resource_end(struct otlp *o);
int otlp_end(struct otlp *o);

void otlp_add(struct otlp_span *s, const char *key, const char *str);
void otlp_add_int(struct otlp_span *s, const char *key, int64_t v);

#endif /* _CAUSALCTL_OTLP_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * OTLP trace exports: one ExportTraceServiceRequest, as OTLP/JSON or as
 * protobuf (otlp.proto, packed by protobuf-c).  A request of several
 * resources is written a resource at a time: protobuf's encoding of a
 * message is the concatenation of its fields, so requests of one resource
 * each, packed one after the other, are the request of them all, and the
 * memory a protobuf export holds is one resource's spans.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "otlp.h"
#include "otlp.pb-c.h"

/* --- memory for one resource's messages, freed at once ------------------- */

struct otlp_arena {
	struct otlp_arena *next;
	size_t used, cap;
	char buf[];
};

static void *arena_alloc(struct otlp *o, size_t n)
{
	struct otlp_arena *a = o->arena;
	size_t cap;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!a || a->cap - a->used < n) {
		cap = n > 65536 ? n : 65536;
		a = malloc(sizeof(*a) + cap);
		if (!a) {
			o->err = -ENOMEM;
			return NULL;
		}
		a->next = o->arena;
		a->used = 0;
		a->cap = cap;
		o->arena = a;
	}
	p = a->buf + a->used;
	a->used += n;
	return p;
}

static void arena_free(struct otlp *o)
{
	struct otlp_arena *a, *next;

	for (a = o->arena; a; a = next) {
		next = a->next;
		free(a);
	}
	o->arena = NULL;
}

static char *arena_strdup(struct otlp *o, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(o, n);

	return p ? memcpy(p, s, n) : NULL;
}

static ProtobufCBinaryData arena_bytes(struct otlp *o, const uint8_t *b, size_t n)
{
	ProtobufCBinaryData d = { 0, NULL };

	d.data = arena_alloc(o, n);
	if (d.data) {
		memcpy(d.data, b, n);
		d.len = n;
	}
	return d;
}

/* --- attributes ---------------------------------------------------------- */

void otlp_add(struct otlp_span *s, const char *key, const char *str)
{
	if (s->nattr < OTLP_ATTRS_MAX && str)
		s->attr[s->nattr++] = (struct otlp_kv){ .key = key, .str = str };
}

void otlp_add_int(struct otlp_span *s, const char *key, int64_t v)
{
	if (s->nattr < OTLP_ATTRS_MAX)
		s->attr[s->nattr++] = (struct otlp_kv){ .key = key, .i = v };
}

static void json_attrs(struct json *j, const struct otlp_kv *kv, size_t n)
{
	char buf[24];
	size_t i;

	json_key(j, "attributes");
	json_open(j, '[');
	for (i = 0; i < n; i++) {
		json_open(j, '{');
		json_key(j, "key");
		json_string(j, kv[i].key);
		json_key(j, "value");
		json_open(j, '{');
		if (kv[i].str) {
			json_key(j, "stringValue");
			json_string(j, kv[i].str);
		} else {
			/* int64 is a string in OTLP/JSON */
			snprintf(buf, sizeof(buf), "%" PRId64, kv[i].i);
			json_key(j, "intValue");
			json_string(j, buf);
		}
		json_close(j, '}');
		json_close(j, '}');
	}
	json_close(j, ']');
}

static Causal__Otlp__KeyValue **pb_attrs(struct otlp *o, const struct otlp_kv *kv, size_t n)
{
	Causal__Otlp__KeyValue **out = arena_alloc(o, n * sizeof(*out) + 1);
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		Causal__Otlp__KeyValue *k = arena_alloc(o, sizeof(*k));
		Causal__Otlp__AnyValue *v = arena_alloc(o, sizeof(*v));

		if (!k || !v)
			return NULL;
		causal__otlp__key_value__init(k);
		causal__otlp__any_value__init(v);
		k->key = arena_strdup(o, kv[i].key);
		if (kv[i].str) {
			v->value_case = CAUSAL__OTLP__ANY_VALUE__VALUE_STRING_VALUE;
			v->string_value = arena_strdup(o, kv[i].str);
			if (!v->string_value)
				return NULL;
		} else {
			v->value_case = CAUSAL__OTLP__ANY_VALUE__VALUE_INT_VALUE;
			v->int_value = kv[i].i;
		}
		if (!k->key)
			return NULL;
		k->value = v;
		out[i] = k;
	}
	return out;
}

static void json_id(struct json *j, const char *key, const uint8_t *b, size_t n)
{
	char hex[33];
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	json_key(j, key);
	json_string(j, hex);
}

/* --- the request ----------------------------------------------------------- */

/**
 * otlp_begin() - start a request
 * @o: the writer
 * @format: OTLP/JSON or protobuf
 * @out: where it goes
 */
void otlp_begin(struct otlp *o, enum otlp_format format, FILE *out)
{
	memset(o, 0, sizeof(*o));
	o->format = format;
	o->out = out;
	if (format == OTLP_JSON) {
		json_init(&o->j, out, false);
		json_open(&o->j, '{');
		json_key(&o->j, "resourceSpans");
		json_open(&o->j, '[');
	}
}

/* The protobuf resource being built: its scope's spans grow by doubling. */
struct pb_resource {
	Causal__Otlp__ResourceSpans rs;
	Causal__Otlp__Resource res;
	Causal__Otlp__ScopeSpans ss, *ssp;
	Causal__Otlp__InstrumentationScope scope;
	size_t cap;
};

/**
 * otlp_resource_begin() - start the spans of one resource (a host's log)
 * @o: the writer
 * @attr: the resource's attributes
 * @nattr: how many
 * @scope: the instrumentation scope's name
 * @version: its version
 */
void otlp_resource_begin(struct otlp *o, const struct otlp_kv *attr, size_t nattr,
			 const char *scope, const char *version)
{
	struct json *j = &o->j;
	struct pb_resource *r;

	if (o->format == OTLP_JSON) {
		json_open(j, '{');
		json_key(j, "resource");
		json_open(j, '{');
		json_attrs(j, attr, nattr);
		json_close(j, '}');
		json_key(j, "scopeSpans");
		json_open(j, '[');
		json_open(j, '{');
		json_key(j, "scope");
		json_open(j, '{');
		json_key(j, "name");
		json_string(j, scope);
		json_key(j, "version");
		json_string(j, version);
		json_close(j, '}');
		json_key(j, "spans");
		json_open(j, '[');
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		o->err = -ENOMEM;
		return;
	}
	causal__otlp__resource_spans__init(&r->rs);
	causal__otlp__resource__init(&r->res);
	causal__otlp__scope_spans__init(&r->ss);
	causal__otlp__instrumentation_scope__init(&r->scope);
	r->res.attributes = pb_attrs(o, attr, nattr);
	r->res.n_attributes = r->res.attributes ? nattr : 0;
	r->scope.name = arena_strdup(o, scope);
	r->scope.version = arena_strdup(o, version);
	if (!r->scope.name || !r->scope.version)
		r->scope.name = r->scope.version = (char *)protobuf_c_empty_string;
	r->ss.scope = &r->scope;
	r->ssp = &r->ss;
	r->rs.resource = &r->res;
	r->rs.n_scope_spans = 1;
	r->rs.scope_spans = &r->ssp;
	o->rs = r;
}

static void json_span(struct otlp *o, const struct otlp_span *s)
{
	struct json *j = &o->j;
	char t[24];
	size_t i;

	json_open(j, '{');
	json_id(j, "traceId", s->trace, sizeof(s->trace));
	json_id(j, "spanId", s->id, sizeof(s->id));
	if (s->has_parent)
		json_id(j, "parentSpanId", s->parent, sizeof(s->parent));
	json_key(j, "name");
	json_string(j, s->name);
	json_key(j, "kind");
	json_u64(j, s->kind);
	/* fixed64 is a string in OTLP/JSON */
	snprintf(t, sizeof(t), "%" PRIu64, s->start);
	json_key(j, "startTimeUnixNano");
	json_string(j, t);
	snprintf(t, sizeof(t), "%" PRIu64, s->end);
	json_key(j, "endTimeUnixNano");
	json_string(j, t);
	json_attrs(j, s->attr, s->nattr);
	json_key(j, "links");
	json_open(j, '[');
	for (i = 0; i < s->nlinks; i++) {
		json_open(j, '{');
		json_id(j, "traceId", s->links[i].trace, sizeof(s->links[i].trace));
		json_id(j, "spanId", s->links[i].id, sizeof(s->links[i].id));
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
}

static void pb_span(struct otlp *o, const struct otlp_span *s)
{
	struct pb_resource *r = o->rs;
	Causal__Otlp__Span *p, **spans;
	size_t i;

	if (!r)
		return;
	if (r->ss.n_spans == r->cap) {
		spans = realloc(r->ss.spans, (r->cap ? 2 * r->cap : 256) * sizeof(*spans));
		if (!spans) {
			o->err = -ENOMEM;
			return;
		}
		r->ss.spans = spans;
		r->cap = r->cap ? 2 * r->cap : 256;
	}
	p = arena_alloc(o, sizeof(*p));
	if (!p)
		return;
	causal__otlp__span__init(p);
	p->trace_id = arena_bytes(o, s->trace, sizeof(s->trace));
	p->span_id = arena_bytes(o, s->id, sizeof(s->id));
	if (s->has_parent)
		p->parent_span_id = arena_bytes(o, s->parent, sizeof(s->parent));
	p->name = arena_strdup(o, s->name);
	p->kind = s->kind;
	p->start_time_unix_nano = s->start;
	p->end_time_unix_nano = s->end;
	p->attributes = pb_attrs(o, s->attr, s->nattr);
	p->n_attributes = p->attributes ? s->nattr : 0;
	if (s->nlinks) {
		p->links = arena_alloc(o, s->nlinks * sizeof(*p->links));
		for (i = 0; p->links && i < s->nlinks; i++) {
			Causal__Otlp__Span__Link *l = arena_alloc(o, sizeof(*l));

			if (!l)
				return;
			causal__otlp__span__link__init(l);
			l->trace_id = arena_bytes(o, s->links[i].trace, sizeof(s->links[i].trace));
			l->span_id = arena_bytes(o, s->links[i].id, sizeof(s->links[i].id));
			p->links[i] = l;
		}
		p->n_links = p->links ? s->nlinks : 0;
	}
	if (!p->name || o->err)
		return;
	r->ss.spans[r->ss.n_spans++] = p;
}

/**
 * otlp_span() - one span of the resource begun last
 * @o: the writer
 * @s: the span
 */
void otlp_span(struct otlp *o, const struct otlp_span *s)
{
	if (o->format == OTLP_JSON)
		json_span(o, s);
	else
		pb_span(o, s);
}

/**
 * otlp_resource_end() - the end of a resource's spans: protobuf writes it
 * @o: the writer
 */
void otlp_resource_end(struct otlp *o)
{
	Causal__Otlp__ExportTraceServiceRequest req =
		CAUSAL__OTLP__EXPORT_TRACE_SERVICE_REQUEST__INIT;
	Causal__Otlp__ResourceSpans *rsp;
	struct pb_resource *r = o->rs;
	uint8_t *buf;
	size_t n;

	if (o->format == OTLP_JSON) {
		json_close(&o->j, ']');
		json_close(&o->j, '}');
		json_close(&o->j, ']');
		json_close(&o->j, '}');
		return;
	}
	if (r && !o->err) {
		rsp = &r->rs;
		req.n_resource_spans = 1;
		req.resource_spans = &rsp;
		n = causal__otlp__export_trace_service_request__get_packed_size(&req);
		buf = malloc(n ? n : 1);
		if (!buf) {
			o->err = -ENOMEM;
		} else {
			causal__otlp__export_trace_service_request__pack(&req, buf);
			if (fwrite(buf, 1, n, o->out) != n)
				o->err = -EIO;
			free(buf);
		}
	}
	if (r)
		free(r->ss.spans);
	free(r);
	o->rs = NULL;
	arena_free(o);
}

/**
 * otlp_end() - finish the request
 * @o: the writer
 *
 * Return: 0, or a negative errno: memory short, the output failed.
 */
int otlp_end(struct otlp *o)
{
	if (o->format == OTLP_JSON) {
		json_close(&o->j, ']');
		json_close(&o->j, '}');
		fputc('\n', o->out);
	}
	arena_free(o);
	return o->err ? o->err : ferror(o->out) ? -EIO : 0;
}

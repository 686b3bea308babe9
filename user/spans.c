// SPDX-License-Identifier: GPL-2.0
/*
 * An event as an OTLP span: its id, kind, times, name and attributes (by
 * OpenTelemetry's semantic conventions where they have a name for the
 * thing).  Trace, parent and links are the caller's: a merge knows every
 * edge, a live stream only what the events themselves say.
 */

#include <stdio.h>

#include "htab.h"
#include "schema.h"
#include "spans.h"

/**
 * span_id_of() - the span of event @id of @node
 * @sid: the span id
 * @node: the node
 * @id: the event's number; only its low 32 bits count, as in a stamp
 */
void span_id_of(uint8_t sid[8], uint64_t node, uint64_t id)
{
	uint64_t h = hash2(node, (uint32_t)id);
	int i;

	h = h ? h : 1;
	for (i = 7; i >= 0; i--, h >>= 8)
		sid[i] = h;
}

/* SEND -> PRODUCER, RECV -> CONSUMER, others INTERNAL */
static int span_kind(const struct log_event *ev)
{
	return ev->type == EV_SEND ? OTLP_PRODUCER : ev->type == EV_RECV ? OTLP_CONSUMER :
	       OTLP_INTERNAL;
}

/**
 * span_of_event() - what a span says of its event
 * @s: the span: its id, kind, times, name and attributes are set
 * @ls: the event's strings
 * @ev: the event
 * @cn: room for the cgroup's names, which @s points into
 * @name: room for the span's name, which @s points to
 * @len: its size
 */
void span_of_event(struct otlp_span *s, const struct log_set *ls, const struct log_event *ev,
		   struct cg_names *cn, char *name, size_t len)
{
	span_id_of(s->id, ev->node, ev->id);
	s->kind = span_kind(ev);
	s->start = ev->time;
	s->end = ev->time;
	snprintf(name, len, "%s %s", ev_type_names[ev->type], log_str(ls, ev->comm));
	s->name = name;
	otlp_add_int(s, "causal.id", ev->id);
	otlp_add(s, "causal.type", ev_type_names[ev->type]);
	if (ev->has & HAS_PID)
		otlp_add_int(s, "process.pid", ev->pid);
	if (ev->has & HAS_TID)
		otlp_add_int(s, "thread.id", ev->tid);
	if (ev->comm)
		otlp_add(s, "process.command", log_str(ls, ev->comm));
	if (ev->cgpath) {
		cg_names_of(log_str(ls, ev->cgpath), cn);
		otlp_add(s, "causal.cgroup.path", log_str(ls, ev->cgpath));
		if (cn->runtime) {
			otlp_add(s, "container.id", cn->container);
			otlp_add(s, "container.runtime.name", cn->runtime);
		}
		if (cn->pod[0])
			otlp_add(s, "k8s.pod.uid", cn->pod);
		if (cn->unit[0])
			otlp_add(s, "causal.systemd.unit", cn->unit);
	}
	if (ev->proto)
		otlp_add(s, "network.transport", ev_proto_names[ev->proto]);
	if (ev->src)
		otlp_add(s, "causal.src", log_str(ls, ev->src));
	if (ev->dst)
		otlp_add(s, "causal.dst", log_str(ls, ev->dst));
	if (ev->has & HAS_BYTES)
		otlp_add_int(s, "causal.bytes", ev->bytes);
	if (ev->has & HAS_COOKIE)
		otlp_add_int(s, "causal.cookie", ev->cookie);
	if (ev->probe)
		otlp_add(s, "causal.probe", log_str(ls, ev->probe));
}

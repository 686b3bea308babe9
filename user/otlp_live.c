// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl trace --otlp URL, monitor --otlp URL: events as spans, streamed
 * to an OTLP/HTTP collector as they come (Documentation/analysis.rst,
 * "Live").
 *
 * A span is what the export of a merge makes of the event (spans.c), with
 * what the event alone says of its edges: its parent is the previous event
 * of its thread, and a receive whose stamps name their sends (UDP, vector
 * stamps aside; the first bytes of a TCP connection) links to them.  A
 * trace is 4,096 consecutive events of one node, so that a receiver that
 * knows only a send's node and number knows the send's trace too, and no
 * trace grows past what collectors keep in one.
 *
 * The reader of the events (the caller) encodes spans into requests of at
 * most --otlp-batch spans, or what came in a second; a thread of its own
 * posts them, with the retries of otlp_http_post().  Requests wait in a
 * queue of at most --otlp-queue spans: one that does not fit is dropped and
 * counted.  At the end, what is queued has ten seconds to be delivered.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <causal/version.h>

#include "causalctl.h"
#include "htab.h"
#include "num.h"
#include "otlp.h"
#include "otlp_live.h"
#include "spans.h"

#define LIVE_TRACE_SHIFT	12	/* 4,096 events of a node a trace */
#define LIVE_THREADS		4096	/* threads whose last event is known */
#define LIVE_LINKS_MAX		64
#define LIVE_INTERVAL_MS	1000	/* a request waits at most this long */
#define LIVE_DRAIN_MS		10000	/* for what is queued at the end */
#define LIVE_RES_MAX		7

struct live_req {
	struct live_req *next;
	char *buf;
	size_t len, nspans;
};

/* The last event of a thread seen, by (node, tid, tstart). */
struct live_thread {
	uint64_t node, tstart, id;
	uint32_t tid;
	bool used;
};

struct otlp_live {
	const char *cmd;
	struct otlp_http http;
	size_t batch, queue_max;
	struct otlp_kv res[LIVE_RES_MAX];
	size_t nres;
	char node[17], host[256], label[256], kernel[65];
	const char *clock, *scope;

	/* the request being written (the reader's) */
	struct otlp o;
	FILE *mem;
	char *buf;
	size_t len, nspans;
	uint64_t first_ms;	/* when its first span came */
	struct live_thread threads[LIVE_THREADS];
	struct otlp_link links[LIVE_LINKS_MAX];

	/* the queue, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct live_req *head, **tail;
	size_t queued;		/* spans in the queue */
	bool stopping;
	pthread_t thread;

	/* the reader's alone */
	uint64_t spans, links_made, dropped, unlinked;
};

/**
 * otlp_live_opt() - take one of the options of OTLP_LIVE_OPTIONS
 * @o: the options
 * @cmd: the command, for errors
 * @opt: getopt_long()'s code
 * @arg: its argument
 *
 * Return: 0 taken, 1 not one of them, or EXIT_USAGE after saying why.
 */
int otlp_live_opt(struct otlp_live_opts *o, const char *cmd, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case OPT_OTLP:
		o->url = arg;
		return 0;
	case OPT_OTLP_HEADER:
		if (o->nheaders == OTLP_HEADERS_MAX)
			return usage_error(cmd, "at most %d --otlp-header", OTLP_HEADERS_MAX);
		o->headers[o->nheaders++] = arg;
		return 0;
	case OPT_OTLP_JSON:
		o->json = true;
		return 0;
	case OPT_OTLP_BATCH:
		if (arg_u64(cmd, "otlp-batch", arg, 1, 100000, &v))
			return EXIT_USAGE;
		o->batch = v;
		return 0;
	case OPT_OTLP_QUEUE:
		if (arg_u64(cmd, "otlp-queue", arg, 1, 10000000, &v))
			return EXIT_USAGE;
		o->queue = v;
		return 0;
	}
	return 1;
}

/* After the options: 0, or EXIT_USAGE after saying why not. */
int otlp_live_check(struct otlp_live_opts *o, const char *cmd)
{
	if ((o->nheaders || o->json || o->batch || o->queue) && !o->url)
		return usage_error(cmd, "--otlp-header, --otlp-json, --otlp-batch and "
				   "--otlp-queue go with --otlp");
	if (!o->batch)
		o->batch = 512;
	if (!o->queue)
		o->queue = 65536;
	if (o->queue < o->batch)
		return usage_error(cmd, "--otlp-queue %zu holds less than a batch (%zu)",
				   o->queue, o->batch);
	return 0;
}

/* The trace of event @id of @node: its 4,096 events, as a stamp names them. */
static void live_trace(uint8_t t[16], uint64_t node, uint64_t id)
{
	uint64_t a = hash2(0x6361757361, node), b = hash2(a, (uint32_t)id >> LIVE_TRACE_SHIFT);
	int k;

	b |= 1;
	for (k = 7; k >= 0; k--, a >>= 8, b >>= 8) {
		t[k] = a;
		t[8 + k] = b;
	}
}

static bool same_trace(uint64_t a, uint64_t b)
{
	return (uint32_t)a >> LIVE_TRACE_SHIFT == (uint32_t)b >> LIVE_TRACE_SHIFT;
}

static void add_link(struct otlp_live *l, struct otlp_span *s, uint64_t node, uint64_t id)
{
	struct otlp_link *k;

	if (s->nlinks == LIVE_LINKS_MAX) {
		l->unlinked++;
		return;
	}
	k = &l->links[s->nlinks++];
	live_trace(k->trace, node, id);
	span_id_of(k->id, node, id);
	l->links_made++;
}

/*
 * The previous event of @ev's thread: its parent in the same trace, else a
 * link.  Threads are known in a table of their own: one whose slot another
 * took has no parent, never a wrong one.
 */
static void live_parent(struct otlp_live *l, struct otlp_span *s, const struct log_event *ev)
{
	struct live_thread *t;

	if (!(ev->has & HAS_TID) || !(ev->has & HAS_TSTART))
		return;
	t = &l->threads[hash2(ev->node ^ ev->tstart, ev->tid) % LIVE_THREADS];
	if (t->used && t->node == ev->node && t->tid == ev->tid && t->tstart == ev->tstart) {
		if (t->id >= ev->id)
			return;	/* a probe hit that came late: no parent */
		if (same_trace(t->id, ev->id)) {
			span_id_of(s->parent, ev->node, t->id);
			s->has_parent = true;
		} else {
			add_link(l, s, ev->node, t->id);
		}
	}
	*t = (struct live_thread){ ev->node, ev->tstart, ev->id, ev->tid, true };
}

/* Queue the request written, or drop it: the queue is full or memory short. */
static void live_close(struct otlp_live *l)
{
	struct live_req *r;
	bool queued;
	int err;

	if (!l->nspans)
		return;
	otlp_resource_end(&l->o);
	err = otlp_end(&l->o);
	if (fclose(l->mem))
		err = err ? err : -ENOMEM;
	l->mem = NULL;
	r = err ? NULL : malloc(sizeof(*r));
	pthread_mutex_lock(&l->lock);
	queued = r && l->queued + l->nspans <= l->queue_max;
	if (queued) {
		*r = (struct live_req){ NULL, l->buf, l->len, l->nspans };
		*l->tail = r;
		l->tail = &r->next;
		l->queued += l->nspans;
		pthread_cond_signal(&l->cond);
	}
	pthread_mutex_unlock(&l->lock);
	if (!queued) {
		l->dropped += l->nspans;
		free(r);
		free(l->buf);
	}
	l->buf = NULL;
	l->nspans = 0;
}

/* Start a request; false if memory is short (the span is dropped). */
static bool live_open(struct otlp_live *l)
{
	l->mem = open_memstream(&l->buf, &l->len);
	if (!l->mem)
		return false;
	otlp_begin(&l->o, l->http.json ? OTLP_JSON : OTLP_PROTO, l->mem);
	otlp_resource_begin(&l->o, l->res, l->nres, "causalctl", CAUSAL_RELEASE);
	l->first_ms = otlp_now_ms();
	return true;
}

/**
 * otlp_live_event() - an event, as a span of the request being written
 * @l: the stream
 * @e: the event
 * @probe: its probe point, for a probe event
 */
void otlp_live_event(struct otlp_live *l, const struct event *e, const char *probe)
{
	const struct log_event *ev = &e->ev;
	struct otlp_span s = { .links = l->links };
	struct cg_names cn;
	char name[160];
	uint16_t k;

	if (!l->mem && !live_open(l)) {
		l->dropped++;
		return;
	}
	live_trace(s.trace, ev->node, ev->id);
	live_parent(l, &s, ev);
	for (k = 0; k < ev->nfrom; k++) {
		const struct log_stamp *st = &e->ls->from[ev->from + k];

		/* a vector stamp names a count, not an event */
		if (!st->vector)
			add_link(l, &s, st->who, st->n);
	}
	span_of_event(&s, e->ls, ev, &cn, name, sizeof(name));
	if (probe)
		otlp_add(&s, "causal.probe", probe);
	otlp_span(&l->o, &s);
	l->spans++;
	if (++l->nspans == l->batch)
		live_close(l);
}

/* Post the request written if it waited long enough: called now and then. */
void otlp_live_tick(struct otlp_live *l)
{
	if (l->nspans && otlp_now_ms() - l->first_ms >= LIVE_INTERVAL_MS)
		live_close(l);
}

/* The sender: requests from the queue to the collector, until stopped. */
static void *sender(void *arg)
{
	struct otlp_live *l = arg;
	struct live_req *r;

	for (;;) {
		pthread_mutex_lock(&l->lock);
		while (!l->head && !l->stopping)
			pthread_cond_wait(&l->cond, &l->lock);
		r = l->head;
		if (r) {
			l->head = r->next;
			if (!l->head)
				l->tail = &l->head;
		}
		pthread_mutex_unlock(&l->lock);
		if (!r)
			return NULL;
		/* past the deadline at the end, what is left is lost */
		if (otlp_http_expired(&l->http))
			l->http.spans_lost += r->nspans;
		else
			otlp_http_post(&l->http, r->buf, r->len, r->nspans);
		pthread_mutex_lock(&l->lock);
		l->queued -= r->nspans;
		pthread_mutex_unlock(&l->lock);
		free(r->buf);
		free(r);
	}
}

static void add_res(struct otlp_live *l, const char *key, const char *str)
{
	l->res[l->nres++] = (struct otlp_kv){ .key = key, .str = str };
}

/**
 * otlp_live_start() - start streaming to @o's collector
 * @o: the options (otlp_live_check()ed, with a URL)
 * @cmd: the command, for messages
 * @s: the node
 * @label: the service's name (--label), or NULL: the host's name
 *
 * Return: the stream, or NULL after saying why not.
 */
struct otlp_live *otlp_live_start(const struct otlp_live_opts *o, const char *cmd,
				  const struct node_status *s, const char *label)
{
	struct otlp_live *l = calloc(1, sizeof(*l));
	sigset_t all, old;
	struct utsname u;
	int i, err;

	if (!l || otlp_http_init(&l->http, o->url)) {
		fprintf(stderr, "causalctl: %s: no memory for an OTLP exporter\n", cmd);
		goto fail;
	}
	for (i = 0; i < o->nheaders; i++) {
		if (otlp_http_header(&l->http, o->headers[i])) {
			usage_error(cmd, "invalid --otlp-header %s: KEY=VALUE", o->headers[i]);
			goto fail;
		}
	}
	l->cmd = cmd;
	l->http.json = o->json;
	l->batch = o->batch;
	l->queue_max = o->queue;
	l->tail = &l->head;
	if (gethostname(l->host, sizeof(l->host)))
		snprintf(l->host, sizeof(l->host), "unknown");
	snprintf(l->label, sizeof(l->label), "%s", label ?: l->host);
	snprintf(l->node, sizeof(l->node), "%016" PRIx64, s->node_id);
	uname(&u);
	snprintf(l->kernel, sizeof(l->kernel), "%s", u.release);
	add_res(l, "service.name", l->label);
	add_res(l, "host.name", l->host);
	add_res(l, "causal.node", l->node);
	add_res(l, "os.type", "linux");
	add_res(l, "os.version", l->kernel);
	add_res(l, "causal.clock", clock_name(s->clock));
	add_res(l, "causal.scope", scope_name(s->scope));
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	/* signals are the reader's: they stop it */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&l->thread, NULL, sender, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		fprintf(stderr, "causalctl: %s: cannot start the OTLP sender: %s\n", cmd,
			strerror(err));
		pthread_cond_destroy(&l->cond);
		pthread_mutex_destroy(&l->lock);
		goto fail;
	}
	fprintf(stderr, "causalctl: %s: streaming spans to %s (OTLP/HTTP, %s)\n", cmd, o->url,
		o->json ? "JSON" : "protobuf");
	return l;
fail:
	if (l)
		otlp_http_free(&l->http);
	free(l);
	return NULL;
}

/**
 * otlp_live_stop() - post what is written and queued, and say what became
 * of the spans
 * @l: the stream, freed
 *
 * What is still queued LIVE_DRAIN_MS after the call is lost (counted).
 *
 * Return: 0 every span delivered, or 1 (some dropped, refused or lost).
 */
int otlp_live_stop(struct otlp_live *l)
{
	struct otlp_http *h = &l->http;
	uint64_t waiting;
	int ret;

	live_close(l);
	pthread_mutex_lock(&l->lock);
	waiting = l->queued;
	otlp_http_deadline(h, otlp_now_ms() + LIVE_DRAIN_MS);
	l->stopping = true;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	if (waiting > l->batch)
		fprintf(stderr, "causalctl: %s: delivering the %" PRIu64
			" spans queued (at most %d s)\n", l->cmd, waiting, LIVE_DRAIN_MS / 1000);
	pthread_join(l->thread, NULL);
	fprintf(stderr, "causalctl: %s: %s: %" PRIu64 " of %" PRIu64 " spans delivered in %"
		PRIu64 " requests (%" PRIu64 " retries), %" PRIu64 " links", l->cmd, h->url,
		h->spans_sent, l->spans, h->requests, h->retries, l->links_made);
	if (l->dropped)
		fprintf(stderr, ", %" PRIu64 " dropped (the queue was full)", l->dropped);
	if (h->spans_rejected)
		fprintf(stderr, ", %" PRIu64 " refused by the collector", h->spans_rejected);
	if (h->spans_lost)
		fprintf(stderr, ", %" PRIu64 " lost: %s", h->spans_lost, h->last_error);
	if (l->unlinked)
		fprintf(stderr, ", %" PRIu64 " links left out (more than %d a span)", l->unlinked,
			LIVE_LINKS_MAX);
	fputc('\n', stderr);
	ret = l->dropped || h->spans_rejected || h->spans_lost;
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	otlp_http_free(h);
	free(l);
	return ret;
}

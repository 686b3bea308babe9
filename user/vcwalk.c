// SPDX-License-Identifier: GPL-2.0
/*
 * Vector clocks computed offline over a happened-before graph (graph.h):
 * one entry per thread (chain), each event's clock from its predecessors',
 * visited in the graph's total order, a clock freed as soon as no
 * unvisited event needs it.  order --vc and the ShiViz export use it.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

struct vc_pool {
	uint32_t *mem;
	size_t cap;		/* vectors */
	uint32_t *free;
	size_t nfree, used;
	uint32_t width;
};

static uint32_t vc_alloc(struct vc_pool *p)
{
	if (p->nfree)
		return p->free[--p->nfree];
	if (p->used == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		uint32_t *m = realloc(p->mem, cap * p->width * sizeof(*m));
		uint32_t *f = realloc(p->free, cap * sizeof(*f));

		if (m)
			p->mem = m;
		if (f)
			p->free = f;
		if (!m || !f)
			return HT_EMPTY;
		p->cap = cap;
	}
	return p->used++;
}

static uint32_t *vc_at(const struct vc_pool *p, uint32_t v)
{
	return p->mem + (size_t)v * p->width;
}

/**
 * graph_vc_walk() - the vector clock over threads of each event, in order
 * @g: a consistent graph
 * @fn: called with each event and its clock (@g->nchains counts; entry c
 *	is how many events of chain c happened before it or are it)
 * @arg: for @fn
 *
 * Only clocks that an unvisited event still needs are kept.
 *
 * Return: 0, what @fn returned if not 0, or -ENOMEM.
 */
int graph_vc_walk(const struct graph *g, graph_vc_fn fn, void *arg)
{
	struct vc_pool p = { .width = g->nchains ? g->nchains : 1 };
	uint32_t *left = malloc((g->n + 1) * sizeof(*left));
	uint32_t *vec = malloc((g->n + 1) * sizeof(*vec));
	uint32_t i, k, c, e, v;
	int err = 0;

	if (!left || !vec) {
		err = -ENOMEM;
		goto out;
	}
	for (e = 0; e < g->n; e++)
		left[e] = g->out_off[e + 1] - g->out_off[e];
	for (i = 0; i < g->n && !err; i++) {
		e = g->order[i];
		v = HT_EMPTY;
		/* take over the clock of a predecessor that needs it no more */
		for (k = g->in_off[e]; k < g->in_off[e + 1] && v == HT_EMPTY; k++) {
			if (left[g->in[k]] == 1) {
				v = vec[g->in[k]];
				vec[g->in[k]] = HT_EMPTY;
			}
		}
		if (v == HT_EMPTY) {
			v = vc_alloc(&p);
			if (v == HT_EMPTY) {
				err = -ENOMEM;
				break;
			}
			memset(vc_at(&p, v), 0, p.width * sizeof(uint32_t));
		}
		for (k = g->in_off[e]; k < g->in_off[e + 1]; k++) {
			uint32_t s = g->in[k], *d = vc_at(&p, v), *o;

			if (vec[s] != HT_EMPTY) {
				o = vc_at(&p, vec[s]);
				for (c = 0; c < g->nchains; c++)
					d[c] = o[c] > d[c] ? o[c] : d[c];
			}
			if (!--left[s] && vec[s] != HT_EMPTY)
				p.free[p.nfree++] = vec[s];
		}
		vc_at(&p, v)[g->chain[e]]++;
		vec[e] = v;
		err = fn(arg, e, vc_at(&p, v));
		if (!left[e])
			p.free[p.nfree++] = v;
	}
out:
	free(left);
	free(vec);
	free(p.mem);
	free(p.free);
	if (err == -ENOMEM)
		fprintf(stderr, "causalctl: out of memory\n");
	return err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The sends a TCP receive read, from sequence numbers (Documentation/
 * analysis.rst, "Joining by bytes").
 *
 * A TCP send or receive names its stream, where the bytes of its direction
 * and of the other one start: both ends of a connection see the same two
 * numbers.  Its "seq" and "bytes" then place its bytes in the stream.  A
 * receive took bytes of exactly the sends whose bytes overlap its own, and
 * stream_join() names them, as the kernel would have: a scalar stamp
 * (node, id32) per send.
 *
 * Sequence numbers are 32 bits: offsets from the stream's start are
 * unwrapped, per node and stream, in the order of event ids, so a log that
 * starts within the first 4 GiB of a stream places every byte exactly.
 */

#include <errno.h>
#include <stdlib.h>

#include "log.h"
#include "streamjoin.h"

struct piece {
	uint64_t stream, node, id;
	uint64_t off;		/* unwrapped offset of the first byte */
	uint64_t bytes;
	uint32_t ev;
};

static int by_stream(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	if (x->stream != y->stream)
		return x->stream < y->stream ? -1 : 1;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

static int by_offset(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	if (x->stream != y->stream)
		return x->stream < y->stream ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return 0;
}

/* Does @e name a send by a vector stamp (then it names all it read)? */
static bool names_vector(const struct log_set *ls, const struct log_event *e)
{
	uint32_t k;

	for (k = 0; k < e->nfrom; k++)
		if (ls->from[e->from + k].vector)
			return true;
	return false;
}

static bool joinable(const struct log_set *ls, const struct log_event *e,
		     enum ev_type type)
{
	const uint16_t need = HAS_STREAM | HAS_SEQ | HAS_BYTES;

	return e->type == type && e->proto == PROTO_TCP && (e->has & need) == need &&
	       e->bytes && (type == EV_SEND || !names_vector(ls, e));
}

/*
 * The pieces of @type events, sorted by stream and offset: offsets are
 * unwrapped along each node's events of a stream, in id order.
 */
static struct piece *pieces(const struct log_set *ls, enum ev_type type, size_t *n)
{
	struct piece *p;
	size_t i, k = 0;
	uint64_t last = 0;

	for (i = 0; i < ls->n; i++)
		k += joinable(ls, &ls->ev[i], type);
	*n = k;
	p = malloc((k + 1) * sizeof(*p));
	if (!p)
		return NULL;
	for (i = 0, k = 0; i < ls->n; i++) {
		const struct log_event *e = &ls->ev[i];

		if (joinable(ls, e, type))
			p[k++] = (struct piece){ e->stream, e->node, e->id,
						 (uint32_t)(e->seq - (e->stream >> 32)),
						 e->bytes, i };
	}
	qsort(p, k, sizeof(*p), by_stream);
	for (i = 0; i < k; i++) {
		if (i && p[i].stream == p[i - 1].stream && p[i].node == p[i - 1].node)
			p[i].off = last + (int32_t)((uint32_t)p[i].off - (uint32_t)last);
		last = p[i].off;
	}
	qsort(p, k, sizeof(*p), by_offset);
	return p;
}

/* The first send of @s[0..n) whose bytes end after @off (n if none). */
static size_t first_after(const struct piece *s, size_t n, uint64_t stream, uint64_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].stream < stream ||
		    (s[mid].stream == stream && s[mid].off + s[mid].bytes <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does one node alone send on the stream of @s[i] (else it is no one's)? */
static bool one_sender(const struct piece *s, size_t n, size_t i)
{
	size_t j;

	for (j = i; j > 0 && s[j - 1].stream == s[i].stream; j--)
		if (s[j - 1].node != s[i].node)
			return false;
	for (j = i + 1; j < n && s[j].stream == s[i].stream; j++)
		if (s[j].node != s[i].node)
			return false;
	return true;
}

/* Does the run of "from" at @first hold @st? */
static bool named(const struct log_set *ls, size_t first, const struct log_stamp *st)
{
	size_t k;

	for (k = first; k < ls->nfrom; k++)
		if (!ls->from[k].vector && ls->from[k].who == st->who && ls->from[k].n == st->n)
			return true;
	return false;
}

/**
 * stream_join() - name the sends of TCP receives by their bytes
 * @ls: the merged logs
 *
 * Receives with a stream, seq and bytes get a "from" that names every send
 * of the logs whose bytes they read, after the names the kernel gave (a
 * scalar peer names the send its node id came with; vector receives name
 * all theirs and are left alone); nothing more when no log has those sends,
 * or when two nodes send on one stream (then the stream names no
 * connection for sure).
 *
 * Return: 0, or -ENOMEM.
 */
int stream_join(struct log_set *ls)
{
	struct piece *s, *r;
	size_t ns, nr, i, j;
	int err = 0;

	s = pieces(ls, EV_SEND, &ns);
	r = pieces(ls, EV_RECV, &nr);
	if (!s || !r) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr && !err; i++) {
		struct log_event *e = &ls->ev[r[i].ev];
		uint64_t end = r[i].off + r[i].bytes;
		size_t first = ls->nfrom, k;

		j = first_after(s, ns, r[i].stream, r[i].off);
		if (j == ns || s[j].stream != r[i].stream || s[j].off >= end ||
		    !one_sender(s, ns, j))
			continue;
		/* a new run: the kernel's names, then the joined ones */
		for (k = 0; k < e->nfrom && !err; k++) {
			struct log_stamp st = ls->from[e->from + k];

			err = log_add_stamp(ls, &st);
		}
		for (; !err && j < ns && s[j].stream == r[i].stream && s[j].off < end; j++) {
			struct log_stamp st = { s[j].node, s[j].id & UINT32_MAX, false };

			/* named already, or a send logged twice */
			if (named(ls, first, &st))
				continue;
			if (ls->nfrom - first == UINT16_MAX - 1)
				break;
			err = log_add_stamp(ls, &st);
		}
		e->from = first;
		e->nfrom = ls->nfrom - first;
		e->has |= HAS_FROM;
	}
out:
	free(s);
	free(r);
	return err;
}

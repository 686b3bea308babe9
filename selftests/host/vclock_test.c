// SPDX-License-Identifier: GPL-2.0
/*
 * The vector clock algebra of include/causal/vclock.h, compiled for user
 * space: the basic rules, and random message-passing runs checked pair by
 * pair against the transitive closure of their own happened-before relation,
 * with widths large enough to be exact and small enough to lose entries.
 */

#include <stdlib.h>
#include <string.h>
#include <causal/vclock.h>

#include "kselftest_harness.h"

#define W 8

struct vbuf {
	struct causal_vec v;
	struct causal_vent e[CAUSAL_VEC_WIDTH_MAX];
};

static struct causal_vec *vinit(struct vbuf *b, unsigned int width)
{
	memset(b, 0, sizeof(*b));
	b->v.width = width;
	return &b->v;
}

TEST(tick_and_merge)
{
	struct vbuf ba, bb;
	struct causal_vec *a = vinit(&ba, W), *b = vinit(&bb, W);

	causal_vec_tick(a, 7);
	causal_vec_tick(a, 7);
	EXPECT_EQ(2, causal_vec_get(a, 7));
	causal_vec_tick(b, 3);
	EXPECT_EQ(CAUSAL_ORDER_CONCURRENT, causal_vec_order(a, b));
	causal_vec_merge(b, a);
	causal_vec_tick(b, 3);
	EXPECT_EQ(2, b->len);
	EXPECT_EQ(3, b->e[0].id);		/* sorted by id */
	EXPECT_EQ(CAUSAL_ORDER_BEFORE, causal_vec_order(a, b));
	EXPECT_EQ(CAUSAL_ORDER_AFTER, causal_vec_order(b, a));
	EXPECT_EQ(CAUSAL_ORDER_EQUAL, causal_vec_order(a, a));
}

TEST(full_vector_keeps_own_entry_and_turns_lossy)
{
	struct vbuf ba;
	struct causal_vec *a = vinit(&ba, 2);

	causal_vec_raise(a, 10, 1);
	causal_vec_raise(a, 20, 1);
	EXPECT_EQ(0, a->lossy);
	EXPECT_EQ(-1, causal_vec_raise(a, 30, 1));
	EXPECT_EQ(1, a->lossy);
	causal_vec_tick(a, 5);
	EXPECT_EQ(1, causal_vec_get(a, 5));
	EXPECT_EQ(2, a->len);
}

TEST(lossy_vectors_prove_nothing_in_their_favour)
{
	struct vbuf ba, bb;
	struct causal_vec *a = vinit(&ba, W), *b = vinit(&bb, W);

	causal_vec_raise(a, 1, 1);
	causal_vec_raise(b, 1, 2);
	a->lossy = 1;
	EXPECT_EQ(CAUSAL_ORDER_UNKNOWN, causal_vec_order(a, b));
	EXPECT_EQ(CAUSAL_ORDER_UNKNOWN, causal_vec_order(b, a));
	a->lossy = 0;
	b->lossy = 1;
	/* a exact and below b: true whatever b lost */
	EXPECT_EQ(CAUSAL_ORDER_BEFORE, causal_vec_order(a, b));
	EXPECT_EQ(CAUSAL_ORDER_AFTER, causal_vec_order(b, a));
}

TEST(count_saturates_lossy)
{
	struct vbuf ba;
	struct causal_vec *a = vinit(&ba, W);

	causal_vec_raise(a, 1, CAUSAL_VEC_COUNT_MAX);
	causal_vec_tick(a, 1);
	EXPECT_EQ(CAUSAL_VEC_COUNT_MAX, causal_vec_get(a, 1));
	EXPECT_EQ(1, a->lossy);
}

#define PROCS 12
#define EVENTS 600

struct ev {
	struct vbuf v;
	__u64 own;		/* its process's participant id */
	unsigned char *hb;	/* hb[j]: this event happened before event j? */
};

/*
 * Hold answer @o about events @i and @j to the truth; count it in *@exact
 * if it is one.
 */
static void judge(struct __test_metadata *_metadata, struct ev *ev, enum causal_order o,
		  int i, int j, unsigned int seed, const char *rule, long *exact)
{
	switch (o) {
	case CAUSAL_ORDER_BEFORE:
		ASSERT_EQ(1, ev[i].hb[j]) TH_LOG("seed %u, %s: %d before %d", seed, rule, i, j);
		++*exact;
		break;
	case CAUSAL_ORDER_AFTER:
		ASSERT_EQ(1, ev[j].hb[i]) TH_LOG("seed %u, %s: %d after %d", seed, rule, i, j);
		++*exact;
		break;
	case CAUSAL_ORDER_CONCURRENT:
		ASSERT_EQ(0, ev[i].hb[j] | ev[j].hb[i])
			TH_LOG("seed %u, %s: %d concurrent with %d", seed, rule, i, j);
		++*exact;
		break;
	case CAUSAL_ORDER_EQUAL:
		ASSERT_TRUE(0) TH_LOG("seed %u, %s: distinct events %d %d equal", seed, rule, i, j);
		break;
	case CAUSAL_ORDER_UNKNOWN:
		break;
	}
}

/*
 * A random run: each event is a local step, a send, or a receive of a
 * message in flight (any order).  Truth is the transitive closure of program
 * order and message edges.  Every pair is answered by the vectors alone
 * (*@exact counts the exact answers) and with the events' participants
 * (*@exact_own).
 */
static void random_run(struct __test_metadata *_metadata, unsigned int seed,
		       unsigned int width, long *exact, long *exact_own, long *pairs)
{
	static struct ev ev[EVENTS];
	struct vbuf proc[PROCS];
	int last[PROCS], inflight[EVENTS], nflight = 0;
	int i, j, k, p;

	srandom(seed);
	for (p = 0; p < PROCS; p++) {
		vinit(&proc[p], width);
		last[p] = -1;
	}
	for (i = 0; i < EVENTS; i++) {
		int from = -1;

		ev[i].hb = calloc(EVENTS, 1);
		ASSERT_NE(NULL, ev[i].hb);
		p = random() % PROCS;
		if (nflight && random() % 3 == 0) {
			k = random() % nflight;
			from = inflight[k];
			inflight[k] = inflight[--nflight];
			causal_vec_merge(&proc[p].v, &ev[from].v.v);
		}
		causal_vec_tick(&proc[p].v, 100 + p * 7919);
		memcpy(&ev[i].v, &proc[p], sizeof(proc[p]));
		ev[i].own = 100 + p * 7919;
		if (random() % 2)
			inflight[nflight++] = i;
		/* truth: everything before the process's last event or the send */
		for (j = 0; j < i; j++)
			if (j == last[p] || j == from ||
			    (last[p] >= 0 && ev[j].hb[last[p]]) ||
			    (from >= 0 && ev[j].hb[from]))
				ev[j].hb[i] = 1;
		last[p] = i;
	}
	for (i = 0; i < EVENTS; i++) {
		for (j = 0; j < EVENTS; j++) {
			if (i == j)
				continue;
			++*pairs;
			judge(_metadata, ev, causal_vec_order(&ev[i].v.v, &ev[j].v.v), i, j, seed,
			      "vectors alone", exact);
			judge(_metadata, ev,
			      causal_vec_order_own(&ev[i].v.v, ev[i].own, &ev[j].v.v, ev[j].own),
			      i, j, seed, "with participants", exact_own);
		}
	}
	for (i = 0; i < EVENTS; i++)
		free(ev[i].hb);
}

TEST(random_runs_exact_when_wide_enough)
{
	long exact = 0, exact_own = 0, pairs = 0;
	unsigned int seed;

	for (seed = 1; seed <= 3; seed++)
		random_run(_metadata, seed, PROCS, &exact, &exact_own, &pairs);
	EXPECT_EQ(pairs, exact);
	EXPECT_EQ(pairs, exact_own);
}

/*
 * Lossy vectors: never a false answer, and the participants' own entries
 * prove orders the vectors alone cannot.
 */
TEST(random_runs_never_false_when_narrow)
{
	long exact = 0, exact_own = 0, pairs = 0;
	unsigned int seed;

	for (seed = 1; seed <= 3; seed++)
		random_run(_metadata, seed, 4, &exact, &exact_own, &pairs);
	EXPECT_LT(exact, pairs);
	EXPECT_GT(exact, 0);
	EXPECT_GT(exact_own, exact);
	TH_LOG("width 4 of %d: %ld of %ld pairs answered exactly, %ld with participants",
	       PROCS, exact, pairs, exact_own);
}

TEST(own_entries_order_lossy_events)
{
	struct vbuf ba, bb, bc;
	struct causal_vec *a = vinit(&ba, W), *b = vinit(&bb, W), *c = vinit(&bc, W);

	/* a: participant 1's third event, having lost what it knew of 9 */
	causal_vec_raise(a, 1, 3);
	a->lossy = 1;
	/* b: participant 2 heard of it, and lost something else */
	causal_vec_raise(b, 1, 3);
	causal_vec_raise(b, 2, 5);
	b->lossy = 1;
	EXPECT_EQ(CAUSAL_ORDER_UNKNOWN, causal_vec_order(a, b));
	EXPECT_EQ(CAUSAL_ORDER_BEFORE, causal_vec_order_own(a, 1, b, 2));
	EXPECT_EQ(CAUSAL_ORDER_AFTER, causal_vec_order_own(b, 2, a, 1));
	/* c heard only of participant 1's second event: no order proven */
	causal_vec_raise(c, 1, 2);
	causal_vec_raise(c, 3, 1);
	EXPECT_EQ(CAUSAL_ORDER_UNKNOWN, causal_vec_order_own(a, 1, c, 3));
	/* exact, neither heard of the other: concurrent */
	c->lossy = 0;
	a->lossy = 0;
	EXPECT_EQ(CAUSAL_ORDER_CONCURRENT, causal_vec_order_own(a, 1, c, 3));
	/* one participant: its counts order its events */
	causal_vec_raise(c, 1, 7);
	c->lossy = 1;
	EXPECT_EQ(CAUSAL_ORDER_BEFORE, causal_vec_order_own(a, 1, c, 1));
	/* a saturated count is every later event's too: it proves nothing */
	causal_vec_raise(a, 1, CAUSAL_VEC_COUNT_MAX);
	causal_vec_raise(b, 1, CAUSAL_VEC_COUNT_MAX);
	EXPECT_EQ(CAUSAL_ORDER_UNKNOWN, causal_vec_order_own(a, 1, b, 2));
	/* unknown participants: the vectors alone */
	EXPECT_EQ(causal_vec_order(a, b), causal_vec_order_own(a, 0, b, 2));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The clock algebra of include/causal/clock.h, compiled for user space: the
 * packed HLC rules against a literal transcription of the paper's algorithm,
 * the Lamport condition on random message graphs, saturation at the top.
 */

#include <stdlib.h>
#include <causal/clock.h>

#include "kselftest_harness.h"

/* Kulkarni et al. 2014, Figure 5, with l and c kept apart. */
struct hlc_ref {
	__u64 l;	/* 48-bit physical part, already shifted down */
	__u64 c;
};

static void ref_send(struct hlc_ref *h, __u64 pt)
{
	__u64 l0 = h->l;

	h->l = causal_max(l0, pt);
	h->c = h->l == l0 ? h->c + 1 : 0;
}

static void ref_recv(struct hlc_ref *h, __u64 lm, __u64 cm, __u64 pt)
{
	__u64 l0 = h->l;

	h->l = causal_max(causal_max(l0, lm), pt);
	if (h->l == l0 && h->l == lm)
		h->c = causal_max(h->c, cm) + 1;
	else if (h->l == l0)
		h->c = h->c + 1;
	else if (h->l == lm)
		h->c = cm + 1;
	else
		h->c = 0;
}

static __u64 pack(__u64 l, __u64 c)
{
	return l << CAUSAL_HLC_LOGICAL_BITS | c;
}

static __u64 rnd64(void)
{
	return (__u64)random() << 33 ^ (__u64)random() << 11 ^ (__u64)random();
}

TEST(lamport_send_ticks_by_one)
{
	EXPECT_EQ(1, causal_lamport_send(0));
	EXPECT_EQ(42, causal_lamport_send(41));
}

TEST(lamport_receive_takes_max_plus_one)
{
	EXPECT_EQ(11, causal_lamport_recv(3, 10));
	EXPECT_EQ(4, causal_lamport_recv(3, 1));
	EXPECT_EQ(4, causal_lamport_recv(3, 3));
}

TEST(clocks_saturate_instead_of_wrapping)
{
	EXPECT_EQ(CAUSAL_CLOCK_MAX, causal_lamport_send(CAUSAL_CLOCK_MAX));
	EXPECT_EQ(CAUSAL_CLOCK_MAX, causal_lamport_recv(5, CAUSAL_CLOCK_MAX));
	EXPECT_EQ(CAUSAL_CLOCK_MAX, causal_hlc_send(CAUSAL_CLOCK_MAX, 100));
	EXPECT_EQ(CAUSAL_CLOCK_MAX, causal_hlc_recv(1, CAUSAL_CLOCK_MAX, 100));
}

TEST(hlc_packed_rules_match_the_paper)
{
	struct hlc_ref ref = { 0, 0 };
	__u64 v = 0, pt = 1000, i;

	srandom(1);
	for (i = 0; i < 1000000; i++) {
		/* wall time mostly advances, sometimes stalls or steps back */
		switch (random() % 4) {
		case 0:
			pt += random() % 3;
			break;
		case 1:
			pt -= pt > 10 ? random() % 3 : 0;
			break;
		}
		if (random() % 2) {
			ref_send(&ref, pt);
			v = causal_hlc_send(v, pack(pt, 0));
		} else {
			__u64 lm = ref.l + random() % 5 - 2, cm = random() % 50;

			ref_recv(&ref, lm, cm, pt);
			v = causal_hlc_recv(v, pack(lm, cm), pack(pt, 0));
		}
		/* keep c inside 16 bits: the paper's bound, not the carry case */
		if (ref.c > 0xff00)
			break;
		ASSERT_EQ(pack(ref.l, ref.c), v) TH_LOG("step %llu", (unsigned long long)i);
	}
	EXPECT_EQ(1000000, i);
}

TEST(hlc_physical_part_is_the_max_of_what_was_heard)
{
	__u64 v = 0, wall = causal_hlc_wall(1700000000ULL * NSEC_PER_SEC);
	__u64 remote = wall + (5ULL << 32);	/* a peer 5 s ahead */

	v = causal_hlc_send(v, wall);
	EXPECT_EQ(wall, v);
	EXPECT_EQ(0, causal_hlc_logical(v));
	v = causal_hlc_recv(v, remote, wall);
	EXPECT_EQ(remote + 1, v);
	v = causal_hlc_send(v, wall + 10);
	EXPECT_EQ(remote + 2, v);
	/* once wall time passes what was heard, the counter resets */
	v = causal_hlc_send(v, remote + (1ULL << 32));
	EXPECT_EQ(remote + (1ULL << 32), v);
	EXPECT_EQ(0, causal_hlc_logical(v));
}

TEST(hlc_wall_round_trips_within_its_resolution)
{
	__u64 ns, back, i;

	srandom(2);
	for (i = 0; i < 100000; i++) {
		ns = rnd64() % (4000000000ULL * NSEC_PER_SEC);
		back = causal_hlc_ns(causal_hlc_wall(ns));
		ASSERT_LE(back, ns);
		/* 2^-16 s = 15258.8 ns, plus rounding of the fraction */
		ASSERT_LT(ns - back, 15260);
	}
	EXPECT_EQ(0, causal_hlc_logical(causal_hlc_wall(12345)));
}

/*
 * The low 56 bits of a stamp, widened from any value less than 2^55 away,
 * give the stamp back; across a carry into the top bits too, and at both
 * ends of the number space.
 */
TEST(widen_restores_stamps_from_a_near_value)
{
	const __u64 half = 1ULL << 55, mask = (1ULL << 56) - 1;
	__u64 v, ref, d, i;

	srandom(3);
	for (i = 0; i < 1000000; i++) {
		v = rnd64();
		if (i % 4 == 0)		/* near a carry of the top bits */
			v = (v & ~mask) + (rnd64() % 64) - 32;
		d = rnd64() % half;
		if ((random() & 1) && v >= d)
			ref = v - d;
		else if (v <= ~0ULL - d)
			ref = v + d;
		else
			ref = v - d;
		ASSERT_EQ(v, causal_widen(v & mask, ref, 56));
	}
	EXPECT_EQ(5, causal_widen(5, 0, 56));
	EXPECT_EQ(~0ULL, causal_widen(mask, ~0ULL - 3, 56));
	/* HLC: a stamp of now, widened from the wall time of a day before */
	v = causal_hlc_wall(1764180000ULL * NSEC_PER_SEC) | 7;
	EXPECT_EQ(v, causal_widen(v & mask, v - (86400ULL << 32), 56));
}

/*
 * N nodes, random sends and receives over FIFO channels: every receive is
 * later than its send, and every node's clock strictly increases.
 */
static void lamport_condition(struct __test_metadata *_metadata, bool hlc)
{
	enum { N = 6, QLEN = 64 };
	__u64 clock[N] = { 0 }, wall[N], q[N][N][QLEN];
	int head[N][N] = { { 0 } }, tail[N][N] = { { 0 } };
	int step, i, checked = 0;

	for (i = 0; i < N; i++)
		wall[i] = causal_hlc_wall((1700000000ULL + i) * NSEC_PER_SEC);
	srandom(hlc ? 4 : 3);
	for (step = 0; step < 200000; step++) {
		int a = random() % N, b = random() % N;
		__u64 before = clock[a];

		wall[a] += random() % 100000;
		if (random() % 2 && tail[a][b] - head[a][b] < QLEN) {
			clock[a] = hlc ? causal_hlc_send(clock[a], wall[a] & ~CAUSAL_HLC_LOGICAL_MASK)
				       : causal_lamport_send(clock[a]);
			q[a][b][tail[a][b]++ % QLEN] = clock[a];
		} else if (head[b][a] < tail[b][a]) {
			__u64 stamp = q[b][a][head[b][a]++ % QLEN];

			clock[a] = hlc ? causal_hlc_recv(clock[a], stamp,
							 wall[a] & ~CAUSAL_HLC_LOGICAL_MASK)
				       : causal_lamport_recv(clock[a], stamp);
			ASSERT_LT(stamp, clock[a]);
			checked++;
		} else {
			continue;
		}
		ASSERT_LT(before, clock[a]);
	}
	EXPECT_LT(10000, checked);
}

TEST(lamport_condition_holds_on_random_message_graphs)
{
	lamport_condition(_metadata, false);
}

TEST(hlc_keeps_the_lamport_condition)
{
	lamport_condition(_metadata, true);
}

TEST_HARNESS_MAIN

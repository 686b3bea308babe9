// SPDX-License-Identifier: GPL-2.0
/*
 * The payload forms of include/uapi/linux/causal_wire.h, compiled for user
 * space: compact vector entries (version 1) read back as written, byte for
 * byte as Documentation/wire.rst lays them out, and every malformed entry
 * refused without reading past the payload.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uapi/linux/causal_wire.h>

#include "kselftest_harness.h"

#define COMPACT (CAUSAL_TCPOPT_F_VECTOR | CAUSAL_PAY_VEC_VERSION << CAUSAL_TCPOPT_F_VERSION_SHIFT)

/* Read every entry of @pay: how many, or -1 at a malformed one. */
static int read_all(const uint8_t *pay, uint32_t len, struct causal_wire_vent *e, int max)
{
	uint32_t off = 1, prev = 1;
	int n = 0, r;

	while ((r = causal_pay_vent_next(pay, len, &off, &e[n < max ? n : max - 1])) > 0) {
		if (off <= prev || off > len)
			return -2;	/* no progress, or read past the end */
		prev = off;
		n++;
	}
	return r < 0 ? -1 : n;
}

TEST(varints_round_trip_at_every_boundary)
{
	static const uint32_t v[] = { 0, 1, 127, 128, 16383, 16384, (1u << 21) - 1, 1u << 21,
				      (1u << 28) - 1, 1u << 28, 0xffffffffu };
	struct causal_wire_vent e[1];
	uint8_t pay[16];
	unsigned int i;
	uint32_t len;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		pay[0] = COMPACT;
		pay[1] = 5;	/* index 5, no id */
		len = 2 + causal_varint_put(&pay[2], v[i]);
		EXPECT_EQ(2 + causal_varint_len(v[i]), len);
		ASSERT_EQ(1, read_all(pay, len, e, 1));
		EXPECT_EQ(v[i], e[0].n);
		EXPECT_EQ(5, e[0].index);
		EXPECT_EQ(0, e[0].named);
	}
	EXPECT_EQ(1, causal_varint_len(127));
	EXPECT_EQ(2, causal_varint_len(128));
	EXPECT_EQ(5, causal_varint_len(0xffffffffu));
}

/* The example of Documentation/wire.rst, byte for byte. */
TEST(compact_entries_as_documented)
{
	static const uint8_t pay[] = {
		0x42,						/* version 1, vector */
		0x83, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde,	/* named, index 3 */
		0xac, 0x02,					/* count 300 */
		0x05, 0x07,					/* index 5, count 7 */
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,	/* named, no index */
		0x01,						/* count 1 */
		0x42, 0x7f,					/* the receiver's index 2, 127 */
	};
	struct causal_wire_vent e[4];

	ASSERT_EQ(4, read_all(pay, sizeof(pay), e, 4));
	EXPECT_EQ(0, e[0].yours);
	EXPECT_EQ(0, e[1].yours);
	EXPECT_EQ(0, e[3].named);
	EXPECT_EQ(1, e[3].yours);
	EXPECT_EQ(2, e[3].index);
	EXPECT_EQ(127, e[3].n);
	EXPECT_EQ(1, e[0].named);
	EXPECT_EQ(3, e[0].index);
	EXPECT_EQ(0x123456789abcdeULL, e[0].id);
	EXPECT_EQ(300, e[0].n);
	EXPECT_EQ(0, e[1].named);
	EXPECT_EQ(5, e[1].index);
	EXPECT_EQ(7, e[1].n);
	EXPECT_EQ(1, e[2].named);
	EXPECT_EQ(0, e[2].index);
	EXPECT_EQ(1, e[2].id);
	EXPECT_EQ(1, e[2].n);
	EXPECT_TRUE(causal_tcp_pay_valid(pay, sizeof(pay)));
	/* the flags byte alone: a vector of no entry */
	EXPECT_EQ(0, read_all(pay, 1, e, 4));
}

/* With a base count: each entry's count is an offset from it. */
TEST(compact_entries_from_a_base)
{
	static const uint8_t pay[] = {
		0x4a,						/* version 1, vector, base */
		0xac, 0x02,					/* base 300 */
		0x83, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde,	/* named, index 3 */
		0x00,						/* count 300 */
		0x05, 0x07,					/* index 5, count 307 */
	};
	static const uint8_t over[] = {
		0x4a, 0xff, 0xff, 0xff, 0xff, 0x0f,		/* base 2^32 - 1 */
		0x05, 0x01,					/* one more */
	};
	struct causal_wire_vent e[2];

	ASSERT_EQ(2, read_all(pay, sizeof(pay), e, 2));
	EXPECT_EQ(0x123456789abcdeULL, e[0].id);
	EXPECT_EQ(300, e[0].n);
	EXPECT_EQ(5, e[1].index);
	EXPECT_EQ(307, e[1].n);
	/* a base cut short; a count past 32 bits; the flags byte alone */
	EXPECT_EQ(-1, read_all(pay, 2, e, 2));
	EXPECT_EQ(-1, read_all(over, sizeof(over), e, 2));
	EXPECT_EQ(0, read_all(pay, 1, e, 2));
	EXPECT_EQ(1, read_all(over, sizeof(over) - 1, e, 2) == -1);
}

TEST(malformed_compact_entries_are_refused)
{
	static const struct {
		const char *what;
		uint8_t b[12];
		uint32_t len;
	} bad[] = {
		{ "no id and no index", { COMPACT, 0x00, 0x01 }, 3 },
		{ "the receiver's index 0", { COMPACT, 0x40, 0x01 }, 3 },
		{ "named, with the receiver's index",
		  { COMPACT, 0xc1, 0, 0, 0, 0, 0, 0, 1, 1 }, 10 },
		{ "id cut short", { COMPACT, 0x81, 1, 2, 3 }, 5 },
		{ "id zero", { COMPACT, 0x81, 0, 0, 0, 0, 0, 0, 0, 1 }, 10 },
		{ "no count", { COMPACT, 0x02 }, 2 },
		{ "count runs past the end", { COMPACT, 0x02, 0x80, 0x80 }, 4 },
		{ "count of six bytes", { COMPACT, 0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 8 },
		{ "count over 32 bits", { COMPACT, 0x02, 0xff, 0xff, 0xff, 0xff, 0x10 }, 7 },
		{ "second entry cut", { COMPACT, 0x02, 0x01, 0x83, 1, 2 }, 6 },
	};
	struct causal_wire_vent e[4];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TH_LOG("%s", bad[i].what);
		EXPECT_EQ(-1, read_all(bad[i].b, bad[i].len, e, 4));
	}
}

TEST(version_0_entries_still_read)
{
	uint8_t pay[1 + 2 * CAUSAL_PAY_VEC_ENTRY] = { CAUSAL_TCPOPT_F_VECTOR };
	struct causal_wire_vent e[2];

	causal_wire_putn(&pay[1], 0xabcdef, CAUSAL_PAY_VEC_ID_BYTES);
	causal_wire_put32(&pay[1 + CAUSAL_PAY_VEC_ID_BYTES], 70000);
	causal_wire_putn(&pay[12], 0x42, CAUSAL_PAY_VEC_ID_BYTES);
	causal_wire_put32(&pay[12 + CAUSAL_PAY_VEC_ID_BYTES], 1);
	ASSERT_EQ(2, read_all(pay, sizeof(pay), e, 2));
	EXPECT_EQ(0xabcdef, e[0].id);
	EXPECT_EQ(70000, e[0].n);
	EXPECT_EQ(0x42, e[1].id);
	EXPECT_EQ(1, e[1].n);
	EXPECT_TRUE(causal_tcp_pay_valid(pay, sizeof(pay)));
	/* a trailing part of an entry */
	EXPECT_EQ(-1, read_all(pay, sizeof(pay) - 1, e, 2));
	EXPECT_FALSE(causal_tcp_pay_valid(pay, sizeof(pay) - 1));
}

TEST(tcp_forms_by_version)
{
	uint8_t pay[CAUSAL_PAY_MAX + 1] = { COMPACT };
	uint32_t l;

	for (l = 1; l <= CAUSAL_PAY_MAX; l++)
		EXPECT_TRUE(causal_tcp_pay_valid(pay, l));
	EXPECT_FALSE(causal_tcp_pay_valid(pay, CAUSAL_PAY_MAX + 1));
	EXPECT_FALSE(causal_tcp_pay_valid(pay, 0));
	/* version 1 is for vectors only; UDP takes version 0 only */
	pay[0] = CAUSAL_PAY_VEC_VERSION << CAUSAL_TCPOPT_F_VERSION_SHIFT;
	EXPECT_FALSE(causal_tcp_pay_valid(pay, CAUSAL_PAY_SCALAR_CLOCK));
	EXPECT_FALSE(causal_tcp_pay_valid(pay, CAUSAL_PAY_SCALAR_FULL));
	pay[0] = COMPACT;
	EXPECT_FALSE(causal_pay_valid(pay, 12, CAUSAL_UDP_PAY_MAX));
	/* a compact vector as long as the scalar clock form is a vector */
	EXPECT_TRUE(causal_tcp_pay_valid(pay, CAUSAL_PAY_SCALAR_CLOCK));
	pay[0] = 0;
	EXPECT_TRUE(causal_tcp_pay_valid(pay, CAUSAL_PAY_SCALAR_CLOCK));
	/* a vector shortens to its flags byte, and no further */
	EXPECT_EQ(1, causal_pay_shorter(1, 24));
	EXPECT_EQ(0, causal_pay_shorter(1, 1));
}

/* Random bytes: every entry read stays inside the payload. */
TEST(random_payloads_never_read_past_the_end)
{
	struct causal_wire_vent e[CAUSAL_PAY_MAX];
	uint8_t pay[CAUSAL_PAY_MAX];
	int i, r, ok = 0, bad = 0;
	uint32_t len, k;

	srandom(20261205);
	for (i = 0; i < 200000; i++) {
		len = 1 + random() % CAUSAL_PAY_MAX;
		pay[0] = COMPACT | (random() % 2 ? CAUSAL_TCPOPT_F_BASE : 0);
		for (k = 1; k < len; k++)
			pay[k] = random() % 4 ? random() % 8 : random();
		r = read_all(pay, len, e, CAUSAL_PAY_MAX);
		ASSERT_NE(-2, r);
		if (r < 0)
			bad++;
		else
			ok++;
	}
	TH_LOG("%d payloads read whole, %d refused", ok, bad);
	EXPECT_GT(ok, 0);
	EXPECT_GT(bad, 0);
}

TEST_HARNESS_MAIN

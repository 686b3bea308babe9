/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rnd.h - the selftests' random numbers: xorshift64*, small and seedable,
 * enough for choosing bytes and kinds; a run prints its seed to be replayed.
 */
#ifndef _CAUSAL_SELFTESTS_RND_H
#define _CAUSAL_SELFTESTS_RND_H

#include <stdint.h>

static uint64_t rnd_state = 1;	/* never 0 */

static inline uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

#endif /* _CAUSAL_SELFTESTS_RND_H */

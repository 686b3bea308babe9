// SPDX-License-Identifier: GPL-2.0
/*
 * mark.c - execute the marker instruction that scripts/bench/insnprof.c
 * takes a snapshot at: xchg %bx,%bx, which changes nothing.
 */
int main(void)
{
	__asm__ volatile("xchg %%bx, %%bx" : : : "memory");
	return 0;
}

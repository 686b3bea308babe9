// SPDX-License-Identifier: GPL-2.0
/*
 * An open-addressing table of 32-bit indices (htab.h).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"

int ht_init(struct htab *h, size_t expect)
{
	size_t size = 16;

	while (size < 2 * expect)
		size *= 2;
	h->slot = malloc(size * sizeof(*h->slot));
	if (!h->slot)
		return -ENOMEM;
	memset(h->slot, 0xff, size * sizeof(*h->slot));
	h->mask = size - 1;
	h->count = 0;
	return 0;
}

void ht_free(struct htab *h)
{
	free(h->slot);
	h->slot = NULL;
}

/**
 * ht_find() - the slot of a key: the one holding it, or the empty one where
 * it goes (the caller stores the index there and counts it)
 * @h: the table, sized by ht_init() for what it will hold
 * @hash: the key's hash
 * @match: whether index @v has the key
 * @ctx: for @match
 * @key: for @match
 *
 * Return: the slot.
 */
uint32_t *ht_find(const struct htab *h, uint64_t hash, ht_match_fn match, const void *ctx,
		  const void *key)
{
	uint32_t i = hash & h->mask;

	while (h->slot[i] != HT_EMPTY && !match(ctx, h->slot[i], key))
		i = (i + 1) & h->mask;
	return &h->slot[i];
}

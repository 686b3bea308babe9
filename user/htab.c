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

static uint32_t *u64map_slot(const struct u64map *m, uint64_t key)
{
	uint32_t i = hash2(key, 0) & m->mask;

	while (m->val[i] != U64MAP_NONE && m->key[i] != key)
		i = (i + 1) & m->mask;
	return &m->val[i];
}

/* The value of @key, or U64MAP_NONE. */
uint32_t u64map_get(const struct u64map *m, uint64_t key)
{
	return m->count ? *u64map_slot(m, key) : U64MAP_NONE;
}

/* Set the value of @key (not U64MAP_NONE): 0, or -ENOMEM. */
int u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	uint32_t *slot;

	if (2 * (m->count + 1) > (m->count ? m->mask + 1 : 0)) {
		struct u64map n = { .mask = m->count ? 2 * m->mask + 1 : 255 };
		uint32_t i;

		n.key = malloc((n.mask + 1) * sizeof(*n.key));
		n.val = malloc((n.mask + 1) * sizeof(*n.val));
		if (!n.key || !n.val) {
			free(n.key);
			free(n.val);
			return -ENOMEM;
		}
		memset(n.val, 0xff, (n.mask + 1) * sizeof(*n.val));
		for (i = 0; m->count && i <= m->mask; i++) {
			if (m->val[i] == U64MAP_NONE)
				continue;
			slot = u64map_slot(&n, m->key[i]);
			*slot = m->val[i];
			n.key[slot - n.val] = m->key[i];
			n.count++;
		}
		free(m->key);
		free(m->val);
		*m = n;
	}
	slot = u64map_slot(m, key);
	if (*slot == U64MAP_NONE)
		m->count++;
	*slot = val;
	m->key[slot - m->val] = key;
	return 0;
}

void u64map_free(struct u64map *m)
{
	free(m->key);
	free(m->val);
	*m = (struct u64map){};
}

static struct kent *kmap_slot(struct kmap *k, uint64_t node, uint64_t a, uint64_t b)
{
	uint32_t i = hash2(node, a ^ (b << 29 | b >> 35)) & k->mask;

	while (k->v[i].used && (k->v[i].node != node || k->v[i].a != a || k->v[i].b != b))
		i = (i + 1) & k->mask;
	return &k->v[i];
}

/**
 * kmap_get() - the entry of a key, made (its value 0) if new
 * @k: the map
 * @node: the key's first part
 * @a: its second
 * @b: its third
 *
 * Return: the entry, valid until the next kmap_get(), or NULL when out of memory.
 */
struct kent *kmap_get(struct kmap *k, uint64_t node, uint64_t a, uint64_t b)
{
	struct kent *e;
	uint32_t i;

	if (2 * (k->count + 1) > (k->v ? k->mask + 1 : 0)) {
		struct kmap n = { .mask = k->v ? 2 * k->mask + 1 : 1023 };

		n.v = calloc(n.mask + 1, sizeof(*n.v));
		if (!n.v)
			return NULL;
		for (i = 0; k->v && i <= k->mask; i++)
			if (k->v[i].used)
				*kmap_slot(&n, k->v[i].node, k->v[i].a, k->v[i].b) = k->v[i];
		n.count = k->count;
		free(k->v);
		*k = n;
	}
	e = kmap_slot(k, node, a, b);
	if (!e->used) {
		*e = (struct kent){ node, a, b, 0, true };
		k->count++;
	}
	return e;
}

void kmap_free(struct kmap *k)
{
	free(k->v);
	*k = (struct kmap){};
}

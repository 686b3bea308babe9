/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_HTAB_H
#define _CAUSALCTL_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A hash of two 64-bit words, for the tables of log.c, graph.c and why.c. */
static inline uint64_t hash2(uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x;
}

/*
 * An open-addressing table of event (or other object) indices: the caller
 * knows what an index's key is, so a slot costs four bytes.
 */
#define HT_EMPTY UINT32_MAX

struct htab {
	uint32_t *slot;
	uint32_t mask, count;
};

typedef bool (*ht_match_fn)(const void *ctx, uint32_t v, const void *key);

int ht_init(struct htab *h, size_t expect);
void ht_free(struct htab *h);
uint32_t *ht_find(const struct htab *h, uint64_t hash, ht_match_fn match, const void *ctx,
		  const void *key);

/* A growing open-addressing map of 64-bit keys to 32-bit values. */
struct u64map {
	uint64_t *key;
	uint32_t *val;
	uint32_t mask, count;
};

#define U64MAP_NONE UINT32_MAX

uint32_t u64map_get(const struct u64map *m, uint64_t key);
int u64map_put(struct u64map *m, uint64_t key, uint32_t val);
void u64map_free(struct u64map *m);

/*
 * A growing map of three-part keys to 64-bit values: threads (node, tid,
 * tstart), sockets (node, cookie, ~0).
 */
struct kmap {
	struct kent {
		uint64_t node, a, b, val;
		bool used;
	} *v;
	uint32_t mask, count;
};

struct kent *kmap_get(struct kmap *k, uint64_t node, uint64_t a, uint64_t b);
void kmap_free(struct kmap *k);

#endif /* _CAUSALCTL_HTAB_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_SNAPSHOT_H
#define _CAUSALCTL_SNAPSHOT_H

#include <stdint.h>
#include <causal/vclock.h>

struct cnl;
struct nlattr;

/* A vector clock with room for the widest. */
struct vec_buf {
	struct causal_vec v;
	struct causal_vent e[CAUSAL_VEC_WIDTH_MAX];
};

int snapshot_attrs(const struct cnl *nl, struct nlattr **tb, struct causal_vec *v);
int snapshot_vents(struct nlattr *head, int len, int attr, struct causal_vec *v);
int snapshot_read(const char *path, struct causal_vec *v);
int snapshot_socket(struct cnl *nl, uint64_t cookie, struct causal_vec *v);

#endif /* _CAUSALCTL_SNAPSHOT_H */

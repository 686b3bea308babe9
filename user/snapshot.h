/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_SNAPSHOT_H
#define _CAUSALCTL_SNAPSHOT_H

#include <stdint.h>
#include <causal/vclock.h>

struct cnl;
struct nlattr;

/*
 * A vector clock with room for the widest, and, for a socket's, the
 * participant of its latest event (0 when not known).
 */
struct vec_buf {
	struct causal_vec v;
	struct causal_vent e[CAUSAL_VEC_WIDTH_MAX];
	uint64_t own;
};

int snapshot_attrs(const struct cnl *nl, struct nlattr **tb, struct vec_buf *vb);
int snapshot_vents(struct nlattr *head, int len, int attr, struct causal_vec *v);
int snapshot_read(const char *path, struct vec_buf *vb);
int snapshot_socket(struct cnl *nl, uint64_t cookie, struct vec_buf *vb);

#endif /* _CAUSALCTL_SNAPSHOT_H */

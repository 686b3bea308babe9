/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_CGNAME_H
#define _CAUSALCTL_CGNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_ID_LEN 64		/* a container id: 64 hex digits */
#define CG_UID_LEN 36		/* a pod UID: 8-4-4-4-12 */

/**
 * struct cg_names - what a cgroup's path says of the process in it
 * @runtime: "docker", "containerd", "cri-o", "podman" or "cri" (a
 *	Kubernetes container whose runtime the path does not name); NULL
 *	without a container
 * @container: the container's id, or ""
 * @pod: the Kubernetes pod's UID, or ""
 * @unit: the systemd unit (service or scope) it runs in (the deepest), or ""
 */
struct cg_names {
	const char *runtime;
	char container[CG_ID_LEN + 1];
	char pod[CG_UID_LEN + 1];
	char unit[256];
};

typedef bool (*cg_fn)(uint64_t id, const char *path, void *arg);

void cg_names_of(const char *path, struct cg_names *n);
void cg_each(const char *dir, cg_fn fn, void *arg);
const char *cg_path_of(uint64_t id);
int cg_resolve(const char *name, char *dir, size_t len, const char **why);

#endif /* _CAUSALCTL_CGNAME_H */

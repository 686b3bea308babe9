// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroups by name.  Events carry their task's cgroup v2 id (the inode number
 * of its directory); causalctl names it by its path under the cgroup2 root
 * and, where the path shows them, by the container, the Kubernetes pod and
 * the systemd unit the task runs in, as container runtimes and the kubelet
 * name their cgroups:
 *
 *   /system.slice/docker-ID.scope                        Docker (systemd)
 *   /docker/ID                                           Docker (cgroupfs)
 *   /system.slice/containerd.service/.../cri-containerd-ID.scope
 *   /machine.slice/libpod-ID.scope                       Podman
 *   /kubepods.slice/kubepods-burstable.slice/
 *       kubepods-burstable-podUID.slice/crio-ID.scope    CRI-O in a pod
 *   /kubepods/besteffort/podUID/ID                       a pod (cgroupfs)
 *
 * ID: 64 hex digits; UID: the pod's, with '_' for '-' in systemd's names.
 * A path is resolved once per cgroup (a walk of the tree indexes every
 * directory's inode, again at most once a second for cgroups made since),
 * and the names are read from the path alone (cg_names_of()).
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "cgname.h"

/* Where the cgroup2 tree is: ip netns exec mounts a /sys without it. */
static const char *const cg_roots[] = { "/sys/fs/cgroup", "/proc/1/root/sys/fs/cgroup" };

#define CG_DEPTH_MAX 32
#define CG_INDEX_MAX 65536

static bool is_hex_id(const char *s, size_t len)
{
	size_t i;

	if (len != CG_ID_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t l = strlen(suffix);

	return len >= l && !memcmp(s + len - l, suffix, l);
}

/*
 * The container one component @c (@len bytes; its parent @p, @plen) names;
 * @in_kubepods: under the kubelet's cgroups.
 */
static bool component_container(const char *c, size_t len, const char *p, size_t plen,
				bool in_kubepods, struct cg_names *n)
{
	static const struct {
		const char *prefix, *runtime;
	} scopes[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },
		{ "libpod-", "podman" },
	};
	const char *runtime = NULL, *id = c;
	size_t i, l;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		l = strlen(scopes[i].prefix);
		if (len > l && !memcmp(c, scopes[i].prefix, l) && ends_with(c, len, ".scope") &&
		    is_hex_id(c + l, len - l - 6)) {
			runtime = scopes[i].runtime;
			id = c + l;
			break;
		}
	}
	if (!runtime && is_hex_id(c, len)) {
		if (plen == 6 && !memcmp(p, "docker", 6))
			runtime = "docker";
		else if (in_kubepods && plen > 3 && !memcmp(p, "pod", 3))
			runtime = "cri";
	}
	if (!runtime)
		return false;
	n->runtime = runtime;
	memcpy(n->container, id, CG_ID_LEN);
	n->container[CG_ID_LEN] = 0;
	return true;
}

/*
 * The pod UID a component names: kubepods-[QOS-]podUID.slice (systemd, '_'
 * for '-') or podUID (cgroupfs, under kubepods).
 */
static bool component_pod(const char *c, size_t len, bool in_kubepods, struct cg_names *n)
{
	const char *u = NULL, *end = c + len;
	char uid[CG_UID_LEN + 1];
	size_t i;

	if (len > 9 && !memcmp(c, "kubepods-", 9) && ends_with(c, len, ".slice")) {
		end -= 6;
		for (u = end; u > c + 8 && memcmp(u - 4, "-pod", 4); u--)
			;
		if (u == c + 8)
			return false;
	} else if (in_kubepods && len == 3 + CG_UID_LEN && !memcmp(c, "pod", 3)) {
		u = c + 3;
	}
	if (!u || end - u != CG_UID_LEN)
		return false;
	for (i = 0; i < CG_UID_LEN; i++) {
		char ch = u[i] == '_' ? '-' : u[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-')
				return false;
		} else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
			return false;
		}
		uid[i] = ch;
	}
	uid[CG_UID_LEN] = 0;
	memcpy(n->pod, uid, sizeof(uid));
	return true;
}

/**
 * cg_names_of() - what a cgroup's path says of the process in it
 * @path: the path under the cgroup2 root ("/system.slice/nginx.service")
 * @n: out: the deepest container, pod and unit the path names
 */
void cg_names_of(const char *path, struct cg_names *n)
{
	const char *c = path, *p = "", *e;
	size_t len, plen = 0;
	bool kube = false;

	memset(n, 0, sizeof(*n));
	for (; *c; c = *e ? e + 1 : e) {
		if (*c == '/') {
			e = c;
			continue;
		}
		e = strchr(c, '/');
		if (!e)
			e = c + strlen(c);
		len = e - c;
		if (len >= 8 && !memcmp(c, "kubepods", 8))
			kube = true;
		component_container(c, len, p, plen, kube, n);
		component_pod(c, len, kube, n);
		if ((ends_with(c, len, ".service") || ends_with(c, len, ".scope")) &&
		    len < sizeof(n->unit)) {
			memcpy(n->unit, c, len);
			n->unit[len] = 0;
		}
		p = c;
		plen = len;
	}
}

/* The cgroup2 root here, or NULL. */
static const char *cg_root(void)
{
	struct statfs fs;
	size_t i;

	for (i = 0; i < sizeof(cg_roots) / sizeof(cg_roots[0]); i++)
		if (!statfs(cg_roots[i], &fs) && fs.f_type == CGROUP2_SUPER_MAGIC)
			return cg_roots[i];
	return NULL;
}

struct cg_entry {
	uint64_t id;
	char *path;
};

/* Every cgroup's path by its id: open addressing, ids are never 0. */
static struct cg_index {
	struct cg_entry *slot;
	size_t n, cap;
	time_t walked;
} cg_index;

static struct cg_entry *cg_slot(uint64_t id)
{
	size_t i = (id * 0x9e3779b97f4a7c15ULL) >> 40;

	for (i &= cg_index.cap - 1; cg_index.slot[i].id && cg_index.slot[i].id != id;
	     i = (i + 1) & (cg_index.cap - 1))
		;
	return &cg_index.slot[i];
}

/* Room for one more at most half full: 0, or -1 without memory. */
static int cg_grow(void)
{
	struct cg_entry *old = cg_index.slot;
	size_t i, cap = cg_index.cap ? cg_index.cap * 2 : 1024;

	if ((cg_index.n + 1) * 2 <= cg_index.cap)
		return 0;
	cg_index.slot = calloc(cap, sizeof(*old));
	if (!cg_index.slot) {
		cg_index.slot = old;
		return -1;
	}
	cg_index.cap = cap;
	for (i = 0; i < cap / 2 && old; i++)
		if (old[i].id)
			*cg_slot(old[i].id) = old[i];
	free(old);
	return 0;
}

static void cg_add(uint64_t id, const char *path)
{
	struct cg_entry *s;

	if (cg_index.n >= CG_INDEX_MAX || cg_grow())
		return;
	s = cg_slot(id);
	if (s->id)
		return;
	s->path = strdup(path);
	if (!s->path)
		return;
	s->id = id;
	cg_index.n++;
}

/*
 * Call @fn on every cgroup under @dir (@rel under the root), depth first;
 * stop when it returns true.
 */
static bool cg_walk(const char *dir, const char *rel, int depth, cg_fn fn, void *arg)
{
	char sub[PATH_MAX], subrel[PATH_MAX];
	struct dirent *de;
	struct stat st;
	bool stop = false;
	DIR *d;

	if (stat(dir, &st))
		return false;
	if (fn(st.st_ino, *rel ? rel : "/", arg))
		return true;
	if (depth >= CG_DEPTH_MAX)
		return false;
	d = opendir(dir);
	if (!d)
		return false;
	while (!stop && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub) ||
		    (size_t)snprintf(subrel, sizeof(subrel), "%s/%s", rel, de->d_name) >=
		    sizeof(subrel))
			continue;
		stop = cg_walk(sub, subrel, depth + 1, fn, arg);
	}
	closedir(d);
	return stop;
}

/**
 * cg_each() - call @fn on the cgroup @dir and every cgroup below it
 * @dir: a cgroup2 directory
 * @fn: called with each one's id and path under @dir ("/" for @dir), depth
 *	first, parents before children; returning true stops the walk
 * @arg: for @fn
 */
void cg_each(const char *dir, cg_fn fn, void *arg)
{
	cg_walk(dir, "", 0, fn, arg);
}

static bool cg_index_one(uint64_t id, const char *rel, void *arg)
{
	(void)arg;
	cg_add(id, rel);
	return false;
}

/**
 * cg_path_of() - the path of the cgroup with id @id, under the cgroup2 root
 * @id: the cgroup's id, as events carry it
 *
 * Return: the path ("/" for the root), or NULL: no such cgroup (any more),
 * or no cgroup2 tree here.
 */
const char *cg_path_of(uint64_t id)
{
	const char *root;
	struct cg_entry *s;

	if (!id)
		return NULL;
	if (cg_index.cap) {
		s = cg_slot(id);
		if (s->id)
			return s->path;
	}
	/* unknown: a cgroup made since the last walk; look again, once a second */
	if (time(NULL) == cg_index.walked)
		return NULL;
	cg_index.walked = time(NULL);
	root = cg_root();
	if (!root)
		return NULL;
	cg_each(root, cg_index_one, NULL);
	if (!cg_index.cap)
		return NULL;
	s = cg_slot(id);
	return s->id ? s->path : NULL;
}

struct cg_find {
	const char *name;
	size_t len;
	char found[3][PATH_MAX];
	int n;
};

/* Does the cgroup at @rel answer to the name, and not through one found? */
static bool cg_find_one(uint64_t id, const char *rel, void *arg)
{
	struct cg_find *f = arg;
	const char *leaf = strrchr(rel, '/') + 1;
	struct cg_names n;
	bool match;
	int i;

	(void)id;
	for (i = 0; i < f->n && i < 3; i++) {
		size_t l = strlen(f->found[i]);

		if (!strncmp(rel, f->found[i], l) && rel[l] == '/')
			return false;	/* inside a cgroup found already */
	}
	cg_names_of(rel, &n);
	match = !strcmp(leaf, f->name) ||
		(n.runtime && f->len >= 4 && !strncmp(n.container, f->name, f->len)) ||
		(n.pod[0] && !strcmp(n.pod, f->name));
	if (match) {
		if (f->n < 3)
			snprintf(f->found[f->n], sizeof(f->found[0]), "%s", rel);
		f->n++;
	}
	return false;
}

/**
 * cg_resolve() - the cgroup directory a name stands for
 * @name: a directory (absolute, or under the cgroup2 root), a container's
 *	id or a prefix of it (4 digits at least), a pod's UID, or the last
 *	component of a cgroup's path (a systemd unit: "nginx.service")
 * @dir: out: the directory
 * @len: its size
 * @why: out, on failure: why, for an error message
 *
 * Return: 0, or -1 with *@why set.
 */
int cg_resolve(const char *name, char *dir, size_t len, const char **why)
{
	static char msg[PATH_MAX + 64];
	struct cg_find *f;
	const char *root;
	struct stat st;

	if (name[0] == '/' || !strncmp(name, "./", 2)) {
		snprintf(dir, len, "%s", name);
		return 0;
	}
	root = cg_root();
	if (!root) {
		*why = "no cgroup2 tree here (/sys/fs/cgroup)";
		return -1;
	}
	if ((size_t)snprintf(dir, len, "%s/%s", root, name) < len && !stat(dir, &st) &&
	    S_ISDIR(st.st_mode))
		return 0;
	if (strchr(name, '/')) {
		*why = "no such cgroup";
		return -1;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		*why = strerror(ENOMEM);
		return -1;
	}
	f->name = name;
	f->len = strlen(name);
	cg_each(root, cg_find_one, f);
	if (f->n == 1) {
		snprintf(dir, len, "%s%s", root, f->found[0]);
		free(f);
		return 0;
	}
	if (!f->n)
		snprintf(msg, sizeof(msg),
			 "no cgroup, container, pod or unit by that name under %s", root);
	else
		snprintf(msg, sizeof(msg), "%d cgroups answer to it (%.1000s, %.1000s%s)", f->n,
			 f->found[0], f->found[1], f->n > 2 ? ", ..." : "");
	*why = msg;
	free(f);
	return -1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl attach and detach: load causal's BPF programs, attach them and
 * pin them in bpffs so they stay when causalctl exits; and what status shows
 * of them.
 *
 * Pinned under $CAUSAL_BPFFS (default /sys/fs/bpf/causal):
 *   sockops sock_create   links of the cgroup programs
 *   send sendpage recv read* close udp_*   links of the tracing programs
 *   causal_tcp causal_tcp_vec causal_mark   the socket storage maps they share
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <causal/ablate.h>

#include "causal.skel.h"
#include "causalctl.h"
#include "cgname.h"
#include "nl.h"
#include "print.h"

static const char *pin_dir(void)
{
	const char *d = getenv("CAUSAL_BPFFS");

	return d && *d ? d : "/sys/fs/bpf/causal";
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && verbose < 2)
		return 0;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int pin_all(struct causal *skel, struct pin *pins, int n)
{
	struct bpf_map *maps[] = { skel->maps.causal_tcp, skel->maps.causal_tcp_vec,
				   skel->maps.causal_mark };
	char path[PATH_MAX];
	int i, err;

	if (mkdir(pin_dir(), 0700) && errno != EEXIST)
		return -errno;
	for (i = 0; i < (int)(sizeof(maps) / sizeof(maps[0])); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir(), bpf_map__name(maps[i]));
		err = bpf_map__pin(maps[i], path);
		if (err)
			return err;
	}
	for (i = 0; i < n; i++) {
		if (!pins[i].link)
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir(), pins[i].name);
		err = bpf_link__pin(pins[i].link, path);
		if (err)
			return err;
	}
	return 0;
}

static int unpin_all(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	int removed = 0;
	DIR *d;

	d = opendir(pin_dir());
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir(), e->d_name);
		if (!unlink(path))
			removed++;
	}
	closedir(d);
	if (rmdir(pin_dir()) && errno != ENOENT)
		return -errno;
	return removed;
}

/* The skeleton's programs: ATTACH_PROGS (causalctl.h) must count them. */
_Static_assert(sizeof(((struct causal *)0)->progs) / sizeof(struct bpf_program *) ==
	       ATTACH_PROGS, "ATTACH_PROGS is not the number of bpf/causal.bpf.c's programs");

static bool cgroup_program(const struct bpf_program *prog)
{
	enum bpf_prog_type type = bpf_program__type(prog);

	return type == BPF_PROG_TYPE_SOCK_OPS || type == BPF_PROG_TYPE_CGROUP_SOCK;
}

/*
 * Every program of the skeleton and where it goes: first sock_ops and
 * sock_create, to the cgroup (the option is written before any hook
 * counts on it), then the tracing programs, to their functions; each
 * pinned under its name without "causal_".  A tracing program whose
 * function the running kernel lacks (do_tcp_sendpages is gone after 6.4;
 * __tcp_read_sock is in Debian's, not in every kernel) is not loaded.
 */
static void program_table(struct causal *skel, struct pin *pins)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct bpf_program *prog;
	int i = 0, pass;
	const char *fn;

	for (pass = 0; pass < 2; pass++) {
		bpf_object__for_each_program(prog, skel->obj) {
			if (cgroup_program(prog) != !pass)
				continue;
			pins[i] = (struct pin){
				.name = bpf_program__name(prog) + strlen("causal_"),
				.prog = prog,
				.cgroup = !pass,
			};
			fn = strchr(bpf_program__section_name(prog), '/');
			if (pass && fn && btf &&
			    btf__find_by_name_kind(btf, fn + 1, BTF_KIND_FUNC) < 0)
				bpf_program__set_autoload(prog, false);
			i++;
		}
	}
	btf__free(btf);
}

/*
 * Whether the module keeps TCP connections' records (its parameter
 * own_records, Y where sock_ops may call it): the programs then ask it for
 * them instead of using the causal_tcp socket storage.
 */
static bool module_owns_records(void)
{
	FILE *f = fopen("/sys/module/causal/parameters/own_records", "r");
	int c = EOF;

	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == 'Y';
}

/*
 * $CAUSAL_ABLATE: a part of causal alone, for benchmarks (option, hooks,
 * empty or wire, include/causal/ablate.h).  Return: the part, or -1 after saying why not.
 */
static int ablation(const char *cmd)
{
	const char *s = getenv("CAUSAL_ABLATE");
	int part;

	if (!s || !*s)
		return CAUSAL_ABLATE_NONE;
	if (!strcmp(s, "option")) {
		part = CAUSAL_ABLATE_OPTION;
	} else if (!strcmp(s, "hooks")) {
		part = CAUSAL_ABLATE_HOOKS;
	} else if (!strcmp(s, "empty")) {
		part = CAUSAL_ABLATE_EMPTY;
	} else if (!strcmp(s, "wire")) {
		part = CAUSAL_ABLATE_WIRE;
	} else {
		fprintf(stderr, "causalctl: %s: CAUSAL_ABLATE=%s: not a part (option, hooks, empty or wire)\n",
			cmd, s);
		return -1;
	}
	fprintf(stderr, "causalctl: %s: CAUSAL_ABLATE=%s: a part of causal alone, for benchmarks; "
		"its clocks are not true\n", cmd, s);
	return part;
}

/**
 * attach_loaded() - are causal's programs loaded, by anyone?
 *
 * Asks the kernel, not bpffs (which ip netns exec hides): stamping twice
 * would put two options on every segment.
 */
bool attach_loaded(void)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	bool found = false;
	int fd;

	while (!found && !bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strcmp(info.name, "causal_sockops"))
			found = true;
		close(fd);
	}
	return found;
}

bool attach_pinned(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/sockops", pin_dir());
	return !access(path, F_OK);
}

/**
 * attachment_open() - load causal's BPF programs and attach them
 * @a: out: the programs and their links, owned by this process
 * @cgroup: the cgroup v2 directory whose sockets are stamped
 * @cmd: the command, for error messages
 *
 * The links last as long as @a (or the process) does, unless pinned.
 *
 * Return: 0, or -1 after saying what failed on stderr.
 */
int attachment_open(struct attachment *a, const char *cgroup, const char *cmd)
{
	struct statfs fs;
	struct cnl nl;
	int err, i, part;

	memset(a, 0, sizeof(*a));
	a->cg_fd = -1;
	part = ablation(cmd);
	if (part < 0)
		return -1;
	/* The programs call the module: say so plainly if it is missing. */
	cnl_connect_or_die(&nl);
	cnl_close(&nl);
	a->cg_fd = open(cgroup, O_RDONLY | O_DIRECTORY);
	if (a->cg_fd < 0) {
		fprintf(stderr, "causalctl: %s: cgroup %s: %s\n", cmd, cgroup, strerror(errno));
		return -1;
	}
	/* ip netns exec mounts a fresh /sys, without the cgroup2 tree */
	if (fstatfs(a->cg_fd, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC) {
		fprintf(stderr, "causalctl: %s: %s is not a cgroup2 directory here%s\n", cmd, cgroup,
			strncmp(cgroup, "/sys/", 5) ? "" :
			" (ip netns exec mounts its own /sys: attach outside the namespace, or enter it with nsenter --net)");
		goto fail;
	}
	libbpf_set_print(libbpf_print);
	a->skel = causal__open();
	if (!a->skel) {
		fprintf(stderr, "causalctl: %s: cannot open the BPF object: %s\n", cmd,
			strerror(errno));
		goto fail;
	}
	program_table(a->skel, a->pins);
	a->skel->rodata->causal_ablate = part;
	a->skel->rodata->causal_own_records = module_owns_records();
	/* the option alone: the sock_ops program and nothing else */
	for (i = 0; part == CAUSAL_ABLATE_OPTION && i < ATTACH_PROGS; i++)
		if (a->pins[i].prog != a->skel->progs.causal_sockops)
			bpf_program__set_autoload(a->pins[i].prog, false);
	err = causal__load(a->skel);
	if (err) {
		fprintf(stderr, "causalctl: %s: the kernel refused the BPF programs: %s%s\n",
			cmd, strerror(-err), verbose ? "" : " (-v shows the verifier's log)");
		goto fail;
	}
	for (i = 0; i < ATTACH_PROGS; i++) {
		struct pin *p = &a->pins[i];

		if (!bpf_program__autoload(p->prog))
			continue;
		p->link = p->cgroup ? bpf_program__attach_cgroup(p->prog, a->cg_fd) :
			  bpf_program__attach_trace(p->prog);
		err = libbpf_get_error(p->link);
		if (err) {
			p->link = NULL;
			fprintf(stderr, "causalctl: %s: %s: %s\n", cmd, p->name, strerror(-err));
			goto fail;
		}
	}
	return 0;

fail:
	attachment_close(a);
	return -1;
}

/* attachment_close() - detach what attachment_open() attached (not the pins) */
void attachment_close(struct attachment *a)
{
	int i;

	for (i = 0; i < ATTACH_PROGS; i++)
		if (a->pins[i].link)
			bpf_link__destroy(a->pins[i].link);
	causal__destroy(a->skel);
	if (a->cg_fd >= 0)
		close(a->cg_fd);
	memset(a, 0, sizeof(*a));
	a->cg_fd = -1;
}

int attach_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{}
	};
	const char *cgroup = CGROUP_ROOT, *why;
	char dir[PATH_MAX];
	struct attachment a;
	int opt, err;

	optind = 0;	/* glibc: start afresh after main()'s parsing */
	while ((opt = getopt_long(argc, argv, "c:", options, NULL)) != -1) {
		if (opt != 'c')
			return usage_error("attach", "invalid option");
		cgroup = optarg;
	}
	if (optind < argc)
		return usage_error("attach", "unexpected argument: %s", argv[optind]);
	if (cg_resolve(cgroup, dir, sizeof(dir), &why)) {
		fprintf(stderr, "causalctl: attach: cgroup %s: %s\n", cgroup, why);
		return EXIT_FAIL;
	}
	cgroup = dir;

	if (attach_pinned()) {
		fprintf(stderr, "causalctl: attach: already attached (pinned in %s); run 'causalctl detach' first\n",
			pin_dir());
		return EXIT_FAIL;
	}
	if (attachment_open(&a, cgroup, "attach"))
		return EXIT_FAIL;
	err = pin_all(a.skel, a.pins, ATTACH_PROGS);
	if (err) {
		fprintf(stderr, "causalctl: attach: pinning in %s: %s\n", pin_dir(),
			strerror(-err));
		unpin_all();
		attachment_close(&a);
		return EXIT_FAIL;
	}
	attachment_close(&a);
	print_open_object(NULL);
	print_string("cgroup", "attached to cgroup %s", cgroup);
	print_string("pinned", ", pinned in %s\n", pin_dir());
	print_close_object();
	print_end();
	return 0;
}

/* The programs behind the pinned links (all but the maps' pins), into @ids. */
static int pinned_progs(__u32 *ids, int max)
{
	char path[PATH_MAX];
	struct bpf_link_info info;
	struct dirent *e;
	int n = 0, fd;
	__u32 len;
	DIR *d;

	d = opendir(pin_dir());
	if (!d)
		return 0;
	while (n < max && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strncmp(e->d_name, "causal_", 7))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir(), e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.prog_id)
			ids[n++] = info.prog_id;
		close(fd);
	}
	closedir(d);
	return n;
}

static bool prog_exists(__u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return errno != ENOENT;
	close(fd);
	return true;
}

/* The module's reference count, -1 when it is not loaded (or built in). */
static long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/causal/refcnt", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* Say which programs named like causal's are loaded; how many. */
static int report_causal_progs(void)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	int fd, n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strncmp(info.name, "causal_", 7)) {
			if (!n++)
				fprintf(stderr, "causalctl: detach: causal is still used by BPF programs"
					" that others loaded (another causalctl trace?):");
			fprintf(stderr, " %s (id %u)", info.name, id);
		}
		close(fd);
	}
	if (n)
		fputc('\n', stderr);
	return n;
}

/*
 * Wait, a generous while, until the programs detached are freed and the
 * module is free to unload; or say what still holds it.  The kernel frees
 * programs after an RCU grace period, and they hold the module until then.
 */
static void wait_released(const __u32 *ids, int n)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	long deadline = 30000 / 20, ref;
	int i, left;

	do {
		for (i = 0, left = 0; i < n; i++)
			left += prog_exists(ids[i]);
	} while (left && deadline-- > 0 && !nanosleep(&nap, NULL));
	if (left) {
		fprintf(stderr, "causalctl: detach: %d of causal's programs are still loaded after 30 s\n",
			left);
		return;
	}
	if (report_causal_progs())
		return;
	while ((ref = module_refcnt()) > 0 && deadline-- > 0)
		nanosleep(&nap, NULL);
	if (ref > 0)
		fprintf(stderr, "causalctl: detach: the module causal is still in use (%ld references), "
			"not by causal's programs: by other BPF programs calling its kfuncs?\n", ref);
}

int detach_main(int argc, char **argv)
{
	__u32 ids[ATTACH_PROGS];
	int n, nids;

	if (argc > 1)
		return usage_error("detach", "unexpected argument: %s", argv[1]);
	nids = pinned_progs(ids, ATTACH_PROGS);
	n = unpin_all();
	if (n < 0) {
		fprintf(stderr, "causalctl: detach: %s: %s\n", pin_dir(), strerror(-n));
		return EXIT_FAIL;
	}
	if (!n) {
		fprintf(stderr, "causalctl: detach: nothing attached (no pins in %s)\n",
			pin_dir());
		return EXIT_FAIL;
	}
	wait_released(ids, nids);
	return 0;
}

/**
 * print_attachment() - the "attached" field of status: where causal's
 * programs are attached, from their pins; null when they are not.
 */
void print_attachment(void)
{
	char path[PATH_MAX], cg[PATH_MAX] = "?", *slash;
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	struct statfs fs;
	int fd;

	/* ip netns exec mounts a fresh /sys, without the bpffs. */
	snprintf(path, sizeof(path), "%s", pin_dir());
	slash = strrchr(path, '/');
	if (slash && slash != path)
		*slash = '\0';
	if (statfs(path, &fs) || fs.f_type != BPF_FS_MAGIC) {
		print_text("attached: unknown (%s is not a bpffs here)\n", path);
		print_null("attached");
		return;
	}
	snprintf(path, sizeof(path), "%s/sockops", pin_dir());
	fd = bpf_obj_get(path);
	if (fd < 0) {
		print_text("attached: no\n");
		print_null("attached");
		return;
	}
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		const char *rel = cg_path_of(info.cgroup.cgroup_id);

		if (rel)
			snprintf(cg, sizeof(cg), "%s%s", CGROUP_ROOT, strcmp(rel, "/") ? rel : "");
		else
			snprintf(cg, sizeof(cg), "cgroup id %llu",
				 (unsigned long long)info.cgroup.cgroup_id);
	}
	close(fd);
	print_open_object("attached");
	print_string("cgroup", "attached: cgroup %s", cg);
	print_string("pinned", ", pinned in %s\n", pin_dir());
	print_close_object();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The operator's own probe points for causalctl trace --probe SPEC:
 *
 *   kprobe:FUNC               entry of kernel function FUNC (fentry: it must
 *                             be in the kernel's BTF)
 *   tracepoint:CATEGORY:NAME  a kernel tracepoint (tp_btf)
 *   uprobe:BINARY:SYMBOL      entry of SYMBOL in BINARY (an executable or a
 *                             library), in every process that maps it
 *
 * Each is one load of bpf/probe.bpf.c (and for uprobes bpf/probe_user.bpf.c)
 * whose program calls the module with the probe's number; the hit becomes
 * an event stamped with the hitting thread's clock.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "causalctl.h"
#include "probe.h"
#include "probe.skel.h"
#include "probe_user.skel.h"

static int fail(const char *spec, const char *why, int err)
{
	fprintf(stderr, "causalctl: trace: --probe %s: %s%s%s\n", spec, why,
		err ? ": " : "", err ? strerror(err < 0 ? -err : err) : "");
	return -1;
}

/* Is @name a function (kind FUNC) or typedef of the kernel's BTF? */
static bool in_btf(const char *name, int kind)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return true;	/* let the kernel say */
	found = btf__find_by_name_kind(btf, name, kind) >= 0;
	btf__free(btf);
	return found;
}

static int load_uprobe(struct trace_probe *p, const char *where)
{
	const char *colon = strrchr(where, ':');

	if (!colon || colon == where || !colon[1])
		return fail(p->spec, "expected uprobe:BINARY:SYMBOL", 0);
	p->user = probe_user__open_and_load();
	if (!p->user)
		return fail(p->spec, "loading the uprobe program", errno);
	return 0;
}

static int link_uprobe(struct trace_probe *p)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts);
	const char *where = p->spec + 7, *colon = strrchr(where, ':');
	char binary[512];
	int err;

	snprintf(binary, sizeof(binary), "%.*s", (int)(colon - where), where);
	opts.func_name = colon + 1;
	p->user_link = bpf_program__attach_uprobe_opts(p->user->progs.causal_probe_uprobe, -1,
						       binary, 0, &opts);
	err = libbpf_get_error(p->user_link);
	if (err) {
		p->user_link = NULL;
		return fail(p->spec, "attaching the uprobe (is the binary there, with the symbol?)",
			    err);
	}
	return 0;
}

/**
 * trace_probe_load() - load the program of probe point @spec, unattached
 * @p: out
 * @spec: the operator's SPEC
 * @id: the number its events will carry
 *
 * Loading (the verifier) is what takes time: a trace loads every probe
 * first, then links them all at once (trace_probe_link()), so that its
 * window starts with all of them.
 *
 * Return: 0, or -1 after saying what is wrong on stderr (@p is then clean).
 */
int trace_probe_load(struct trace_probe *p, const char *spec, uint32_t id)
{
	struct bpf_program *prog = NULL;
	const char *target = NULL;
	int err;

	memset(p, 0, sizeof(*p));
	snprintf(p->spec, sizeof(p->spec), "%s", spec);
	p->id = id;
	if (!strncmp(spec, "kprobe:", 7)) {
		target = spec + 7;
		if (!*target || !in_btf(target, BTF_KIND_FUNC))
			return fail(spec, "no such kernel function in BTF (kprobes attach at function entry, with fentry)", 0);
	} else if (!strncmp(spec, "tracepoint:", 11)) {
		char tp[256];

		target = strchr(spec + 11, ':');
		if (!target || !*++target)
			return fail(spec, "expected tracepoint:CATEGORY:NAME", 0);
		snprintf(tp, sizeof(tp), "btf_trace_%s", target);
		if (!in_btf(tp, BTF_KIND_TYPEDEF))
			return fail(spec, "no such tracepoint in BTF", 0);
	} else if (strncmp(spec, "uprobe:", 7)) {
		return fail(spec, "expected kprobe:FUNC, tracepoint:CATEGORY:NAME or uprobe:BINARY:SYMBOL", 0);
	}

	p->skel = probe__open();
	if (!p->skel) {
		err = errno;
		goto fail;
	}
	p->skel->rodata->probe_id = id;
	bpf_program__set_autoload(p->skel->progs.causal_probe_entry, false);
	bpf_program__set_autoload(p->skel->progs.causal_probe_tp, false);
	bpf_program__set_autoload(p->skel->progs.causal_probe_hook, false);
	if (!strncmp(spec, "kprobe:", 7)) {
		prog = p->skel->progs.causal_probe_entry;
		err = bpf_program__set_attach_target(prog, 0, target);
	} else if (target) {
		prog = p->skel->progs.causal_probe_tp;
		err = bpf_program__set_attach_target(prog, 0, target);
	} else {
		if (load_uprobe(p, spec + 7)) {
			trace_probe_detach(p);
			return -1;
		}
		prog = p->skel->progs.causal_probe_hook;
		err = bpf_program__set_attach_target(prog,
			bpf_program__fd(p->user->progs.causal_probe_uprobe), "causal_probe_user");
	}
	if (err)
		goto fail;
	bpf_program__set_autoload(prog, true);
	err = probe__load(p->skel);
	if (err)
		goto fail;
	p->prog = prog;
	return 0;

fail:
	fail(spec, "the kernel refused it", err);
	trace_probe_detach(p);
	return -1;
}

/**
 * trace_probe_link() - attach a probe point trace_probe_load() loaded
 * @p: the probe point
 *
 * Return: 0, or -1 after saying what is wrong on stderr (@p is then clean).
 */
int trace_probe_link(struct trace_probe *p)
{
	int err;

	if (p->user && link_uprobe(p)) {
		trace_probe_detach(p);
		return -1;
	}
	p->link = bpf_program__attach_trace(p->prog);
	err = libbpf_get_error(p->link);
	if (err) {
		p->link = NULL;
		fail(p->spec, "the kernel refused it", err);
		trace_probe_detach(p);
		return -1;
	}
	return 0;
}

/* trace_probe_detach() - detach and unload what trace_probe_load() made */
void trace_probe_detach(struct trace_probe *p)
{
	bpf_link__destroy(p->user_link);
	bpf_link__destroy(p->link);
	probe__destroy(p->skel);
	probe_user__destroy(p->user);
	p->user_link = NULL;
	p->link = NULL;
	p->skel = NULL;
	p->user = NULL;
	p->prog = NULL;
}

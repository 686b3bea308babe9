// SPDX-License-Identifier: GPL-2.0
/*
 * The operator's probe points of causalctl trace --probe: each hit is an
 * event of the task's node, stamped with its thread's clock by the module
 * (causal_probe_hit()).  One object is loaded per probe point, with the one
 * program its kind needs and its target set before loading:
 *
 *  - causal_probe_entry (fentry): kprobe:FUNC, at the function's entry;
 *  - causal_probe_tp (tp_btf): tracepoint:CATEGORY:NAME;
 *  - causal_probe_hook (fentry on a BPF program): uprobe:BINARY:SYMBOL.
 *    Programs run by uprobes may not call module kfuncs on Linux 6.1, so
 *    the uprobe program (probe_user.bpf.c) calls a function of its own,
 *    and this tracing program, attached to that function, calls the module.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

extern int causal_probe_hit(__u32 probe_id) __ksym;

/* The tracer's number for the probe point, set before loading. */
const volatile __u32 probe_id;

SEC("fentry")
int BPF_PROG(causal_probe_entry)
{
	causal_probe_hit(probe_id);
	return 0;
}

SEC("tp_btf")
int BPF_PROG(causal_probe_tp)
{
	causal_probe_hit(probe_id);
	return 0;
}

SEC("fentry")
int BPF_PROG(causal_probe_hook)
{
	causal_probe_hit(probe_id);
	return 0;
}

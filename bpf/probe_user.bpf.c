// SPDX-License-Identifier: GPL-2.0
/*
 * uprobe:BINARY:SYMBOL of causalctl trace --probe: the uprobe program calls
 * causal_probe_user(), to which probe.bpf.c's causal_probe_hook is attached
 * (a tracing program, which may call the module's kfuncs).
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Global and not inlined: a BPF function of its own, to attach to. */
__noinline int causal_probe_user(int hit)
{
	asm volatile("" : "+r"(hit));
	return hit;
}

SEC("uprobe")
int causal_probe_uprobe(struct pt_regs *ctx)
{
	return causal_probe_user(0);
}

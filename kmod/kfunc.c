// SPDX-License-Identifier: GPL-2.0
/* The set of causal's kfuncs, registered once for tracing programs. */

#include <linux/bpf.h>
#include <linux/module.h>

#include "kfunc.h"

BTF_KFUNCS_START(causal_kfunc_ids)
BTF_ID_FLAGS(func, causal_tcp_send)
BTF_ID_FLAGS(func, causal_tcp_sent)
BTF_ID_FLAGS(func, causal_tcp_recv)
BTF_ID_FLAGS(func, causal_tcp_connect)
BTF_ID_FLAGS(func, causal_tcp_accept)
BTF_ID_FLAGS(func, causal_tcp_close)
BTF_ID_FLAGS(func, causal_sock_close)
BTF_ID_FLAGS(func, causal_probe_hit)
BTF_ID_FLAGS(func, causal_udp_send)
BTF_ID_FLAGS(func, causal_udp_rx)
BTF_ID_FLAGS(func, causal_udp_recv)
BTF_KFUNCS_END(causal_kfunc_ids)

static const struct btf_kfunc_id_set causal_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &causal_kfunc_ids,
};

/**
 * causal_kfunc_init() - offer the kfuncs to tracing programs
 *
 * Return: 0 or the error of register_btf_kfunc_id_set().
 */
int causal_kfunc_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &causal_kfunc_set);
}

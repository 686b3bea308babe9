/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels causal builds for (Debian's 6.1 and
 * 6.12), each probed by what the headers define, never by version.
 */
#ifndef _CAUSAL_COMPAT_H
#define _CAUSAL_COMPAT_H

#include <linux/btf.h>
#include <linux/btf_ids.h>

/* 6.1 has no kfunc annotation: kfuncs must stay out of line. */
#ifndef __bpf_kfunc
#define __bpf_kfunc noinline
#endif

/* 6.9+ refuses kfunc sets not declared as such. */
#ifndef BTF_KFUNCS_START
#define BTF_KFUNCS_START(name) BTF_SET8_START(name)
#define BTF_KFUNCS_END(name) BTF_SET8_END(name)
#endif

/* 6.4+ declares skb_gso_segment() in a header of its own. */
#if __has_include("net/gso.h")
#include <net/gso.h>
#endif

#endif /* _CAUSAL_COMPAT_H */

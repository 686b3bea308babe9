// SPDX-License-Identifier: GPL-2.0
/*
 * Hooking kernel tracepoints from the module.  The module owns its state, so
 * it learns by itself when a socket or a task goes away: whatever BPF
 * programs are or are not attached, nothing it holds outlives its owner.
 * Tracepoints are looked up by name; few of them are exported as symbols.
 */

#include <linux/string.h>
#include <linux/tracepoint.h>

#include "tracepoint.h"

struct causal_tp_lookup {
	struct causal_tp *tps;
	unsigned int n;
};

static void causal_tp_match(struct tracepoint *tp, void *priv)
{
	struct causal_tp_lookup *l = priv;
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(tp->name, l->tps[i].name))
			l->tps[i].tp = tp;
}

/**
 * causal_tracepoints_register() - attach each probe to its tracepoint
 * @tps: the probes
 * @n: how many
 *
 * Return: 0, or -ENOENT if a tracepoint does not exist, or the error of
 * tracepoint_probe_register(); on error nothing stays registered.
 */
int causal_tracepoints_register(struct causal_tp *tps, unsigned int n)
{
	struct causal_tp_lookup l = { .tps = tps, .n = n };
	unsigned int i;
	int ret;

	for_each_kernel_tracepoint(causal_tp_match, &l);
	for (i = 0; i < n; i++) {
		if (!tps[i].tp) {
			pr_err("tracepoint %s not found\n", tps[i].name);
			ret = -ENOENT;
			goto unwind;
		}
		ret = tracepoint_probe_register(tps[i].tp, tps[i].probe, NULL);
		if (ret) {
			pr_err("cannot hook tracepoint %s: %d\n", tps[i].name, ret);
			goto unwind;
		}
	}
	return 0;

unwind:
	causal_tracepoints_unregister(tps, i);
	return ret;
}

/**
 * causal_tracepoints_unregister() - detach the probes and wait until none runs
 * @tps: the probes
 * @n: how many
 */
void causal_tracepoints_unregister(struct causal_tp *tps, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		tracepoint_probe_unregister(tps[i].tp, tps[i].probe, NULL);
	tracepoint_synchronize_unregister();
}

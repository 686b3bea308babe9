// SPDX-License-Identifier: GPL-2.0
/*
 * causal - logical clocks for sockets, kept by the kernel.
 * Documentation/causal.rst describes what it does and promises.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <causal/version.h>
#include <uapi/linux/causal.h>

#include "ctx.h"
#include "kfunc.h"
#include "net.h"
#include "netlink.h"
#include "probe.h"
#include "sock.h"
#include "udp.h"

static int __init causal_init(void)
{
	int ret;

	ret = causal_sock_init();
	if (ret < 0)
		return ret;
	ret = causal_ctx_init();
	if (ret < 0)
		goto err_ctx;
	ret = causal_net_init();
	if (ret < 0)
		goto err_net;
	ret = causal_udp_init();
	if (ret < 0)
		goto err_udp;
	ret = causal_probe_init();
	if (ret < 0)
		goto err_probe;
	ret = causal_kfunc_init();
	if (ret < 0)
		goto err_kfunc;
	ret = causal_netlink_init();
	if (ret < 0)
		goto err_kfunc;
	pr_info("causal %s loaded\n", CAUSAL_RELEASE);
	return 0;

err_kfunc:
	causal_probe_exit();
err_probe:
	causal_udp_exit();
err_udp:
	causal_net_exit();
err_net:
	causal_ctx_exit();
err_ctx:
	causal_sock_exit();
	return ret;
}

/*
 * BPF programs that call causal's kfuncs hold a reference on the module, so
 * none runs by the time this does.
 */
static void __exit causal_exit(void)
{
	causal_probe_exit();
	causal_netlink_exit();
	causal_udp_exit();
	causal_net_exit();
	causal_ctx_exit();
	causal_sock_exit();
	pr_info("causal %s unloaded\n", CAUSAL_RELEASE);
}

module_init(causal_init);
module_exit(causal_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Logical clocks (Lamport, hybrid logical, vector) for sockets");
MODULE_VERSION(CAUSAL_RELEASE);
MODULE_ALIAS_GENL_FAMILY(CAUSAL_FAMILY_NAME);

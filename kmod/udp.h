/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UDP's part of the module (kmod/udp.c): the probes of UDP sockets'
 * destruction.  Its kfuncs are in kfunc.h.
 */
#ifndef _CAUSAL_UDP_H
#define _CAUSAL_UDP_H

int causal_udp_init(void);
void causal_udp_exit(void);

#endif /* _CAUSAL_UDP_H */

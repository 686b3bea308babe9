/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_TCP_H
#define _CAUSAL_TCP_H

int causal_tcp_init(void);

#endif /* _CAUSAL_TCP_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_PROBE_H
#define _CAUSAL_PROBE_H

void causal_probe_flush(void);
int causal_probe_init(void);
void causal_probe_exit(void);

#endif /* _CAUSAL_PROBE_H */

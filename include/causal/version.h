/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef _CAUSAL_VERSION_H
#define _CAUSAL_VERSION_H

/* Release of the module and of causalctl; they are built and shipped together. */
#define CAUSAL_RELEASE "0.1.0"

#endif /* _CAUSAL_VERSION_H */

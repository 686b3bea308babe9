/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_STREAMJOIN_H
#define _CAUSALCTL_STREAMJOIN_H

#include "log.h"

int stream_join(struct log_set *ls);

#endif /* _CAUSALCTL_STREAMJOIN_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_MERGE_H
#define _CAUSALCTL_MERGE_H

#include <stdbool.h>
#include <stddef.h>

/* causalctl order as the logs are read, in bounded memory (merge.c). */

#define MERGE_WINDOW (1 << 20)	/* events held at most to read ahead */
#define MERGE_WINDOW_MIN 256	/* the smallest --window */

#define MERGE_IN_MEMORY (-1)	/* these logs need the whole graph */

int merge_order(char **paths, int n, char **labels, int nlabels, size_t window);

#endif /* _CAUSALCTL_MERGE_H */

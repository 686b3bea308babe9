/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_SPANS_H
#define _CAUSALCTL_SPANS_H

#include <stddef.h>
#include <stdint.h>

#include "cgname.h"
#include "log.h"
#include "otlp.h"

/*
 * Events as OTLP spans, the same in the export of a merge and in the live
 * stream (Documentation/analysis.rst, "OpenTelemetry"): one span per
 * event, named by its node and the low 32 bits of its number, which is
 * how a receive's stamp names the send it follows.
 */

void span_id_of(uint8_t sid[8], uint64_t node, uint64_t id);
void span_of_event(struct otlp_span *s, const struct log_set *ls, const struct log_event *ev,
		   struct cg_names *cn, char *name, size_t len);

#endif /* _CAUSALCTL_SPANS_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_OTLP_HTTP_H
#define _CAUSALCTL_OTLP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * OTLP/HTTP: requests POSTed to a collector's /v1/traces, as the protocol
 * says an exporter retries them (429, 502, 503 and 504, and a connection
 * that failed, after Retry-After or an exponential backoff), and what was
 * delivered, retried and lost, counted.
 */

#define OTLP_HEADERS_MAX 16

struct otlp_http {
	const char *url;
	bool json;			/* application/json, else x-protobuf */
	const char *headers[OTLP_HEADERS_MAX];	/* "Key: value" */
	int nheaders;
	unsigned int attempts;		/* at most, per request */
	unsigned int backoff_ms;	/* the first wait; doubles */
	unsigned int backoff_max_ms;
	/* counted */
	uint64_t requests, retries, spans_sent, spans_lost, spans_rejected;
	char last_error[160];
	void *curl;
	uint64_t deadline_ms;	/* CLOCK_MONOTONIC: no retry after it (0: none) */
};

int otlp_http_init(struct otlp_http *h, const char *url);
int otlp_http_header(struct otlp_http *h, const char *kv);
int otlp_http_post(struct otlp_http *h, const void *body, size_t len, size_t nspans);
uint64_t otlp_now_ms(void);
void otlp_http_deadline(struct otlp_http *h, uint64_t ms);
bool otlp_http_expired(struct otlp_http *h);
void otlp_http_free(struct otlp_http *h);

#endif /* _CAUSALCTL_OTLP_HTTP_H */

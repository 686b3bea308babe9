// SPDX-License-Identifier: GPL-2.0
/*
 * OTLP/HTTP export (https://opentelemetry.io/docs/specs/otlp/#otlphttp):
 * one POST per request, by libcurl (TLS with its defaults: the system's
 * certificate authorities).  The protocol's rules for an exporter: 200 is
 * delivered, possibly in part (a partial success names the spans
 * refused); 429, 502, 503 and 504 and a connection that failed are retried,
 * after the Retry-After the server gave or an exponential backoff with
 * jitter; any other answer is final.  A request whose attempts ran out is
 * lost, and counted.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "otlp.pb-c.h"
#include "otlp_http.h"

struct reply {
	char buf[4096];
	size_t len;
	long retry_after_s;	/* -1: none given */
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n, room = sizeof(r->buf) - r->len;

	memcpy(r->buf + r->len, p, len < room ? len : room);
	r->len += len < room ? len : room;
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n;
	char line[128];

	if (len < sizeof(line)) {
		memcpy(line, p, len);
		line[len] = 0;
		if (!strncasecmp(line, "Retry-After:", 12))
			r->retry_after_s = strtol(line + 12, NULL, 10);
	}
	return len;
}

/**
 * otlp_http_init() - an exporter to @url
 * @h: the exporter
 * @url: the collector's traces endpoint (http://host:4318/v1/traces)
 *
 * Return: 0, or -ENOMEM.
 */
int otlp_http_init(struct otlp_http *h, const char *url)
{
	memset(h, 0, sizeof(*h));
	h->url = url;
	h->attempts = 6;
	h->backoff_ms = 500;
	h->backoff_max_ms = 8000;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* exporters that failed together do not retry together */
	srand((unsigned int)time(NULL) ^ (unsigned int)getpid() << 16);
	h->curl = curl_easy_init();
	return h->curl ? 0 : -ENOMEM;
}

/**
 * otlp_http_header() - a header every request carries (authentication)
 * @h: the exporter
 * @kv: "KEY=VALUE"
 *
 * Return: 0, or -EINVAL for a malformed one or one too many.
 */
int otlp_http_header(struct otlp_http *h, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *line;

	/* no colon in the name, no line break anywhere: one header, not two */
	if (!eq || eq == kv || memchr(kv, ':', eq - kv) || strpbrk(kv, "\r\n") ||
	    h->nheaders == OTLP_HEADERS_MAX)
		return -EINVAL;
	if (asprintf(&line, "%.*s: %s", (int)(eq - kv), kv, eq + 1) < 0)
		return -ENOMEM;
	h->headers[h->nheaders++] = line;
	return 0;
}

/* Spans a 200's partial success refused (protobuf answers only). */
static uint64_t rejected(const struct otlp_http *h, const struct reply *r)
{
	Causal__Otlp__ExportTraceServiceResponse *resp;
	uint64_t n = 0;

	if (h->json || !r->len || r->len >= sizeof(r->buf))
		return 0;
	resp = causal__otlp__export_trace_service_response__unpack(NULL, r->len,
								  (const uint8_t *)r->buf);
	if (!resp)
		return 0;
	if (resp->partial_success && resp->partial_success->rejected_spans > 0)
		n = resp->partial_success->rejected_spans;
	causal__otlp__export_trace_service_response__free_unpacked(resp, NULL);
	return n;
}

/* CLOCK_MONOTONIC in milliseconds: the clock of deadlines. */
uint64_t otlp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * otlp_http_deadline() - no retries after @ms (CLOCK_MONOTONIC,
 * milliseconds): an exporter that is stopping.  Another thread may be
 * posting meanwhile.
 * @h: the exporter
 * @ms: the deadline
 */
void otlp_http_deadline(struct otlp_http *h, uint64_t ms)
{
	__atomic_store_n(&h->deadline_ms, ms, __ATOMIC_RELAXED);
}

/* Is the deadline past?  Then what is not yet posted is lost. */
bool otlp_http_expired(struct otlp_http *h)
{
	uint64_t d = __atomic_load_n(&h->deadline_ms, __ATOMIC_RELAXED);

	return d && otlp_now_ms() >= d;
}

/* Would a wait of @ms end past the deadline? */
static bool too_late(struct otlp_http *h, unsigned int ms)
{
	uint64_t d = __atomic_load_n(&h->deadline_ms, __ATOMIC_RELAXED);

	return d && otlp_now_ms() + ms >= d;
}

/* How long an attempt may take: 10 s, or what is left before the deadline. */
static long attempt_ms(struct otlp_http *h)
{
	uint64_t d = __atomic_load_n(&h->deadline_ms, __ATOMIC_RELAXED), now = otlp_now_ms();

	if (!d || d >= now + 10000)
		return 10000;
	return d > now + 100 ? (long)(d - now) : 100;
}

static void nap_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/**
 * otlp_http_post() - deliver one request, retrying as the protocol says
 * @h: the exporter
 * @body: the request, encoded as @h says
 * @len: its length
 * @nspans: the spans in it, for the counts
 *
 * Return: 0 delivered (maybe in part: spans_rejected), or -EIO lost
 * (spans_lost; last_error says why).
 */
int otlp_http_post(struct otlp_http *h, const void *body, size_t len, size_t nspans)
{
	struct curl_slist *hdrs = NULL;
	unsigned int attempt, nap, wait = h->backoff_ms;
	struct reply r;
	long status;
	int i, ret = -EIO;
	CURLcode rc;

	hdrs = curl_slist_append(hdrs, h->json ? "Content-Type: application/json" :
					   "Content-Type: application/x-protobuf");
	for (i = 0; i < h->nheaders; i++)
		hdrs = curl_slist_append(hdrs, h->headers[i]);
	h->requests++;
	for (attempt = 1; attempt <= h->attempts; attempt++) {
		memset(&r, 0, sizeof(r));
		r.retry_after_s = -1;
		curl_easy_reset(h->curl);
		curl_easy_setopt(h->curl, CURLOPT_URL, h->url);
		curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &r);
		curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &r);
		curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
		curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, attempt_ms(h));
		curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
		rc = curl_easy_perform(h->curl);
		status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && status >= 200 && status < 300) {
			uint64_t n = rejected(h, &r);

			h->spans_rejected += n < nspans ? n : nspans;
			h->spans_sent += nspans - (n < nspans ? n : nspans);
			ret = 0;
			break;
		}
		if (rc != CURLE_OK)
			snprintf(h->last_error, sizeof(h->last_error), "%s", curl_easy_strerror(rc));
		else
			snprintf(h->last_error, sizeof(h->last_error), "HTTP %ld", status);
		/* only these are worth another try */
		if (rc == CURLE_OK && status != 429 && status != 502 && status != 503 &&
		    status != 504)
			break;
		if (attempt == h->attempts)
			break;
		if (r.retry_after_s >= 0 && r.retry_after_s <= 60) {
			nap = r.retry_after_s * 1000;
		} else {
			/* half the wait, and a random part of the other half */
			nap = wait / 2 + (unsigned int)rand() % (wait / 2 + 1);
			wait = wait * 2 > h->backoff_max_ms ? h->backoff_max_ms : wait * 2;
		}
		if (too_late(h, nap))
			break;
		h->retries++;
		nap_ms(nap);
	}
	curl_slist_free_all(hdrs);
	if (ret)
		h->spans_lost += nspans;
	return ret;
}

void otlp_http_free(struct otlp_http *h)
{
	int i;

	for (i = 0; i < h->nheaders; i++)
		free((void *)h->headers[i]);
	if (h->curl)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
}

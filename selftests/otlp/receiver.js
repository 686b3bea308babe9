// SPDX-License-Identifier: GPL-2.0
//
// receiver.js PORTFILE SUMMARY [--down MS] [--fail N --status CODE
//             [--retry-after S]] [--refuse N] [--host ADDR] [--dump FILE]
//
// An OTLP/HTTP traces receiver for the tests, which decodes what it is sent
// with the OpenTelemetry project's own definitions (the protobufjs root of
// @opentelemetry/otlp-transformer): protobuf bodies, and JSON ones through
// the same messages' fromObject.  It writes the port it will listen on to
// PORTFILE, and after SIGTERM the requests, spans, links and answers it
// counted to SUMMARY as JSON.  --down MS: listen only after MS ms (a
// collector that is down: connections are refused); --fail N: answer the
// first N requests with --status CODE (and a Retry-After of S seconds);
// --refuse N: a partial success that refuses N spans of every request.
// SIGUSR1: answer 503 from then on (Retry-After: 0); SIGUSR2: 200 again.
// --host ADDR: listen there (127.0.0.1); --dump FILE: also write each span
// decoded, one JSON line each: its resource's causal.node, its causal.id,
// trace, span and parent ids and links (hex).
'use strict';

const fs = require('fs');
const http = require('http');
const net = require('net');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root');

const v1 = root.opentelemetry.proto.collector.trace.v1;
const [portFile, summaryFile, ...args] = process.argv.slice(2);
const opt = (name, dflt) => {
	const i = args.indexOf(name);
	return i >= 0 ? Number(args[i + 1]) : dflt;
};
const down = opt('--down', 0), refuse = opt('--refuse', 0);
let fail = opt('--fail', 0), status = opt('--status', 503), retryAfter = opt('--retry-after', -1);
const str = (name, dflt) => {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : dflt;
};
const host = str('--host', '127.0.0.1'), dump = str('--dump', null);
const dumped = [];
const hex = (b) => Buffer.from(b).toString('hex');
const attr = (kvs, key) => {
	const kv = (kvs || []).find((a) => a.key === key);
	if (!kv)
		return null;
	// the oneof's member set, by its name
	return kv.value.value ? String(kv.value[kv.value.value]) : null;
};
const seen = { requests: 0, answered: {}, spans: 0, links: 0, ids: {}, containers: 0,
	       contentTypes: {}, headers: {} };

function count(req) {
	for (const rs of req.resourceSpans)
		for (const ss of rs.scopeSpans)
			for (const s of ss.spans) {
				if (dump)
					dumped.push(JSON.stringify({
						node: attr(rs.resource.attributes, 'causal.node'),
						id: Number(attr(s.attributes, 'causal.id')),
						trace: hex(s.traceId), span: hex(s.spanId),
						parent: s.parentSpanId && s.parentSpanId.length ?
							hex(s.parentSpanId) : null,
						links: (s.links || []).map((l) => [hex(l.traceId), hex(l.spanId)]),
					}));
				seen.spans++;
				seen.links += (s.links || []).length;
				seen.ids[Buffer.from(s.spanId).toString('hex')] = 1;
				for (const kv of s.attributes || [])
					if (kv.key === 'container.id')
						seen.containers++;
			}
}

function answer(res, code, body, type) {
	seen.answered[code] = (seen.answered[code] || 0) + 1;
	res.writeHead(code, type ? { 'Content-Type': type } : {});
	res.end(body);
}

function handle(req, res) {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		seen.requests++;
		const type = req.headers['content-type'] || '';
		seen.contentTypes[type] = (seen.contentTypes[type] || 0) + 1;
		if (req.headers.authorization)
			seen.headers.authorization = req.headers.authorization;
		if (req.method !== 'POST' || req.url !== '/v1/traces')
			return answer(res, 404, '');
		if (seen.requests <= fail) {
			if (retryAfter >= 0)
				res.setHeader('Retry-After', String(retryAfter));
			return answer(res, status, '');
		}
		let msg;
		try {
			const body = Buffer.concat(chunks);
			msg = type === 'application/json' ?
				v1.ExportTraceServiceRequest.fromObject(json(body)) :
				v1.ExportTraceServiceRequest.decode(body);
		} catch (e) {
			return answer(res, 400, String(e));
		}
		count(msg);
		const out = v1.ExportTraceServiceResponse.create(refuse ? {
			partialSuccess: { rejectedSpans: refuse, errorMessage: 'refused by the test' },
		} : {});
		answer(res, 200, Buffer.from(v1.ExportTraceServiceResponse.encode(out).finish()),
		       'application/x-protobuf');
	});
}

// OTLP/JSON into what fromObject takes: ids are hex there, base64 here
function json(body) {
	const o = JSON.parse(body);
	const b64 = (h) => Buffer.from(h, 'hex').toString('base64');
	for (const rs of o.resourceSpans)
		for (const ss of rs.scopeSpans)
			for (const s of ss.spans) {
				s.traceId = b64(s.traceId);
				s.spanId = b64(s.spanId);
				if (s.parentSpanId)
					s.parentSpanId = b64(s.parentSpanId);
				for (const l of s.links || []) {
					l.traceId = b64(l.traceId);
					l.spanId = b64(l.spanId);
				}
			}
	return o;
}

// a free port, then (maybe later) a server on it
const probe = net.createServer().listen(0, host, () => {
	const port = probe.address().port;
	probe.close(() => {
		fs.writeFileSync(portFile, `${port}\n`);
		setTimeout(() => {
			http.createServer(handle).listen(port, host, () => {
				fs.writeFileSync(portFile + '.up', 'up\n');
			});
		}, down);
	});
});

process.on('SIGUSR1', () => {
	fail = Infinity;
	status = 503;
	retryAfter = 0;
});
process.on('SIGUSR2', () => {
	fail = 0;
});

process.on('SIGTERM', () => {
	seen.distinct = Object.keys(seen.ids).length;
	delete seen.ids;
	fs.writeFileSync(summaryFile, JSON.stringify(seen) + '\n');
	if (dump)
		fs.writeFileSync(dump, dumped.map((l) => l + '\n').join(''));
	process.exit(0);
});

// SPDX-License-Identifier: GPL-2.0
//
// decode.js PROTO JSON - decode causalctl's protobuf OTLP export with the
// OpenTelemetry project's own message definitions (the protobufjs root its
// JS exporters were built with, @opentelemetry/otlp-transformer), and
// compare every span with causalctl's OTLP/JSON export of the same logs.
// Prints "SPANS LINKS" and exits 0 when they agree; says what differs.
'use strict';

const fs = require('fs');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root');

const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const hex = (b) => Buffer.from(b).toString('hex');

function fromProto(path) {
	const msg = Request.decode(fs.readFileSync(path));
	const err = Request.verify(msg);
	if (err)
		throw new Error(`${path}: ${err}`);
	const obj = Request.toObject(msg, { longs: String, enums: Number, defaults: false });
	return obj.resourceSpans.map((rs) => ({
		resource: attrs(rs.resource.attributes),
		scopes: rs.scopeSpans.map((ss) => ({
			scope: `${ss.scope.name} ${ss.scope.version}`,
			spans: ss.spans.map((s) => ({
				traceId: hex(s.traceId),
				spanId: hex(s.spanId),
				parentSpanId: s.parentSpanId && s.parentSpanId.length ?
					hex(s.parentSpanId) : undefined,
				name: s.name,
				kind: s.kind,
				start: String(s.startTimeUnixNano),
				end: String(s.endTimeUnixNano),
				attributes: attrs(s.attributes),
				links: (s.links || []).map((l) => `${hex(l.traceId)}/${hex(l.spanId)}`),
			})),
		})),
	}));
}

// attributes as KEY=VALUE, in order: a value's kind is part of it
function attrs(list) {
	return (list || []).map((kv) => {
		const v = kv.value;
		if (v.stringValue !== undefined)
			return `${kv.key}=s:${v.stringValue}`;
		if (v.intValue !== undefined)
			return `${kv.key}=i:${v.intValue}`;
		return `${kv.key}=?:${JSON.stringify(v)}`;
	});
}

function fromJson(path) {
	const obj = JSON.parse(fs.readFileSync(path, 'utf8'));
	return obj.resourceSpans.map((rs) => ({
		resource: attrs(rs.resource.attributes),
		scopes: rs.scopeSpans.map((ss) => ({
			scope: `${ss.scope.name} ${ss.scope.version}`,
			spans: ss.spans.map((s) => ({
				traceId: s.traceId,
				spanId: s.spanId,
				parentSpanId: s.parentSpanId,
				name: s.name,
				kind: s.kind,
				start: s.startTimeUnixNano,
				end: s.endTimeUnixNano,
				attributes: attrs(s.attributes),
				links: (s.links || []).map((l) => `${l.traceId}/${l.spanId}`),
			})),
		})),
	}));
}

const [proto, json] = process.argv.slice(2);
const a = fromProto(proto), b = fromJson(json);
const sa = JSON.stringify(a), sb = JSON.stringify(b);
if (sa !== sb) {
	let i = 0;
	while (i < sa.length && sa[i] === sb[i])
		i++;
	console.error(`protobuf and JSON differ at ${i}:\n  proto: ${sa.slice(i - 80, i + 120)}\n  json:  ${sb.slice(i - 80, i + 120)}`);
	process.exit(1);
}
let spans = 0, links = 0;
for (const rs of a)
	for (const ss of rs.scopes)
		for (const s of ss.spans) {
			spans++;
			links += s.links.length;
		}
console.log(`${spans} ${links}`);

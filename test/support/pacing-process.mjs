#!/usr/bin/env node
// One independent "n8n process" for the pacing tests and the queue benchmark: its own Node
// process, so its own throttle and pacer module instances, running executions of the real
// DNSFilter node (Get Network per item) through the real n8n-core engine, one after another like a
// worker taking jobs. Prints one JSON line with what it did.
//
//   node test/support/pacing-process.mjs '{"url":..., "apiKey":..., "ids":[1,150], "batch":25,
//     "throttleRequests":100, "throttleWindowSeconds":4, "pacing":true}'
import { loadBuilt, loadDnsFilterNode, runNode } from './engine.mjs';
import { loadOperations, operationById } from './node-params.mjs';

const config = JSON.parse(process.argv[2]);
if (config.pacing === false)
	loadBuilt('nodes/DnsFilter/transport/serverPacing.js').setServerPacingEnabled(false);

const row = operationById(loadOperations(), 'V1_Networks-show');
const idField = row.fields.find((f) => f.in === 'path' && f.wireName === 'id');
const node = loadDnsFilterNode();
const [first, last] = config.ids;
const batch = config.batch ?? 25;
const out = { executions: 0, items: 0, errors: [], hints: [], durationMs: 0 };
const started = Date.now();
for (let from = first; from <= last; from += batch) {
	const ids = [];
	for (let id = from; id < from + batch && id <= last; id++) ids.push({ id });
	const result = await runNode({
		nodeType: node,
		parameters: {
			resource: row.resource,
			operation: row.operation,
			[idField.field]: '={{ $json.id }}',
			requestOptions: {
				maxRetries: config.maxRetries ?? 10,
				maxWaitSeconds: 600,
				concurrency: config.concurrency ?? 1,
			},
		},
		items: ids,
		credentials: {
			apiKey: config.apiKey,
			baseUrl: config.url,
			throttleRequests: config.throttleRequests,
			throttleWindowSeconds: config.throttleWindowSeconds,
		},
		timeoutMs: config.timeoutMs ?? 600_000,
	});
	out.executions++;
	out.items += result.items.length;
	if (result.error) out.errors.push(result.error.message);
	for (const hint of result.hints)
		if (out.hints.length < 5 && !out.hints.includes(hint.message)) out.hints.push(hint.message);
}
out.durationMs = Date.now() - started;
process.stdout.write(`${JSON.stringify(out)}\n`);

// Which node the engine benchmarks drive: the built DNSFilter node when dist/ has it, else the
// probe node from test/support (a minimal node over the same transport).
// Import only after N8N_USER_FOLDER is set (engine.mjs loads n8n-core).
import { existsSync } from 'node:fs';
import path from 'node:path';

import { root } from './lib.mjs';

const builtNode = path.join(root, 'dist', 'nodes', 'DnsFilter', 'DnsFilter.node.js');

/** The generated table row for an operationId, so the benchmarks follow the generator's naming. */
function operationRow(engine, operationId) {
	for (const relative of [
		'nodes/DnsFilter/generated/operations.js',
		'nodes/DnsFilter/generated/index.js',
	]) {
		if (!existsSync(path.join(root, 'dist', relative))) continue;
		const exported = engine.loadBuilt(relative);
		for (const value of Object.values(exported)) {
			const rows = Array.isArray(value)
				? value
				: value && typeof value === 'object'
					? Object.values(value)
					: [];
			const row = rows.find((r) => r && r.operationId === operationId);
			if (row) return row;
		}
	}
	return undefined;
}

export async function loadTarget(preferred = process.env.BENCH_TARGET) {
	const engine = await import('../test/support/engine.mjs');
	const useReal = preferred !== 'probe' && existsSync(builtNode);
	if (useReal) {
		const show = operationRow(engine, 'V1_Networks-show');
		const index = operationRow(engine, 'V1_Networks-index');
		const destroyKey = operationRow(engine, 'V1_Api_Keys-destroy');
		// Operation values are the generator's to name; never guess them.
		if (!show || !index || !destroyKey)
			throw new Error(
				'the operation table has no V1_Networks-show / V1_Networks-index / V1_Api_Keys-destroy row',
			);
		const idField = show.fields.find((f) => f.wireName === 'id' && f.in === 'path')?.field;
		const keyIdField = destroyKey.fields.find((f) => f.wireName === 'id' && f.in === 'path')?.field;
		if (!idField || !keyIdField)
			throw new Error('V1_Networks-show or V1_Api_Keys-destroy has no path field for id');
		const nodeType = engine.loadDnsFilterNode();
		// "Items in Parallel" must exist under that name, or the parallel row would quietly run one at a time.
		const hasConcurrency = nodeType.description.properties.some(
			(p) => p.name === 'requestOptions' && p.options?.some((o) => o.name === 'concurrency'),
		);
		return {
			kind: 'dnsfilter',
			engine,
			nodeType,
			typeName: engine.NODE_TYPE,
			/** One GET /v1/networks/{id} per item, the id taken from the item. */
			getOne: (concurrency) => {
				if (concurrency && !hasConcurrency)
					throw new Error(
						'the node has no Request Options → concurrency ("Items in Parallel") parameter',
					);
				return {
					resource: show.resource,
					operation: show.operation,
					[idField]: '={{ $json.id }}',
					...(concurrency ? { requestOptions: { concurrency } } : {}),
				};
			},
			/** One DELETE /v1/api_keys/{id} per item, with these Request Options (none: the defaults). */
			deleteOne: (requestOptions) => ({
				resource: destroyKey.resource,
				operation: destroyKey.operation,
				[keyIdField]: '={{ $json.id }}',
				...(requestOptions ? { requestOptions } : {}),
			}),
			/** GET /v1/networks with Return All. */
			listAll: () => ({ resource: index.resource, operation: index.operation, returnAll: true }),
		};
	}
	const { PROBE_TYPE, probeNode } = await import('../test/support/probe-node.mjs');
	return {
		kind: 'probe',
		engine,
		nodeType: probeNode,
		typeName: PROBE_TYPE,
		/** With concurrency 'all', every item's request starts at once, as n8n's HTTP Request node sends them. */
		getOne: (concurrency) => ({
			method: 'GET',
			path: '=/v1/networks/{{ $json.id }}',
			maxRetries: 5,
			maxWaitMs: 120000,
			allAtOnce: concurrency === 'all',
		}),
		listAll: () => ({
			method: 'GET',
			path: '/v1/networks',
			paged: 'v1',
			returnAll: true,
			maxRetries: 5,
			maxWaitMs: 120000,
		}),
	};
}

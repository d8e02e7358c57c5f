// A minimal node that calls the built request helper directly, so the transport can be tested
// through the real engine independently of the generated DNSFilter node.
import { loadBuilt } from './engine.mjs';

const { dnsFilterApiRequest, dnsFilterApiRequestPaged } = loadBuilt(
	'nodes/DnsFilter/transport/index.js',
);

export const PROBE_TYPE = 'test.dnsFilterProbe';

/** When each probe execute() settled, so tests can see a node stop working after a cancel. */
export const probeSettledAt = [];

export const probeNode = {
	description: {
		displayName: 'DNSFilter Probe',
		name: 'dnsFilterProbe',
		group: ['transform'],
		version: 1,
		defaults: { name: 'Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'dnsFilterApi', required: true }],
		properties: [
			{ displayName: 'Method', name: 'method', type: 'string', default: 'GET' },
			{ displayName: 'Path', name: 'path', type: 'string', default: '/v1/current_user' },
			{ displayName: 'Body', name: 'body', type: 'json', default: '' },
			{ displayName: 'Paged', name: 'paged', type: 'string', default: '' },
			{ displayName: 'Return All', name: 'returnAll', type: 'boolean', default: false },
			{ displayName: 'Limit', name: 'limit', type: 'number', default: 50 },
			{ displayName: 'Max Retries', name: 'maxRetries', type: 'number', default: 5 },
			{ displayName: 'Max Wait', name: 'maxWaitMs', type: 'number', default: 120000 },
			// The benchmarks' "all items at once" row: every item's request started together, as n8n's
			// HTTP Request node sends them; output stays in item order.
			{ displayName: 'All At Once', name: 'allAtOnce', type: 'boolean', default: false },
		],
	},
	async execute() {
		try {
			return await probeExecute.call(this);
		} finally {
			probeSettledAt.push(Date.now());
		}
	},
};

async function probeExecute() {
	const items = this.getInputData();
	if (this.getNodeParameter('allAtOnce', 0)) {
		const perItem = await Promise.all(items.map((_, i) => probeItem.call(this, i)));
		return [perItem.flat()];
	}
	const out = [];
	for (let i = 0; i < items.length; i++)
		for (const item of await probeItem.call(this, i)) out.push(item);
	return [out];
}

/** One item's request (or Return All walk), as output items; a failure becomes {error} on continueOnFail. */
async function probeItem(i) {
	try {
		const path = this.getNodeParameter('path', i);
		const method = this.getNodeParameter('method', i);
		const rawBody = this.getNodeParameter('body', i);
		const request = {
			method,
			path,
			...(rawBody ? { body: typeof rawBody === 'string' ? JSON.parse(rawBody) : rawBody } : {}),
		};
		const retry = {
			maxRetries: this.getNodeParameter('maxRetries', i),
			maxWaitMs: this.getNodeParameter('maxWaitMs', i),
		};
		const style = this.getNodeParameter('paged', i);
		if (style) {
			const result = await dnsFilterApiRequestPaged.call(this, request, {
				style,
				returnAll: this.getNodeParameter('returnAll', i),
				limit: this.getNodeParameter('limit', i),
				itemIndex: i,
				retry,
			});
			return result.records.map((json) => ({ json, pairedItem: { item: i } }));
		}
		const response = await dnsFilterApiRequest.call(this, request, { itemIndex: i, retry });
		return [
			{
				json: { statusCode: response.statusCode, attempts: response.attempts, body: response.body },
				pairedItem: { item: i },
			},
		];
	} catch (error) {
		if (this.continueOnFail()) return [{ json: { error: error.message }, pairedItem: { item: i } }];
		throw error;
	}
}

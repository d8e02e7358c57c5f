// A minimal node that calls the built request helper directly, so the transport can be tested
// through the real engine independently of the generated DNSFilter node.
import { loadBuilt } from './engine.mjs';

const { dnsFilterApiRequest, dnsFilterApiRequestPaged } = loadBuilt('nodes/DnsFilter/transport/index.js');

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
	const out = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const path = this.getNodeParameter('path', i);
			const method = this.getNodeParameter('method', i);
			const rawBody = this.getNodeParameter('body', i);
			const request = { method, path, ...(rawBody ? { body: typeof rawBody === 'string' ? JSON.parse(rawBody) : rawBody } : {}) };
			const retry = { maxRetries: this.getNodeParameter('maxRetries', i), maxWaitMs: this.getNodeParameter('maxWaitMs', i) };
			const style = this.getNodeParameter('paged', i);
			if (style) {
				const result = await dnsFilterApiRequestPaged.call(this, request, {
					style,
					returnAll: this.getNodeParameter('returnAll', i),
					limit: this.getNodeParameter('limit', i),
					itemIndex: i,
					retry,
				});
				out.push(...result.records.map((json) => ({ json, pairedItem: { item: i } })));
				continue;
			}
			const response = await dnsFilterApiRequest.call(this, request, { itemIndex: i, retry });
			out.push({ json: { statusCode: response.statusCode, attempts: response.attempts, body: response.body }, pairedItem: { item: i } });
		} catch (error) {
			if (this.continueOnFail()) {
				out.push({ json: { error: error.message }, pairedItem: { item: i } });
				continue;
			}
			throw error;
		}
	}
	return [out];
}

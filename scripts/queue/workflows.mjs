// Credentials and workflows for the queue-mode tier and benchmark. Operation values come from the
// built operation table by operationId, never written by hand.
import { createRequire } from 'node:module';
import path from 'node:path';

import { CREDENTIAL_TYPE, NODE_TYPE, makeFakeJwt, repoRoot } from '../e2e/harness.mjs';

const require = createRequire(import.meta.url);

function operationRow(operationId) {
	const { OPERATIONS } = require(
		path.join(repoRoot, 'dist', 'nodes', 'DnsFilter', 'generated', 'operations.js'),
	);
	const row = OPERATIONS.find((r) => r.operationId === operationId);
	if (!row) throw new Error(`no operation ${operationId} in the built table: run npm run build`);
	return row;
}

/** A credential for the stand-in: `throttleRequests` per `windowSeconds` for each n8n process. */
export function credential({ id, name, baseUrl, throttleRequests, windowSeconds, sub }) {
	return {
		id,
		name,
		type: CREDENTIAL_TYPE,
		data: {
			apiKey: makeFakeJwt({ sub }),
			baseUrl,
			throttleRequests,
			throttleWindowSeconds: windowSeconds,
		},
	};
}

/**
 * Webhook (POST /webhook/<path>, body { items: [{ id }, …] }) → Split Out → DNSFilter Get Network
 * per item. Answers at once ("Workflow was started"); a worker runs it.
 */
export function getNetworksWorkflow({
	id,
	name,
	webhookPath,
	credentialId,
	credentialName,
	concurrency = 1,
}) {
	const row = operationRow('V1_Networks-show');
	const idField = row.fields.find((f) => f.in === 'path' && f.wireName === 'id');
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' },
		nodes: [
			{
				id: `${id}-webhook`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `${id}-hook`,
				parameters: {
					httpMethod: 'POST',
					path: webhookPath,
					responseMode: 'onReceived',
					options: {},
				},
			},
			{
				id: `${id}-split`,
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.items', options: {} },
			},
			{
				id: `${id}-dnsfilter`,
				name: 'DNSFilter',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [440, 0],
				parameters: {
					resource: row.resource,
					operation: row.operation,
					[idField.field]: '={{ $json.id }}',
					requestOptions: { concurrency, maxRetries: 10, maxWaitSeconds: 600 },
				},
				credentials: { [CREDENTIAL_TYPE]: { id: credentialId, name: credentialName } },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'DNSFilter', type: 'main', index: 0 }]] },
		},
	};
}

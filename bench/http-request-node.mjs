// n8n's own HTTP Request node (n8n-nodes-base from the n8n install the end-to-end tier uses), as
// the anchor users would pick instead of this node: same credential, same GETs, same engine.
// Import after N8N_USER_FOLDER is set, like target.mjs.
import Module, { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export const HTTP_REQUEST_TYPE = 'n8n-nodes-base.httpRequest';

/**
 * Loads the HTTP Request node from `modules` (an n8n install's node_modules). Its `n8n-workflow`
 * is resolved to the one the engine here uses (the same 2.41.0 release), so both nodes run on one
 * copy of the workflow library, as inside n8n.
 */
export function loadHttpRequestNode(modules) {
	const workflowEntry = require.resolve('n8n-workflow');
	const resolve = Module._resolveFilename;
	Module._resolveFilename = function (request, parent, ...rest) {
		if (request === 'n8n-workflow' && parent?.filename?.startsWith(modules + path.sep))
			return workflowEntry;
		return resolve.call(this, request, parent, ...rest);
	};
	const { HttpRequest } = createRequire(path.join(modules, 'n8n-nodes-base', 'package.json'))(
		'./dist/nodes/HttpRequest/HttpRequest.node.js',
	);
	const versioned = new HttpRequest();
	const typeVersion = versioned.description.defaultVersion;
	return {
		nodeType: versioned.nodeVersions[typeVersion],
		typeName: HTTP_REQUEST_TYPE,
		typeVersion,
	};
}

/** The DNSFilter credential on the HTTP Request node ("Predefined Credential Type"). */
const withCredential = {
	authentication: 'predefinedCredentialType',
	nodeCredentialType: 'dnsFilterApi',
};

/** GET <base>/v1/networks/{id} per item, the id from the item; the node's defaults otherwise. */
export function httpGetOne(baseUrl) {
	return {
		method: 'GET',
		url: `=${baseUrl}/v1/networks/{{ $json.id }}`,
		...withCredential,
		options: {},
	};
}

/** DELETE <base>/v1/api_keys/{id} per item, the node's defaults otherwise. */
export function httpDeleteOne(baseUrl) {
	return {
		method: 'DELETE',
		url: `=${baseUrl}/v1/api_keys/{{ $json.id }}`,
		...withCredential,
		options: {},
	};
}

/**
 * The same GETs with the node's Batching option at 1 item per batch and a 1 ms interval: the node
 * has no one-at-a-time mode (it never waits for an answer before the next send), but with a
 * local server answering in well under a millisecond this sends the requests one after another,
 * as this node does by default. A context row only: its wall time includes the pauses, so only
 * its CPU time compares.
 */
export function httpGetOneOneByOne(baseUrl) {
	return {
		...httpGetOne(baseUrl),
		options: { batching: { batch: { batchSize: 1, batchInterval: 1 } } },
	};
}

/**
 * GET <base>/v1/networks, every page, with the node's own pagination: page[number] from
 * $pageCount, stop on a short page ($response), 100 per page, no pause between pages.
 * One output item per page (the response body), as the node gives it.
 */
export function httpListAll(baseUrl, pageSize = 100) {
	return {
		method: 'GET',
		url: `${baseUrl}/v1/networks`,
		...withCredential,
		sendQuery: true,
		specifyQuery: 'keypair',
		queryParameters: { parameters: [{ name: 'page[size]', value: String(pageSize) }] },
		options: {
			pagination: {
				pagination: {
					paginationMode: 'updateAParameterInEachRequest',
					parameters: {
						parameters: [{ type: 'qs', name: 'page[number]', value: '={{ $pageCount + 1 }}' }],
					},
					paginationCompleteWhen: 'other',
					completeExpression: `={{ $response.body.data.length < ${pageSize} }}`,
					limitPagesFetched: false,
					requestInterval: 0,
				},
			},
		},
	};
}

// The node as an AI tool, proven with a real MCP client: a published workflow whose MCP Server
// Trigger (typeVersion 2, Streamable HTTP at /mcp/<path>) exposes two DNSFilter tool nodes
// (`n8n-nodes-dnsfilter.dnsFilterTool`): Delete API Key with the ID from `$fromAI(...)`, and Get
// Many API Keys with no inputs. `@modelcontextprotocol/sdk`'s client lists the tools and calls
// them; the DNSFilter stand-in on 127.0.0.1 records what n8n sent; one 429 on the way must be
// absorbed; the API key must not appear in anything the client receives.
// Needs `npm run build` and the cached n8n (`npm run test:e2e` does both).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import {
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	createInstance,
	log,
	makeFakeJwt,
	packPackage,
} from '../../scripts/e2e/harness.mjs';
import { startDnsFilterStandIn } from '../browser/standin.mjs';
import { operationByOperationId, pathFields } from '../support/operation-lookup.mjs';

const API_KEY = makeFakeJwt({ jti: `e2e-mcp-${process.pid}-${Date.now()}` });
const CREDENTIAL_ID = 'dnsfMcpCred00001';
const WORKFLOW_ID = 'dnsfMcpWorkflow1';
const MCP_PATH = `dnsfilter-mcp-${process.pid}`;
const DELETE = operationByOperationId('V1_Api_Keys-destroy');
const LIST = operationByOperationId('V1_Api_Keys-index');
const GET_NETWORK = operationByOperationId('V1_Networks-show');
const DELETE_TOOL = 'Delete API Key';
const LIST_TOOL = 'Get Many API Keys';
const NETWORK_TOOL = 'Get Network';
const toolName = (nodeName) => nodeName.replace(/[^a-zA-Z0-9_-]+/g, '_');

function mcpWorkflow() {
	const credentials = { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
	const [idField] = pathFields(DELETE);
	const toolEdge = [[{ node: 'MCP Server Trigger', type: 'ai_tool', index: 0 }]];
	return {
		id: WORKFLOW_ID,
		name: 'DNSFilter tools over MCP (e2e)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: randomUUID(),
				name: 'MCP Server Trigger',
				type: '@n8n/n8n-nodes-langchain.mcpTrigger',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { path: MCP_PATH, authentication: 'none' },
			},
			{
				id: randomUUID(),
				name: DELETE_TOOL,
				type: 'n8n-nodes-dnsfilter.dnsFilterTool',
				typeVersion: 1,
				position: [-200, 200],
				credentials,
				parameters: {
					descriptionType: 'manual',
					toolDescription: 'Deletes one DNSFilter API key by its ID',
					resource: DELETE.resource,
					operation: DELETE.operation,
					[idField.field]:
						"={{ $fromAI('apiKeyId', 'The ID of the API key to delete, e.g. 101', 'string') }}",
				},
			},
			{
				id: randomUUID(),
				name: LIST_TOOL,
				type: 'n8n-nodes-dnsfilter.dnsFilterTool',
				typeVersion: 1,
				position: [200, 200],
				credentials,
				parameters: {
					descriptionType: 'manual',
					toolDescription: "Lists the DNSFilter API keys of the credential's user",
					resource: LIST.resource,
					operation: LIST.operation,
				},
			},
			{
				// Network ID is a record picker: "let the model define this parameter" keeps the
				// picker's mode and puts $fromAI in its value, as the editor does.
				id: randomUUID(),
				name: NETWORK_TOOL,
				type: 'n8n-nodes-dnsfilter.dnsFilterTool',
				typeVersion: 1,
				position: [400, 200],
				credentials,
				parameters: {
					descriptionType: 'manual',
					toolDescription: 'Reads one DNSFilter network by its ID',
					resource: GET_NETWORK.resource,
					operation: GET_NETWORK.operation,
					[pathFields(GET_NETWORK)[0].field]: {
						__rl: true,
						mode: 'list',
						value:
							"={{ $fromAI('networkId', 'The numeric ID of the network, e.g. 2001', 'string') }}",
					},
				},
			},
		],
		connections: {
			[DELETE_TOOL]: { ai_tool: toolEdge },
			[LIST_TOOL]: { ai_tool: toolEdge },
			[NETWORK_TOOL]: { ai_tool: toolEdge },
		},
	};
}

let standIn;
let instance;
let server;
let packDir;
let client;
/** Every response body the MCP client read from n8n, raw. */
const received = [];
const pendingReads = [];

/** A fetch for the transport that keeps a copy of every POST response body it hands over. */
async function recordingFetch(url, init) {
	const res = await fetch(url, init);
	if ((init?.method ?? 'GET') !== 'GET')
		pendingReads.push(
			res
				.clone()
				.text()
				.then(
					(t) => received.push(t),
					() => {},
				),
		);
	return res;
}

/** n8n answers readiness before it registers published webhooks: connect until it does (60 s). */
async function connectWhenRegistered(url) {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const candidate = new Client({ name: 'dnsfilter-e2e', version: '1.0.0' });
		try {
			await candidate.connect(
				new StreamableHTTPClientTransport(new URL(url), { fetch: recordingFetch }),
			);
			return candidate;
		} catch (error) {
			await candidate.close().catch(() => {});
			if (Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}
}

function assertNoKey(text, where) {
	for (const part of [API_KEY, API_KEY.split('.')[1], API_KEY.split('.')[2]]) {
		assert.ok(!text.includes(part), `the API key (or a part of it) is in ${where}`);
	}
}

describe(
	'real n8n: the DNSFilter node as tools of an MCP Server Trigger, driven by an MCP client',
	{ timeout: 10 * 60_000 },
	() => {
		before(async () => {
			packDir = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-e2e-pack-'));
			const tarball = await packPackage(packDir);
			standIn = await startDnsFilterStandIn({ apiKey: API_KEY });
			instance = await createInstance({ tarball });
			log(`n8n user folder ${instance.userFolder}`);
			await instance.importCredentials([
				{
					id: CREDENTIAL_ID,
					name: CREDENTIAL_NAME,
					type: CREDENTIAL_TYPE,
					data: {
						apiKey: API_KEY,
						baseUrl: standIn.url,
						throttleRequests: 2000,
						throttleWindowSeconds: 300,
					},
				},
			]);
			await instance.importWorkflows([mcpWorkflow()]);
			await instance.publish(WORKFLOW_ID);
			server = await instance.startServer();
			const url = `${server.base}/mcp/${MCP_PATH}`;
			client = await connectWhenRegistered(url);
			log(`MCP client connected to ${url}`);
		});

		after(async () => {
			try {
				await client?.close();
				await server?.stop();
			} finally {
				await instance?.cleanup();
				await standIn?.close();
				if (packDir) rmSync(packDir, { recursive: true, force: true });
			}
		});

		test('the client lists the DNSFilter tools; Delete API Key takes its ID from $fromAI', async () => {
			const { tools } = await client.listTools();
			received.push(JSON.stringify(tools));
			const names = tools.map((t) => t.name).sort();
			assert.deepEqual(
				names,
				[toolName(DELETE_TOOL), toolName(LIST_TOOL), toolName(NETWORK_TOOL)].sort(),
			);
			const del = tools.find((t) => t.name === toolName(DELETE_TOOL));
			assert.equal(del.description, 'Deletes one DNSFilter API key by its ID');
			assert.ok(del.inputSchema.properties?.apiKeyId, JSON.stringify(del.inputSchema));
			assert.deepEqual(del.inputSchema.required, ['apiKeyId']);
			const list = tools.find((t) => t.name === toolName(LIST_TOOL));
			assert.deepEqual(
				Object.keys(list.inputSchema.properties ?? {}),
				[],
				'Get Many has no inputs',
			);
		});

		test('calling Delete API Key with apiKeyId 101: DELETE /v1/api_keys/101 after one 429, and the client gets the result', async () => {
			standIn.reset();
			standIn.rateLimitNext(1);
			const result = await client.callTool({
				name: toolName(DELETE_TOOL),
				arguments: { apiKeyId: '101' },
			});
			received.push(JSON.stringify(result));
			assert.notEqual(result.isError, true, JSON.stringify(result));
			const text = result.content.map((c) => c.text ?? '').join('\n');
			log(`delete answer: ${text.slice(0, 400)}`);
			assert.match(text, /"success":\s*true/);
			assert.match(text, /101/);
			assert.deepEqual(standIn.summary(), [
				'DELETE /v1/api_keys/101 → 429',
				'DELETE /v1/api_keys/101 → 204',
			]);
			assert.ok(
				standIn.requests.every((r) => r.authorized && !r.bearer),
				'the raw key in Authorization',
			);
			assert.equal(
				standIn.state.apiKeys.some((k) => k.id === '101'),
				false,
			);
		});

		test('calling Get Many API Keys with `arguments: {}`: one GET /v1/api_keys, the keys reach the client', async () => {
			standIn.reset();
			standIn.rateLimitNext(1);
			const result = await client.callTool({ name: toolName(LIST_TOOL), arguments: {} });
			received.push(JSON.stringify(result));
			assert.notEqual(result.isError, true, JSON.stringify(result));
			const text = result.content.map((c) => c.text ?? '').join('\n');
			assert.match(text, /ci-deploy/);
			assert.match(text, /psa-sync/);
			assert.deepEqual(standIn.summary(), ['GET /v1/api_keys → 429', 'GET /v1/api_keys → 200']);
		});

		test('a record picker filled by $fromAI: the model is offered networkId only (no Include Secrets); GET /v1/networks/2001, secret masked', async () => {
			const { tools } = await client.listTools();
			const tool = tools.find((t) => t.name === toolName(NETWORK_TOOL));
			assert.deepEqual(
				Object.keys(tool.inputSchema.properties ?? {}),
				['networkId'],
				JSON.stringify(tool.inputSchema),
			);
			assert.ok(
				!JSON.stringify(tool).toLowerCase().includes('secret'),
				'Include Secrets is not offered to the model',
			);
			standIn.reset();
			const result = await client.callTool({
				name: toolName(NETWORK_TOOL),
				arguments: { networkId: '2001' },
			});
			received.push(JSON.stringify(result));
			assert.notEqual(result.isError, true, JSON.stringify(result));
			const text = result.content.map((c) => c.text ?? '').join('\n');
			log(`network answer: ${text.slice(0, 400)}`);
			assert.match(text, /Head office/);
			assert.ok(!text.includes('nsk_head_office_secret'), 'the network secret stays masked');
			assert.deepEqual(standIn.summary(), ['GET /v1/networks/2001 → 200']);
		});

		test('a bad ID from the model is refused before anything is sent, with a message naming the field', async () => {
			standIn.reset();
			const result = await client.callTool({
				name: toolName(DELETE_TOOL),
				arguments: { apiKeyId: '10 1; DROP' },
			});
			received.push(JSON.stringify(result));
			const text = result.content.map((c) => c.text ?? '').join('\n');
			log(`bad ID answer: ${text.slice(0, 400)}`);
			assert.match(text, /\bID\b/, text);
			assert.deepEqual(standIn.summary(), [], 'nothing reached DNSFilter');
		});

		test("the API key appears in nothing the MCP client received, nor in n8n's output", async () => {
			await Promise.race([
				Promise.all(pendingReads),
				new Promise((resolve) => setTimeout(resolve, 10_000)),
			]);
			assert.ok(received.length >= 4, `${received.length} bodies captured`);
			assertNoKey(received.join('\n'), 'an MCP response');
			assertNoKey(server.output(), "n8n's output");
		});
	},
);

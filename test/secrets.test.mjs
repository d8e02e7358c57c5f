// Secrets in answers are masked by default, through the real engine
// (WorkflowExecute), and through n8n-core's AI-tool path (createNodeAsTool → the node's execute),
// against a stand-in on 127.0.0.1 that answers with a network's secret_key.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import {
	CREDENTIAL_TYPE,
	loadBuilt,
	loadCredentialType,
	loadDnsFilterNode,
	MemoryCredentialsHelper,
	NodeTypes,
	runNode,
} from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { pollOnce } from './support/poll.mjs';
import { loadOperations, operationById } from './support/node-params.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const require = createRequire(import.meta.url);
const { ExecutionLifecycleHooks, WorkflowExecute } = require('n8n-core');
const { Workflow } = require('n8n-workflow');

const apiKey = makeApiKey({ sub: 'secrets-user' });
const operations = loadOperations();
const op = (operationId) => operationById(operations, operationId);
const SECRET = 'nsk_7f3a9c1e5b2d8f4a6c0e9b1d3f5a7c9e';
const NEW_SECRET = 'nsk_00112233445566778899aabbccddeeff';
const network = (id) => ({
	id: String(id),
	type: 'networks',
	attributes: { name: `Site ${id}`, secret_key: `${SECRET}${id}`, physical_address: null },
});

let server;
let nodeType;
before(async () => {
	server = await startStandIn((req, res, record) => {
		const match = /^\/v1\/networks\/(\d+)(\/secret_key)?$/.exec(record.path);
		if (record.path === '/v1/networks') {
			const page = Number(record.query.get('page[number]') ?? 1);
			return json(res, 200, { data: page === 1 ? [network(1), network(2)] : [] });
		}
		if (match && match[1] === '999') return json(res, 404, { error: 'Network not found' });
		if (match && match[2])
			return json(res, 200, {
				data: {
					...network(match[1]),
					attributes: { ...network(match[1]).attributes, secret_key: NEW_SECRET },
				},
			});
		if (match) return json(res, 200, { data: network(match[1]) });
		return json(res, 404, { error: 'No route' });
	});
	nodeType = loadDnsFilterNode();
});
after(async () => {
	await server.close();
});

const credentials = () => ({ apiKey, baseUrl: server.url });
const params = (operationId, extra = {}) => ({
	resource: op(operationId).resource,
	operation: op(operationId).operation,
	...extra,
});
const everything = (result) => JSON.stringify(result.run);

describe('generated secret table', () => {
	test('secret_key of every network answer; token of API keys; purpose operations keep theirs', () => {
		const { SECRET_FIELDS } = loadBuilt('nodes/DnsFilter/generated/secretFields.js');
		for (const id of [
			'V1_Networks-show',
			'V1_Networks-index',
			'V1_Networks-all',
			'V1_Networks-update',
			'V1_Networks-create',
		]) {
			assert.deepEqual(SECRET_FIELDS[id].names, ['secret_key'], id);
			assert.equal(SECRET_FIELDS[id].returnsSecret, false, id);
		}
		for (const id of [
			'V1_Networks-generate_secret_key',
			'V1_Networks-rotate_secret_key',
			'V1_Api_Keys-create',
			'V1_Distributors-users_reset_password_url',
		]) {
			assert.equal(SECRET_FIELDS[id].returnsSecret, true, id);
		}
		assert.equal(SECRET_FIELDS['V1_Networks-revoke_secret_key'].returnsSecret, false);
		assert.deepEqual(SECRET_FIELDS['V1_Api_Keys-show'], {
			names: ['token'],
			paths: ['data.attributes.token'],
			returnsSecret: false,
		});
	});

	test('"Include Secrets" is offered exactly for the operations whose answer is masked, and for Custom API Call', () => {
		const properties = nodeType.description.properties.filter((p) => p.name === 'includeSecrets');
		const shown = properties
			.flatMap((p) =>
				p.displayOptions.show.operation.map((o) => `${p.displayOptions.show.resource[0]}:${o}`),
			)
			.sort();
		const { SECRET_FIELDS } = loadBuilt('nodes/DnsFilter/generated/secretFields.js');
		const expected = Object.entries(SECRET_FIELDS)
			.filter(([, s]) => !s.returnsSecret)
			.map(([id]) => `${op(id).resource}:${op(id).operation}`)
			.concat('customApiCall:customApiCall')
			.sort();
		assert.deepEqual(shown, expected);
		assert.ok(properties.every((p) => p.default === false && p.type === 'boolean'));
	});
});

describe('masked by default (WorkflowExecute)', () => {
	test('Get Network: secret_key masked (last 4 kept); shown with Include Secrets', async () => {
		const masked = await runNode({
			nodeType,
			parameters: params('V1_Networks-show', { id: '5' }),
			credentials: credentials(),
		});
		assert.equal(masked.error, undefined, masked.error?.message);
		assert.equal(masked.items[0].json.secret_key, `••••••••${`${SECRET}5`.slice(-4)}`);
		assert.equal(masked.items[0].json.name, 'Site 5');
		assert.equal(
			everything(masked).includes(SECRET),
			false,
			'the secret is nowhere in the stored run',
		);

		const shown = await runNode({
			nodeType,
			parameters: params('V1_Networks-show', { id: '5', includeSecrets: true }),
			credentials: credentials(),
		});
		assert.equal(shown.items[0].json.secret_key, `${SECRET}5`);
	});

	test('Get Many Networks: every record masked, simplified or raw', async () => {
		for (const simplify of [true, false]) {
			const result = await runNode({
				nodeType,
				parameters: params('V1_Networks-index', { returnAll: true, simplify }),
				credentials: credentials(),
			});
			assert.equal(result.items.length, 2);
			const keys = result.items.map((item) =>
				simplify ? item.json.secret_key : item.json.attributes.secret_key,
			);
			assert.deepEqual(keys, [`••••••••${SECRET.slice(-3)}1`, `••••••••${SECRET.slice(-3)}2`]);
			assert.equal(everything(result).includes(SECRET), false);
			assert.equal(
				result.items[0].json[simplify ? 'physical_address' : 'attributes'] === undefined,
				false,
				'other attributes untouched',
			);
		}
		const shown = await runNode({
			nodeType,
			parameters: params('V1_Networks-index', { returnAll: true, includeSecrets: true }),
			credentials: credentials(),
		});
		assert.deepEqual(
			shown.items.map((item) => item.json.secret_key),
			[`${SECRET}1`, `${SECRET}2`],
		);
	});

	test('Continue on Fail: the failed item is an error, the others stay masked and paired', async () => {
		const result = await runNode({
			nodeType,
			parameters: params('V1_Networks-show', { id: '={{ $json.id }}' }),
			items: [{ id: 3 }, { id: 999 }, { id: 4 }],
			credentials: credentials(),
			continueOnFail: true,
		});
		assert.equal(result.items.length, 3);
		assert.equal(result.items[0].json.secret_key, `••••••••${SECRET.slice(-3)}3`);
		assert.match(JSON.stringify(result.items[1].json), /not found/i);
		assert.equal(result.items[2].json.secret_key, `••••••••${SECRET.slice(-3)}4`);
		assert.deepEqual(
			result.items.map((item) => item.pairedItem),
			[{ item: 0 }, { item: 1 }, { item: 2 }],
		);
		assert.equal(everything(result).includes(SECRET), false);
	});

	test('Rotate Network Secret Key returns the new key in full: that is its purpose', async () => {
		const result = await runNode({
			nodeType,
			parameters: params('V1_Networks-rotate_secret_key', { id: '5' }),
			credentials: credentials(),
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(result.items[0].json.secret_key, NEW_SECRET);
	});
});

/** The tool variant as n8n builds it for `usableAsTool` nodes: same execute, output `ai_tool`. */
function toolVariant(base) {
	return {
		description: { ...base.description, name: 'dnsFilterTool', inputs: [], outputs: ['ai_tool'] },
		execute: base.execute,
	};
}

/** A minimal agent: asks n8n-core for its connected tools and calls the first one, as an agent would. */
const agent = {
	description: {
		displayName: 'Test Agent',
		name: 'testAgent',
		group: ['transform'],
		version: 1,
		defaults: { name: 'Agent' },
		inputs: ['main', { type: 'ai_tool', displayName: 'Tools', required: true }],
		outputs: ['main'],
		properties: [],
	},
	async execute() {
		const tools = await this.getInputConnectionData('ai_tool', 0);
		const tool = Array.isArray(tools) ? tools[0] : tools;
		const answer = await tool.invoke({});
		return [[{ json: { answer } }]];
	},
};

async function runThroughAgent(parameters) {
	const nodes = [
		{
			id: '1',
			name: 'Start',
			type: 'test.start',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: '2',
			name: 'Agent',
			type: 'test.agent',
			typeVersion: 1,
			position: [200, 0],
			parameters: {},
		},
		{
			id: '3',
			name: 'Get network',
			type: 'n8n-nodes-dnsfilter.dnsFilterTool',
			typeVersion: 1,
			position: [200, 200],
			parameters,
			credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'DNSFilter account' } },
		},
	];
	const connections = {
		Start: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
		'Get network': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
	};
	const start = {
		description: {
			displayName: 'Start',
			name: 'start',
			group: ['trigger'],
			version: 1,
			defaults: { name: 'Start' },
			inputs: [],
			outputs: ['main'],
			properties: [],
		},
		async execute() {
			return [[{ json: {} }]];
		},
	};
	const nodeTypes = new NodeTypes({
		'test.start': start,
		'test.agent': agent,
		'n8n-nodes-dnsfilter.dnsFilterTool': toolVariant(nodeType),
	});
	const workflow = new Workflow({
		id: 'wf-tool',
		name: 'tool',
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings: {},
	});
	const hooks = new ExecutionLifecycleHooks('manual', 'exec-tool', {
		id: 'wf-tool',
		name: 'tool',
		nodes,
		connections,
		active: false,
		settings: {},
	});
	const additionalData = {
		credentialsHelper: new MemoryCredentialsHelper(loadCredentialType(), {
			throttleRequests: 0,
			throttleWindowSeconds: 300,
			...credentials(),
		}),
		hooks,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		logAiEvent: () => {},
	};
	const run = await new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: nodes[0],
		destinationNode: { nodeName: 'Agent', mode: 'inclusive' },
	});
	return {
		run,
		answer: run.data.resultData.runData.Agent?.[0]?.data?.main?.[0]?.[0]?.json?.answer,
		error: run.data.resultData.error,
	};
}

describe('the AI-tool variant (same execute) is masked too', () => {
	test('Get Network as a tool: the agent receives the masked key', async () => {
		server.requests.length = 0;
		const { answer, error, run } = await runThroughAgent(params('V1_Networks-show', { id: '8' }));
		assert.equal(error, undefined, error?.message);
		assert.equal(server.requests.length, 1, 'the tool really called the stand-in');
		assert.match(answer, /Site 8/);
		assert.match(answer, new RegExp(`••••••••${SECRET.slice(-3)}8`));
		assert.equal(
			JSON.stringify(run).includes(SECRET),
			false,
			'not in what the agent got, nor in the run data',
		);
	});
});

describe('the trigger masks them too', () => {
	test('New Network: the emitted network and the test event carry the masked key', async () => {
		const { EXPIRY_EVENTS_SOURCE, NEW_RECORD_SOURCES } = loadBuilt(
			'nodes/DnsFilter/trigger/triggerEvents.js',
		);
		for (const source of [...Object.values(NEW_RECORD_SOURCES), EXPIRY_EVENTS_SOURCE])
			assert.equal(op(source.operationId).path, source.path, source.operationId);
		for (const typeVersion of [1, 2]) {
			const parameters = { event: 'newNetwork', minimumListingMinutes: 0 };
			const first = await pollOnce({
				parameters,
				credentials: credentials(),
				typeVersion,
				staticData: {},
			});
			// Forget network 2 so the next poll reports it.
			const state = structuredClone(first.staticData);
			state['node:DNSFilter Trigger'].listedNumeric = '1';
			const next = await pollOnce({
				parameters,
				credentials: credentials(),
				typeVersion,
				staticData: state,
			});
			assert.equal(next.error, undefined, next.error?.message);
			const item = next.items[0];
			assert.equal(
				typeVersion === 2 ? item.secret_key : item.attributes.secret_key,
				`••••••••${SECRET.slice(-3)}2`,
			);
			const manual = await pollOnce({
				parameters,
				credentials: credentials(),
				typeVersion,
				mode: 'manual',
			});
			assert.equal(JSON.stringify(manual.items).includes(SECRET), false);
			assert.equal(JSON.stringify([first, next]).includes(SECRET), false);
		}
	});
});

describe('the operation list says what happens to secrets', () => {
	test('an operation that returns its secret by purpose says so; one that masks names the masked fields', () => {
		const { SECRET_FIELDS } = loadBuilt('nodes/DnsFilter/generated/secretFields.js');
		const description = loadDnsFilterNode().description;
		const optionFor = (row) =>
			description.properties
				.filter((property) => property.name === 'operation')
				.flatMap((property) => property.options ?? [])
				.find((option) => option.value === row.operation);
		let keeps = 0;
		let masks = 0;
		for (const [operationId, secret] of Object.entries(SECRET_FIELDS)) {
			const row = op(operationId);
			const text = optionFor(row)?.description ?? '';
			if (secret.returnsSecret) {
				keeps++;
				assert.match(text, /in full: store it safely/, `${operationId}: "${text}"`);
			} else {
				masks++;
				assert.match(text, /masked \(Include Secrets\)/, `${operationId}: "${text}"`);
			}
			for (const name of secret.names)
				assert.ok(text.includes(name), `${operationId} names ${name}: "${text}"`);
		}
		assert.ok(keeps >= 3 && masks >= 5, `${keeps} keep, ${masks} mask`);
	});
});

// Saved workflows keep working after a regeneration: the corpus (one node per operation as the
// editor stored it, test/fixtures/saved-workflows/operations.json, written at the release that
// introduced the stored-names lock) and the DnsFilter nodes of examples/*.json load against the
// current node description without parameter issues, keep every value they meant, resolve to
// the operation (method and path) they were saved for, and run through the n8n engine against a
// stand-in. Retired values (the aliases table) run what they became or fail with their message.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadBuilt, loadDnsFilterNode, NodeHelpers, runNode } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { pathPattern } from './support/node-params.mjs';
import { CORPUS_PATH } from './support/saved-corpus.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = JSON.parse(readFileSync(CORPUS_PATH, 'utf8'));
const EXAMPLES = readdirSync(path.join(root, 'examples'))
	.filter((name) => name.endsWith('.json'))
	.flatMap((name) =>
		JSON.parse(readFileSync(path.join(root, 'examples', name), 'utf8'))
			.nodes.filter((node) => node.type === 'n8n-nodes-dnsfilter.dnsFilter')
			.map((node) => ({ file: name, node })),
	);
const apiKey = makeApiKey({ sub: 'saved-workflows' });

let nodeType;
let description;
let operations;
let registry;
let aliases;
let server;
before(async () => {
	nodeType = loadDnsFilterNode();
	description = nodeType.description;
	operations = loadBuilt('nodes/DnsFilter/generated/operations.js');
	registry = loadBuilt('nodes/DnsFilter/actions/registry.js');
	aliases = loadBuilt('nodes/DnsFilter/generated/aliases.js').OPERATION_ALIASES;
	server = await startStandIn();
});
after(async () => {
	await server?.close();
});

/** The node as n8n loads a saved one: parameters resolved against the description, defaults filled in. */
function load(parameters, typeVersion = 1) {
	const node = {
		id: '1',
		name: 'DNSFilter',
		type: 'n8n-nodes-dnsfilter.dnsFilter',
		typeVersion,
		position: [0, 0],
		parameters,
	};
	const resolved = NodeHelpers.getNodeParameters(
		description.properties,
		parameters,
		true,
		false,
		node,
		description,
	);
	const issues = NodeHelpers.getNodeParametersIssues(
		description.properties,
		{ ...node, parameters: resolved },
		description,
	);
	return { resolved, issues };
}

/** Every value of `meant` (nested one level for collections) that `resolved` no longer holds. */
function lostValues(meant, resolved) {
	const lost = [];
	for (const [name, value] of Object.entries(meant)) {
		if (value && typeof value === 'object' && !Array.isArray(value)) {
			for (const [child, childValue] of Object.entries(value)) {
				if (JSON.stringify(resolved[name]?.[child]) !== JSON.stringify(childValue))
					lost.push(
						`${name}.${child}: ${JSON.stringify(childValue)} → ${JSON.stringify(resolved[name]?.[child])}`,
					);
			}
		} else if (JSON.stringify(resolved[name]) !== JSON.stringify(value)) {
			lost.push(`${name}: ${JSON.stringify(value)} → ${JSON.stringify(resolved[name])}`);
		}
	}
	return lost;
}

function rowFor(resolved) {
	const saved = registry.resolveSavedOperation(resolved.resource, resolved.operation);
	return saved.removed ? undefined : operations.findOperation(saved.resource, saved.operation);
}

test('the corpus holds one saved node per operation of the lock', () => {
	const lock = JSON.parse(
		readFileSync(path.join(root, 'scripts/generator/stored-names.lock.json'), 'utf8'),
	);
	assert.deepEqual(CORPUS.map((entry) => entry.key).sort(), Object.keys(lock.operations).sort());
	// Nodes that rely on defaults are part of it: no resource or operation stored at all.
	assert.ok(
		CORPUS.some(
			(entry) =>
				entry.parameters.resource === undefined && entry.parameters.operation === undefined,
		),
	);
});

test('every saved node of the corpus loads without issues, keeps what it meant and resolves to the operation it was saved for', () => {
	const problems = [];
	for (const entry of CORPUS) {
		const { resolved, issues } = load(entry.parameters, entry.typeVersion);
		if (issues) problems.push(`${entry.key}: parameter issues ${JSON.stringify(issues)}`);
		const lost = lostValues(entry.meant, resolved);
		if (lost.length) problems.push(`${entry.key}: ${lost.join(', ')}`);
		const row = rowFor(resolved);
		if (!row)
			problems.push(`${entry.key}: ${resolved.resource}:${resolved.operation} runs no operation`);
		else if (`${row.method} ${row.path}` !== entry.key)
			problems.push(`${entry.key}: now runs ${row.method} ${row.path}`);
	}
	assert.deepEqual(problems, []);
});

test('every DNSFilter node of the examples loads without issues and keeps its values', () => {
	assert.ok(EXAMPLES.length >= 5);
	for (const { file, node } of EXAMPLES) {
		const { resolved, issues } = load(node.parameters, node.typeVersion);
		assert.equal(issues, null, `${file} ${node.name}`);
		assert.deepEqual(lostValues(node.parameters, resolved), [], `${file} ${node.name}`);
		const custom =
			registry.registry.operations[registry.operationKey(resolved.resource, resolved.operation)];
		assert.ok(
			custom || rowFor(resolved),
			`${file} ${node.name}: ${resolved.resource}:${resolved.operation}`,
		);
	}
});

/** Answers any request with what the operation returns: nothing, an empty list or one record. */
function answerFor(row) {
	return (req, res) => {
		if (row.output === 'none') {
			res.writeHead(204);
			res.end();
		} else if (row.pagination === 'trafficReport') {
			json(res, 200, { data: { values: [{ id: 1 }], page: {} } });
		} else if (row.output === 'list') {
			json(res, 200, { data: [{ id: 1 }] });
		} else {
			json(res, 200, { data: { id: 1 } });
		}
	};
}

async function runSaved(parameters, typeVersion = 1) {
	return await runNode({
		nodeType,
		typeVersion,
		parameters,
		credentials: { apiKey, baseUrl: server.url },
		timeoutMs: 30_000,
	});
}

test('one saved node per resource runs through the engine and sends the request it was saved for', async () => {
	const perResource = new Map();
	for (const entry of CORPUS) {
		const resource = entry.meant.resource;
		if (!perResource.has(resource)) perResource.set(resource, entry);
	}
	assert.ok(perResource.size >= 40);
	for (const entry of perResource.values()) {
		const row = rowFor(entry.meant);
		server.setHandler(answerFor(row));
		server.requests.length = 0;
		const result = await runSaved(entry.parameters, entry.typeVersion);
		assert.equal(result.error, undefined, `${entry.key}: ${result.error?.message}`);
		const [method, template] = entry.key.split(' ');
		assert.ok(server.requests.length >= 1, `${entry.key}: nothing sent`);
		assert.equal(server.requests[0].method, method, entry.key);
		assert.match(server.requests[0].path, pathPattern(template), entry.key);
		assert.ok(result.items.length >= 1, entry.key);
	}
});

test('the examples whose values come from their input items run through the engine', async () => {
	const runnable = EXAMPLES.filter(({ node }) => !JSON.stringify(node.parameters).includes("$('"));
	assert.ok(runnable.length >= 3);
	for (const { file, node } of runnable) {
		const { resolved } = load(node.parameters, node.typeVersion);
		const row = rowFor(resolved);
		server.setHandler(row ? answerFor(row) : (req, res) => json(res, 200, { data: [{ id: 1 }] }));
		server.requests.length = 0;
		const items = [
			{
				networkId: 7,
				keyId: 3,
				expiringWithinDays: 7,
				from: '2026-07-13T00:00:00Z',
				to: '2026-07-14T00:00:00Z',
			},
		];
		const result = await runNode({
			nodeType,
			typeVersion: node.typeVersion,
			parameters: node.parameters,
			items,
			credentials: { apiKey, baseUrl: server.url },
			timeoutMs: 30_000,
		});
		assert.equal(result.error, undefined, `${file} ${node.name}: ${result.error?.message}`);
		assert.ok(server.requests.length >= 1, `${file} ${node.name}: nothing sent`);
		if (row) assert.match(server.requests[0].path, pathPattern(row.path), `${file} ${node.name}`);
	}
});

test('a renamed operation value runs the operation it became, and a removed one fails naming what replaced it', async (t) => {
	// The aliases table is empty for the current document; entries are put into the built table for this test.
	const target = operations.OPERATIONS.find(
		(row) => row.fields.length === 0 && row.method === 'GET' && row.output === 'record',
	);
	aliases[`${target.resource}:oldSpelling`] = {
		resource: target.resource,
		operation: target.operation,
	};
	const message =
		'DNSFilter removed the operation "Legacy Lookup" (GET /v1/legacy): no longer offered. Use "Get Network by IP" (resource Network) instead.';
	aliases['network:legacyLookup'] = { removed: message };
	t.after(() => {
		delete aliases[`${target.resource}:oldSpelling`];
		delete aliases['network:legacyLookup'];
	});
	server.setHandler(answerFor(target));
	server.requests.length = 0;
	const renamed = await runSaved({ resource: target.resource, operation: 'oldSpelling' });
	assert.equal(renamed.error, undefined, renamed.error?.message);
	assert.equal(server.requests.length, 1);
	assert.equal(server.requests[0].path, target.path);

	server.requests.length = 0;
	const removed = await runSaved({ resource: 'network', operation: 'legacyLookup' });
	assert.equal(removed.error?.message, message);
	assert.equal(server.requests.length, 0, 'nothing is sent for a removed operation');

	const unknown = await runSaved({ resource: 'network', operation: 'neverExisted' });
	assert.match(
		unknown.error?.message ?? '',
		/The operation "neverExisted" is not known for resource "network"/,
	);
});

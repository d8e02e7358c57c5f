// Per-request cost: what the node leaves behind or copies per request must not grow
// with the number of requests, and the cheaper paths must keep their guarantees (repeated pages
// still caught, secrets still masked, lists of any length returned).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';

import { loadBuilt, loadDnsFilterNode, runNode } from './support/engine.mjs';
import { runOperation, standInForFile } from './support/hostile-servers.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { buildParameters, loadOperations, operationById } from './support/node-params.mjs';
import { json } from './support/standin-server.mjs';

const { maskNamed } = loadBuilt('nodes/DnsFilter/records/secrets.js');

const apiKey = makeApiKey({ sub: 'footprint-user' });
let api;
standInForFile((server) => {
	api = server;
});
const credentials = () => ({ apiKey, baseUrl: api.url });
const pageNumber = (record) => Number(record.query.get('page[number]'));
const network = (id, extra = {}) => ({
	id: String(id),
	type: 'networks',
	attributes: { name: `net-${id}`, ...extra },
});

/** "Network → Get Network" with its ID from each item's `id`, plus `extra` parameters. */
function showNetwork(extra = {}) {
	const row = operationById(loadOperations(), 'V1_Networks-show');
	const idField = row.fields.find((field) => field.in === 'path' && field.wireName === 'id').field;
	return { ...buildParameters(row), [idField]: '={{ $json.id }}', ...extra };
}

/** Answers GET /v1/networks/:id with that network. */
const answerNetwork = (req, res) =>
	json(res, 200, { data: network(Number(req.url.split('/')[3]?.split('?')[0]) || 1) });

/**
 * The real node, wrapped only to show the test its Stop signal: `onStart(stop)` before its
 * execute(), `onEnd(stop)` after it.
 */
function withStopSignal(onStart, onEnd = () => {}) {
	const dnsFilter = loadDnsFilterNode();
	return {
		description: dnsFilter.description,
		async execute() {
			const stop = this.getExecutionCancelSignal();
			onStart(stop);
			const output = await dnsFilter.execute.call(this);
			onEnd(stop);
			return output;
		},
	};
}

/**
 * What hangs on an AbortSignal: its 'abort' listeners (public API) and the composite signals
 * registered on it by AbortSignal.any (Node internals; the probe checks itself first, so a Node
 * that stores them differently fails here instead of passing unseen).
 */
function attachedTo(signal) {
	const dependants = (s) => {
		const symbol = Object.getOwnPropertySymbols(s).find(
			(sym) => String(sym) === 'Symbol(kDependantSignals)',
		);
		return symbol ? (s[symbol]?.size ?? 0) : 0;
	};
	const check = new AbortController();
	AbortSignal.any([check.signal, AbortSignal.timeout(60_000)]);
	assert.equal(
		dependants(check.signal),
		1,
		'this Node keeps AbortSignal.any dependants where the probe looks',
	);
	return { listeners: getEventListeners(signal, 'abort').length, dependants: dependants(signal) };
}

describe('per-request footprint', () => {
	test("60 requests leave nothing attached to the execution's Stop signal", async () => {
		api.setHandler(answerNetwork);
		let before;
		let after;
		const wrapped = withStopSignal(
			(stop) => (before = attachedTo(stop)),
			(stop) => (after = attachedTo(stop)),
		);
		const parameters = showNetwork();
		const items = Array.from({ length: 60 }, (_, i) => ({ id: i + 1 }));
		const { error, items: output } = await runNode({
			nodeType: wrapped,
			parameters,
			items,
			credentials: credentials(),
		});
		assert.equal(error, undefined);
		assert.equal(output.length, 60);
		assert.equal(api.requests.length, 60);
		assert.deepEqual(after, before, 'each try detaches from Stop when it ends');
	});

	test('five tries in flight together hang one listener on Stop, not one each', async () => {
		let stop;
		let idle;
		const seen = [];
		const held = [];
		// Each answer waits until five requests are on the wire; the stand-in needs the handler's
		// promise to last until its answer is sent.
		api.setHandler(
			(req, res) =>
				new Promise((resolve) => {
					held.push(() => {
						answerNetwork(req, res);
						resolve();
					});
					if (held.length < 5) return;
					// All five are on the wire: what hangs on Stop now is what five running tries cost it.
					seen.push(attachedTo(stop));
					for (const answer of held.splice(0)) answer();
				}),
		);
		const items = Array.from({ length: 15 }, (_, i) => ({ id: i + 1 }));
		const { error, items: output } = await runNode({
			nodeType: withStopSignal((signal) => {
				stop = signal;
				idle = attachedTo(signal);
			}),
			parameters: showNetwork({ requestOptions: { concurrency: 5 } }),
			items,
			credentials: credentials(),
		});
		assert.equal(error, undefined);
		assert.deepEqual(
			output.map((item) => item.json.id),
			items.map((item) => String(item.id)),
			'output in item order',
		);
		assert.equal(seen.length, 3, 'three rounds of five requests each had all five in flight');
		for (const during of seen) {
			assert.ok(
				during.listeners - idle.listeners <= 1,
				`Stop held ${during.listeners - idle.listeners} listeners of this node's with five tries running`,
			);
			assert.equal(during.dependants, idle.dependants);
		}
		assert.deepEqual(attachedTo(stop), idle, 'nothing stays on Stop once the tries are over');
	});

	test('Stop with five tries in flight ends every one of them and closes their connections', async () => {
		const closed = [];
		api.setHandler((req) => {
			// Never answered: only Stop ends these.
			req.socket.on('close', () => closed.push(Date.now()));
			return new Promise(() => {});
		});
		const started = Date.now();
		const { items } = await runNode({
			nodeType: loadDnsFilterNode(),
			parameters: showNetwork({ requestOptions: { concurrency: 5 } }),
			items: Array.from({ length: 12 }, (_, i) => ({ id: i + 1 })),
			credentials: credentials(),
			cancelAfterMs: 700,
			timeoutMs: 30_000,
		});
		const ended = Date.now() - started;
		assert.equal(api.requests.length, 5, 'five started; none after Stop');
		assert.ok(ended < 5_000, `the execution ended ${ended} ms after it began (Stop at 700 ms)`);
		for (let waited = 0; closed.length < 5 && waited < 3_000; waited += 50)
			await new Promise((resolve) => setTimeout(resolve, 50));
		assert.equal(closed.length, 5, 'every in-flight connection was closed at Stop');
		assert.equal(items.length, 0);
	});

	test('Return All of 130,000 records (more than one call can take as arguments) returns every record', async () => {
		// A server that ignores page[size]: the whole list as one bare array, then an empty page.
		const all = Array.from({ length: 130_000 }, (_, i) => ({ id: i + 1 }));
		api.setHandler((req, res, record) => json(res, 200, pageNumber(record) === 1 ? all : []));
		const { error, items } = await runOperation('V1_Networks-index', {
			extra: { returnAll: true, requestOptions: { maxRetries: 0 } },
			credentials: credentials(),
			timeoutMs: 120_000,
		});
		assert.equal(error, undefined);
		assert.equal(items.length, 130_000);
		assert.equal(items[129_999].json.id, 130_000);
		assert.deepEqual(items[129_999].pairedItem, { item: 0 });
	});
});

describe('credential checks done once per execution', () => {
	test('a key that expires during the execution is refused from the first request after its expiry', async () => {
		// exp is 2–3 s away; each answer takes 1.5 s, so items 1 and 2 go before it and item 3 after
		// (one read at a time: Get operations send several at once by default).
		const expiring = makeApiKey({ sub: 'expiring-user', exp: Math.floor(Date.now() / 1000) + 3 });
		api.setHandler(async (req, res) => {
			await new Promise((resolve) => setTimeout(resolve, 1500));
			json(res, 200, { data: network(1) });
		});
		const { items } = await runNode({
			nodeType: loadDnsFilterNode(),
			parameters: showNetwork({ requestOptions: { readConcurrency: 1 } }),
			items: [{ id: 1 }, { id: 2 }, { id: 3 }],
			credentials: { apiKey: expiring, baseUrl: api.url },
			continueOnFail: true,
		});
		assert.equal(items.length, 3);
		assert.equal(items[0].json.id, '1');
		assert.equal(items[1].json.id, '1');
		assert.match(String(items[2].json.error), /DNSFilter API key expired on/);
		assert.equal(api.requests.length, 2, 'nothing was sent with the expired key');
	});
});

describe('parameters read once per execution unless they hold an expression', () => {
	test('Simplify and Include Secrets given by expressions still differ per item', async () => {
		api.setHandler((req, res) =>
			json(res, 200, {
				data: network(req.url.split('/')[3], { secret_key: 'abcdefghijklmnopqrstuvwxyz' }),
			}),
		);
		const { error, items } = await runNode({
			nodeType: loadDnsFilterNode(),
			parameters: showNetwork({
				simplify: '={{ $json.simple }}',
				includeSecrets: '={{ $json.secrets }}',
			}),
			items: [
				{ id: 1, simple: true, secrets: false },
				{ id: 2, simple: false, secrets: true },
				{ id: 3, simple: true, secrets: true },
			],
			credentials: credentials(),
		});
		assert.equal(error, undefined);
		assert.equal(items[0].json.secret_key, '••••••••wxyz');
		assert.equal(items[1].json.attributes.secret_key, 'abcdefghijklmnopqrstuvwxyz');
		assert.equal(items[2].json.secret_key, 'abcdefghijklmnopqrstuvwxyz');
	});

	test('a fixed Simplify applies to every item', async () => {
		api.setHandler((req, res) => json(res, 200, { data: network(req.url.split('/')[3]) }));
		const { items } = await runNode({
			nodeType: loadDnsFilterNode(),
			parameters: showNetwork({ simplify: false }),
			items: [{ id: 1 }, { id: 2 }, { id: 3 }],
			credentials: credentials(),
		});
		assert.deepEqual(
			items.map((item) => item.json.attributes?.name),
			['net-1', 'net-2', 'net-3'],
		);
	});
});

describe('repeat check on its cheap path', () => {
	test('pages that share their length, first and last record but differ in between are all read', async () => {
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			const data = Array.from({ length: 100 }, (_, i) =>
				i === 0 || i === 99 ? network(i === 0 ? 'first' : 'last') : network(page * 1000 + i),
			);
			json(res, 200, {
				data,
				links: { next: page < 3 ? `/v1/networks?page[number]=${page + 1}` : null },
			});
		});
		const { error, items } = await runOperation('V1_Networks-index', {
			extra: { returnAll: true, requestOptions: { maxRetries: 0 } },
			credentials: credentials(),
		});
		assert.equal(error, undefined);
		// Every page's 98 middle records, and the first and last records all three pages share once each.
		assert.equal(items.length, 296);
		assert.equal(new Set(items.map((item) => item.json.id)).size, 296);
		assert.equal(api.requests.length, 3);
	});

	test('a page repeating an earlier one after a page with the same outline is still caught', async () => {
		// Pages 1 and 2 share an outline but differ; page 3 repeats page 1 with its keys reordered.
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			const middle = page === 2 ? 2000 : 1000;
			const data = Array.from({ length: 100 }, (_, i) =>
				i === 0 || i === 99 ? network(i) : network(middle + i),
			);
			const shown =
				page === 3 ? data.map(({ id, type, attributes }) => ({ attributes, type, id })) : data;
			json(res, 200, { data: shown, links: { next: `/v1/networks?page[number]=${page + 1}` } });
		});
		const { error, items } = await runOperation('V1_Networks-index', {
			extra: { returnAll: true, requestOptions: { maxRetries: 0 } },
			credentials: credentials(),
		});
		assert.equal(items.length, 0);
		assert.match(error.message, /sent page 3 of \/v1\/networks with the same records as page 1/);
	});
});

describe('secret masking copies only what it masks', () => {
	const names = new Set(['secret_key']);
	test('an answer without secrets comes back as it is, not copied', () => {
		const record = { id: '1', attributes: { name: 'a', nested: [{ x: 1 }] } };
		assert.equal(maskNamed(record, names), record);
		const list = [record, { id: '2' }];
		assert.equal(maskNamed(list, names), list);
	});

	test('a secret at any depth is masked in a copy; the input and the untouched branches stay as they were', () => {
		const untouched = { name: 'kept' };
		const input = {
			data: [
				{ id: '1', attributes: { secret_key: 'abcdefghijklmnopqrstuvwxyz', other: untouched } },
				{ id: '2' },
			],
		};
		const snapshot = JSON.stringify(input);
		const masked = maskNamed(input, names);
		assert.equal(JSON.stringify(input), snapshot, 'input unchanged');
		assert.equal(masked.data[0].attributes.secret_key, '••••••••wxyz');
		assert.equal(masked.data[0].attributes.other, untouched);
		assert.equal(masked.data[1], input.data[1]);
		assert.notEqual(masked.data[0], input.data[0]);
	});
});

// The DNSFilter Trigger's memory under hostile and odd listings, through
// n8n-core's PollTriggerExecutor against a stand-in on 127.0.0.1: a bad poll changes nothing,
// every id not seen before is reported once whatever its value, the memory is bounded, and a
// version 1 state is migrated without replaying history.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { pollOnce } from './support/poll.mjs';
import { json, startStandIn, text } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'trigger-state-user' });
const STATE = 'node:DNSFilter Trigger';
const { decodeIdRuns, encodeIdRuns, GONE_IDS_LIMIT, idDigest, STATE_VERSION } = loadBuilt(
	'nodes/DnsFilter/trigger/triggerEvents.js',
);
let server;
let credentials;

before(async () => {
	server = await startStandIn();
	credentials = { apiKey, baseUrl: server.url };
});
after(async () => {
	await server.close();
});

const network = (id) => ({ id: String(id), type: 'networks', attributes: { name: `Site ${id}` } });

/** A paged V1 list over `records()`; `override(pageNumber)` may answer a page itself (garbage). */
function serve(path, records, override = () => false) {
	server.setHandler((req, res, record) => {
		if (record.path !== path) return json(res, 404, { error: `No route for ${record.path}` });
		const number = Number(record.query.get('page[number]') ?? 1);
		if (override(number, res)) return undefined;
		const size = Number(record.query.get('page[size]') ?? 100);
		json(res, 200, { data: records().slice((number - 1) * size, number * size), links: {} });
	});
}

function poller(parameters, { typeVersion = 1, staticData = {} } = {}) {
	let data = staticData;
	return {
		async poll(mode = 'trigger') {
			server.requests.length = 0;
			const result = await pollOnce({
				parameters,
				credentials,
				staticData: data,
				mode,
				typeVersion,
			});
			if (mode !== 'manual') data = result.staticData;
			return result;
		},
		get staticData() {
			return data;
		},
	};
}

const ids = (items) => items?.map((item) => item.id) ?? null;

describe('a bad poll errors and keeps the state', () => {
	const garbage = {
		'an HTML page': (res) =>
			text(
				res,
				200,
				'<html><head><title>Proxy login</title></head><body>sign in</body></html>',
				'text/html',
			),
		'invalid JSON': (res) => text(res, 200, '{"data": [ {"id": 1', 'application/json'),
		'an empty body': (res) => text(res, 200, '', 'application/json'),
		'an object without data': (res) => json(res, 200, { links: {} }),
		'data: null': (res) => json(res, 200, { data: null }),
		'data: an object': (res) => json(res, 200, { data: { id: '1' } }),
		'data: an empty string': (res) => json(res, 200, { data: '' }),
		'data: strings': (res) => json(res, 200, { data: ['1', '2'] }),
	};
	for (const [kind, answer] of Object.entries(garbage)) {
		test(`${kind} on page 2: error naming what came back; nothing lost, nothing repeated`, async () => {
			let networks = Array.from({ length: 150 }, (_, i) => network(i + 1));
			let bad = false;
			serve(
				'/v1/networks',
				() => networks,
				(page, res) => (bad && page === 2 ? (answer(res), true) : false),
			);
			const trigger = poller({ event: 'newNetwork' });
			assert.equal((await trigger.poll()).items, null);
			const remembered = structuredClone(trigger.staticData);

			networks = [...networks, network(151)];
			bad = true;
			const failed = await trigger.poll();
			assert.ok(failed.error, `${kind} must fail the poll`);
			// The trigger's own check (or the transport's, when it refuses the body first) names the request.
			assert.match(failed.error.message, /DNSFilter answered GET \/v1\/networks\b/);
			assert.equal(failed.items, null);
			assert.deepEqual(trigger.staticData, remembered, 'the stored state is untouched');

			bad = false;
			assert.deepEqual(ids((await trigger.poll()).items), ['151'], 'the new network is not lost');
			assert.equal(
				(await trigger.poll()).items,
				null,
				'and not repeated; nothing earlier is replayed',
			);
		});
	}

	test('the error says what came back without echoing the body', async () => {
		serve('/v1/networks', () => [network(1)]);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		serve(
			'/v1/networks',
			() => [],
			(page, res) => (text(res, 200, '<html><title>Proxy login</title></html>', 'text/html'), true),
		);
		const html = await trigger.poll();
		assert.match(
			`${html.error.message} ${html.error.description}`,
			/HTML page titled "Proxy login"/,
		);
		serve(
			'/v1/networks',
			() => [],
			(page, res) => (text(res, 200, `oops ${apiKey} trailing`, 'text/plain'), true),
		);
		const echoed = await trigger.poll();
		assert.match(echoed.error.message, /DNSFilter answered GET \/v1\/networks\b/);
		assert.equal(
			JSON.stringify({ m: echoed.error.message, d: echoed.error.description }).includes(
				apiKey.split('.')[1],
			),
			false,
		);
	});

	test('a valid but empty listing forgets nothing: the networks coming back are not new', async () => {
		let networks = [network(1), network(2)];
		serve('/v1/networks', () => networks);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		networks = [];
		assert.equal((await trigger.poll()).items, null);
		networks = [network(1), network(2), network(3)];
		assert.deepEqual(ids((await trigger.poll()).items), ['3']);
	});

	test('API key list: garbage keeps what was reported; recovery repeats nothing', async () => {
		const DAY = 86_400_000;
		const keys = [
			{
				id: '1',
				type: 'api_keys',
				attributes: { status: 'active', expiry: new Date(Date.now() + 3 * DAY).toISOString() },
			},
		];
		let answer = (res) => json(res, 200, { data: keys });
		server.setHandler((req, res, record) =>
			record.path === '/v1/api_keys' ? answer(res) : json(res, 404, {}),
		);
		const trigger = poller({ event: 'apiKeyExpiringSoon', options: { includeExisting: true } });
		assert.deepEqual(ids((await trigger.poll()).items), ['1']);
		const remembered = structuredClone(trigger.staticData);
		for (const bad of [{ data: 'oops' }, {}, { data: null }]) {
			answer = (res) => json(res, 200, bad);
			const failed = await trigger.poll();
			assert.match(failed.error?.message ?? '', /DNSFilter answered GET \/v1\/api_keys\b/);
			assert.deepEqual(trigger.staticData, remembered);
		}
		// A valid empty list (the key vanished for a moment) does not forget it either.
		answer = (res) => json(res, 200, { data: [] });
		assert.equal((await trigger.poll()).items, null);
		answer = (res) => json(res, 200, { data: keys });
		assert.equal((await trigger.poll()).items, null, 'key 1 was already reported');
	});
});

describe('stored ids stay small', () => {
	test('runs round-trip; 20,000 scattered ids cost a few bytes each', () => {
		for (const ranges of [
			[],
			[[0, 0]],
			[
				[1, 150],
				[152, 152],
			],
			[
				[5, 9],
				[100, 100],
				[101_000_000, 101_000_500],
			],
		]) {
			assert.deepEqual(decodeIdRuns(encodeIdRuns(ranges)), ranges);
		}
		assert.equal(
			encodeIdRuns([
				[1, 150],
				[152, 152],
			]),
			'1+45,2',
		);
		let id = 1_000_000;
		const scattered = Array.from({ length: 20_000 }, (_, i) => {
			id += 2 + ((i * 7919) % 1000);
			return [id, id];
		});
		const text = encodeIdRuns(scattered);
		assert.deepEqual(decodeIdRuns(text), scattered);
		assert.ok(text.length < 5 * 20_000, `${text.length} characters for 20,000 ids`);
	});
});

describe('every record not seen before is emitted once, whatever its id', () => {
	test('id 4, then id 3: 3 is new', async () => {
		let networks = [network(4)];
		serve('/v1/networks', () => networks);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		networks = [network(4), network(3)];
		assert.deepEqual(ids((await trigger.poll()).items), ['3']);
		assert.equal((await trigger.poll()).items, null);
		networks = [network(1), network(3), network(4), network(9)];
		assert.deepEqual(ids((await trigger.poll()).items), ['1', '9'], 'oldest first');
		assert.equal((await trigger.poll()).items, null);
	});

	test('an older organization becomes visible (the user joined it)', async () => {
		const org = (id) => ({
			id: String(id),
			type: 'organizations',
			attributes: { name: `Org ${id}` },
		});
		let orgs = [org(500), org(510)];
		serve('/v1/organizations', () => orgs);
		const trigger = poller({ event: 'newOrganization' });
		await trigger.poll();
		orgs = [org(12), org(500), org(510)];
		assert.deepEqual(ids((await trigger.poll()).items), ['12']);
		assert.equal((await trigger.poll()).items, null);
	});

	test('"007" and "7" are different ids; a text id among numeric ones is tracked too', async () => {
		let networks = [network(7)];
		serve('/v1/networks', () => networks);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		networks = [network(7), network('007'), network('a-uuid')];
		assert.deepEqual(ids((await trigger.poll()).items), ['007', 'a-uuid']);
		assert.equal((await trigger.poll()).items, null);
	});

	test('a version 1 state (highest id) is migrated: nothing replayed, later out-of-order ids reported', async () => {
		let networks = Array.from({ length: 151 }, (_, i) => network(i + 1)).filter(
			(n) => n.id !== '40',
		);
		serve('/v1/networks', () => networks);
		const v1 = {
			[STATE]: {
				version: 1,
				event: 'newNetwork',
				baselineAt: '2026-01-01T00:00:00.000Z',
				maxId: 150,
			},
		};
		const trigger = poller({ event: 'newNetwork' }, { staticData: v1 });
		assert.deepEqual(
			ids((await trigger.poll()).items),
			['151'],
			'only what the old state had not seen',
		);
		const state = trigger.staticData[STATE];
		assert.equal(state.version, STATE_VERSION);
		assert.equal(state.baselineAt, '2026-01-01T00:00:00.000Z', 'the baseline is kept');
		assert.deepEqual(decodeIdRuns(state.listedNumeric), [
			[1, 39],
			[41, 151],
		]);
		networks = [...networks, network(40)];
		assert.deepEqual(
			ids((await trigger.poll()).items),
			['40'],
			'now an id below the old maximum is new',
		);
		assert.equal((await trigger.poll()).items, null);
	});

	test('a version 1 state of non-numeric ids is migrated too', async () => {
		let pages = [
			{ id: 'u-1', name: 'A' },
			{ id: 'u-2', name: 'B' },
		];
		serve('/v1/block_pages', () => pages);
		const v1 = {
			[STATE]: {
				version: 1,
				event: 'newBlockPage',
				baselineAt: '2026-01-01T00:00:00.000Z',
				ids: ['u-1', 'u-2'],
			},
		};
		const trigger = poller({ event: 'newBlockPage' }, { staticData: v1 });
		assert.equal((await trigger.poll()).items, null);
		pages = [...pages, { id: 'u-0', name: 'C' }];
		assert.deepEqual(ids((await trigger.poll()).items), ['u-0']);
	});

	test('bound: at most 10,000 ids that left the listing are remembered, oldest dropped', async () => {
		assert.equal(GONE_IDS_LIMIT, 10_000);
		const range = (from, count) => Array.from({ length: count }, (_, i) => network(from + i));
		// Everything on page 1: the walk asks for page 2, gets nothing and ends (two requests a poll).
		let networks = range(1, 10_000);
		server.setHandler((req, res, record) =>
			json(res, 200, { data: Number(record.query.get('page[number]')) === 1 ? networks : [] }),
		);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		assert.deepEqual(decodeIdRuns(trigger.staticData[STATE].listedNumeric), [[1, 10_000]]);
		networks = range(1, 20_000);
		assert.equal((await trigger.poll()).items.length, 10_000);
		// Half of the listing left: not a sharp shrink, so the 10,000 move to the "left" memory at once.
		networks = range(10_001, 10_000);
		assert.equal((await trigger.poll()).items, null);
		const goneAt = () => trigger.staticData[STATE].goneDigests.match(/.{8}/g);
		assert.equal(goneAt().length, 10_000);
		networks = range(10_001, 10_005);
		assert.equal((await trigger.poll()).items.length, 5);
		networks = range(10_001, 10_000);
		await trigger.poll();
		const gone = goneAt();
		assert.equal(gone.length, GONE_IDS_LIMIT, 'bounded');
		assert.deepEqual(
			gone.slice(0, 2),
			[idDigest('6'), idDigest('7')],
			'the five that left first were dropped',
		);
		assert.deepEqual(gone.slice(-1), [idDigest('20005')]);
		assert.ok(JSON.stringify(trigger.staticData).length < 120_000, 'static data stays small');
		networks = [...range(1, 10), ...range(10_001, 10_000)];
		assert.deepEqual(
			ids((await trigger.poll()).items),
			['1', '2', '3', '4', '5'],
			'only the forgotten ones come back as new',
		);
	});
});

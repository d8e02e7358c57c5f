// The DNSFilter Trigger through n8n-core's PollTriggerExecutor, poll after poll, against the
// stand-in server: baseline first, each change reported exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { loadTriggerNode, pollOnce } from './support/poll.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'trigger-user' });
const DAY = 86_400_000;
let server;
let credentials;

before(async () => {
	server = await startStandIn();
	credentials = { apiKey, baseUrl: server.url };
});
after(async () => {
	await server.close();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A paged V1 list (`{data, links}`) over whatever `records()` returns at request time. */
function pagedList(path, records) {
	return (req, res, record) => {
		if (record.path !== path) return json(res, 404, { error: `No route for ${record.path}` });
		const number = Number(record.query.get('page[number]') ?? 1);
		const size = Number(record.query.get('page[size]') ?? 100);
		const all = records();
		json(res, 200, {
			data: all.slice((number - 1) * size, number * size),
			links: { self: record.search },
		});
	};
}

const network = (id) => ({ id: String(id), type: 'networks', attributes: { name: `Site ${id}` } });

/** Polls in sequence, carrying static data from one tick to the next as n8n does. */
function poller(parameters) {
	let staticData = {};
	return {
		async poll(mode = 'trigger') {
			server.requests.length = 0;
			const result = await pollOnce({ parameters, credentials, staticData, mode });
			if (mode !== 'manual') staticData = result.staticData;
			return result;
		},
		get staticData() {
			return staticData;
		},
		set staticData(value) {
			staticData = value;
		},
	};
}

describe('node description', () => {
	test('a polling trigger on the DNSFilter credential, not usable as a tool', () => {
		const { description } = loadTriggerNode();
		assert.equal(description.polling, true);
		assert.deepEqual(description.group, ['trigger']);
		assert.deepEqual(description.inputs, []);
		assert.equal(description.usableAsTool, undefined);
		assert.deepEqual(description.credentials, [{ name: 'dnsFilterApi', required: true }]);
		assert.deepEqual(description.icon, {
			light: 'file:dnsfilter.svg',
			dark: 'file:dnsfilter.dark.svg',
		});
		const events = description.properties
			.find((p) => p.name === 'event')
			.options.map((o) => o.name);
		assert.deepEqual(events, [
			'API Key Expiring Soon',
			'API Key Revoked or Expired',
			'New Block Page',
			'New Network',
			'New Organization',
			'New Policy',
			'New Roaming Client (User Agent)',
			'Threat Blocked',
		]);
	});
});

describe('New Network', () => {
	test('baseline of 150 networks emits nothing; each new network is emitted exactly once', async () => {
		let networks = Array.from({ length: 150 }, (_, i) => network(i + 1));
		server.setHandler(pagedList('/v1/networks', () => networks));
		const trigger = poller({ event: 'newNetwork' });

		const first = await trigger.poll();
		assert.equal(first.error, undefined);
		assert.equal(first.items, null, 'the first activation must not flood with history');
		// 100 + 50: a last page of exactly half a page costs one more (empty) page to prove the end.
		assert.equal(server.requests.length, 3, 'all pages are read for the baseline');
		assert.deepEqual(
			trigger.staticData['node:DNSFilter Trigger'].listedNumeric,
			'1+45',
			'consecutive ids 1 to 150 stored as one run',
		);

		assert.equal((await trigger.poll()).items, null, 'nothing changed');

		networks = [...networks, network(151)];
		const third = await trigger.poll();
		assert.deepEqual(third.items, [network(151)]);

		assert.equal((await trigger.poll()).items, null, 'no repeat');
		assert.equal((await trigger.poll()).items, null, 'still no repeat');

		// Two new ones (listed newest first by the server) while an old one is deleted.
		networks = [network(153), network(152), ...networks.filter((n) => n.id !== '7')];
		const sixth = await trigger.poll();
		assert.deepEqual(
			sixth.items.map((n) => n.id),
			['152', '153'],
			'oldest first',
		);
		assert.equal((await trigger.poll()).items, null);
	});

	test('static data holds ids only: no records, no key', async () => {
		server.setHandler(pagedList('/v1/networks', () => [network(1), network(2)]));
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		const stored = JSON.stringify(trigger.staticData);
		assert.equal(stored.includes('Site'), false);
		assert.equal(stored.includes(apiKey.split('.')[2]), false);
		assert.ok(stored.length < 200, stored);
	});

	test('an empty organization at activation: the first network afterwards is reported', async () => {
		let networks = [];
		server.setHandler(pagedList('/v1/networks', () => networks));
		const trigger = poller({ event: 'newNetwork' });
		assert.equal((await trigger.poll()).items, null);
		networks = [network(9)];
		assert.deepEqual((await trigger.poll()).items, [network(9)]);
		assert.equal((await trigger.poll()).items, null);
	});

	test('a failed poll keeps the previous state, so nothing is lost or repeated', async () => {
		let networks = [network(1)];
		let failing = false;
		const list = pagedList('/v1/networks', () => networks);
		server.setHandler((req, res, record) =>
			failing ? json(res, 401, { error: 'Unauthorized' }) : list(req, res, record),
		);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		networks = [network(1), network(2)];
		failing = true;
		const failed = await trigger.poll();
		assert.match(failed.error.message, /Unauthorized/);
		failing = false;
		assert.deepEqual((await trigger.poll()).items, [network(2)]);
		assert.equal((await trigger.poll()).items, null);
	});

	test('manual mode returns the latest network as a sample and records no baseline', async () => {
		server.setHandler(pagedList('/v1/networks', () => [network(3), network(12), network(5)]));
		const trigger = poller({ event: 'newNetwork' });
		const manual = await trigger.poll('manual');
		assert.deepEqual(manual.items, [network(12)]);
		assert.deepEqual(trigger.staticData, {});
	});

	test('switching the event starts a new baseline instead of flooding', async () => {
		server.setHandler((req, res, record) =>
			record.path === '/v1/policies'
				? json(res, 200, {
						data: [
							{ id: '1', type: 'policies' },
							{ id: '2', type: 'policies' },
						],
					})
				: pagedList('/v1/networks', () => [network(1)])(req, res, record),
		);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		const switched = await pollOnce({
			parameters: { event: 'newPolicy' },
			credentials,
			staticData: trigger.staticData,
		});
		assert.equal(switched.items, null);
		assert.equal(switched.staticData['node:DNSFilter Trigger'].event, 'newPolicy');
	});
});

describe('New Roaming Client (User Agent)', () => {
	test('500 existing roaming clients are not replayed; a new one is emitted once', async () => {
		const agent = (id) => ({
			id: String(id),
			type: 'user_agents',
			attributes: { hostname: `host-${id}`, status: 'active', agent_type: 'windows' },
		});
		let agents = Array.from({ length: 500 }, (_, i) => agent(1000 + i));
		server.setHandler(pagedList('/v1/user_agents', () => agents));
		const trigger = poller({ event: 'newRoamingClient' });
		assert.equal((await trigger.poll()).items, null);
		assert.equal(server.requests.length, 6, 'five full pages, then an empty one ends the list');
		agents = [...agents, agent(2000)];
		assert.deepEqual(
			(await trigger.poll()).items.map((a) => a.attributes.hostname),
			['host-2000'],
		);
		assert.equal((await trigger.poll()).items, null);
	});
});

describe('New Block Page (a bare array, ids not numeric)', () => {
	test('tracks non-numeric identities as a set', async () => {
		const page = (uuid, name) => ({ id: uuid, name, organization_id: 3, created_at: '2026-01-01' });
		let pages = [page('a1b2-c3', 'Default'), page('d4e5-f6', 'School')];
		server.setHandler((req, res, record) =>
			record.path === '/v1/block_pages'
				? json(res, 200, Number(record.query.get('page[number]')) === 1 ? pages : [])
				: json(res, 404, {}),
		);
		const trigger = poller({ event: 'newBlockPage' });
		assert.equal((await trigger.poll()).items, null);
		pages = [...pages, page('0fff-aa', 'Guests')];
		assert.deepEqual(
			(await trigger.poll()).items.map((p) => p.name),
			['Guests'],
		);
		assert.equal((await trigger.poll()).items, null);
		// Stored as 8-character digests, not as the ids themselves.
		const { idDigest } = loadBuilt('nodes/DnsFilter/trigger/triggerEvents.js');
		assert.equal(
			trigger.staticData['node:DNSFilter Trigger'].listedDigests,
			['a1b2-c3', 'd4e5-f6', '0fff-aa'].map(idDigest).sort().join(''),
		);
	});
});

describe('API key events', () => {
	const key = (id, attributes) => ({
		id: String(id),
		type: 'api_keys',
		attributes: {
			name: `key-${id}`,
			last_four: `k${id}00`.slice(0, 4),
			created_at: '2026-01-01T00:00:00Z',
			updated_at: '2026-01-01T00:00:00Z',
			...attributes,
		},
	});
	let keys = [];
	const serveKeys = () =>
		server.setHandler((req, res, record) =>
			record.path === '/v1/api_keys'
				? json(res, 200, { data: keys, links: {} })
				: json(res, 404, {}),
		);

	test('API Key Expiring Soon: baseline, then the key that crosses the threshold is emitted once', async () => {
		const t0 = Date.now();
		keys = [
			key(1, { status: 'active', expiry: new Date(t0 + 90 * DAY).toISOString() }),
			// One day and 1.5 s left: with threshold 0 it becomes "expiring soon" in 1.5 s.
			key(2, { status: 'active', expiry: new Date(t0 + DAY + 1500).toISOString() }),
			key(3, { status: 'revoked', expiry: new Date(t0 + 2 * 3600_000).toISOString() }),
		];
		serveKeys();
		const trigger = poller({
			event: 'apiKeyExpiringSoon',
			options: { expiringSoonThresholdDays: 0 },
		});
		assert.equal((await trigger.poll()).items, null);
		assert.equal(server.requests[0].search, '', 'the key list is not paged');
		assert.equal((await trigger.poll()).items, null);
		await sleep(1700);
		const crossed = await trigger.poll();
		assert.equal(crossed.items.length, 1);
		assert.equal(crossed.items[0].id, '2');
		assert.equal(crossed.items[0].expiresInDays, 0);
		assert.equal(crossed.items[0].isExpiringSoon, true);
		assert.equal(crossed.items[0].isExpired, false);
		assert.equal((await trigger.poll()).items, null, 'no repeat');
		assert.equal((await trigger.poll()).items, null, 'still no repeat');
	});

	test('API Key Expiring Soon: a key created already expiring is reported; keys expiring at activation only with the option', async () => {
		const t0 = Date.now();
		keys = [key(1, { status: 'active', expiry: new Date(t0 + 5 * DAY).toISOString() })];
		serveKeys();
		const quiet = poller({ event: 'apiKeyExpiringSoon' });
		assert.equal(
			(await quiet.poll()).items,
			null,
			'default threshold 14: already expiring at activation, recorded only',
		);
		keys = [
			...keys,
			key(2, { status: 'active', expiry: new Date(t0 + 14 * DAY).toISOString() }),
			key(4, { status: 'active', expiry: new Date(t0 + 40 * DAY).toISOString() }),
		];
		const added = await quiet.poll();
		assert.deepEqual(
			added.items.map((k) => [k.id, k.expiresInDays]),
			[['2', 13]],
		);
		assert.equal((await quiet.poll()).items, null);

		const eager = poller({ event: 'apiKeyExpiringSoon', options: { includeExisting: true } });
		assert.deepEqual(
			(await eager.poll()).items.map((k) => k.id),
			['1', '2'],
		);
		assert.equal((await eager.poll()).items, null);
	});

	test('API Key Revoked or Expired: revocation and expiry are each emitted once', async () => {
		const t0 = Date.now();
		keys = [
			key(1, { status: 'active', expiry: new Date(t0 + 30 * DAY).toISOString() }),
			key(2, { status: 'active', expiry: new Date(t0 + 1200).toISOString() }),
			key(3, { status: 'revoked', expiry: new Date(t0 + 30 * DAY).toISOString() }),
			key(5, { status: 'expired', expiry: new Date(t0 - DAY).toISOString() }),
		];
		serveKeys();
		const trigger = poller({ event: 'apiKeyRevokedOrExpired' });
		assert.equal(
			(await trigger.poll()).items,
			null,
			'already revoked/expired keys are the baseline',
		);

		keys = keys.map((k) =>
			k.id === '1' ? { ...k, attributes: { ...k.attributes, status: 'revoked' } } : k,
		);
		const revoked = await trigger.poll();
		assert.deepEqual(
			revoked.items.map((k) => [k.id, k.reason]),
			[['1', 'revoked']],
		);
		assert.equal((await trigger.poll()).items, null);

		await sleep(1400);
		const expired = await trigger.poll();
		assert.deepEqual(
			expired.items.map((k) => [k.id, k.reason, k.isExpired]),
			[['2', 'expired', true]],
		);
		// The API catching up with the status later is not a second event.
		keys = keys.map((k) =>
			k.id === '2' ? { ...k, attributes: { ...k.attributes, status: 'expired' } } : k,
		);
		assert.equal((await trigger.poll()).items, null);
		// A deleted key simply disappears.
		keys = keys.filter((k) => k.id !== '3');
		assert.equal((await trigger.poll()).items, null);
	});

	test('manual mode: the key closest to expiry, or the latest revoked key', async () => {
		const t0 = Date.now();
		keys = [
			key(1, { status: 'active', expiry: new Date(t0 + 9 * DAY + 3600_000).toISOString() }),
			key(2, { status: 'active', expiry: new Date(t0 + 3 * DAY + 3600_000).toISOString() }),
			key(3, {
				status: 'revoked',
				expiry: new Date(t0 + 30 * DAY).toISOString(),
				updated_at: '2026-02-01T00:00:00Z',
			}),
			key(4, {
				status: 'revoked',
				expiry: new Date(t0 + 30 * DAY).toISOString(),
				updated_at: '2026-03-01T00:00:00Z',
			}),
		];
		serveKeys();
		const soon = await pollOnce({
			parameters: { event: 'apiKeyExpiringSoon' },
			credentials,
			mode: 'manual',
		});
		assert.deepEqual(
			soon.items.map((k) => [k.id, k.expiresInDays, k.isExpiringSoon]),
			[['2', 3, true]],
		);
		const ended = await pollOnce({
			parameters: { event: 'apiKeyRevokedOrExpired' },
			credentials,
			mode: 'manual',
		});
		assert.deepEqual(
			ended.items.map((k) => [k.id, k.reason]),
			[['4', 'revoked']],
		);
	});
});

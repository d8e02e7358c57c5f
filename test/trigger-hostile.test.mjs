// The DNSFilter Trigger against hostile or odd servers, poll after poll through n8n-core's
// PollTriggerExecutor (test/support/poll.mjs) over real HTTP to a stand-in on 127.0.0.1: a listing
// that comes back empty or sharply smaller forgets nothing, the stored state stays compact and
// bounded, ids that are JavaScript object members are ordinary ids, errors never carry the key,
// and records nested thousands of levels deep neither overflow the stack nor fail every poll.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadBuilt, loadDnsFilterNode, runNode } from './support/engine.mjs';
import { leakedFragments } from './support/hostile-servers.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { buildParameters, loadOperations, operationById } from './support/node-params.mjs';
import { pollOnce } from './support/poll.mjs';
import { json, startStandIn, text } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'trigger-hostile-user' });
const STATE = 'node:DNSFilter Trigger';
const events = loadBuilt('nodes/DnsFilter/trigger/triggerEvents.js');
const {
	DIGEST_CHARS,
	GONE_IDS_LIMIT,
	LISTED_DIGESTS_LIMIT,
	SHRINK_CONFIRM_LISTINGS,
	SHRINK_CONFIRM_MS,
	STATE_VERSION,
	decodeIdRuns,
} = events;
const { TOO_DEEP, MAX_OUTPUT_DEPTH } = loadBuilt('nodes/DnsFilter/records/shapeOutput.js');
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

const network = (id, attributes = {}) => ({
	id: String(id),
	type: 'networks',
	attributes: { name: `Site ${id}`, ...attributes },
});
const uuid = (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const range = (from, count, make = network) =>
	Array.from({ length: count }, (_, i) => make(from + i));
const ids = (items) => items?.map((item) => item.id) ?? null;

/**
 * Every record of `records()` on page 1 (a page of 100 or more makes the walk ask for page 2,
 * which is empty): two requests a poll however long the list, so 100,000 records stay quick.
 */
function serveAll(path, records) {
	server.setHandler((req, res, record) => {
		if (record.path !== path) return json(res, 404, { error: `No route for ${record.path}` });
		json(res, 200, {
			data: Number(record.query.get('page[number]') ?? 1) === 1 ? records() : [],
			links: {},
		});
	});
}

/** A body sent as is (JSON.stringify of a deep value would overflow the stand-in's own stack). */
function serveText(path, body) {
	server.setHandler((req, res, record) => {
		if (record.path !== path) return json(res, 404, {});
		const first = Number(record.query.get('page[number]') ?? 1) === 1;
		text(res, 200, first ? body() : '{"data":[]}', 'application/json');
	});
}

function poller(parameters, { typeVersion = 2, staticData = {} } = {}) {
	let data = staticData;
	return {
		async poll(mode = 'trigger') {
			server.requests.length = 0;
			const result = await pollOnce({
				parameters: { minimumListingMinutes: 0, ...parameters },
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
		set staticData(value) {
			data = value;
		},
		get state() {
			return data[STATE];
		},
	};
}

/** Moves the start of an unconfirmed shrink back in time, as if the first shrunken listing came `ms` earlier. */
function backdateShrink(trigger, ms) {
	const state = {
		...trigger.state,
		shrinkingSince: new Date(Date.parse(trigger.state.shrinkingSince) - ms).toISOString(),
	};
	trigger.staticData = { ...trigger.staticData, [STATE]: state };
}

describe('an empty or sharply smaller listing forgets nothing', () => {
	test('12,000 networks, one valid empty listing, the same 12,000 again: nothing is reported again', async () => {
		let networks = range(1, 12_000);
		serveAll('/v1/networks', () => networks);
		const trigger = poller({ event: 'newNetwork' });
		assert.equal((await trigger.poll()).items, null);
		networks = [];
		const empty = await trigger.poll();
		assert.equal(empty.error, undefined);
		assert.equal(empty.items, null);
		assert.deepEqual(
			decodeIdRuns(trigger.state.listedNumeric),
			[[1, 12_000]],
			'the 12,000 stay remembered as listed',
		);
		assert.equal(trigger.state.shrinkingListings, 1);
		networks = range(1, 12_000);
		assert.equal((await trigger.poll()).items, null, 'not one of the 12,000 is new');
		assert.equal(trigger.state.shrinkingListings, undefined, 'a full listing ends the shrink');
		networks = range(1, 12_001);
		assert.deepEqual(ids((await trigger.poll()).items), ['12001']);
	});

	test('UUID roaming clients: a listing with a tenth of them, then all again; a client added meanwhile is reported once', async () => {
		const agent = (n) => ({
			id: uuid(n),
			type: 'user_agents',
			attributes: { hostname: `host-${n}` },
		});
		let agents = range(1, 12_000, agent);
		serveAll('/v1/user_agents', () => agents);
		const trigger = poller({ event: 'newRoamingClient' });
		await trigger.poll();
		agents = [...range(1, 1_200, agent), agent(50_000)];
		assert.deepEqual(
			ids((await trigger.poll()).items),
			[uuid(50_000)],
			'a new client during the shrink is still new',
		);
		agents = [...range(1, 12_000, agent), agent(50_000)];
		assert.equal(
			(await trigger.poll()).items,
			null,
			'neither the 10,800 that came back nor the one already reported',
		);
	});

	test('a shrink to under half is kept for consecutive listings within an hour; confirmed after an hour, the ids move to the bounded memory', async () => {
		assert.equal(SHRINK_CONFIRM_LISTINGS, 3);
		assert.equal(SHRINK_CONFIRM_MS, 3_600_000);
		let networks = range(1, 12_000);
		serveAll('/v1/networks', () => networks);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		networks = range(1, 100);
		for (let listing = 1; listing <= SHRINK_CONFIRM_LISTINGS + 1; listing++) {
			assert.equal((await trigger.poll()).items, null);
			assert.equal(
				trigger.state.shrinkingListings,
				listing,
				'still unconfirmed: less than an hour',
			);
			assert.deepEqual(decodeIdRuns(trigger.state.listedNumeric), [[1, 12_000]]);
		}
		backdateShrink(trigger, SHRINK_CONFIRM_MS);
		assert.equal((await trigger.poll()).items, null);
		assert.equal(trigger.state.shrinkingListings, undefined, 'confirmed');
		assert.deepEqual(decodeIdRuns(trigger.state.listedNumeric), [[1, 100]]);
		assert.equal(
			trigger.state.goneDigests.length,
			GONE_IDS_LIMIT * DIGEST_CHARS,
			'the 11,900 that left, bounded at 10,000',
		);
		// The documented cost of a confirmed shrink past the bound: the 1,900 that left first are forgotten.
		networks = range(1, 12_000);
		const back = await trigger.poll();
		assert.deepEqual(
			ids(back.items),
			range(101, 1_900).map((n) => n.id),
		);
	});

	test('an hour of shrunken listings is not enough on its own: it takes 3 in a row', async () => {
		let networks = range(1, 1_000);
		serveAll('/v1/networks', () => networks);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		networks = [];
		await trigger.poll();
		backdateShrink(trigger, 10 * SHRINK_CONFIRM_MS);
		await trigger.poll();
		assert.equal(trigger.state.shrinkingListings, 2);
		assert.deepEqual(decodeIdRuns(trigger.state.listedNumeric), [[1, 1_000]]);
		// A listing that is not sharply smaller resets the count.
		networks = range(1, 1_000);
		await trigger.poll();
		networks = [];
		await trigger.poll();
		assert.equal(trigger.state.shrinkingListings, 1);
		assert.equal(
			trigger.state.shrinkingSince > new Date(Date.now() - 60_000).toISOString(),
			true,
			'a new shrink starts now',
		);
		networks = range(1, 1_001);
		assert.deepEqual(ids((await trigger.poll()).items), ['1001']);
	});

	test('other "New …" events and a version 2 state keep the rule: organizations empty for a poll, then back', async () => {
		const org = (n) => ({ id: String(n), type: 'organizations', attributes: { name: `Org ${n}` } });
		let orgs = range(1, 300, org);
		serveAll('/v1/organizations', () => orgs);
		// A version 2 state as earlier versions saved it: ids as text, some gone.
		const v2 = {
			[STATE]: {
				version: 2,
				event: 'newOrganization',
				baselineAt: '2026-01-01T00:00:00.000Z',
				listedAt: '2026-01-01T00:00:00.000Z',
				listedNumeric: '1+8b',
				listedIds: ['org-a'],
				gone: ['500', 'org-b'],
			},
		};
		const trigger = poller({ event: 'newOrganization' }, { staticData: v2 });
		orgs = [];
		assert.equal((await trigger.poll()).items, null);
		assert.equal(trigger.state.version, STATE_VERSION);
		assert.equal(trigger.state.baselineAt, '2026-01-01T00:00:00.000Z');
		orgs = [...range(1, 300, org), org('org-a'), org('org-b'), org(500), org(501)];
		assert.deepEqual(
			ids((await trigger.poll()).items),
			['501'],
			'what version 2 knew, listed or gone, is still known',
		);
	});
});

describe('the stored state is compact and bounded', () => {
	test(
		'100,000 UUID ids: 8 characters each, no id as text; the next listing reports only the new one',
		{ timeout: 120_000 },
		async () => {
			const agent = (n) => ({ id: uuid(n), type: 'user_agents' });
			let agents = range(1, 100_000, agent);
			serveAll('/v1/user_agents', () => agents);
			const trigger = poller({ event: 'newRoamingClient' });
			const started = Date.now();
			assert.equal((await trigger.poll()).error, undefined);
			const stored = JSON.stringify(trigger.staticData);
			assert.ok(
				stored.length <= 100_000 * DIGEST_CHARS + 1_000,
				`${stored.length} characters of static data`,
			);
			assert.equal(trigger.state.listedDigests.length, 100_000 * DIGEST_CHARS);
			assert.equal(stored.includes('00000000-0000'), false, 'no UUID is stored as text');
			agents = [...agents, agent(100_001)];
			assert.deepEqual(ids((await trigger.poll()).items), [uuid(100_001)]);
			assert.equal((await trigger.poll()).items, null);
			assert.ok(Date.now() - started < 60_000, 'three listings of 100,000 records within a minute');
		},
	);

	test('a version 2 state with ids as text is upgraded in place: nothing reported again, and it shrinks', async () => {
		const agent = (n) => ({ id: uuid(n), type: 'user_agents' });
		const agents = range(1, 2_000, agent);
		serveAll('/v1/user_agents', () => agents);
		const listedIds = agents.slice(0, 1_999).map((a) => a.id);
		const v2 = {
			[STATE]: {
				version: 2,
				event: 'newRoamingClient',
				baselineAt: '2026-01-01T00:00:00.000Z',
				listedIds,
				gone: [uuid(2_000)],
			},
		};
		const before = JSON.stringify(v2).length;
		const trigger = poller({ event: 'newRoamingClient' }, { staticData: v2 });
		assert.equal((await trigger.poll()).items, null, 'the one in "gone" came back: not new either');
		assert.equal(trigger.state.listedIds, undefined);
		assert.ok(JSON.stringify(trigger.staticData).length * 4 < before, 'at least 4 times smaller');
	});

	test(
		`more than ${LISTED_DIGESTS_LIMIT.toLocaleString('en-US')} non-numeric ids: the poll fails saying so, and the state is untouched`,
		{ timeout: 120_000 },
		async () => {
			let agents = range(1, 10, (n) => ({ id: uuid(n) }));
			serveAll('/v1/user_agents', () => agents);
			const trigger = poller({ event: 'newRoamingClient' });
			await trigger.poll();
			const remembered = structuredClone(trigger.staticData);
			agents = range(1, LISTED_DIGESTS_LIMIT + 1, (n) => ({ id: uuid(n) }));
			const failed = await trigger.poll();
			assert.match(
				failed.error?.message ?? '',
				/GET \/v1\/user_agents: the listing has 200,001 records with non-numeric ids, more than the 200,000/,
			);
			assert.match(failed.error.description, /unchanged/);
			assert.deepEqual(trigger.staticData, remembered);
		},
	);
});

describe('ids that are JavaScript object members are ordinary ids', () => {
	const MEMBERS = [
		'__proto__',
		'constructor',
		'toString',
		'hasOwnProperty',
		'valueOf',
		'__defineGetter__',
		'prototype',
	];
	const key = (id, attributes) => ({
		id,
		type: 'api_keys',
		attributes: {
			name: `key ${id}`,
			created_at: '2026-01-01T00:00:00Z',
			updated_at: '2026-01-01T00:00:00Z',
			...attributes,
		},
	});
	let keys = [];
	const serveKeys = () =>
		server.setHandler((req, res, record) =>
			record.path === '/v1/api_keys' ? json(res, 200, { data: keys }) : json(res, 404, {}),
		);

	test('API Key Revoked or Expired: each revocation is reported once', async () => {
		keys = MEMBERS.map((id) =>
			key(id, { status: 'active', expiry: new Date(Date.now() + 90 * DAY).toISOString() }),
		);
		serveKeys();
		const trigger = poller({ event: 'apiKeyRevokedOrExpired' });
		assert.equal((await trigger.poll()).items, null);
		keys = MEMBERS.map((id) => key(id, { status: 'revoked' }));
		assert.deepEqual(ids((await trigger.poll()).items).sort(), [...MEMBERS].sort());
		assert.equal((await trigger.poll()).items, null, 'not again');
		keys = [];
		await trigger.poll();
		keys = MEMBERS.map((id) => key(id, { status: 'revoked' }));
		assert.equal((await trigger.poll()).items, null, 'nor after they left the list and came back');
	});

	test('API Key Expiring Soon: each key is reported once for its expiry', async () => {
		const expiry = new Date(Date.now() + 3 * DAY).toISOString();
		keys = MEMBERS.map((id) => key(id, { status: 'active', expiry }));
		serveKeys();
		const trigger = poller({ event: 'apiKeyExpiringSoon', options: { includeExisting: true } });
		assert.deepEqual(ids((await trigger.poll()).items).sort(), [...MEMBERS].sort());
		assert.equal((await trigger.poll()).items, null);
		const later = new Date(Date.now() + 5 * DAY).toISOString();
		keys = MEMBERS.map((id) => key(id, { status: 'active', expiry: later }));
		assert.deepEqual(
			ids((await trigger.poll()).items).sort(),
			[...MEMBERS].sort(),
			'a renewed expiry is a new event',
		);
		assert.equal((await trigger.poll()).items, null);
	});

	test('a version 2 key state keyed by such ids is read as data, not as inherited members', async () => {
		keys = MEMBERS.map((id) => key(id, { status: 'revoked' }));
		serveKeys();
		// As n8n hands it back: parsed JSON, where "__proto__" is an own member.
		const v2 = JSON.parse(
			`{"${STATE}": {"version": 2, "event": "apiKeyRevokedOrExpired", "baselineAt": "2026-01-01T00:00:00.000Z", "ended": {"__proto__": "revoked", "constructor": "revoked"}}}`,
		);
		const trigger = poller({ event: 'apiKeyRevokedOrExpired' }, { staticData: v2 });
		assert.deepEqual(
			ids((await trigger.poll()).items).sort(),
			MEMBERS.filter((id) => id !== '__proto__' && id !== 'constructor').sort(),
		);
		assert.equal((await trigger.poll()).items, null);
	});

	test('version 1 and 2 key states are upgraded: what they reported is not reported again', async () => {
		const expiry = new Date(Date.now() + 3 * DAY).toISOString();
		keys = [
			key('5', { status: 'active', expiry }),
			key('6', { status: 'active', expiry }),
			key('7', { status: 'revoked' }),
		];
		serveKeys();
		for (const version of [1, 2]) {
			const soon = poller(
				{ event: 'apiKeyExpiringSoon' },
				{
					staticData: {
						[STATE]: {
							version,
							event: 'apiKeyExpiringSoon',
							baselineAt: '2026-01-01T00:00:00.000Z',
							notified: { 5: expiry },
						},
					},
				},
			);
			assert.deepEqual(
				ids((await soon.poll()).items),
				['6'],
				`version ${version}: key 5 was reported for this expiry`,
			);
			assert.equal(soon.state.version, STATE_VERSION);
			assert.equal((await soon.poll()).items, null);
			const ended = poller(
				{ event: 'apiKeyRevokedOrExpired' },
				{
					staticData: {
						[STATE]: {
							version,
							event: 'apiKeyRevokedOrExpired',
							baselineAt: '2026-01-01T00:00:00.000Z',
							ended: { 7: 'revoked' },
						},
					},
				},
			);
			assert.equal((await ended.poll()).items, null, `version ${version}: key 7 was reported`);
		}
	});

	test('New Network with such ids: each reported once', async () => {
		let networks = [network(1)];
		serveAll('/v1/networks', () => networks);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		networks = [network(1), ...MEMBERS.map((id) => network(id))];
		assert.deepEqual(ids((await trigger.poll()).items), MEMBERS);
		assert.equal((await trigger.poll()).items, null);
	});
});

describe('trigger errors never carry the key', () => {
	const visible = (error) =>
		JSON.stringify({
			message: error?.message,
			description: error?.description,
			stack: error?.stack,
		});
	const noLeak = (error, label) => {
		assert.ok(error, `${label}: the poll fails`);
		assert.deepEqual(
			leakedFragments(visible(error), apiKey),
			[],
			`${label}: no run of 16 characters of the key`,
		);
	};
	const signature = apiKey.split('.')[2];
	const bodies = {
		'the key as an object key': () => JSON.stringify({ [apiKey]: 1, other: 2 }),
		'a key fragment as an object key': () => JSON.stringify({ [`x${signature.slice(0, 30)}`]: 1 }),
		'the key in an HTML title inside a JSON string': () =>
			JSON.stringify(`<html><head><title>Session ${apiKey}</title></head></html>`),
		"the key's first 80 characters in a title": () =>
			JSON.stringify(`<title>${apiKey.slice(0, 80)}</title>`),
		'the key as text in a JSON string': () => JSON.stringify(`denied for ${apiKey}`),
		'data holding the key': () => JSON.stringify({ data: apiKey }),
		// Shorter than the runs of token characters elided from titles and keys: only the redactor catches these.
		'18 characters of the key in a title': () =>
			JSON.stringify(`<title>a ${signature.slice(3, 21)} b</title>`),
		'18 characters of the key as an object key': () =>
			JSON.stringify({ [`${signature.slice(5, 23)} `]: 1 }),
	};
	for (const [label, body] of Object.entries(bodies)) {
		for (const event of ['apiKeyRevokedOrExpired', 'newNetwork']) {
			test(`${event}: ${label}`, async () => {
				serveText(event === 'newNetwork' ? '/v1/networks' : '/v1/api_keys', body);
				const failed = await poller({ event }).poll();
				assert.match(failed.error?.message ?? '', /DNSFilter answered GET \/v1\//);
				noLeak(failed.error, label);
			});
		}
	}

	test('other secrets a server echoes (a network secret key, a session token) are elided from titles and keys', async () => {
		const networkSecret = 'nsk_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
		for (const body of [
			JSON.stringify(`<title>Proxy login ${networkSecret}</title>`),
			JSON.stringify({ [networkSecret]: true }),
		]) {
			serveText('/v1/api_keys', () => body);
			const failed = await poller({ event: 'apiKeyExpiringSoon' }).poll();
			assert.match(
				failed.error.message,
				/DNSFilter answered GET \/v1\/api_keys with an (HTML page titled "Proxy login …"|object without "data" \(keys: …\))/,
			);
			assert.equal(visible(failed.error).includes(networkSecret.slice(4, 24)), false);
		}
	});

	test('a record whose id is the key is remembered by digest: the key is not in the static data', async () => {
		let networks = [network(1)];
		serveAll('/v1/networks', () => networks);
		const trigger = poller({ event: 'newNetwork' });
		await trigger.poll();
		networks = [network(1), network(apiKey)];
		assert.equal((await trigger.poll()).items.length, 1);
		assert.deepEqual(leakedFragments(JSON.stringify(trigger.staticData), apiKey), []);
		server.setHandler((req, res) =>
			json(res, 200, { data: [{ id: apiKey, attributes: { status: 'revoked' } }] }),
		);
		const keyTrigger = poller({ event: 'apiKeyRevokedOrExpired' });
		await keyTrigger.poll();
		assert.ok(keyTrigger.state.marks, 'the revoked key is marked');
		assert.deepEqual(leakedFragments(JSON.stringify(keyTrigger.staticData), apiKey), []);
	});
});

describe('records nested thousands of levels deep', () => {
	const deepText = (levels, inner = '1') =>
		`${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}`;
	/** A listing whose last record nests `levels` deep, with a secret_key halfway down and at the bottom. */
	const listing = (levels, ids) =>
		`{"data":[${ids
			.map((id, index) =>
				index === ids.length - 1
					? `{"id":"${id}","type":"networks","attributes":{"name":"deep","secret_key":"sk-top-0123456789abcdef","nested":${deepText(40, `{"secret_key":"sk-mid-0123456789abcdef","more":${deepText(levels, '{"secret_key":"sk-bottom"}')}}`)}}}`
					: JSON.stringify(network(id)),
			)
			.join(',')}]}`;
	/** Levels of objects and arrays, the value itself counting as one (without recursion). */
	const depthOf = (value) => {
		let deepest = 0;
		const stack = [[value, 1]];
		while (stack.length) {
			const [current, depth] = stack.pop();
			if (current === null || typeof current !== 'object') continue;
			deepest = Math.max(deepest, depth);
			for (const entry of Object.values(current)) stack.push([entry, depth + 1]);
		}
		return deepest;
	};

	for (const simplify of [true, false]) {
		test(`New Network, 6,000 levels (Simplify ${simplify ? 'on' : 'off'}): reported once, masked, the deep part cut; the next poll goes on`, async () => {
			let body = listing(6_000, ['1']);
			serveText('/v1/networks', () => body);
			const trigger = poller({ event: 'newNetwork', simplify });
			assert.equal((await trigger.poll()).error, undefined);
			body = listing(6_000, ['1', '2']);
			const polled = await trigger.poll();
			assert.equal(polled.error, undefined, polled.error?.message);
			assert.deepEqual(ids(polled.items), ['2']);
			const item = polled.items[0];
			const attributes = simplify ? item : item.attributes;
			assert.match(attributes.secret_key, /^•+cdef$/, 'the top-level secret is masked');
			const serialised = JSON.stringify(item);
			assert.equal(
				serialised.includes('sk-mid-0123456789abcdef'),
				false,
				'a secret 40 levels down is masked',
			);
			assert.equal(serialised.includes('sk-bottom'), false);
			assert.ok(serialised.includes(TOO_DEEP), 'the part past the bound is replaced by a marker');
			assert.ok(depthOf(item) <= MAX_OUTPUT_DEPTH + 1, `${depthOf(item)} levels`);
			assert.equal(
				(await trigger.poll()).items,
				null,
				'not reported again: the poll does not fail while the record is listed',
			);
			body = listing(6_000, ['1', '2', '3']);
			assert.deepEqual(ids((await trigger.poll()).items), ['3']);
		});
	}

	test('100,000 levels through the key events and Fetch Test Event', async () => {
		const keyBody = `{"data":[{"id":"9","type":"api_keys","attributes":{"status":"revoked","token":"tok-0123456789abcdef0123","extra":${deepText(100_000)}}}]}`;
		server.setHandler((req, res) => text(res, 200, keyBody, 'application/json'));
		const trigger = poller({ event: 'apiKeyRevokedOrExpired', options: { includeExisting: true } });
		const polled = await trigger.poll();
		assert.equal(polled.error, undefined, polled.error?.message);
		assert.deepEqual(ids(polled.items), ['9']);
		assert.ok(JSON.stringify(polled.items).includes(TOO_DEEP));
		assert.equal((await trigger.poll()).items, null);
		const sample = await trigger.poll('manual');
		assert.equal(sample.error, undefined, sample.error?.message);
		assert.ok(JSON.stringify(sample.items).includes(TOO_DEEP));
	});
});

describe('masking and Simplify, shared with the DNSFilter node, at any depth', () => {
	/** Every string at or below `value` (without recursion). */
	const stringsIn = (value) => {
		const found = [];
		const stack = [value];
		while (stack.length) {
			const current = stack.pop();
			if (typeof current === 'string') found.push(current);
			else if (current !== null && typeof current === 'object')
				stack.push(...Object.values(current));
		}
		return found;
	};

	for (const simplify of [true, false]) {
		test(`Get Network through the engine, 6,000 levels deep (Simplify ${simplify ? 'on' : 'off'}): a clear error naming the request, no secret shown`, async () => {
			const levels = 6_000;
			const body = `{"data":{"id":"42","type":"networks","attributes":{"name":"deep","secret_key":"sk-top-0123456789abcdef","n":${'{"a":'.repeat(levels)}{"secret_key":"sk-bottom-0123456789abcdef"}${'}'.repeat(levels)}}}}`;
			server.setHandler((req, res) => text(res, 200, body, 'application/json'));
			const row = operationById(loadOperations(), 'V1_Networks-show');
			const parameters = buildParameters(row, { path: { id: '42' }, extra: { simplify } });
			const result = await runNode({ nodeType: loadDnsFilterNode(), parameters, credentials });
			// The node's items go on to n8n, whose own copies and JSON overflow at such depths: the
			// transport refuses the answer (the trigger reads any depth and cuts what it emits).
			assert.match(
				result.error?.message ?? '',
				/answer to GET \/v1\/networks\/42 nests deeper than 200 levels/,
			);
			assert.equal(result.items.length, 0);
			assert.equal(
				`${result.error.message} ${result.error.description}`.includes('sk-'),
				false,
				'no secret in the error',
			);
		});
	}

	test('masking, cutting and the depth check take a 100,000-level value without recursion and leave it unchanged', () => {
		const { maskNamed } = loadBuilt('nodes/DnsFilter/records/secrets.js');
		const { cutDeeperThan, nestsDeeperThan, simplifyRecord } = loadBuilt(
			'nodes/DnsFilter/records/shapeOutput.js',
		);
		const value = JSON.parse(
			`{"id":"1","type":"networks","attributes":{"x":${'[{"a":'.repeat(50_000)}{"secret_key":"bottom-0123456789abcdef"}${'}]'.repeat(50_000)}}}`,
		);
		const snapshot = stringsIn(value);
		const masked = maskNamed(simplifyRecord(value), new Set(['secret_key']));
		assert.deepEqual(
			stringsIn(masked).filter((s) => s.includes('bottom')),
			[],
			'masked 100,000 levels down',
		);
		assert.deepEqual(stringsIn(value), snapshot, 'the input is not changed');
		assert.equal(nestsDeeperThan(value, MAX_OUTPUT_DEPTH), true);
		const cut = cutDeeperThan(value);
		assert.equal(nestsDeeperThan(cut, MAX_OUTPUT_DEPTH), false);
		assert.ok(JSON.stringify(cut).includes(TOO_DEEP));
		const shallow = { id: '1', attributes: { a: [{ b: 1 }] } };
		assert.equal(cutDeeperThan(shallow), shallow, 'nothing to cut: the same object, not a copy');
		assert.equal(
			maskNamed(shallow, new Set(['secret_key'])),
			shallow,
			'nothing to mask: the same object',
		);
	});
});

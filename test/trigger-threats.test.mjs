// DNSFilter Trigger, Threat Blocked: blocked security entries of the query logs through n8n-core's
// PollTriggerExecutor (test/support/poll.mjs), poll after poll, over real HTTP to a stand-in that
// keeps a log of entries and answers /v1/traffic_reports/query_logs by its from/to, result,
// security_report and filter parameters, in pages. Each entry is reported exactly once: across
// polls, late arrivals, bursts larger than a poll may take, and failed polls between good ones.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { loadBuilt, loadOptionsCall } from './support/engine.mjs';
import { leakedFragments } from './support/hostile-servers.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { loadTriggerNode, pollOnce } from './support/poll.mjs';
import { json, startStandIn, text } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'trigger-threat-user' });
const STATE = 'node:DNSFilter Trigger';
const PATH = '/v1/traffic_reports/query_logs';
const MINUTE = 60_000;
const { THREAT_SEEN_LIMIT, decodeSeen, entryIdentity } = loadBuilt(
	'nodes/DnsFilter/trigger/triggerEvents.js',
);
let server;
let credentials;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Until the wall clock is into the next whole second: a poll's window ends at a whole second. */
const nextSecond = () => sleep(1000 - (Date.now() % 1000) + 30);
const parseApiTime = (value) => Date.parse(value.endsWith('Z') ? value : `${value}Z`);

/**
 * The query-log store. `log` holds every entry DNSFilter has (blocked threats and other traffic);
 * the route filters as the API does. `withTotal: false` leaves out page.total; `fail` answers
 * instead of the listing while set.
 */
const store = { log: [], withTotal: true, fail: undefined, served: 0 };
let seq = 0;
function entry(timeMs, overrides = {}) {
	seq++;
	return {
		time: new Date(timeMs).toISOString(),
		fqdn: `host${seq}.bad${seq % 3}.example`,
		domain: `bad${seq % 3}.example`,
		networkid: 2001 + (seq % 2),
		network_name: seq % 2 ? 'Branch' : 'Head office',
		request_address: `198.51.100.${seq % 250}`,
		result: 'blocked',
		threat: true,
		categories: [62],
		categories_names: ['Phishing & Deception'],
		question_type: 'A',
		responsetime: 4,
		agentid: seq % 4 === 0 ? `6f1c0000-0000-4000-8000-${String(seq).padStart(12, '0')}` : null,
		agentname: seq % 4 === 0 ? `laptop-${seq}` : null,
		organization_id: 11,
		policy_id: 77,
		serial: seq,
		...overrides,
	};
}
const serials = (items) => items?.map((item) => item.serial) ?? null;

function route(req, res, record) {
	if (record.path !== PATH) return json(res, 404, { error: `No route for ${record.path}` });
	if (store.fail) return store.fail(req, res, record);
	const q = record.query;
	let rows = store.log;
	if (q.get('result') === 'blocked') rows = rows.filter((r) => r.result === 'blocked');
	if (q.get('security_report') === 'true') rows = rows.filter((r) => r.threat === true);
	const from = q.get('from');
	const to = q.get('to');
	if (from) rows = rows.filter((r) => Date.parse(r.time) >= parseApiTime(from));
	if (to) rows = rows.filter((r) => Date.parse(r.time) < parseApiTime(to) + 1000);
	if (q.get('organization_id'))
		rows = rows.filter((r) => String(r.organization_id) === q.get('organization_id'));
	if (q.get('network_ids'))
		rows = rows.filter((r) => q.get('network_ids').split(',').includes(String(r.networkid)));
	// Newest first, as the DNSFilter console lists them.
	rows = [...rows].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
	const number = Number(q.get('page[number]') ?? 1);
	const size = Number(q.get('page[size]') ?? 10);
	const values = rows.slice((number - 1) * size, number * size);
	store.served += values.length;
	const next = number * size < rows.length ? number + 1 : null;
	json(res, 200, {
		data: {
			organization_id: 11,
			values,
			page: { size, self: number, next, ...(store.withTotal ? { total: rows.length } : {}) },
		},
	});
}

before(async () => {
	server = await startStandIn(route);
	credentials = { apiKey, baseUrl: server.url };
});
after(async () => {
	await server.close();
});
beforeEach(() => {
	store.log = [];
	store.withTotal = true;
	store.fail = undefined;
	server.setHandler(route);
});

function poller({ filters = {}, options = {} } = {}, staticData = {}) {
	let data = staticData;
	return {
		async poll(mode = 'trigger') {
			server.requests.length = 0;
			const result = await pollOnce({
				parameters: { event: 'threatBlocked', threatFilters: filters, threatOptions: options },
				credentials,
				staticData: data,
				mode,
				typeVersion: 2,
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
		/** As if the last poll had ended `ms` earlier (the window and what it remembers move back). */
		backdate(ms) {
			const state = { ...data[STATE] };
			for (const field of ['cursor', 'windowFrom'])
				state[field] = new Date(Date.parse(state[field]) - ms).toISOString();
			data = { ...data, [STATE]: state };
		},
	};
}

/** A state as the trigger saves it, its last complete window ending `minutesAgo` ago. */
function savedState(minutesAgo, overlapMinutes = 10) {
	const cursor = Math.floor((Date.now() - minutesAgo * MINUTE) / 1000) * 1000;
	return {
		[STATE]: {
			version: 3,
			event: 'threatBlocked',
			baselineAt: '2026-01-01T00:00:00.000Z',
			listedAt: new Date(cursor).toISOString(),
			cursor: new Date(cursor).toISOString(),
			windowFrom: new Date(cursor - overlapMinutes * MINUTE).toISOString(),
		},
	};
}

describe('description', () => {
	const { description } = loadTriggerNode();
	test('Threat Blocked is a new event value; its filters and options show only for it', () => {
		const event = description.properties.find((p) => p.name === 'event');
		const option = event.options.find((o) => o.value === 'threatBlocked');
		assert.equal(option.name, 'Threat Blocked');
		assert.equal(option.action, 'Threat blocked');
		assert.equal(event.default, 'apiKeyExpiringSoon', 'the default event is unchanged');
		for (const name of ['threatNotice', 'threatFilters', 'threatOptions']) {
			assert.deepEqual(
				description.properties.find((p) => p.name === name).displayOptions.show.event,
				['threatBlocked'],
				name,
			);
		}
		const filters = description.properties
			.find((p) => p.name === 'threatFilters')
			.options.map((o) => o.displayName);
		assert.deepEqual(filters, [
			'Category Names or IDs',
			'Network Names or IDs',
			'Organization Names or IDs',
			'Roaming Client Names or IDs',
		]);
		const options = description.properties.find((p) => p.name === 'threatOptions').options;
		assert.deepEqual(
			options.map((o) => [o.name, o.default]),
			[
				['maxEntriesPerPoll', 1000],
				['output', 'entries'],
				['overlapMinutes', 10],
				['reportLastMinutes', 0],
				['timeoutSeconds', 120],
			],
		);
		assert.deepEqual(description.version, [1, 2], 'no new node version');
	});
});

describe('entries across polls', () => {
	test('baseline, then each new entry once; the request asks for blocked threats from the last window minus the overlap', async () => {
		const t0 = Date.now();
		store.log = [entry(t0 - 5 * MINUTE), entry(t0 - 2000)];
		const trigger = poller();
		const first = await trigger.poll();
		assert.equal(first.error, undefined, first.error?.message);
		assert.equal(first.items, null, 'the first activation records what is there');
		assert.equal(server.requests.length, 1);
		const q = server.requests[0].query;
		assert.equal(q.get('result'), 'blocked');
		assert.equal(q.get('security_report'), 'true');
		assert.match(q.get('from'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.equal(
			parseApiTime(q.get('to')) - parseApiTime(q.get('from')),
			10 * MINUTE,
			'the baseline reads the overlap',
		);
		const baselineTo = parseApiTime(q.get('to'));

		await nextSecond();
		store.log.push(
			entry(Date.now() - 300),
			entry(Date.now() - 200, { result: 'allowed', threat: false }),
			entry(Date.now() - 100, { threat: false }),
		);
		await nextSecond();
		const second = await trigger.poll();
		assert.deepEqual(
			serials(second.items),
			[3],
			'only the blocked threat, not allowed or non-threat traffic',
		);
		assert.equal(
			parseApiTime(server.requests[0].query.get('from')),
			baselineTo - 10 * MINUTE,
			"from: the last window's end minus the overlap",
		);

		await nextSecond();
		assert.equal((await trigger.poll()).items, null, 'nothing new: nothing again');
		store.log.push(entry(Date.now() - 400), entry(Date.now() - 300));
		await nextSecond();
		assert.deepEqual(serials((await trigger.poll()).items), [6, 7], 'oldest first');
		await nextSecond();
		assert.equal((await trigger.poll()).items, null);
	});

	test('late entries: one that arrives within the overlap is reported once; one older than the overlap is not read', async () => {
		const trigger = poller({ options: { overlapMinutes: 10 } });
		await trigger.poll();
		await nextSecond();
		const now = Date.now();
		store.log.push(entry(now - 4 * MINUTE), entry(now - 11 * MINUTE), entry(now - 100));
		await nextSecond();
		const late = await trigger.poll();
		assert.deepEqual(
			serials(late.items),
			[seq - 2, seq],
			'the 4-minute-late entry and the new one, in time order',
		);
		await nextSecond();
		store.log.push(entry(Date.now() - 9 * MINUTE));
		await nextSecond();
		assert.deepEqual(
			serials((await trigger.poll()).items),
			[seq],
			'a later late arrival, still within the overlap',
		);
		await nextSecond();
		assert.equal((await trigger.poll()).items, null, 'none of them again');
	});

	test("the key is the entry's own fields: renamed networks or categories, another order, an extra field are the same entry; two equal queries are two", async () => {
		const t = Math.floor(Date.now() / 1000) * 1000 - 3000;
		const trigger = poller();
		await trigger.poll();
		await nextSecond();
		const twin = entry(t, { serial: 'twin' });
		store.log.push(twin, { ...twin }, entry(t - 1000));
		await nextSecond();
		assert.deepEqual(
			serials((await trigger.poll()).items),
			[seq, 'twin', 'twin'],
			'two equal queries in the same second are two events',
		);
		store.log = store.log.map((e) => ({
			...e,
			network_name: 'Renamed',
			categories_names: ['Renamed'],
			agentname: 'renamed',
			enriched: true,
		}));
		store.log.reverse();
		await nextSecond();
		assert.equal((await trigger.poll()).items, null, 'enriched or reordered: not new');
		assert.equal(
			entryIdentity({ ...twin, network_name: 'x' }, ''),
			entryIdentity(twin, ''),
			'names are not part of the key',
		);
		assert.notEqual(entryIdentity({ ...twin, fqdn: 'other.example' }, ''), entryIdentity(twin, ''));
		assert.notEqual(
			entryIdentity(twin, '11'),
			entryIdentity(twin, '12'),
			'the organization read under is',
		);
	});

	test('Report Last N Minutes on First Poll reports that stretch, then goes on without repeats', async () => {
		const t0 = Date.now();
		store.log = [
			entry(t0 - 40 * MINUTE),
			entry(t0 - 20 * MINUTE),
			entry(t0 - 10 * MINUTE),
			entry(t0 - MINUTE),
		];
		const trigger = poller({ options: { reportLastMinutes: 15 } });
		const first = await trigger.poll();
		assert.deepEqual(serials(first.items), [seq - 1, seq]);
		assert.equal(
			parseApiTime(server.requests[0].query.get('to')) -
				parseApiTime(server.requests[0].query.get('from')),
			15 * MINUTE,
		);
		await nextSecond();
		assert.equal((await trigger.poll()).items, null);
	});

	test('state: digests grouped by second, no entry text, only those within the next overlap kept', async () => {
		const now = Date.now();
		// The last poll ended 30 minutes ago; 1,000 entries came 25 minutes ago, 1,000 in the last two minutes.
		store.log = [
			...Array.from({ length: 1_000 }, (_, i) => entry(now - 25 * MINUTE - i * 100)),
			...Array.from({ length: 1_000 }, (_, i) => entry(now - 1000 - i * 100)),
		];
		const trigger = poller(
			{ options: { overlapMinutes: 5, maxEntriesPerPoll: 5_000 } },
			savedState(30, 5),
		);
		assert.equal((await trigger.poll()).items.length, 2_000);
		const stored = JSON.stringify(trigger.staticData);
		assert.ok(stored.length < 1_000 * 8 + 1_500, `${stored.length} characters`);
		assert.equal(
			/bad\d\.example|198\.51|Head office/.test(stored),
			false,
			'no entry text in the static data',
		);
		assert.equal(
			[...decodeSeen(trigger.state.seenEntries).values()].flat().length,
			1_000,
			'the 1,000 of 25 minutes ago lie before the next window: forgotten',
		);
		await nextSecond();
		assert.equal((await trigger.poll()).items, null, 'nothing repeated');
		assert.ok(THREAT_SEEN_LIMIT >= 100_000);
	});
});

describe('filters picked from lists', () => {
	test('ids picked from the lists (arrays) go out as the typed lists do', async () => {
		const trigger = poller({
			filters: {
				organizationIds: ['11', '12'],
				networkIds: ['2001', '2002'],
				agentIds: ['aa-1', 'bb-2'],
				categoryIds: ['62'],
			},
		});
		await trigger.poll();
		assert.deepEqual(
			server.requests.map((r) => r.query.get('organization_id')),
			['11', '12'],
		);
		for (const request of server.requests) {
			assert.equal(request.query.get('network_ids'), '2001,2002');
			assert.equal(request.query.get('agent_ids'), 'aa-1,bb-2');
			assert.equal(request.query.get('category_ids'), '62');
		}
	});

	test('a malformed id among the picked ones fails before anything is sent, naming the field', async () => {
		const failed = await poller({ filters: { networkIds: ['2001', 'abc'] } }).poll();
		assert.match(String(failed.error?.message), /Network/);
		assert.equal(server.requests.length, 0);
	});

	test('the lists come through the transport: every page, names with ids, sorted, through a 429', async () => {
		const networks = Array.from({ length: 60 }, (_, i) => ({
			id: String(3000 + i),
			type: 'networks',
			attributes: { name: `Site ${String(60 - i).padStart(2, '0')}` },
		}));
		let refused = false;
		const seen = [];
		server.setHandler((req, res, record) => {
			seen.push(
				`${record.path} ${record.query.get('page[number]')} ${Boolean(req.headers.authorization)}`,
			);
			if (record.path !== '/v1/networks') return json(res, 404, { error: 'no route' });
			if (!refused && record.query.get('page[number]') === '2') {
				refused = true;
				return json(res, 429, { error: 'Too many requests' }, { 'retry-after': '1' });
			}
			const page = Number(record.query.get('page[number]'));
			const size = Number(record.query.get('page[size]'));
			const data = networks.slice((page - 1) * size, page * size);
			return json(res, 200, {
				data,
				links: { next: page * size < networks.length ? 'next' : null },
			});
		});
		const options = await loadOptionsCall({
			nodeType: loadTriggerNode(),
			method: 'threatNetworks',
			credentials,
			parameters: { event: 'threatBlocked' },
		});
		assert.equal(options.length, 60);
		assert.deepEqual(options[0], { name: 'Site 01 (3059)', value: '3059' });
		assert.deepEqual(
			options.map((o) => o.name),
			[...options.map((o) => o.name)].sort((a, b) => a.localeCompare(b)),
		);
		assert.ok(refused, 'the 429 was answered');
		assert.ok(
			seen.every((line) => line.endsWith('true')),
			'a request went without the key',
		);
		assert.ok(!JSON.stringify(options).includes(apiKey));
	});
});

describe('filters', () => {
	test('organizations are read one by one; networks, roaming clients and categories go as lists', async () => {
		const now = Date.now();
		const trigger = poller({
			filters: {
				organizationIds: '11, 12',
				networkIds: '2001,2002',
				agentIds: 'aa-1, bb-2',
				categoryIds: '62',
			},
		});
		await trigger.poll();
		assert.deepEqual(
			server.requests.map((r) => r.query.get('organization_id')),
			['11', '12'],
		);
		for (const request of server.requests) {
			assert.equal(request.query.get('network_ids'), '2001,2002');
			assert.equal(request.query.get('agent_ids'), 'aa-1,bb-2');
			assert.equal(request.query.get('category_ids'), '62');
		}
		await nextSecond();
		const shared = {
			time: new Date(now).toISOString(),
			fqdn: 'x.bad.example',
			domain: 'bad.example',
			networkid: 2001,
			result: 'blocked',
			threat: true,
		};
		store.log = [
			{ ...shared, organization_id: 11, serial: 'a' },
			{ ...shared, organization_id: 12, serial: 'b' },
		];
		await nextSecond();
		assert.deepEqual(
			serials((await trigger.poll()).items).sort(),
			['a', 'b'],
			'the same query in two organizations is two events',
		);
	});

	for (const [field, value, message] of [
		['networkIds', '2001, abc', /^Network Names or IDs: "abc" is not a whole number/],
		['organizationIds', '-4', /^Organization Names or IDs: "-4" is not a whole number/],
		['agentIds', 'a b"c', /^Roaming Client Names or IDs: "b"c" is not an id/],
		['categoryIds', '1.5', /^Category Names or IDs: "1.5" is not a whole number/],
	]) {
		test(`a bad ${field} fails before anything is sent, naming the field`, async () => {
			const failed = await poller({ filters: { [field]: value } }).poll();
			assert.match(failed.error?.message ?? '', message);
			assert.match(failed.error.description, /Nothing was sent/);
			assert.equal(server.requests.length, 0);
		});
	}

	test('bad options name their editor label', async () => {
		for (const [options, message] of [
			[{ overlapMinutes: -1 }, /^Overlap \(Minutes\): -1 is not a whole number from 0 to 1,440/],
			[{ maxEntriesPerPoll: 0 }, /^Max Entries per Poll: 0 is not a whole number from 1 to 50,000/],
			[{ output: 'nope' }, /^Output: "nope" is not one of the choices/],
		]) {
			const failed = await poller({ options }).poll();
			assert.match(failed.error?.message ?? '', message);
			assert.equal(server.requests.length, 0);
		}
	});
});

describe('bursts', () => {
	/** A saved state 30 minutes old and 2,500 entries spread over those 30 minutes. */
	function burst(count = 2_500) {
		const now = Date.now();
		store.log = Array.from({ length: count }, (_, i) =>
			entry(now - 1000 - Math.floor((i * 29 * MINUTE) / count)),
		);
		return new Set(store.log.map((e) => e.serial));
	}

	for (const withTotal of [true, false]) {
		test(`2,500 waiting, Max Entries per Poll 1,000 (page.total ${withTotal ? 'sent' : 'not sent'}): at most 1,000 a poll, oldest first, each exactly once`, async () => {
			store.withTotal = withTotal;
			const expected = burst();
			const trigger = poller({ options: { maxEntriesPerPoll: 1_000 } }, savedState(30));
			const seen = [];
			const perPoll = [];
			const served = [];
			for (let polls = 0; polls < 12; polls++) {
				store.served = 0;
				const result = await trigger.poll();
				served.push(store.served);
				assert.equal(result.error, undefined, result.error?.message);
				const got = serials(result.items) ?? [];
				assert.ok(got.length <= 1_000, `poll ${polls + 1} emitted ${got.length}`);
				assert.ok(
					server.requests.length <= 45,
					`poll ${polls + 1} sent ${server.requests.length} requests`,
				);
				perPoll.push(got.length);
				seen.push(...got);
				if (!got.length) break;
			}
			// A window holding more than the poll may take is cut back before it is read to the end
			// (with page.total at its first page; without, once the walk passes what it may take).
			const bound = withTotal ? 2_000 : 4_000;
			assert.ok(Math.max(...served) <= bound, `entries sent per poll: ${served.join(', ')}`);
			assert.equal(seen.length, expected.size, `polls emitted ${perPoll.join(', ')}`);
			assert.deepEqual(new Set(seen), expected, 'every entry, none twice');
			assert.ok(
				perPoll.filter((n) => n > 0).length >= 3,
				`spread over polls: ${perPoll.join(', ')}`,
			);
			const times = seen.map((s) => Date.parse(store.log.find((e) => e.serial === s).time));
			assert.deepEqual(
				times,
				[...times].sort((a, b) => a - b),
				'oldest first across polls',
			);
		});
	}

	test('more than a poll may take within one second: capped at the entry, the rest on the next polls', async () => {
		const trigger = poller({ options: { maxEntriesPerPoll: 100 } });
		await trigger.poll();
		await nextSecond();
		const t = Math.floor(Date.now() / 1000) * 1000 - 1000;
		store.log = Array.from({ length: 250 }, () => entry(t));
		const all = new Set(store.log.map((e) => e.serial));
		const seen = [];
		for (let polls = 0; polls < 5; polls++) {
			const got = serials((await trigger.poll()).items) ?? [];
			seen.push(...got);
			assert.ok(got.length <= 100);
		}
		assert.equal(seen.length, 250);
		assert.deepEqual(new Set(seen), all);
	});

	test('One Summary per Domain: one item per domain with counts, first and last seen; nothing again', async () => {
		const trigger = poller(
			{ options: { output: 'summaryByDomain', maxEntriesPerPoll: 5_000 } },
			savedState(30),
		);
		burst(1_500);
		const byDomain = {};
		for (const e of store.log) (byDomain[e.domain] ??= []).push(e);
		const result = await trigger.poll();
		assert.equal(result.error, undefined, result.error?.message);
		assert.deepEqual(result.items.map((s) => s.domain).sort(), Object.keys(byDomain).sort());
		for (const summary of result.items) {
			const group = byDomain[summary.domain];
			assert.equal(summary.count, group.length);
			assert.equal(
				summary.firstSeen,
				new Date(Math.min(...group.map((e) => Date.parse(e.time)))).toISOString(),
			);
			assert.equal(
				summary.lastSeen,
				new Date(Math.max(...group.map((e) => Date.parse(e.time)))).toISOString(),
			);
			assert.deepEqual(
				summary.networkIds.sort(),
				[...new Set(group.map((e) => e.networkid))].sort(),
			);
			assert.deepEqual(summary.categories, ['Phishing & Deception']);
		}
		assert.equal(
			result.items.reduce((sum, s) => sum + s.count, 0),
			1_500,
		);
		await nextSecond();
		assert.equal((await trigger.poll()).items, null);
	});

	test('One Summary per Domain and Roaming Client splits by agent', async () => {
		const trigger = poller({ options: { output: 'summaryByDomainAndAgent' } }, savedState(5));
		const now = Date.now();
		store.log = [
			entry(now - 3000, { domain: 'd.example', agentid: 'a1', agentname: 'one' }),
			entry(now - 2000, { domain: 'd.example', agentid: 'a1' }),
			entry(now - 1000, { domain: 'd.example', agentid: 'a2' }),
		];
		const result = await trigger.poll();
		assert.deepEqual(
			result.items.map((s) => [s.domain, s.agentId, s.count]),
			[
				['d.example', 'a1', 2],
				['d.example', 'a2', 1],
			],
		);
	});
});

describe('failed polls change nothing', () => {
	const failures = {
		'an HTML page': (req, res) =>
			text(res, 200, '<html><head><title>Maintenance</title></head></html>', 'text/html'),
		'a list that is not one': (req, res) => json(res, 200, { data: { values: 'none' } }),
		'entries that are not objects': (req, res) =>
			json(res, 200, { data: { values: [1, 2], page: { size: 100, self: 1, next: null } } }),
		'a bare array': (req, res) => json(res, 200, []),
		'a 401': (req, res) => json(res, 401, { error: 'Unauthorized' }),
		'page 2 failing after page 1': (req, res, record) => {
			if (record.query.get('page[number]') === '2') return json(res, 403, { error: 'Forbidden' });
			store.fail = undefined;
			route(req, res, record);
			store.fail = failures['page 2 failing after page 1'];
		},
		'a listing shorter than its total': (req, res, record) =>
			json(res, 200, {
				data: {
					values: record.query.get('page[number]') === '1' ? store.log.slice(0, 3) : [],
					page: {
						size: 100,
						self: Number(record.query.get('page[number]')),
						next: null,
						total: 500,
					},
				},
			}),
	};
	for (const [label, fail] of Object.entries(failures)) {
		test(`${label} between two good polls: state unchanged, then every entry once`, async () => {
			const trigger = poller();
			await trigger.poll();
			await nextSecond();
			store.log.push(...Array.from({ length: 150 }, (_, i) => entry(Date.now() - 500 - i)));
			const remembered = structuredClone(trigger.staticData);
			store.fail = fail;
			await nextSecond();
			const failed = await trigger.poll();
			assert.ok(failed.error, `${label}: the poll fails`);
			assert.equal(failed.items, null);
			assert.deepEqual(trigger.staticData, remembered, 'nothing remembered');
			store.fail = undefined;
			store.log.push(entry(Date.now() - 100));
			await nextSecond();
			const good = await trigger.poll();
			assert.equal(good.error, undefined, good.error?.message);
			assert.equal(good.items.length, 151, 'the entries of the failed poll and the one since');
			await nextSecond();
			assert.equal((await trigger.poll()).items, null);
		});
	}

	test('errors never carry the key', async () => {
		store.fail = (req, res) =>
			text(
				res,
				200,
				JSON.stringify({ [apiKey]: 1, data: { values: `<title>${apiKey}</title>` } }),
				'application/json',
			);
		const failed = await poller().poll();
		assert.match(
			failed.error?.message ?? '',
			/DNSFilter answered GET \/v1\/traffic_reports\/query_logs/,
		);
		const visible = JSON.stringify({
			message: failed.error.message,
			description: failed.error.description,
			stack: failed.error.stack,
		});
		assert.deepEqual(leakedFragments(visible, apiKey), []);
	});

	test(
		'a server that never answers: Timeout bounds the poll, and nothing changes',
		{ timeout: 120_000 },
		async () => {
			const trigger = poller({ options: { timeoutSeconds: 1 } });
			await trigger.poll();
			const remembered = structuredClone(trigger.staticData);
			store.fail = (req, res) => new Promise((resolve) => res.on('close', resolve)); // never answers
			await nextSecond();
			const started = Date.now();
			const failed = await trigger.poll();
			assert.match(failed.error?.message ?? '', /timed out/);
			assert.ok(Date.now() - started < 90_000, `${Date.now() - started} ms`);
			assert.deepEqual(trigger.staticData, remembered);
			store.fail = undefined;
		},
	);

	test('429 with Retry-After: the poll waits through the shared transport and completes', async () => {
		const trigger = poller();
		await trigger.poll();
		await nextSecond();
		store.log.push(entry(Date.now() - 300));
		let limited = 0;
		store.fail = (req, res, record) => {
			if (limited++ < 1)
				return json(res, 429, { error: 'Rate limit exceeded' }, { 'retry-after': '1' });
			store.fail = undefined;
			route(req, res, record);
		};
		await nextSecond();
		const result = await trigger.poll();
		assert.equal(result.error, undefined, result.error?.message);
		assert.deepEqual(serials(result.items), [seq]);
		assert.equal(server.requests.length, 2);
		assert.ok(server.requests[1].at - server.requests[0].at >= 900, 'Retry-After honoured');
	});
});

describe('Fetch Test Event', () => {
	test('the newest entry of the last day, state untouched', async () => {
		const now = Date.now();
		store.log = [entry(now - 3 * 3_600_000), entry(now - 60_000), entry(now - 2 * 3_600_000)];
		const trigger = poller();
		const manual = await trigger.poll('manual');
		assert.deepEqual(serials(manual.items), [seq - 1]);
		assert.deepEqual(trigger.staticData, {});
		assert.equal(server.requests.length, 1, 'one page');
		assert.equal(
			parseApiTime(server.requests[0].query.get('to')) -
				parseApiTime(server.requests[0].query.get('from')),
			24 * 3_600_000,
		);
	});
});

// DNSFilter Trigger version 2: event action texts, Simplify on by
// default, a default listing interval that follows the node's own advice, and the exact expiry
// beside the whole days. Description-level checks plus polls through n8n-core's PollTriggerExecutor.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { makeApiKey } from './support/jwt.mjs';
import { loadTriggerNode, pollOnce } from './support/poll.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'trigger-v2-user' });
const HOUR = 3_600_000;
let server;
let credentials;

before(async () => {
	server = await startStandIn();
	credentials = { apiKey, baseUrl: server.url };
});
after(async () => {
	await server.close();
});

const { description } = loadTriggerNode();
const property = (name, version = 2) =>
	description.properties.find(
		(p) =>
			p.name === name &&
			(!p.displayOptions?.show?.['@version'] ||
				p.displayOptions.show['@version'].includes(version)),
	);

describe('description', () => {
	test('version 2 is the default for new nodes; version 1 stays loadable', () => {
		assert.deepEqual(description.version, [1, 2]);
		assert.equal(description.defaultVersion, 2);
	});

	test('every event has an action text in sentence case with its acronyms kept ("API key …")', () => {
		const events = property('event').options;
		for (const option of events) {
			assert.equal(typeof option.action, 'string', `${option.value} has an action`);
			assert.match(option.action, /^[A-Z]/, option.action);
			// Sentence case of the name, not n8n's lower-casing fallback ("On api key …").
			assert.equal(option.action.toLowerCase(), option.name.toLowerCase(), option.action);
			assert.doesNotMatch(option.action, /\bapi\b/, 'API stays in capitals');
		}
		assert.equal(
			events.find((o) => o.value === 'apiKeyExpiringSoon').action,
			'API key expiring soon',
		);
	});

	test('Simplify is shown from version 2 on and defaults to true, as in the DNSFilter node', () => {
		const simplify = property('simplify');
		assert.equal(simplify.type, 'boolean');
		assert.equal(simplify.default, true);
		assert.deepEqual(simplify.displayOptions.show['@version'], [2]);
		assert.equal(property('simplify', 1), undefined);
	});

	test('the default listing interval is the one the notice advises, for every "New …" event', () => {
		const interval = property('minimumListingMinutes');
		assert.equal(interval.default, 15);
		const notice = property('listingNotice');
		assert.match(notice.displayName, new RegExp(`at most every ${interval.default} minutes`));
		assert.deepEqual(interval.displayOptions.show.event, notice.displayOptions.show.event);
		assert.deepEqual([...interval.displayOptions.show.event].sort(), [
			'newBlockPage',
			'newNetwork',
			'newOrganization',
			'newPolicy',
			'newRoamingClient',
		]);
	});
});

const network = (id) => ({ id: String(id), type: 'networks', attributes: { name: `Site ${id}` } });
function serveNetworks(records) {
	server.setHandler((req, res, record) =>
		record.path === '/v1/networks'
			? json(res, 200, { data: Number(record.query.get('page[number]')) === 1 ? records() : [] })
			: json(res, 404, {}),
	);
}

describe('version 2 polls', () => {
	test('output is simplified by default and raw with Simplify off', async () => {
		let networks = [network(1)];
		serveNetworks(() => networks);
		for (const [simplify, expected] of [
			[undefined, { id: '2', type: 'networks', name: 'Site 2' }],
			[true, { id: '2', type: 'networks', name: 'Site 2' }],
			[false, { id: '2', type: 'networks', attributes: { name: 'Site 2' } }],
		]) {
			networks = [network(1)];
			const parameters = {
				event: 'newNetwork',
				minimumListingMinutes: 0,
				...(simplify === undefined ? {} : { simplify }),
			};
			let state = (await pollOnce({ parameters, credentials, typeVersion: 2 })).staticData;
			networks = [network(1), network(2)];
			const result = await pollOnce({ parameters, credentials, staticData: state, typeVersion: 2 });
			assert.deepEqual(result.items, [expected], `simplify ${simplify}`);
			state = result.staticData;
		}
		// Fetch Test Event follows the same setting.
		const manual = await pollOnce({
			parameters: { event: 'newNetwork' },
			credentials,
			typeVersion: 2,
			mode: 'manual',
		});
		assert.deepEqual(manual.items, [{ id: '2', type: 'networks', name: 'Site 2' }]);
		// Version 1 keeps its raw output.
		const v1 = await pollOnce({
			parameters: { event: 'newNetwork' },
			credentials,
			typeVersion: 1,
			mode: 'manual',
		});
		assert.deepEqual(v1.items, [{ id: '2', type: 'networks', attributes: { name: 'Site 2' } }]);
	});

	test('polls within the minimum interval send nothing; after it, the listing runs', async () => {
		let networks = [network(1)];
		serveNetworks(() => networks);
		const parameters = { event: 'newNetwork' };
		server.requests.length = 0;
		const first = await pollOnce({ parameters, credentials, typeVersion: 2 });
		assert.equal(server.requests.length, 1);
		networks = [network(1), network(2)];
		server.requests.length = 0;
		const soon = await pollOnce({
			parameters,
			credentials,
			staticData: first.staticData,
			typeVersion: 2,
		});
		assert.equal(server.requests.length, 0, 'the default of 15 minutes has not passed');
		assert.equal(soon.items, null);
		assert.deepEqual(soon.staticData, first.staticData);
		// Manual "Fetch Test Event" always lists.
		await pollOnce({
			parameters,
			credentials,
			staticData: first.staticData,
			typeVersion: 2,
			mode: 'manual',
		});
		assert.equal(server.requests.length, 1);
		// 16 minutes later (the stored time moved back), the new network is reported.
		const state = structuredClone(first.staticData);
		state['node:DNSFilter Trigger'].listedAt = new Date(Date.now() - 16 * 60_000).toISOString();
		server.requests.length = 0;
		const later = await pollOnce({ parameters, credentials, staticData: state, typeVersion: 2 });
		assert.equal(server.requests.length, 1);
		assert.deepEqual(
			later.items.map((n) => n.id),
			['2'],
		);
		// Version 1 lists at every poll, as before.
		server.requests.length = 0;
		await pollOnce({ parameters, credentials, staticData: first.staticData, typeVersion: 1 });
		assert.equal(server.requests.length, 1);
	});

	test('a key 2 days 23 hours from expiry: expiresInDays 2 with the exact expiresAt and expiresInHours 71', async () => {
		const expiry = new Date(Date.now() + 71 * HOUR + 30 * 60_000);
		const keys = [
			{
				id: '8',
				type: 'api_keys',
				attributes: { name: 'ci', status: 'active', expiry: expiry.toISOString() },
			},
		];
		server.setHandler((req, res, record) =>
			record.path === '/v1/api_keys' ? json(res, 200, { data: keys }) : json(res, 404, {}),
		);
		const result = await pollOnce({
			parameters: { event: 'apiKeyExpiringSoon', options: { includeExisting: true } },
			credentials,
			typeVersion: 2,
		});
		assert.equal(result.error, undefined);
		const [item] = result.items;
		assert.equal(item.expiresInDays, 2);
		assert.equal(item.expiresInHours, 71);
		assert.equal(item.expiresAt, expiry.toISOString());
		assert.equal(item.name, 'ci', 'simplified');
		assert.equal(item.isExpiringSoon, true);
	});
});

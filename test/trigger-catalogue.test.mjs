// trigger/eventCatalogue.ts: one row per trigger event, and everything event-specific read from
// it: the Event list, the subtitle, which options show beside an event, where it lists from, and
// the poll's dispatch. Saved workflows hold the event values, so those are locked here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { loadOperations } from './support/node-params.mjs';
import { loadTriggerNode, pollOnce } from './support/poll.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const { TRIGGER_EVENTS, EVENT_OPTIONS, eventsOfKind, isKeyEvent } = loadBuilt(
	'nodes/DnsFilter/trigger/eventCatalogue.js',
);
const { description } = loadTriggerNode();

// Saved workflows hold these: a row may be added, never renamed or removed.
const STORED_EVENT_VALUES = [
	'apiKeyExpiringSoon',
	'apiKeyRevokedOrExpired',
	'newBlockPage',
	'newNetwork',
	'newOrganization',
	'newPolicy',
	'newRoamingClient',
	'threatBlocked',
];

describe('the event catalogue', () => {
	test('every stored event value is still a row', () => {
		const values = TRIGGER_EVENTS.map((row) => row.value);
		assert.deepEqual(
			STORED_EVENT_VALUES.filter((value) => !values.includes(value)),
			[],
		);
	});

	test('the Event list is the catalogue, in its order (alphabetical, as n8n lint wants)', () => {
		const event = description.properties.find((p) => p.name === 'event');
		assert.deepEqual(event.options, EVENT_OPTIONS);
		assert.deepEqual(
			event.options.map((o) => o.value),
			TRIGGER_EVENTS.map((row) => row.value),
		);
		const names = event.options.map((o) => o.name);
		assert.deepEqual(
			names,
			[...names].sort((a, b) => a.localeCompare(b)),
		);
	});

	test('the canvas subtitle names each event as its row does', () => {
		for (const row of TRIGGER_EVENTS)
			assert.ok(description.subtitle.includes(JSON.stringify(row.name)));
	});

	test('options beside an event follow its kind', () => {
		const shownFor = (name) =>
			description.properties
				.filter((p) => p.name === name)
				.flatMap((p) => p.displayOptions?.show?.event ?? []);
		assert.deepEqual(shownFor('threatNotice'), eventsOfKind('threats'));
		assert.deepEqual(shownFor('minimumListingMinutes'), eventsOfKind('newRecords'));
		assert.deepEqual(
			[...eventsOfKind('expiringKeys', 'endedKeys')].sort(),
			TRIGGER_EVENTS.filter((row) => isKeyEvent(row.value))
				.map((row) => row.value)
				.sort(),
		);
	});

	test('every row lists from a GET list operation of the document, at its path', () => {
		const operations = loadOperations();
		for (const row of TRIGGER_EVENTS) {
			const operation = operations.find((op) => op.operationId === row.source.operationId);
			assert.ok(operation, `${row.value}: ${row.source.operationId} is an operation`);
			assert.equal(operation.method, 'GET', row.value);
			assert.equal(operation.path, row.source.path, row.value);
		}
	});
});

describe('dispatch by kind, through n8n-core', () => {
	let server;
	before(async () => {
		server = await startStandIn();
		server.setHandler((req, res) => json(res, 200, { data: [] }));
	});
	after(async () => {
		await server.close();
	});

	test('each row with a list endpoint polls it (first poll: a baseline, nothing emitted)', async () => {
		for (const row of TRIGGER_EVENTS.filter((r) => r.kind !== 'threats')) {
			server.requests.length = 0;
			const result = await pollOnce({
				parameters: { event: row.value },
				credentials: { apiKey: makeApiKey({ sub: `catalogue-${row.value}` }), baseUrl: server.url },
				typeVersion: 2,
			});
			assert.equal(result.error, undefined, `${row.value}: ${result.error?.message}`);
			assert.ok(
				server.requests.some((r) => r.path === row.source.path),
				`${row.value} listed ${row.source.path}: ${server.requests.map((r) => r.path)}`,
			);
		}
	});

	test('a stored value no row has fails with the value named, before anything is sent', async () => {
		server.requests.length = 0;
		const result = await pollOnce({
			parameters: { event: 'newGadget' },
			credentials: { apiKey: makeApiKey({ sub: 'catalogue-unknown' }), baseUrl: server.url },
			typeVersion: 2,
		});
		assert.match(
			result.error?.message ?? '',
			/"newGadget" is not an event of the DNSFilter Trigger/,
		);
		assert.equal(server.requests.length, 0);
	});
});

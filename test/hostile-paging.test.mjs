// Return All is bounded against servers that never end a list, and the
// repeat check never drops distinct records.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { runOperation, standInForFile } from './support/hostile-servers.mjs';
import { pollOnce } from './support/poll.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { json } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'paging-user' });
let api;
standInForFile((server) => {
	api = server;
});

const credentials = () => ({ apiKey, baseUrl: api.url });
const network = (id, extra = {}) => ({
	id: String(id),
	type: 'networks',
	attributes: { name: `net-${id}`, ...extra },
});
const listNetworks = (requestOptions = {}) =>
	runOperation('V1_Networks-index', {
		extra: { returnAll: true, requestOptions: { maxRetries: 0, ...requestOptions } },
		credentials: credentials(),
		timeoutMs: 120_000,
	});
const queryLogs = (requestOptions = {}) =>
	runOperation('V1_Traffic_Reports-query_logs', {
		extra: { returnAll: true, requestOptions: { maxRetries: 0, ...requestOptions } },
		credentials: credentials(),
		timeoutMs: 120_000,
	});
const pageNumber = (record) => Number(record.query.get('page[number]'));

describe('lists that never end', () => {
	test('a server that ignores page[number] (always the same full page) fails on page 2', async () => {
		api.setHandler((req, res) =>
			json(res, 200, { data: Array.from({ length: 100 }, (_, i) => network(i + 1)) }),
		);
		const { error, items } = await listNetworks();
		assert.equal(items.length, 0);
		assert.match(
			error.message,
			/sent page 2 of \/v1\/networks with the same records as page 1: the list does not advance/,
		);
		assert.match(error.description, /Read 1 page \(100 records\) before the repeat/);
		assert.equal(api.requests.length, 2);
	});

	test('with a Limit, a repeated page ends the walk with the distinct records read so far', async () => {
		api.setHandler((req, res) =>
			json(res, 200, { data: Array.from({ length: 100 }, (_, i) => network(i + 1)) }),
		);
		const { error, items } = await runOperation('V1_Networks-index', {
			extra: { returnAll: false, limit: 250, requestOptions: { maxRetries: 0 } },
			credentials: credentials(),
		});
		assert.equal(error, undefined);
		assert.equal(items.length, 100);
		assert.equal(new Set(items.map((item) => item.json.id)).size, 100);
		assert.equal(api.requests.length, 2);
	});

	test('two pages that alternate (A, B, A, …) fail when A comes back', async () => {
		api.setHandler((req, res, record) => {
			const offset = pageNumber(record) % 2 ? 0 : 100;
			json(res, 200, { data: Array.from({ length: 100 }, (_, i) => network(offset + i + 1)) });
		});
		const { error } = await listNetworks();
		assert.match(error.message, /sent page 3 .* same records as page 1/);
		assert.equal(api.requests.length, 3);
	});

	test('the same records in another key order are still a repeat', async () => {
		api.setHandler((req, res, record) => {
			const flip = pageNumber(record) % 2 === 0;
			json(res, 200, {
				data: Array.from({ length: 100 }, (_, i) =>
					flip
						? { attributes: { name: `net-${i}` }, type: 'networks', id: String(i) }
						: { id: String(i), type: 'networks', attributes: { name: `net-${i}` } },
				),
			});
		});
		const { error } = await listNetworks();
		assert.match(error.message, /page 2 .* same records as page 1/);
	});

	test('an endless list of new records stops at Max Pages with a count of pages and records', async () => {
		api.setHandler((req, res, record) => {
			const base = (pageNumber(record) - 1) * 100;
			json(res, 200, { data: Array.from({ length: 100 }, (_, i) => network(base + i + 1)) });
		});
		const { error, items } = await listNetworks({ maxPages: 25 });
		assert.equal(items.length, 0);
		assert.match(
			error.message,
			/did not end after 25 pages \(2,500 records\): stopped at the "Max Pages" limit of 25/,
		);
		assert.match(error.description, /raise "Max Pages" under Request Options/);
		assert.equal(api.requests.length, 25);
	});

	test('a list exactly Max Pages long still completes', async () => {
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			json(res, 200, {
				data: Array.from({ length: page < 3 ? 100 : 40 }, (_, i) => network(page * 1000 + i)),
			});
		});
		const { error, items } = await listNetworks({ maxPages: 3 });
		assert.equal(error, undefined);
		assert.equal(items.length, 240);
	});

	test('a traffic report whose page.next never ends, with the same values: fails on the repeat', async () => {
		api.setHandler((req, res, record) =>
			json(res, 200, {
				data: {
					values: [{ domain: 'a.example', total: 1 }],
					page: { next: pageNumber(record) + 1 },
				},
			}),
		);
		const { error } = await queryLogs();
		assert.match(
			error.message,
			/sent page 2 of \/v1\/traffic_reports\/query_logs with the same records as page 1/,
		);
		assert.equal(api.requests.length, 2);
	});

	test('a traffic report whose page.next never ends, with new values: stops at Max Pages', async () => {
		api.setHandler((req, res, record) =>
			json(res, 200, {
				data: {
					values: [{ domain: `d${pageNumber(record)}.example`, total: 1 }],
					page: { next: pageNumber(record) + 1 },
				},
			}),
		);
		const { error } = await queryLogs({ maxPages: 30 });
		assert.match(error.message, /did not end after 30 pages \(30 records\)/);
		assert.equal(api.requests.length, 30);
	});

	test('the default Max Pages is 10,000; a value outside 1 … 1,000,000 is refused before sending', async () => {
		api.setHandler((req, res) => json(res, 200, { data: [] }));
		for (const maxPages of [0, -1, 2_000_000, 1.5]) {
			const { error } = await listNetworks({ maxPages });
			assert.match(
				error.message,
				/"Max Pages" under Request Options must be a whole number from 1 to 1,000,000/,
			);
		}
		assert.equal(api.requests.length, 0);
	});
});

describe('distinct records are never dropped', () => {
	const padding = 'x'.repeat(300);
	test('300 records that differ only after their first 200 characters all come back', async () => {
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			json(res, 200, {
				data: Array.from({ length: 100 }, (_, i) => ({
					id: '1',
					type: 'networks',
					attributes: { note: padding, serial: (page - 1) * 100 + i },
				})),
				links: { next: page < 3 ? `/v1/networks?page[number]=${page + 1}` : null },
			});
		});
		const { error, items } = await listNetworks();
		assert.equal(error, undefined);
		assert.equal(items.length, 300);
		assert.deepEqual(
			items.map((item) => item.json.serial),
			Array.from({ length: 300 }, (_, i) => i),
		);
	});

	test('pages whose first record is the same but whose other records differ are all kept', async () => {
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			const rest = Array.from({ length: 99 }, (_, i) => network(page * 1000 + i));
			json(res, 200, { data: [network(1), ...rest], links: { next: page < 3 ? 'more' : null } });
		});
		const { error, items } = await listNetworks();
		assert.equal(error, undefined);
		// Every page's 99 other records, and the record all three pages share once.
		assert.equal(items.length, 298);
		assert.equal(new Set(items.map((item) => item.json.id)).size, 298);
	});
});

describe('the Trigger and Fetch Test Event share the bounded walk', () => {
	for (const mode of ['trigger', 'manual']) {
		test(`${mode}: a network list that always returns the same full page fails the poll after 2 requests`, async () => {
			api.setHandler((req, res) =>
				json(res, 200, { data: Array.from({ length: 100 }, (_, i) => network(i + 1)) }),
			);
			const { error } = await pollOnce({
				parameters: { event: 'newNetwork' },
				credentials: credentials(),
				mode,
			});
			assert.ok(error, 'the poll fails');
			assert.match(error.message, /the list does not advance/);
			assert.equal(api.requests.length, 2);
		});
	}
});

// Return All against servers whose pages do not line up: the page size changes part-way through
// a walk, pages overlap or repeat, totals disagree with the records. Every case ends with every
// record exactly once, or with an error: never a short or repeated list presented as complete.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';
import { runOperation, standInForFile } from './support/hostile-servers.mjs';
import { pollOnce } from './support/poll.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { json } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'paging-integrity-user' });
let api;
standInForFile((server) => {
	api = server;
});

const credentials = () => ({ apiKey, baseUrl: api.url });
const network = (id) => ({ id: String(id), type: 'networks', attributes: { name: `net-${id}` } });
const networks = (count) => Array.from({ length: count }, (_, i) => network(i + 1));
const pageNumber = (record) => Number(record.query.get('page[number]'));
const askedSize = (record) => Number(record.query.get('page[size]'));
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
const ids = (items) => items.map((item) => item.json.id);

const listNetworks = (extra = {}) =>
	runOperation('V1_Networks-index', {
		extra: { returnAll: true, ...extra, requestOptions: { maxRetries: 0 } },
		credentials: credentials(),
		timeoutMs: 120_000,
	});
const queryLogs = () =>
	runOperation('V1_Traffic_Reports-query_logs', {
		extra: { returnAll: true, requestOptions: { maxRetries: 0 } },
		credentials: credentials(),
		timeoutMs: 120_000,
	});

/**
 * A V1 list over `all` that pages as a stateless server does: page n holds `size` records from
 * (n - 1) x `size`, where `size` may depend on the page asked for or on how many requests came
 * before (a setting changed while the list was read). `envelope` adds links or meta.
 */
function statelessList(all, { sizeFor = (page, asked) => asked, envelope = () => ({}) } = {}) {
	let served = 0;
	return (req, res, record) => {
		const page = pageNumber(record);
		const size = sizeFor(page, askedSize(record), ++served);
		const start = (page - 1) * size;
		const data = all.slice(start, start + size);
		json(res, 200, { data, ...envelope({ page, size, start, data }) });
	};
}

describe('the server changes its page size part-way through a walk', () => {
	test('page size dropping from 100 to 50 at page 3: all 1,000 records, each once, in order', async () => {
		api.setHandler(statelessList(networks(1000), { sizeFor: (page) => (page >= 3 ? 50 : 100) }));
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 1000));
		// Page 3 (records 101-150 at the new size) shows the change; the walk goes on at page 5 (201-250).
		assert.deepEqual(api.requests.slice(0, 4).map(pageNumber), [1, 2, 3, 5]);
	});

	test('page size dropping while the server keeps its place, with no links or totals: an error, not 250 of 1,000 records', async () => {
		const all = networks(1000);
		const pageStart = (page) => (page <= 2 ? (page - 1) * 100 : 200 + (page - 3) * 50);
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			json(res, 200, {
				data: all.slice(pageStart(page), pageStart(page) + (page <= 2 ? 100 : 50)),
			});
		});
		const { error, items } = await listNetworks();
		assert.equal(items.length, 0, 'nothing returned');
		assert.match(
			error?.message ?? '',
			/page size changed while reading \/v1\/networks: page 3 held 50 records where earlier pages held 100, and page 4 has more/,
		);
		assert.deepEqual(api.requests.map(pageNumber), [1, 2, 3, 4]);
	});

	test('a real last page of half a page costs one more request and ends the list; an uneven one costs none', async () => {
		for (const [total, pages] of [
			[250, [1, 2, 3, 4]],
			[237, [1, 2, 3]],
		]) {
			api.requests.length = 0;
			api.setHandler(statelessList(networks(total)));
			const { error, items } = await listNetworks();
			assert.equal(error, undefined, error?.message);
			assert.deepEqual(ids(items), range(1, total));
			assert.deepEqual(api.requests.map(pageNumber), pages);
		}
	});

	test('page size dropping with links.next: a short page that links onward is not the end', async () => {
		// This server keeps its place instead: page 3 holds records 201-250, and every page but the last links on.
		const all = networks(1000);
		const pageStart = (page) => (page <= 2 ? (page - 1) * 100 : 200 + (page - 3) * 50);
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			const start = pageStart(page);
			const data = all.slice(start, start + (page <= 2 ? 100 : 50));
			json(res, 200, {
				data,
				links: {
					self: record.search,
					next: start + data.length < all.length ? `/v1/networks?page[number]=${page + 1}` : null,
				},
			});
		});
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 1000));
	});

	test('page size dropping with meta.total_count and no links: the walk reads on to the total', async () => {
		const all = networks(1000);
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			const start = page <= 2 ? (page - 1) * 100 : 200 + (page - 3) * 50;
			json(res, 200, {
				data: all.slice(start, start + (page <= 2 ? 100 : 50)),
				meta: { total_count: all.length },
			});
		});
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 1000));
	});

	test('page size shrinking on the last page only: every record of that page still comes back', async () => {
		api.setHandler(statelessList(networks(1000), { sizeFor: (page) => (page >= 10 ? 50 : 100) }));
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 1000));
	});

	test('page size shrinking to an uneven 70: no record lost or doubled', async () => {
		api.setHandler(statelessList(networks(777), { sizeFor: (page) => (page >= 3 ? 70 : 100) }));
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 777));
	});

	test('page size growing from 100 to 200 from the third request on: the records that page skipped are read, each once', async () => {
		api.setHandler(
			statelessList(networks(1000), {
				sizeFor: (page, asked, served) => (served >= 3 ? 200 : 100),
			}),
		);
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 1000));
		// Page 3 at 200 starts at record 401: set aside, and the walk steps back to page 2 (201-400).
		assert.deepEqual(api.requests.slice(0, 5).map(pageNumber), [1, 2, 3, 2, 3]);
	});

	test('page size growing with records that have no ids: a clear error, nothing returned', async () => {
		const rows = Array.from({ length: 1000 }, (_, i) => ({ name: `row-${i}` }));
		api.setHandler(
			statelessList(rows, { sizeFor: (page, asked, served) => (served >= 3 ? 200 : 100) }),
		);
		const { error, items } = await listNetworks();
		assert.equal(items.length, 0);
		assert.match(
			error.message,
			/page size changed while reading \/v1\/networks: page 3 held 200 records where earlier pages held 100/,
		);
		assert.match(error.description, /Read 2 pages \(200 records\)\. These records have no ids/);
	});

	test('with a Limit, a page size change mid-walk still gives the first records in order', async () => {
		api.setHandler(statelessList(networks(1000), { sizeFor: (page) => (page >= 2 ? 30 : 100) }));
		const { error, items } = await listNetworks({ returnAll: false, limit: 250 });
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 250));
	});
});

describe('pages that overlap or repeat', () => {
	test(
		'each page starting one record after the last (99 of 100 repeated): 1,000 distinct records, no duplicates',
		{ timeout: 60_000 },
		async () => {
			const all = networks(1000);
			api.setHandler((req, res, record) => {
				const start = pageNumber(record) - 1;
				json(res, 200, { data: all.slice(start, start + 100) });
			});
			const { error, items } = await listNetworks();
			assert.equal(error, undefined, error?.message);
			assert.deepEqual(ids(items), range(1, 1000));
		},
	);

	test('pages overlapping by one record: each record once', async () => {
		const all = networks(500);
		api.setHandler((req, res, record) => {
			const start = (pageNumber(record) - 1) * 99;
			json(res, 200, { data: all.slice(start, start + 100) });
		});
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 500));
	});

	test('an overlapping record returned once even when its keys come in another order', async () => {
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			const data =
				page === 1
					? networks(100)
					: page === 2
						? [{ attributes: { name: 'net-100' }, type: 'networks', id: '100' }, network(101)]
						: [];
			json(res, 200, { data });
		});
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 101));
	});

	test('a page repeating an earlier page out of order (page 4 is page 2 again) fails naming both pages', async () => {
		const all = networks(1000);
		api.setHandler((req, res, record) => {
			const page = pageNumber(record) === 4 ? 2 : pageNumber(record);
			json(res, 200, { data: all.slice((page - 1) * 100, page * 100) });
		});
		const { error, items } = await listNetworks();
		assert.equal(items.length, 0);
		assert.match(
			error.message,
			/sent page 4 of \/v1\/networks with the same records as page 2: the list does not advance/,
		);
		assert.equal(api.requests.length, 4);
	});

	test('a full page made only of records from two earlier pages fails: the list does not advance', async () => {
		const all = networks(1000);
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			// Page 3 is the second half of page 1 and the first half of page 2, not a copy of either.
			const data =
				page === 3
					? [...all.slice(50, 100), ...all.slice(100, 150)]
					: all.slice((page - 1) * 100, page * 100);
			json(res, 200, { data });
		});
		const { error, items } = await listNetworks();
		assert.equal(items.length, 0);
		assert.match(
			error.message,
			/sent page 3 of \/v1\/networks with only records already read on earlier pages: the list does not advance/,
		);
		assert.match(error.description, /Read 3 pages \(200 records\)/);
	});

	test('records that share an id but differ are both kept; the same record twice is kept once', async () => {
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			const data =
				page === 1
					? [...networks(99), { id: '7', type: 'networks', attributes: { name: 'renamed' } }]
					: page === 2
						? [network(7), { id: '7', type: 'policies', attributes: { name: 'a policy' } }]
						: [];
			json(res, 200, { data });
		});
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.equal(items.length, 101);
		assert.equal(items.filter((item) => item.json.id === '7').length, 3);
	});
});

describe('totals that disagree with the records', () => {
	test('a list that ends below its meta.total_count fails with both counts, returning nothing', async () => {
		api.setHandler(
			statelessList(networks(230), {
				envelope: () => ({ meta: { total_count: 300, total_pages: 3 } }),
			}),
		);
		const { error, items } = await listNetworks();
		assert.equal(items.length, 0);
		assert.match(
			error.message,
			/list at \/v1\/networks ended after 4 pages \(230 records\), but the server reported 300 records/,
		);
		assert.match(error.description, /Nothing was returned/);
		// The short third page did not end the walk: the total said there was more, and page 4 was empty.
		assert.deepEqual(api.requests.map(pageNumber), [1, 2, 3, 4]);
	});

	test('a total lower than the records sent does not cut the list short', async () => {
		api.setHandler(
			statelessList(networks(250), { envelope: () => ({ meta: { total_count: 120 } }) }),
		);
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(ids(items), range(1, 250));
	});

	test('meta.current_page below meta.total_pages carries the walk past a short page', async () => {
		const all = networks(300);
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			// Page 2 is short (a record hidden from this user), but there are three pages.
			const data = page === 2 ? all.slice(100, 190) : all.slice((page - 1) * 100, page * 100);
			json(res, 200, { data, meta: { current_page: page, total_pages: 3 } });
		});
		const { error, items } = await listNetworks();
		assert.equal(error, undefined, error?.message);
		assert.equal(items.length, 290);
		assert.deepEqual(api.requests.map(pageNumber), [1, 2, 3, 4]);
	});
});

describe('traffic reports (rows without ids, placed by page.size and page.self)', () => {
	/** Query-log rows with no ids, paged the way a traffic report describes its pages. */
	function report(total, sizeFor) {
		const rows = Array.from({ length: total }, (_, i) => ({ fqdn: `d${i}.example`, total: 1 }));
		let served = 0;
		return (req, res, record) => {
			const page = pageNumber(record);
			const size = sizeFor(page, askedSize(record), ++served);
			const values = rows.slice((page - 1) * size, page * size);
			const last = Math.ceil(total / size);
			json(res, 200, {
				data: {
					values,
					page: { size, self: page, total, last, ...(page < last ? { next: page + 1 } : {}) },
				},
			});
		};
	}
	const fqdns = (items) => items.map((item) => item.json.fqdn);
	const expected = (total) => Array.from({ length: total }, (_, i) => `d${i}.example`);

	test('a report whose page size drops from 100 to 50 at page 3: every row once, in order', async () => {
		api.setHandler(report(600, (page) => (page >= 3 ? 50 : 100)));
		const { error, items } = await queryLogs();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(fqdns(items), expected(600));
	});

	test('a report whose page size grows from 100 to 200 from the third request on: the skipped rows are read', async () => {
		api.setHandler(report(900, (page, asked, served) => (served >= 3 ? 200 : 100)));
		const { error, items } = await queryLogs();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(fqdns(items), expected(900));
	});

	test('identical rows on different pages are all kept: rows without ids are never merged', async () => {
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			const values =
				page === 1
					? [
							{ fqdn: 'same.example', total: 1 },
							{ fqdn: 'a.example', total: 2 },
						]
					: [{ fqdn: 'same.example', total: 1 }];
			json(res, 200, { data: { values, page: page === 1 ? { next: 2 } : {} } });
		});
		const { error, items } = await queryLogs();
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(fqdns(items), ['same.example', 'a.example', 'same.example']);
	});

	test('a report that ends below its page.total fails with both counts', async () => {
		api.setHandler((req, res, record) => {
			const page = pageNumber(record);
			const values = Array.from({ length: page === 1 ? 100 : 20 }, (_, i) => ({
				fqdn: `p${page}-${i}.example`,
			}));
			json(res, 200, {
				data: {
					values,
					page: { size: 100, self: page, total: 500, ...(page === 1 ? { next: 2 } : {}) },
				},
			});
		});
		const { error, items } = await queryLogs();
		assert.equal(items.length, 0);
		assert.match(
			error.message,
			/list at \/v1\/traffic_reports\/query_logs ended after 2 pages \(120 records\), but the server reported 500 records/,
		);
	});
});

describe('the Trigger reads the whole list when the page size changes', () => {
	test('a baseline over a shrinking server, then one new network: exactly that network is emitted', async () => {
		let all = networks(400);
		api.setHandler((req, res, record) =>
			statelessList(all, { sizeFor: (page) => (page >= 3 ? 50 : 100) })(req, res, record),
		);
		const first = await pollOnce({
			parameters: { event: 'newNetwork' },
			credentials: credentials(),
		});
		assert.equal(first.error, undefined, first.error?.message);
		all = [...all, network(401)];
		const second = await pollOnce({
			parameters: { event: 'newNetwork' },
			credentials: credentials(),
			staticData: first.staticData,
		});
		assert.equal(second.error, undefined, second.error?.message);
		assert.deepEqual(
			second.items?.map((item) => item.id),
			['401'],
		);
	});
});

describe('how much a walk remembers to drop repeated records', () => {
	const { RecordIdentities, IDENTITY_WINDOW } = loadBuilt(
		'nodes/DnsFilter/transport/pageIntegrity.js',
	);
	const network = (id) => ({
		id: String(id),
		type: 'networks',
		attributes: { name: `Site ${id}` },
	});

	test('a record sent again within the window is dropped; one repeated beyond it is kept (memory stays bounded)', () => {
		const identities = new RecordIdentities(3);
		const records = [];
		for (const id of [1, 2, 3]) assert.equal(identities.admit(network(id), records), true);
		assert.equal(
			identities.admit(network(2), records),
			false,
			'a repeat within the window was kept',
		);
		for (const id of [4, 5, 6]) identities.admit(network(id), records);
		assert.equal(
			identities.admit(network(1), records),
			true,
			'the window remembered more than it may',
		);
		assert.deepEqual(
			records.map((r) => r.id),
			['1', '2', '3', '4', '5', '6', '1'],
		);
	});

	test('the window covers many pages: a repeat 50 pages of 100 later is still dropped', () => {
		assert.ok(IDENTITY_WINDOW >= 5_000);
		const identities = new RecordIdentities();
		const records = [];
		for (let id = 1; id <= 5_000; id++) identities.admit(network(id), records);
		assert.equal(identities.admit(network(1), records), false);
		assert.equal(records.length, 5_000);
	});
});

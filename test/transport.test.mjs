// The shared request helper, driven through the real n8n-core engine over real HTTP.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { runNode, visibleText } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { PROBE_TYPE, probeNode, probeSettledAt } from './support/probe-node.mjs';
import { json, startStandIn, text } from './support/standin-server.mjs';

// A key per test: a 429's wait holds every request of its credential in this process, so one
// test's refusal must not hold the next test's requests.
let keyCount = 0;
let apiKey = makeApiKey({ sub: 'transport-user' });
beforeEach(() => {
	apiKey = makeApiKey({ sub: `transport-user-${++keyCount}` });
});
let server;
let everythingSeen = [];

before(async () => {
	server = await startStandIn();
});
after(async () => {
	await server.close();
	// The key must not appear in anything a user or a log could see.
	const haystack = everythingSeen.join('\n');
	assert.equal(haystack.includes(apiKey), false, 'the API key leaked into output, errors or logs');
	assert.equal(haystack.includes(apiKey.split('.')[2]), false, 'the key signature leaked');
});

async function probe(parameters, { items, continueOnFail, credentials } = {}) {
	server.requests.length = 0;
	const result = await runNode({
		nodeType: probeNode,
		typeName: PROBE_TYPE,
		parameters: {
			method: 'GET',
			path: '/v1/current_user',
			maxRetries: 5,
			maxWaitMs: 120000,
			...parameters,
		},
		items,
		continueOnFail,
		credentials: { apiKey, baseUrl: server.url, ...credentials },
	});
	everythingSeen.push(...visibleText(result));
	return result;
}

/** Answers with `sequence[i]` for the i-th request, the last entry repeating. */
function sequence(...steps) {
	let calls = 0;
	return (req, res, record) => {
		const step = steps[Math.min(calls++, steps.length - 1)];
		return step(req, res, record);
	};
}
const ok = (req, res) => json(res, 200, { data: { id: '7', type: 'users' } });

describe('authentication', () => {
	test('sends the raw key in Authorization, without "Bearer"', async () => {
		server.setHandler(ok);
		const { items, error } = await probe({});
		assert.equal(error, undefined);
		assert.equal(items.length, 1);
		assert.equal(server.requests[0].headers.authorization, apiKey);
	});

	test('an expired key fails before any request, naming the date and the fix', async () => {
		server.setHandler(ok);
		const expiredAt = Math.floor(Date.parse('2026-01-02T03:04:05Z') / 1000);
		const { error } = await probe({}, { credentials: { apiKey: makeApiKey({ exp: expiredAt }) } });
		assert.equal(server.requests.length, 0);
		assert.match(
			error.message,
			/DNSFilter API key expired on 2026-01-02T03:04:05\.000Z: generate a new key under Account Settings → Security → API Keys/,
		);
	});

	test('a malformed key fails with a clear message and no request', async () => {
		server.setHandler(ok);
		const { error } = await probe({}, { credentials: { apiKey: 'not-a-jwt' } });
		assert.equal(server.requests.length, 0);
		assert.match(error.message, /malformed.*three base64url parts/);
	});
});

describe('HTTP 429', () => {
	test('waits as long as Retry-After (seconds) says, then succeeds', async () => {
		server.setHandler(
			sequence(
				(req, res) => json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': '1' }),
				ok,
			),
		);
		const { items, error } = await probe({});
		assert.equal(error, undefined);
		assert.equal(server.requests.length, 2);
		const gap = server.requests[1].at - server.requests[0].at;
		assert.ok(gap >= 950, `second try came after ${gap} ms, before Retry-After allowed`);
		assert.ok(gap < 3000, `second try came after ${gap} ms, far later than needed`);
		assert.equal(items[0].json.attempts, 2);
	});

	test('understands Retry-After as an HTTP date', async () => {
		server.setHandler(
			sequence(
				(req, res) =>
					json(
						res,
						429,
						{ error: 'slow down' },
						{ 'Retry-After': new Date(Date.now() + 2000).toUTCString() },
					),
				ok,
			),
		);
		const { error } = await probe({});
		assert.equal(error, undefined);
		const gap = server.requests[1].at - server.requests[0].at;
		// HTTP dates have one-second resolution, so the wait is between 1 and 2 seconds.
		assert.ok(gap >= 900 && gap < 3500, `gap ${gap} ms does not follow the HTTP date`);
	});

	test('falls back to RateLimit-Reset when Retry-After is absent', async () => {
		server.setHandler(
			sequence(
				(req, res) =>
					json(
						res,
						429,
						{ error: 'slow down' },
						{
							'RateLimit-Limit': '2000',
							'RateLimit-Remaining': '0',
							'RateLimit-Reset': '1',
							'RateLimit-Policy': '2000;w=300',
						},
					),
				ok,
			),
		);
		const { error } = await probe({});
		assert.equal(error, undefined);
		const gap = server.requests[1].at - server.requests[0].at;
		assert.ok(gap >= 950 && gap < 3000, `gap ${gap} ms does not follow RateLimit-Reset`);
	});

	test('gives up after Max Retries, saying how many tries and how long to wait', async () => {
		server.setHandler((req, res) =>
			json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': '1' }),
		);
		const { error } = await probe({ maxRetries: 2 });
		assert.equal(server.requests.length, 3);
		assert.match(error.message, /gave up after 3 tries/);
		assert.match(error.description, /wait 1s more \(Retry-After\)/);
		assert.equal(error.httpCode, '429');
	});

	test('gives up when the next wait would pass Max Total Wait', async () => {
		server.setHandler((req, res) =>
			json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': '30' }),
		);
		const { error } = await probe({ maxRetries: 5, maxWaitMs: 5000 });
		assert.equal(server.requests.length, 1);
		assert.match(error.message, /gave up after 1 try and/);
		assert.match(error.description, /wait 30s more/);
	});

	test('stops waiting when the execution is cancelled', async () => {
		server.setHandler((req, res) =>
			json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': '2' }),
		);
		server.requests.length = 0;
		probeSettledAt.length = 0;
		const started = Date.now();
		await runNode({
			nodeType: probeNode,
			typeName: PROBE_TYPE,
			parameters: { method: 'GET', path: '/v1/current_user', maxRetries: 5, maxWaitMs: 120000 },
			credentials: { apiKey, baseUrl: server.url },
			cancelAfterMs: 300,
		});
		// Had the wait gone on, the node would still be busy 2 s after the first try, and retry then.
		await new Promise((resolve) => setTimeout(resolve, 2600));
		assert.equal(server.requests.length, 1);
		assert.equal(probeSettledAt.length, 1);
		assert.ok(
			probeSettledAt[0] - started < 1500,
			`the node kept waiting for ${probeSettledAt[0] - started} ms after the cancel`,
		);
	});

	test('retries a POST after 429, which means nothing was done', async () => {
		server.setHandler(
			sequence(
				(req, res) => json(res, 429, {}, { 'Retry-After': '0' }),
				(req, res) => json(res, 201, { data: { id: '9' } }),
			),
		);
		const { error, items } = await probe({
			method: 'POST',
			path: '/v1/networks',
			body: '{"network":{"name":"HQ"}}',
		});
		assert.equal(error, undefined);
		assert.equal(server.requests.length, 2);
		assert.deepEqual(server.requests[1].body, { network: { name: 'HQ' } });
		assert.equal(items[0].json.statusCode, 201);
	});
});

describe('5xx and connection errors', () => {
	test('a GET answered 503 is retried with backoff', async () => {
		server.setHandler(
			sequence(
				(req, res) => json(res, 503, { error: 'down' }),
				(req, res) => json(res, 503, { error: 'down' }),
				ok,
			),
		);
		const { error, items } = await probe({});
		assert.equal(error, undefined);
		assert.equal(server.requests.length, 3);
		assert.equal(items[0].json.attempts, 3);
	});

	test('a POST answered 503 is not sent twice', async () => {
		server.setHandler((req, res) => json(res, 503, { error: 'Service unavailable' }));
		const { error } = await probe({
			method: 'POST',
			path: '/v1/networks',
			body: '{"network":{"name":"HQ"}}',
		});
		assert.equal(server.requests.length, 1);
		assert.match(error.message, /Service unavailable \[HTTP 503\]/);
	});

	test('a refused connection on GET is retried, then reported without request details', async () => {
		const closed = await startStandIn();
		const deadUrl = closed.url;
		await closed.close();
		const { error } = await probe({ maxRetries: 1 }, { credentials: { baseUrl: deadUrl } });
		assert.match(
			error.message,
			/Could not reach DNSFilter at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/,
		);
		assert.match(error.description, /failed \(ECONNREFUSED\) after 2 tries/);
	});
});

describe('error bodies become clear NodeApiErrors', () => {
	const cases = [
		[
			'V1',
			400,
			{ error: 'Name has already been taken', type: 'validation' },
			/^Name has already been taken \[HTTP 400\]$/,
			/Type: validation\./,
		],
		[
			'V2',
			400,
			{ error: { message: 'Invalid date range', type: 'bad_request' } },
			/^Invalid date range \[HTTP 400\]$/,
			/Type: bad_request\./,
		],
		[
			'422 array',
			422,
			["Name can't be blank", 'Organization must exist'],
			/^Name can't be blank; Organization must exist \[HTTP 422\]$/,
			/Fix the fields/,
		],
		[
			'401',
			401,
			{ error: 'Unauthorized' },
			/^Unauthorized \[HTTP 401\]$/,
			/invalid, expired or revoked/,
		],
		['403', 403, { error: 'Forbidden' }, /^Forbidden \[HTTP 403\]$/, /lacks the permission/],
	];
	for (const [name, status, body, message, description] of cases) {
		test(`${name} body`, async () => {
			server.setHandler((req, res) => json(res, status, body));
			const { error } = await probe({});
			assert.match(error.message, message);
			assert.match(error.description, description);
			assert.equal(error.httpCode, String(status));
		});
	}

	test('404 names the resource and the id', async () => {
		server.setHandler((req, res) => json(res, 404, { error: 'Record not found' }));
		const { error } = await probe({ path: '/v1/networks/8675309' });
		assert.match(error.message, /^Record not found \[HTTP 404\]$/);
		assert.match(error.description, /No networks with id "8675309"/);
	});

	test('404 on a list names the path, not a made-up id', async () => {
		server.setHandler((req, res) => json(res, 404, { error: 'Not found' }));
		const { error } = await probe({ path: '/v1/user_agents' });
		assert.match(error.description, /Nothing was found at \/v1\/user_agents\./);
	});

	test('an HTML error page is reduced to its title', async () => {
		server.setHandler((req, res) =>
			text(
				res,
				502,
				'<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>',
				'text/html',
			),
		);
		const { error } = await probe({ method: 'POST', path: '/v1/networks', body: '{}' });
		assert.match(error.message, /^502 Bad Gateway \[HTTP 502\]$/);
	});

	test('an empty error body still names the status', async () => {
		server.setHandler((req, res) => text(res, 400, ''));
		const { error } = await probe({});
		assert.match(error.message, /^Bad request \[HTTP 400\]$/);
	});

	test('a non-JSON text body becomes the message', async () => {
		server.setHandler((req, res) => text(res, 400, 'upstream said no'));
		const { error } = await probe({});
		assert.match(error.message, /^upstream said no \[HTTP 400\]$/);
	});

	test('the failing item is named', async () => {
		server.setHandler((req, res) => json(res, 400, { error: 'bad' }));
		const { run } = await probe({});
		const taskError = run.data.resultData.runData.DNSFilter[0].error;
		assert.equal(taskError.context?.itemIndex ?? taskError.itemIndex ?? 0, 0);
	});
});

describe('pagination', () => {
	function pagedList(total) {
		return (req, res, record) => {
			const number = Number(record.query.get('page[number]'));
			const size = Number(record.query.get('page[size]'));
			const start = (number - 1) * size;
			const data = [];
			for (let i = start; i < Math.min(total, start + size); i++)
				data.push({ id: String(i + 1), type: 'networks', attributes: { name: `net-${i + 1}` } });
			json(res, 200, { data, links: { self: record.search } });
		};
	}

	test('Return All walks three pages until a short one', async () => {
		server.setHandler(pagedList(237));
		const { items, error } = await probe({ path: '/v1/networks', paged: 'v1', returnAll: true });
		assert.equal(error, undefined);
		assert.equal(items.length, 237);
		assert.deepEqual(
			server.requests.map((r) => [r.query.get('page[number]'), r.query.get('page[size]')]),
			[
				['1', '100'],
				['2', '100'],
				['3', '100'],
			],
		);
		assert.match(
			server.requests[0].search,
			/page%5Bnumber%5D=1&page%5Bsize%5D=100|page\[number\]=1&page\[size\]=100/,
		);
		assert.equal(items[236].json.id, '237');
	});

	test('Limit stops early without fetching extra pages', async () => {
		server.setHandler(pagedList(237));
		const { items } = await probe({
			path: '/v1/networks',
			paged: 'v1',
			returnAll: false,
			limit: 150,
		});
		assert.equal(items.length, 150);
		assert.equal(server.requests.length, 2);
	});

	test('a small Limit asks for a small page', async () => {
		server.setHandler(pagedList(237));
		const { items } = await probe({
			path: '/v1/networks',
			paged: 'v1',
			returnAll: false,
			limit: 7,
		});
		assert.equal(items.length, 7);
		assert.equal(server.requests.length, 1);
		assert.equal(server.requests[0].query.get('page[size]'), '7');
	});

	test('a bare-array list is paged too', async () => {
		server.setHandler((req, res, record) => {
			const number = Number(record.query.get('page[number]'));
			json(
				res,
				200,
				number === 1 ? Array.from({ length: 100 }, (_, i) => ({ id: i })) : [{ id: 100 }],
			);
		});
		const { items } = await probe({
			path: '/v1/agent_local_users/all',
			paged: 'v1',
			returnAll: true,
		});
		assert.equal(items.length, 101);
	});

	test('traffic reports follow page.next until it is absent', async () => {
		server.setHandler((req, res, record) => {
			const number = Number(record.query.get('page[number]'));
			const values = Array.from({ length: number < 3 ? 100 : 100 }, (_, i) => ({
				fqdn: `d${number}-${i}.example`,
			}));
			json(res, 200, {
				data: {
					organization_id: 1,
					values,
					page: {
						size: 100,
						total: 300,
						self: number,
						...(number < 3 ? { next: number + 1 } : {}),
					},
				},
			});
		});
		const { items } = await probe({
			path: '/v1/traffic_reports/query_logs',
			paged: 'trafficReport',
			returnAll: true,
		});
		assert.equal(items.length, 300);
		assert.equal(server.requests.length, 3);
	});
});

describe('continueOnFail', () => {
	test('a failed item keeps the other items and their pairedItem', async () => {
		server.setHandler((req, res, record) =>
			record.path.endsWith('/2')
				? json(res, 404, { error: 'Record not found' })
				: json(res, 200, { data: { id: record.path.split('/').pop() } }),
		);
		const { items, error } = await probe(
			{ path: '={{ "/v1/networks/" + $json.id }}' },
			{ items: [{ id: 1 }, { id: 2 }, { id: 3 }], continueOnFail: true },
		);
		assert.equal(error, undefined);
		assert.equal(items.length, 3);
		assert.deepEqual(
			items.map((i) => i.pairedItem),
			[{ item: 0 }, { item: 1 }, { item: 2 }],
		);
		assert.match(items[1].json.error, /Record not found/);
		assert.equal(items[2].json.body.data.id, '3');
	});
});

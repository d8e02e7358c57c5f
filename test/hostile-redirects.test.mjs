// A redirect never takes the API key or a request body to another origin.
// Two stand-ins on 127.0.0.1 (different ports are different origins); the "elsewhere" server's
// own request log must stay empty whatever the API server answers.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { leakedFragments, runOperation, startStandIn } from './support/hostile-servers.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { json } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'redirect-user' });
let api;
let elsewhere;

before(async () => {
	api = await startStandIn();
	elsewhere = await startStandIn((req, res) =>
		json(res, 200, { data: { id: 666, name: 'from elsewhere' } }),
	);
});
after(async () => {
	await api.close();
	await elsewhere.close();
});
beforeEach(() => {
	api.requests.length = 0;
	elsewhere.requests.length = 0;
});

const credentials = () => ({ apiKey, baseUrl: api.url });
const NO_RETRY = { requestOptions: { maxRetries: 0, maxWaitSeconds: 0 } };

function redirect(status, location) {
	return (req, res) => {
		res.writeHead(status, { location, 'content-type': 'text/html' });
		res.end(`<html><body>Moved to <a href="${location}">here</a></body></html>`);
	};
}

const getNetwork = (extra = NO_RETRY) =>
	runOperation('V1_Networks-show', { path: { id: '42' }, extra, credentials: credentials() });
const createNetwork = (extra = NO_RETRY) =>
	runOperation('V1_Networks-create', {
		extra: { ...extra, name: 'HQ', organizationId: 7 },
		credentials: credentials(),
	});

function assertNotSentElsewhere(result, target) {
	assert.equal(
		elsewhere.requests.length,
		0,
		`the other origin received ${elsewhere.requests.length} request(s)`,
	);
	assert.ok(result.error, 'the run must fail');
	assert.equal(result.items.length, 0);
	assert.match(result.error.message, /redirect that was not followed/);
	assert.ok(
		result.error.message.includes(target) || result.error.description.includes(target),
		`the error names ${target}`,
	);
	assert.match(result.error.description, /Base URL/);
	assert.deepEqual(leakedFragments(result.seen, apiKey), []);
}

describe('redirects to another origin are refused, nothing is sent there', () => {
	for (const status of [301, 302, 303, 307, 308]) {
		test(`GET answered ${status} → another port`, async () => {
			api.setHandler(redirect(status, `${elsewhere.url}/v1/networks/42`));
			const result = await getNetwork();
			assertNotSentElsewhere(result, elsewhere.url);
			assert.equal(api.requests.length, 1, 'a refused redirect is not retried');
		});

		test(`POST with a body answered ${status} → another port`, async () => {
			api.setHandler(redirect(status, `${elsewhere.url}/v1/networks`));
			const result = await createNetwork();
			assertNotSentElsewhere(result, elsewhere.url);
			assert.equal(api.requests.length, 1);
			assert.deepEqual(api.requests[0].body?.network?.name, 'HQ');
		});
	}

	test('the default retry policy does not turn a refused redirect into retries', async () => {
		api.setHandler(redirect(307, `${elsewhere.url}/v1/networks/42`));
		const result = await getNetwork({});
		assertNotSentElsewhere(result, elsewhere.url);
		assert.equal(api.requests.length, 1);
	});

	test('a protocol-relative Location (//host:port/…) is another origin', async () => {
		api.setHandler(redirect(302, `//127.0.0.1:${new URL(elsewhere.url).port}/v1/networks/42`));
		assertNotSentElsewhere(await getNetwork(), elsewhere.url);
	});

	test('a same-host https Location is another origin (scheme differs), and is not tried', async () => {
		const port = new URL(api.url).port;
		api.setHandler(redirect(301, `https://127.0.0.1:${port}/v1/networks/42`));
		const result = await getNetwork();
		assert.match(result.error.message, /another origin, https:\/\/127\.0\.0\.1/);
		assert.equal(api.requests.length, 1);
	});

	test('a same-origin Location carrying user:password is refused, the password not shown', async () => {
		const port = new URL(api.url).port;
		api.setHandler(redirect(302, `http://mallory:hunter2@127.0.0.1:${port}/v1/networks/43`));
		const result = await getNetwork();
		assert.match(result.error.message, /credentials in it/);
		assert.equal(api.requests.length, 1);
		assert.equal(result.seen.includes('hunter2'), false);
	});

	test('a redirect elsewhere on a later hop is refused too (same-origin first, then away)', async () => {
		api.setHandler((req, res, record) =>
			record.path === '/v1/networks/42'
				? redirect(302, '/v1/moved/42')(req, res)
				: redirect(307, `${elsewhere.url}/v1/networks/42`)(req, res),
		);
		const result = await getNetwork();
		assertNotSentElsewhere(result, elsewhere.url);
		assert.deepEqual(
			api.requests.map((r) => r.path),
			['/v1/networks/42', '/v1/moved/42'],
		);
	});

	test('a Location echoing the key is redacted from the error', async () => {
		api.setHandler(redirect(302, `${elsewhere.url}/steal?key=${apiKey}`));
		const result = await getNetwork();
		assertNotSentElsewhere(result, elsewhere.url);
		assert.equal(result.seen.includes(apiKey), false);
	});
});

describe('same-origin redirects are followed, a few at most', () => {
	test('GET 301 to another path on the Base URL: followed with the key, the answer used', async () => {
		api.setHandler((req, res, record) =>
			record.path === '/v1/networks/42'
				? redirect(301, `${api.url}/v1/networks/4200`)(req, res)
				: json(res, 200, { data: { id: 4200, name: 'moved' } }),
		);
		const result = await getNetwork();
		assert.equal(result.error, undefined);
		assert.equal(result.items[0].json.name, 'moved');
		assert.deepEqual(
			api.requests.map((r) => r.path),
			['/v1/networks/42', '/v1/networks/4200'],
		);
		assert.equal(api.requests[1].headers.authorization, apiKey);
	});

	test('relative Locations (absolute path and relative path) resolve against the request URL', async () => {
		api.setHandler((req, res, record) => {
			if (record.path === '/v1/networks/42') return redirect(302, '/v2/networks/42')(req, res);
			if (record.path === '/v2/networks/42') return redirect(302, 'final')(req, res);
			return json(res, 200, { data: { id: 42, name: record.path } });
		});
		const result = await getNetwork();
		assert.equal(result.error, undefined);
		assert.equal(result.items[0].json.name, '/v2/networks/final');
	});

	test('POST 307 keeps method and body; POST 303 becomes a GET without body', async () => {
		for (const [status, method, hasBody] of [
			[307, 'POST', true],
			[308, 'POST', true],
			[303, 'GET', false],
			[302, 'GET', false],
		]) {
			api.requests.length = 0;
			api.setHandler((req, res, record) =>
				record.path === '/v1/networks'
					? redirect(status, '/v1/networks-new')(req, res)
					: json(res, 200, { data: { id: 9, name: record.method } }),
			);
			const result = await createNetwork();
			assert.equal(result.error, undefined, `status ${status}`);
			assert.equal(api.requests[1].method, method, `status ${status}`);
			assert.equal(api.requests[1].body !== undefined, hasBody, `status ${status}`);
			if (hasBody) assert.deepEqual(api.requests[1].body, api.requests[0].body);
		}
	});

	test('a redirect loop stops after 5 hops with an error, not a hang', async () => {
		api.setHandler((req, res, record) =>
			redirect(302, record.path === '/v1/a' ? '/v1/b' : '/v1/a')(req, res),
		);
		const result = await getNetwork();
		assert.match(result.error.message, /more than 5 redirects/);
		assert.equal(api.requests.length, 6);
	});
});

describe('3xx answers that are not usable redirects', () => {
	for (const [status, location] of [
		[302, undefined],
		[301, ''],
		[300, '/v1/networks/1'],
		[304, undefined],
		[307, 'http://[::1'],
	]) {
		test(`HTTP ${status} with Location ${JSON.stringify(location)} fails clearly`, async () => {
			api.setHandler((req, res) => {
				res.writeHead(status, location === undefined ? {} : { location });
				res.end();
			});
			const result = await getNetwork();
			assert.ok(result.error);
			assert.match(
				result.error.message,
				new RegExp(`redirect that was not followed: HTTP ${status}`),
			);
			assert.equal(api.requests.length, 1);
			assert.equal(elsewhere.requests.length, 0);
		});
	}
});

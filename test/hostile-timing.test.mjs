// Timeout is a deadline for the whole request, Retry-After is
// read strictly and honoured on 503, every wait is bounded, absurd settings are refused before
// sending, and a DELETE retried after an unknown outcome counts a 404 as done.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { runNode } from './support/engine.mjs';
import {
	runOperation,
	standInForFile,
	trickleBody,
	trickleHeaders,
} from './support/hostile-servers.mjs';
import { PROBE_TYPE, probeNode } from './support/probe-node.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { json } from './support/standin-server.mjs';

// A key per test: a 429's wait holds every request of its credential in this process, so one
// test's refusal must not hold the next test's requests.
let keyCount = 0;
let apiKey = makeApiKey({ sub: 'timing-user' });
beforeEach(() => {
	apiKey = makeApiKey({ sub: `timing-user-${++keyCount}` });
});
let api;
standInForFile((server) => {
	api = server;
});

const credentials = (extra = {}) => ({ apiKey, baseUrl: api.url, ...extra });
const getNetwork = (requestOptions = {}, more = {}) =>
	runOperation('V1_Networks-show', {
		path: { id: '42' },
		extra: { requestOptions },
		credentials: credentials(more.credentials),
		timeoutMs: 90_000,
	});
const deleteNetwork = (requestOptions = {}) =>
	runOperation('V1_Networks-destroy', {
		path: { id: '42' },
		extra: { requestOptions },
		credentials: credentials(),
		timeoutMs: 90_000,
	});
const ok = (req, res) => json(res, 200, { data: { id: 42, name: 'HQ' } });

/** Answers with `steps[i]` for the i-th request, the last one repeating. */
function sequence(...steps) {
	let calls = 0;
	return (req, res, record) => steps[Math.min(calls++, steps.length - 1)](req, res, record);
}
const gaps = () =>
	api.requests.slice(1).map((request, index) => request.at - api.requests[index].at);

describe('Timeout is a deadline for connect, headers and the whole body', () => {
	test('a body trickling one byte a second fails at the 2 s Timeout, and the connection is closed', async () => {
		const record = {};
		api.setHandler(trickleBody(record, { intervalMs: 1000 }));
		const started = Date.now();
		const { error } = await getNetwork({ timeoutSeconds: 2, maxRetries: 0 });
		const elapsed = Date.now() - started;
		console.log(`# trickling body, Timeout 2 s: failed after ${elapsed} ms`);
		assert.match(
			error.message,
			/Could not reach DNSFilter at http:\/\/127\.0\.0\.1:\d+ \(timed out\)/,
		);
		assert.match(error.description, /no complete answer within the 2s Timeout/);
		assert.ok(elapsed >= 1900 && elapsed < 6000, `took ${elapsed} ms`);
		for (let wait = 0; wait < 40 && record.closedAt === undefined; wait++)
			await new Promise((r) => setTimeout(r, 100));
		assert.ok(
			record.closedAt !== undefined && record.closedAt - started < 7000,
			'the server saw the connection closed soon after the deadline',
		);
	});

	test('headers trickling byte by byte fail at the Timeout too', async () => {
		const record = {};
		api.setHandler(trickleHeaders(record, { intervalMs: 200 }));
		const started = Date.now();
		const { error } = await getNetwork({ timeoutSeconds: 2, maxRetries: 0 });
		const elapsed = Date.now() - started;
		assert.match(error.message, /timed out/);
		assert.ok(elapsed >= 1900 && elapsed < 6000, `took ${elapsed} ms`);
	});

	test('each retry gets its own deadline: Max Retries 1 makes two 2 s tries', async () => {
		const record = {};
		api.setHandler(trickleBody(record, { intervalMs: 1000 }));
		const started = Date.now();
		const { error } = await getNetwork({ timeoutSeconds: 2, maxRetries: 1, maxWaitSeconds: 10 });
		const elapsed = Date.now() - started;
		assert.match(error.message, /timed out/);
		assert.equal(api.requests.length, 2);
		assert.ok(elapsed >= 3900 && elapsed < 10_000, `took ${elapsed} ms`);
	});

	test('a trickle that finishes within the Timeout succeeds', async () => {
		const record = {};
		api.setHandler(trickleBody(record, { intervalMs: 50 }));
		const { error, items } = await getNetwork({ timeoutSeconds: 5, maxRetries: 0 });
		assert.equal(error, undefined);
		assert.equal(items[0].json.name, 'slow');
	});
});

describe('Retry-After is delay-seconds or an HTTP date; anything else means backoff', () => {
	for (const value of [
		'-5',
		'5, 10',
		'soon',
		'1.5',
		'0x10',
		'Wed, 21 Oct 2015 07:28:00 XYZ',
		'2001-01-01',
	]) {
		test(`429 with Retry-After: ${JSON.stringify(value)} → backoff between tries`, async () => {
			api.setHandler(
				sequence(
					(req, res) => json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': value }),
					(req, res) => json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': value }),
					ok,
				),
			);
			const { error } = await getNetwork({ maxRetries: 3, maxWaitSeconds: 30 });
			assert.equal(error, undefined);
			assert.equal(api.requests.length, 3);
			// Backoff waits 0.25–0.5 s, then 0.5–1 s; a misread value waited 0 (or years).
			const [first, second] = gaps();
			assert.ok(first >= 200 && first < 3000, `first gap ${first} ms`);
			assert.ok(second >= 450 && second < 4000, `second gap ${second} ms`);
		});
	}

	for (const [form, date] of [
		['IMF-fixdate', (at) => new Date(at).toUTCString()],
		[
			'RFC 850',
			(at) => {
				const d = new Date(at);
				const day = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][
					d.getUTCDay()
				];
				const [, dd, mon, yyyy, time] = d.toUTCString().split(' ');
				return `${day}, ${dd}-${mon}-${yyyy.slice(2)} ${time} GMT`;
			},
		],
		[
			'asctime',
			(at) => {
				const [wk, dd, mon, yyyy, time] = new Date(at).toUTCString().replace(',', '').split(' ');
				return `${wk} ${mon} ${String(Number(dd)).padStart(2, ' ')} ${time} ${yyyy}`;
			},
		],
	]) {
		test(`429 with an HTTP date (${form}) 2 s ahead waits until then`, async () => {
			api.setHandler(
				sequence(
					(req, res) =>
						json(
							res,
							429,
							{ error: 'Rate limit exceeded' },
							{ 'Retry-After': date(Date.now() + 2500) },
						),
					ok,
				),
			);
			const { error } = await getNetwork({ maxRetries: 2, maxWaitSeconds: 30 });
			assert.equal(error, undefined);
			const [gap] = gaps();
			assert.ok(gap >= 1400 && gap < 6000, `waited ${gap} ms`);
		});
	}
});

describe('503 with Retry-After is honoured', () => {
	test('a GET answered 503 Retry-After: 2 waits 2 s, then succeeds', async () => {
		api.setHandler(
			sequence((req, res) => json(res, 503, { error: 'maintenance' }, { 'Retry-After': '2' }), ok),
		);
		const { error, items } = await getNetwork({ maxRetries: 3, maxWaitSeconds: 30 });
		assert.equal(error, undefined);
		assert.equal(items[0].json.name, 'HQ');
		const [gap] = gaps();
		assert.ok(gap >= 1900 && gap < 6000, `waited ${gap} ms`);
	});

	test('a 503 asking for longer than Max Total Wait gives up at once, saying so', async () => {
		api.setHandler((req, res) => json(res, 503, { error: 'maintenance' }, { 'Retry-After': '30' }));
		const started = Date.now();
		const { error } = await getNetwork({ maxRetries: 5, maxWaitSeconds: 10 });
		assert.match(error.message, /maintenance \[HTTP 503\]/);
		assert.equal(api.requests.length, 1);
		assert.ok(Date.now() - started < 5000);
	});

	test('a POST answered 503 with Retry-After is still not sent twice', async () => {
		api.setHandler((req, res) => json(res, 503, { error: 'maintenance' }, { 'Retry-After': '1' }));
		const { error } = await runOperation('V1_Networks-create', {
			extra: { name: 'HQ', organizationId: 7, requestOptions: { maxRetries: 3 } },
			credentials: credentials(),
		});
		assert.match(error.message, /HTTP 503/);
		assert.equal(api.requests.length, 1);
	});
});

describe('waits are bounded; absurd settings are refused before sending', () => {
	test('Retry-After of 10^12 seconds with Max Total Wait 60: one try, no timer overflow', async () => {
		api.setHandler((req, res) =>
			json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': '1000000000000' }),
		);
		const started = Date.now();
		const { error } = await getNetwork({ maxRetries: 5, maxWaitSeconds: 60 });
		assert.match(error.message, /gave up after 1 try/);
		assert.equal(api.requests.length, 1);
		assert.ok(Date.now() - started < 5000);
	});

	test('Retry-After of 40 days with the largest Max Total Wait: gives up instead of firing at once', async () => {
		api.setHandler((req, res) =>
			json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': String(40 * 86400) }),
		);
		const { error } = await getNetwork({ maxRetries: 5, maxWaitSeconds: 86400 });
		assert.match(error.message, /gave up after 1 try/);
		assert.equal(api.requests.length, 1);
	});

	test('the transport clamps a wait beyond a timer (34 days asked, limits lifted) instead of firing at once', async () => {
		// Called directly, without the Request Options bounds: Max Total Wait 10^12 ms.
		api.setHandler((req, res) =>
			json(res, 429, { error: 'Rate limit exceeded' }, { 'Retry-After': '3000000' }),
		);
		const started = Date.now();
		const result = await runNode({
			nodeType: probeNode,
			typeName: PROBE_TYPE,
			parameters: { method: 'GET', path: '/v1/current_user', maxRetries: 5, maxWaitMs: 1e12 },
			credentials: credentials(),
			cancelAfterMs: 1500,
			timeoutMs: 30_000,
		});
		// An overflowing timer fires at once: 6 tries in milliseconds, then "gave up". Clamped, the
		// node is still waiting when the execution is cancelled.
		assert.equal(api.requests.length, 1);
		assert.ok(Date.now() - started >= 1400, 'the node waited until the cancel');
		assert.equal(result.items.length, 0);
		assert.doesNotMatch(String(result.error?.message), /gave up/);
	});

	for (const [option, value, pattern] of [
		[
			'maxWaitSeconds',
			1e9,
			/"Max Total Wait \(Seconds\)" under Request Options must be a number from 0 to 86,400; it is 1000000000/,
		],
		['maxWaitSeconds', -1, /"Max Total Wait \(Seconds\)"/],
		[
			'timeoutSeconds',
			1e7,
			/"Timeout \(Seconds\)" under Request Options must be a number from 1 to 86,400/,
		],
		['timeoutSeconds', 0, /"Timeout \(Seconds\)"/],
		[
			'maxRetries',
			1000,
			/"Max Retries" under Request Options must be a whole number from 0 to 100/,
		],
		['maxRetries', 'abc', /"Max Retries".*it is abc/],
	]) {
		test(`Request Options ${option} = ${value} is refused, naming the field`, async () => {
			api.setHandler(ok);
			const { error } = await getNetwork({ [option]: value });
			assert.match(error.message, pattern);
			assert.match(error.description, /Nothing was sent/);
			assert.equal(api.requests.length, 0);
		});
	}

	for (const [field, value, label] of [
		['throttleWindowSeconds', 3_000_000, 'Window Length (Seconds)'],
		['throttleWindowSeconds', 0, 'Window Length (Seconds)'],
		['throttleRequests', -5, 'Requests per Window (per n8n Process)'],
		['throttleRequests', 'lots', 'Requests per Window (per n8n Process)'],
	]) {
		test(`credential ${field} = ${value} is refused before sending, naming the field`, async () => {
			api.setHandler(ok);
			const { error } = await getNetwork({}, { credentials: { [field]: value } });
			assert.ok(error.message.includes(`"${label}"`), error.message);
			assert.equal(api.requests.length, 0);
		});
	}

	test('the credential declares the same bounds for the editor', async () => {
		const { loadCredentialType } = await import('./support/engine.mjs');
		const properties = Object.fromEntries(loadCredentialType().properties.map((p) => [p.name, p]));
		assert.deepEqual(
			[
				properties.throttleRequests.typeOptions.maxValue,
				properties.throttleWindowSeconds.typeOptions.maxValue,
			],
			[1_000_000, 86_400],
		);
	});

	test('a Base URL that is not http(s) is refused before sending, naming the field', async () => {
		const { error } = await getNetwork({}, { credentials: { baseUrl: 'ftp://api.dnsfilter.com' } });
		assert.match(error.message, /"Base URL"/);
	});
});

describe('a DELETE retried after an unknown outcome, then 404, is done', () => {
	for (const [name, first] of [
		['504', (req, res) => json(res, 504, { error: 'gateway timeout' })],
		['500', (req, res) => json(res, 500, { error: 'internal' })],
		['a reset connection', (req) => req.socket.destroy()],
	]) {
		test(`${name}, then 404 → {success: true, id, alreadyDeleted: true}`, async () => {
			api.setHandler(sequence(first, (req, res) => json(res, 404, { error: 'Record not found' })));
			const { error, items } = await deleteNetwork({ maxRetries: 2, maxWaitSeconds: 10 });
			assert.equal(error, undefined);
			assert.equal(items.length, 1);
			assert.deepEqual(
				{ ...items[0].json, id: String(items[0].json.id) },
				{ success: true, id: '42', alreadyDeleted: true },
			);
			assert.equal(api.requests.length, 2);
			assert.ok(api.requests.every((request) => request.method === 'DELETE'));
		});
	}

	test('a timed-out DELETE, then 404, is done too', async () => {
		api.setHandler(
			sequence(
				() => new Promise(() => {}),
				(req, res) => json(res, 404, { error: 'Record not found' }),
			),
		);
		const { error, items } = await deleteNetwork({
			maxRetries: 2,
			maxWaitSeconds: 10,
			timeoutSeconds: 1,
		});
		assert.equal(error, undefined);
		assert.equal(items[0].json.alreadyDeleted, true);
	});

	test('a 404 on the first try is still "not found"', async () => {
		api.setHandler((req, res) => json(res, 404, { error: 'Record not found' }));
		const { error } = await deleteNetwork({ maxRetries: 2 });
		assert.match(error.message, /Record not found \[HTTP 404\]/);
		assert.equal(api.requests.length, 1);
	});

	test('a 429 (nothing done) then 404 is still "not found"', async () => {
		api.setHandler(
			sequence(
				(req, res) => json(res, 429, { error: 'slow down' }, { 'Retry-After': '0' }),
				(req, res) => json(res, 404, { error: 'Record not found' }),
			),
		);
		const { error } = await deleteNetwork({ maxRetries: 2 });
		assert.match(error.message, /Record not found \[HTTP 404\]/);
	});

	test('a GET retried after a 504 and then answered 404 is still "not found"', async () => {
		api.setHandler(
			sequence(
				(req, res) => json(res, 504, { error: 'gateway timeout' }),
				(req, res) => json(res, 404, { error: 'Record not found' }),
			),
		);
		const { error } = await getNetwork({ maxRetries: 2 });
		assert.match(error.message, /Record not found \[HTTP 404\]/);
	});

	test('a DELETE that returns a record (Revoke Secret Key) gets the same marker', async () => {
		api.setHandler(
			sequence(
				(req, res) => json(res, 502, { error: 'bad gateway' }),
				(req, res) => json(res, 404, { error: 'Record not found' }),
			),
		);
		const { error, items } = await runOperation('V1_Networks-revoke_secret_key', {
			path: { id: '42' },
			extra: { requestOptions: { maxRetries: 2 } },
			credentials: credentials(),
		});
		assert.equal(error, undefined);
		assert.deepEqual(
			{ ...items[0].json, id: String(items[0].json.id) },
			{ success: true, id: '42', alreadyDeleted: true },
		);
	});
});

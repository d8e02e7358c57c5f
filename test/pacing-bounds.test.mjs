// The wait for the server's rate-limit budget is bounded by the request's Max Total Wait: a wait
// longer than what is left of it fails at once with what the server announced, pacing waits and
// retry waits draw on the same allowance, an implausible reset is capped, and a later answer with
// the budget back up lets requests go again. Through the real engine against stand-ins on
// 127.0.0.1; the pacer is per credential and per process, so every test uses its own API key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadBuilt, loadDnsFilterNode, runNode } from './support/engine.mjs';
import { standInForFile } from './support/hostile-servers.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { loadOperations, operationById } from './support/node-params.mjs';
import { pollOnce } from './support/poll.mjs';
import { json } from './support/standin-server.mjs';

const { ServerPacer, PacingWaitTooLong, IMPLAUSIBLE_RESET_HOLD_MS } = loadBuilt(
	'nodes/DnsFilter/transport/serverPacing.js',
);
const { readRateLimitState } = loadBuilt('nodes/DnsFilter/transport/rateLimitHeaders.js');

let api;
standInForFile((server) => {
	api = server;
});

const YEARS_31_MS = Math.round(31 * 365.25 * 86_400_000);
let keys = 0;
const freshKey = (what) => makeApiKey({ sub: `bounds-${what}-${++keys}` });

/**
 * Every header form a server may use, each saying `remaining` of `limit` left and the reset
 * `resetMs` away (written as the form writes it), and the source the message should name.
 */
const FORMS = [
	{
		name: 'draft 3 separate RateLimit-* headers, delta seconds',
		headers: (remaining, limit, resetMs) => ({
			'ratelimit-limit': String(limit),
			'ratelimit-remaining': String(remaining),
			'ratelimit-reset': String(Math.round(resetMs / 1000)),
		}),
		source: /RateLimit-Limit\/-Remaining\/-Reset headers/,
		unit: 'delta seconds',
	},
	{
		name: 'X-RateLimit-* with an epoch-milliseconds reset',
		headers: (remaining, limit, resetMs) => ({
			'x-ratelimit-limit': String(limit),
			'x-ratelimit-remaining': String(remaining),
			'x-ratelimit-reset': String(Date.now() + resetMs),
		}),
		source: /X-RateLimit-Limit\/-Remaining\/-Reset headers/,
		unit: 'epoch milliseconds',
	},
	{
		name: 'X-RateLimit-* with an epoch-seconds reset',
		headers: (remaining, limit, resetMs) => ({
			'x-ratelimit-limit': String(limit),
			'x-ratelimit-remaining': String(remaining),
			'x-ratelimit-reset': String(Math.round((Date.now() + resetMs) / 1000)),
		}),
		source: /X-RateLimit-Limit\/-Remaining\/-Reset headers/,
		unit: 'epoch seconds',
	},
	{
		name: 'draft 6 RateLimit: limit=, remaining=, reset=',
		headers: (remaining, limit, resetMs) => ({
			ratelimit: `limit=${limit}, remaining=${remaining}, reset=${Math.round(resetMs / 1000)}`,
		}),
		source: /RateLimit header \(limit=, remaining=, reset=\)/,
		unit: 'delta seconds',
	},
	{
		name: 'draft 8 RateLimit with RateLimit-Policy',
		headers: (remaining, limit, resetMs) => ({
			ratelimit: `"default";r=${remaining};t=${Math.round(resetMs / 1000)}`,
			'ratelimit-policy': `"default";q=${limit};w=300`,
		}),
		source: /RateLimit \/ RateLimit-Policy structured headers \(policy "default"\)/,
		unit: 'delta seconds',
	},
];

const row = operationById(loadOperations(), 'V1_Networks-show');
const idField = row.fields.find((f) => f.in === 'path' && f.wireName === 'id');

/** Get Network for each item (`{id}`), with these Request Options, against the file's stand-in. */
function getNetworks({ apiKey, ids = [1, 2], requestOptions = {}, timeoutMs = 30_000 }) {
	return runNode({
		nodeType: loadDnsFilterNode(),
		parameters: {
			resource: row.resource,
			operation: row.operation,
			[idField.field]: '={{ $json.id }}',
			requestOptions,
		},
		items: ids.map((id) => ({ id })),
		credentials: { apiKey, baseUrl: api.url, throttleRequests: 0 },
		timeoutMs,
	});
}

const network = (record) => ({ data: { id: record.path.split('/').pop(), name: 'Site' } });
// One read at a time (Get operations send several at once by default), so the second waits for the first's news.
const TIGHT = { timeoutSeconds: 1, maxWaitSeconds: 1, maxRetries: 0, readConcurrency: 1 };
const errorText = (result) => `${result.error?.message}\n${result.error?.description}`;

describe('a reset 31 years away does not freeze the credential', () => {
	for (const form of FORMS) {
		test(`${form.name}: the next request fails at once, saying what was announced and what to do`, async () => {
			api.setHandler((req, res, record) =>
				json(res, 200, network(record), form.headers(0, 2000, YEARS_31_MS)),
			);
			const started = Date.now();
			const result = await getNetworks({ apiKey: freshKey('far'), requestOptions: TIGHT });
			const elapsed = Date.now() - started;
			assert.ok(result.error, 'the second item did not fail');
			assert.equal(api.requests.length, 1, 'the second request was sent although nothing was left');
			assert.ok(elapsed < 5_000, `failed after ${elapsed} ms, not at once`);
			const text = errorText(result);
			assert.match(
				result.error.message,
				/DNSFilter rate limit: the request was not sent because it would have to wait 5 min for DNSFilter's rate-limit budget, more than the 1 s left of its "Max Total Wait"/,
			);
			assert.match(text, /DNSFilter announced 0 of 2,000 requests left, reset \d+ \(/);
			assert.ok(text.includes(`(${form.unit}, 31 years from now)`), text);
			assert.match(text, form.source);
			assert.match(
				text,
				/not plausible: this n8n process holds this credential's requests for 5 min at most, then asks DNSFilter again/,
			);
			assert.match(
				text,
				/Raise "Max Total Wait \(Seconds\)" under Request Options .* or run again after \d{4}-\d\d-\d\dT/,
			);
			assert.match(text, /This run of 2 items stopped at item 1: item 0 succeeded/);
		});
	}
});

describe('a nearly spent budget with a plausible reset', () => {
	for (const form of FORMS) {
		test(`${form.name}: 2 of 2,000 left, reset in 120 s, Max Total Wait 1 s: fails at once instead of waiting`, async () => {
			api.setHandler((req, res, record) =>
				json(res, 200, network(record), form.headers(2, 2000, 120_000)),
			);
			const started = Date.now();
			const result = await getNetworks({ apiKey: freshKey('spent'), requestOptions: TIGHT });
			const elapsed = Date.now() - started;
			assert.equal(api.requests.length, 1);
			assert.ok(elapsed < 5_000, `failed after ${elapsed} ms`);
			const text = errorText(result);
			assert.match(
				result.error.message,
				/would have to wait 2 min for DNSFilter's rate-limit budget, more than the 1 s left of its "Max Total Wait"/,
			);
			assert.match(text, /DNSFilter announced 2 of 2,000 requests left, reset/);
			assert.match(text, form.source);
			assert.match(
				text,
				/No more are left than the few the node keeps for the dashboard and other workers, so requests wait for the reset/,
			);
			assert.doesNotMatch(text, /not plausible/);
		});
	}

	test('a pacing wait longer than Max Total Wait fails at once', async () => {
		// 25 of 100 left and 30 s to the reset, 21 above the reserve, and a run of 40 reads: more than
		// is left, so they are spread, one about every 1.4 s.
		api.setHandler((req, res, record) =>
			json(res, 200, network(record), FORMS[0].headers(25, 100, 30_000)),
		);
		const ids = Array.from({ length: 40 }, (_, i) => i + 1);
		const tight = await getNetworks({
			apiKey: freshKey('paced'),
			ids,
			requestOptions: { maxWaitSeconds: 0.5, maxRetries: 0, readConcurrency: 1 },
		});
		assert.equal(api.requests.length, 1);
		assert.match(
			tight.error?.message ?? '',
			/would have to wait 1\.\d s for DNSFilter's rate-limit budget, more than the 0\.5 s left/,
		);
		assert.match(errorText(tight), /spreads what is left until the reset/);
	});
});

describe('pacing waits and retry waits share one Max Total Wait', () => {
	test('after a pacing wait of about 1.9 s, a 429 asking for 2 s more is not retried within a 3 s Max Total Wait', async () => {
		// 20 of 100 left, 30 s to the reset: 16 above the reserve for a run of 20, so the second request waits ~1.9 s.
		let calls = 0;
		api.setHandler((req, res, record) => {
			if (++calls === 1) return json(res, 200, network(record), FORMS[0].headers(20, 100, 30_000));
			return json(res, 429, { error: 'slow down' }, { 'retry-after': '2' });
		});
		const ids = Array.from({ length: 20 }, (_, i) => i + 1);
		const result = await getNetworks({
			apiKey: freshKey('shared'),
			ids,
			requestOptions: { maxWaitSeconds: 3, maxRetries: 3, readConcurrency: 1 },
		});
		assert.equal(
			api.requests.length,
			2,
			'the 429 was retried although pacing had used most of Max Total Wait',
		);
		assert.match(
			result.error?.message ?? '',
			/DNSFilter rate limit: gave up after 1 try and 1\.\d+s of waiting \[HTTP 429\]/,
		);
	});
});

describe('the trigger', () => {
	test('a poll after an answer announcing a reset 31 years away ends at once with the message', async () => {
		const apiKey = freshKey('trigger');
		api.setHandler((req, res) =>
			json(res, 200, { data: [], links: {} }, FORMS[1].headers(0, 2000, YEARS_31_MS)),
		);
		const first = await pollOnce({
			parameters: { event: 'newNetwork' },
			credentials: { apiKey, baseUrl: api.url },
		});
		assert.equal(first.error, undefined, first.error?.message);
		api.requests.length = 0;
		const started = Date.now();
		const second = await pollOnce({
			parameters: { event: 'newNetwork' },
			credentials: { apiKey, baseUrl: api.url },
			staticData: first.staticData,
		});
		const elapsed = Date.now() - started;
		assert.ok(elapsed < 10_000, `the poll took ${elapsed} ms`);
		assert.equal(api.requests.length, 0);
		assert.match(
			second.error?.message ?? '',
			/DNSFilter rate limit: the request was not sent because it would have to wait 5 min/,
		);
		assert.match(
			second.error?.description ?? '',
			/0 of 2,000 requests left.*epoch milliseconds, 31 years from now.*X-RateLimit-Limit/,
		);
	});
});

describe('a later answer with the budget back up lets requests go again', () => {
	test('an answer with 1,990 left to a newer request, after one with 0 left and a far reset, ends the hold', async () => {
		// Two requests in flight (several executions share the pacer); the older one's answer says
		// nothing is left for 31 years, the newer one's, a moment later, that the budget is back.
		let now = 7_000_000;
		const pacer = new ServerPacer(() => now);
		const older = await pacer.beforeStart();
		const newer = await pacer.beforeStart();
		now += 50;
		pacer.observe(
			readRateLimitState(
				{
					'ratelimit-limit': '2000',
					'ratelimit-remaining': '0',
					'ratelimit-reset': String(Math.round(YEARS_31_MS / 1000)),
				},
				now,
			),
			older,
		);
		assert.equal(pacer.delayNow().reason, 'reserve');
		now += 300;
		pacer.observe(
			readRateLimitState(
				{ 'ratelimit-limit': '2000', 'ratelimit-remaining': '1990', 'ratelimit-reset': '300' },
				now,
			),
			newer,
		);
		assert.equal(pacer.delayNow().delayMs, 0, 'still held after the budget came back');
	});
});

describe('the pacer on its own (real clock where it sleeps, a set clock where it reasons)', () => {
	const state = (headers) => readRateLimitState(headers, Date.now());

	test('an implausible reset is held for one window at most, then requests go; a plausible one is kept', () => {
		let now = 5_000_000;
		const pacer = new ServerPacer(() => now);
		pacer.observe(
			state({
				'ratelimit-limit': '2000',
				'ratelimit-remaining': '0',
				'ratelimit-reset': String(Math.round(YEARS_31_MS / 1000)),
			}),
		);
		const held = pacer.delayNow();
		assert.equal(held.reason, 'reserve');
		assert.ok(held.delayMs > 0 && held.delayMs <= IMPLAUSIBLE_RESET_HOLD_MS, `${held.delayMs} ms`);
		now += IMPLAUSIBLE_RESET_HOLD_MS;
		assert.equal(pacer.delayNow().delayMs, 0, 'still held after the capped reset');

		// A policy window of 60 s: a reset beyond it is capped to it.
		const windowed = new ServerPacer(() => now);
		windowed.observe(
			state({
				ratelimit: `"default";r=0;t=${10 * 3600}`,
				'ratelimit-policy': '"default";q=100;w=60',
			}),
		);
		assert.ok(windowed.delayNow().delayMs <= 60_000, `${windowed.delayNow().delayMs} ms`);

		// 20 minutes is within the hour an API may plausibly announce: kept.
		const plausible = new ServerPacer(() => now);
		plausible.observe(
			state({ 'ratelimit-limit': '2000', 'ratelimit-remaining': '0', 'ratelimit-reset': '1200' }),
		);
		assert.ok(plausible.delayNow().delayMs > 1_100_000, `${plausible.delayNow().delayMs} ms`);
	});

	test('a wait longer than the allowance rejects without sleeping first', async () => {
		const pacer = new ServerPacer();
		pacer.observe(
			state({ 'ratelimit-limit': '100', 'ratelimit-remaining': '2', 'ratelimit-reset': '60' }),
		);
		const started = Date.now();
		await assert.rejects(
			pacer.beforeStart(undefined, 1_000),
			(error) =>
				error instanceof PacingWaitTooLong && error.reason === 'reserve' && error.waitMs > 55_000,
		);
		assert.ok(Date.now() - started < 500, `rejected after ${Date.now() - started} ms`);
	});

	test('a request queued behind others that wait for the budget gives up within its own allowance', async () => {
		// 25 of 100 left, 30 s to the reset: about 1.4 s between starts.
		const pacer = new ServerPacer();
		pacer.observe(
			state({ 'ratelimit-limit': '100', 'ratelimit-remaining': '25', 'ratelimit-reset': '30' }),
		);
		await pacer.beforeStart();
		const started = Date.now();
		const patient = pacer.beforeStart(undefined, 10_000);
		const hurried = pacer.beforeStart(undefined, 1_800);
		await assert.rejects(hurried, (error) => error instanceof PacingWaitTooLong);
		const gaveUpAfter = Date.now() - started;
		assert.ok(gaveUpAfter < 2_500, `gave up after ${gaveUpAfter} ms with an allowance of 1.8 s`);
		const decision = await patient;
		assert.ok(decision.waitedMs > 1_000, `the patient request waited ${decision.waitedMs} ms`);
	});
});

// transport/retryPolicy.ts: the retry decision on its own, with no HTTP and no clock: what one
// try came back with, the attempt, Max Retries and the wait left, in; retry with a delay and a
// reason, or fail, or use the answer, out. The HTTP tests (transport, hostile-timing) check the
// loop around it against real servers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';

const { decideRetry, isIdempotent, MAX_TIMER_MS } = loadBuilt(
	'nodes/DnsFilter/transport/retryPolicy.js',
);
const { headerText } = loadBuilt('nodes/DnsFilter/transport/headers.js');

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const fresh = { attempt: 0, maxRetries: 5, waitLeftMs: 120_000, deleteOutcomeUnknown: false };
const network = (code = 'ECONNRESET') => ({ kind: 'network', code });
const answer = (statusCode, headers = {}) => ({ kind: 'answer', statusCode, headers });
/** Fixed jitter, so backoff delays are exact: half the ceiling plus `r` of the other half. */
const jitter = (r) => () => r;

describe('retry policy: network failures', () => {
	for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
		test(`${method} without an answer is sent again after backoff`, () => {
			const decision = decideRetry(method, network(), fresh, NOW, jitter(0));
			assert.equal(decision.action, 'retry');
			assert.equal(decision.delayMs, 250);
			assert.equal(decision.source, 'backoff');
			assert.equal(decision.reason, 'ECONNRESET');
			assert.equal(decision.deleteOutcomeUnknown, method === 'DELETE');
		});
	}

	for (const method of ['POST', 'PATCH']) {
		test(`${method} without an answer is never sent again (it may have been applied)`, () => {
			assert.deepEqual(decideRetry(method, network('ETIMEDOUT'), fresh, NOW), {
				action: 'fail-network',
				code: 'ETIMEDOUT',
			});
			assert.equal(isIdempotent(method), false);
		});
	}

	test('backoff doubles per attempt and stops at a 30 s ceiling', () => {
		const delays = [0, 1, 2, 3, 6, 7, 20].map(
			(attempt) =>
				decideRetry(
					'GET',
					network(),
					{ ...fresh, attempt, maxRetries: 99, waitLeftMs: 1e9 },
					NOW,
					jitter(1),
				).delayMs,
		);
		assert.deepEqual(delays, [500, 1000, 2000, 4000, 30_000, 30_000, 30_000]);
	});

	test('the last allowed retry is taken; one more fails', () => {
		const last = { ...fresh, attempt: 4, maxRetries: 5 };
		assert.equal(decideRetry('GET', network(), last, NOW, jitter(0)).action, 'retry');
		assert.equal(
			decideRetry('GET', network(), { ...last, attempt: 5 }, NOW, jitter(0)).action,
			'fail-network',
		);
		assert.equal(
			decideRetry('GET', network(), { ...fresh, maxRetries: 0 }, NOW).action,
			'fail-network',
		);
	});

	test('a backoff longer than the wait left fails instead of waiting', () => {
		const state = { ...fresh, waitLeftMs: 249 };
		assert.equal(decideRetry('GET', network(), state, NOW, jitter(0)).action, 'fail-network');
		assert.equal(
			decideRetry('GET', network(), { ...state, waitLeftMs: 250 }, NOW, jitter(0)).action,
			'retry',
		);
	});
});

describe('retry policy: 429', () => {
	test('every method waits out a 429, POST included: the API did not act on it', () => {
		for (const method of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) {
			const decision = decideRetry(method, answer(429, { 'retry-after': '7' }), fresh, NOW);
			assert.equal(decision.action, 'retry', method);
			assert.equal(decision.delayMs, 7000);
			assert.equal(decision.source, 'Retry-After');
			assert.equal(decision.deleteOutcomeUnknown, false, 'a refused DELETE did nothing');
		}
	});

	test('Retry-After as an HTTP date, in any header case', () => {
		const at = new Date(NOW + 12_000).toUTCString();
		const decision = decideRetry('GET', answer(429, { 'Retry-After': at }), fresh, NOW);
		assert.deepEqual([decision.delayMs, decision.source], [12_000, 'Retry-After']);
	});

	test('without Retry-After, RateLimit-Reset; without either, backoff', () => {
		const reset = decideRetry('GET', answer(429, { 'ratelimit-reset': '9' }), fresh, NOW);
		assert.deepEqual([reset.delayMs, reset.source], [9000, 'RateLimit-Reset']);
		const combined = decideRetry(
			'GET',
			answer(429, { ratelimit: '"default";r=0;t=4', 'ratelimit-policy': '"default";q=100;w=60' }),
			fresh,
			NOW,
		);
		assert.deepEqual([combined.delayMs, combined.source], [4000, 'RateLimit-Reset']);
		const none = decideRetry('GET', answer(429), fresh, NOW, jitter(0));
		assert.deepEqual([none.delayMs, none.source], [250, 'backoff']);
	});

	test('malformed Retry-After values fall back instead of being read as numbers', () => {
		for (const value of ['-5', '1.5', '5, 10', 'soon', '']) {
			const decision = decideRetry(
				'GET',
				answer(429, { 'retry-after': value }),
				fresh,
				NOW,
				jitter(0),
			);
			assert.equal(decision.source, 'backoff', JSON.stringify(value));
		}
	});

	test('an asked wait beyond what is left fails with the wait still asked', () => {
		const decision = decideRetry(
			'GET',
			answer(429, { 'retry-after': '600' }),
			{ ...fresh, waitLeftMs: 599_999 },
			NOW,
		);
		assert.deepEqual(decision, {
			action: 'fail-rate-limit',
			delayMs: 600_000,
			source: 'Retry-After',
		});
	});

	test('a 40-day Retry-After is clamped to what a timer can hold, and fails within any allowance', () => {
		const decision = decideRetry(
			'GET',
			answer(429, { 'retry-after': String(40 * 86_400) }),
			{ ...fresh, waitLeftMs: Number.MAX_SAFE_INTEGER },
			NOW,
		);
		assert.equal(decision.action, 'retry');
		assert.equal(decision.delayMs, MAX_TIMER_MS);
		const bounded = decideRetry(
			'GET',
			answer(429, { 'retry-after': String(40 * 86_400) }),
			fresh,
			NOW,
		);
		assert.equal(bounded.action, 'fail-rate-limit');
	});

	test('a 429 keeps what an earlier try left unknown', () => {
		const decision = decideRetry(
			'DELETE',
			answer(429, { 'retry-after': '1' }),
			{ ...fresh, deleteOutcomeUnknown: true },
			NOW,
		);
		assert.equal(decision.deleteOutcomeUnknown, true);
	});
});

describe('retry policy: 5xx', () => {
	test('idempotent methods retry a 5xx; writes report it at once', () => {
		for (const status of [500, 502, 504]) {
			assert.equal(decideRetry('GET', answer(status), fresh, NOW).action, 'retry', `GET ${status}`);
			assert.equal(decideRetry('POST', answer(status), fresh, NOW).action, 'use', `POST ${status}`);
			assert.equal(
				decideRetry('PATCH', answer(status), fresh, NOW).action,
				'use',
				`PATCH ${status}`,
			);
		}
	});

	test('a 503 may say when to come back; other 5xx ignore Retry-After', () => {
		const unavailable = decideRetry('GET', answer(503, { 'retry-after': '3' }), fresh, NOW);
		assert.deepEqual([unavailable.delayMs, unavailable.source], [3000, 'Retry-After']);
		const bad = decideRetry('GET', answer(502, { 'retry-after': '3' }), fresh, NOW, jitter(0));
		assert.deepEqual([bad.delayMs, bad.source, bad.reason], [250, 'backoff', 'HTTP 502']);
	});

	test('a DELETE retried after a 5xx has an unknown outcome; out of retries the 5xx is reported', () => {
		assert.equal(decideRetry('DELETE', answer(500), fresh, NOW).deleteOutcomeUnknown, true);
		assert.equal(decideRetry('PUT', answer(500), fresh, NOW).deleteOutcomeUnknown, false);
		assert.equal(decideRetry('DELETE', answer(500), { ...fresh, attempt: 5 }, NOW).action, 'use');
	});
});

describe('retry policy: answers that stand', () => {
	test('2xx, 3xx handled elsewhere and 4xx other than 429 are used as they are', () => {
		for (const status of [200, 201, 204, 400, 401, 403, 404, 409, 422]) {
			assert.deepEqual(
				decideRetry('GET', answer(status), fresh, NOW),
				{ action: 'use' },
				String(status),
			);
		}
	});

	test('404 to a DELETE is "already deleted" only after a try whose outcome is unknown', () => {
		assert.deepEqual(decideRetry('DELETE', answer(404), fresh, NOW), { action: 'use' });
		assert.deepEqual(
			decideRetry('DELETE', answer(404), { ...fresh, deleteOutcomeUnknown: true }, NOW),
			{ action: 'already-deleted' },
		);
		assert.deepEqual(
			decideRetry('GET', answer(404), { ...fresh, deleteOutcomeUnknown: true }, NOW),
			{ action: 'use' },
			'a GET that is not found is not found',
		);
	});
});

describe('one header reader', () => {
	test('any case, repeated values folded, blank is absent', () => {
		assert.equal(headerText({ 'Retry-After': '5' }, 'retry-after'), '5');
		assert.equal(headerText({ 'retry-after': '5' }, 'Retry-After'), '5');
		assert.equal(headerText({ link: ['<a>', '<b>'] }, 'link'), '<a>, <b>');
		assert.equal(headerText({ 'retry-after': '  ' }, 'retry-after'), undefined);
		assert.equal(headerText({ 'retry-after': null }, 'retry-after'), undefined);
		assert.equal(headerText({}, 'retry-after'), undefined);
	});
});

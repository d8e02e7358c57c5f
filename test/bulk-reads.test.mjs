// Bulk runs at internet latency: Get operations that take an ID per item send several at once by
// default ("Reads in Parallel", 50, up to 100), writes keep one at a time ("Items in Parallel", now
// up to 100), a saved "Items in Parallel" on a Get keeps meaning what it meant, and the pacer slows
// a run down only when what it still has to send would not last until the reset. Through the real
// engine against an honest budget stand-in on 127.0.0.1 that answers after a delay; every test
// has its own API key (the pacer is per credential and per process).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadDnsFilterNode, runNode } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { loadOperations, operationById } from './support/node-params.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

let keys = 0;
const freshKey = (what) => makeApiKey({ sub: `bulk-${what}-${++keys}` });

/**
 * One organization budget of `limit` per window, of which `spent` is gone when the stand-in starts
 * and the first window ends `firstResetMs` after it; draft-3 headers on every answer, 429 beyond
 * the budget. Every answer comes `latencyMs` after the request arrived; the peak number of
 * requests in flight is recorded.
 */
function budgetHandler({
	limit,
	spent = 0,
	firstResetMs,
	windowMs = firstResetMs,
	latencyMs = 20,
}) {
	const startedAt = Date.now();
	const stats = { ok: 0, rejected: 0, inFlight: 0, peakInFlight: 0, methods: new Map() };
	let windowEnds = startedAt + firstResetMs;
	let used = spent;
	const handler = async (req, res, record) => {
		stats.inFlight++;
		stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
		stats.methods.set(record.method, (stats.methods.get(record.method) ?? 0) + 1);
		await new Promise((resolve) => setTimeout(resolve, latencyMs));
		stats.inFlight--;
		const now = Date.now();
		while (now >= windowEnds) {
			windowEnds += windowMs;
			used = 0;
		}
		const resetSeconds = String(Math.max(1, Math.ceil((windowEnds - now) / 1000)));
		if (used >= limit) {
			stats.rejected++;
			return json(
				res,
				429,
				{ error: 'Rate limit exceeded' },
				{
					'retry-after': resetSeconds,
					'ratelimit-limit': String(limit),
					'ratelimit-remaining': '0',
					'ratelimit-reset': resetSeconds,
				},
			);
		}
		used++;
		stats.ok++;
		const headers = {
			'ratelimit-limit': String(limit),
			'ratelimit-remaining': String(limit - used),
			'ratelimit-reset': resetSeconds,
		};
		if (record.method === 'DELETE') {
			res.writeHead(204, headers);
			return res.end();
		}
		return json(
			res,
			200,
			{
				data: { id: record.path.split('/').pop(), type: 'networks', attributes: { name: 'Site' } },
			},
			headers,
		);
	};
	return { handler, stats };
}

let api;
before(async () => {
	api = await startStandIn();
});
after(async () => {
	await api.close();
});

const operations = loadOperations();
const show = operationById(operations, 'V1_Networks-show');
const destroy = operationById(operations, 'V1_Networks-destroy');
const idOf = (row) => row.fields.find((f) => f.in === 'path' && f.wireName === 'id').field;

function run(row, { count, requestOptions, apiKey }) {
	return runNode({
		nodeType: loadDnsFilterNode(),
		parameters: {
			resource: row.resource,
			operation: row.operation,
			[idOf(row)]: '={{ $json.id }}',
			...(requestOptions ? { requestOptions } : {}),
		},
		items: Array.from({ length: count }, (_, i) => ({ id: i + 1 })),
		credentials: { apiKey, baseUrl: api.url, throttleRequests: 0 },
		timeoutMs: 90_000,
	});
}

describe('how many requests are in flight', () => {
	const cases = [
		{
			what: 'Get Network at the defaults: 50 at once',
			row: show,
			requestOptions: undefined,
			peak: 50,
		},
		{
			what: 'Get Network with Reads in Parallel 100, the most',
			row: show,
			requestOptions: { readConcurrency: 100 },
			peak: 100,
			count: 120,
		},
		{
			what: 'Get Network with Reads in Parallel 500: held to 100',
			row: show,
			requestOptions: { readConcurrency: 500 },
			peak: 100,
			count: 120,
		},
		{
			what: 'Get Network with Reads in Parallel 25',
			row: show,
			requestOptions: { readConcurrency: 25 },
			peak: 25,
		},
		{
			what: 'Get Network with only a saved Items in Parallel of 3: still 3',
			row: show,
			requestOptions: { concurrency: 3 },
			peak: 3,
		},
		{
			what: 'Delete Network at the defaults: one at a time',
			row: destroy,
			requestOptions: undefined,
			peak: 1,
		},
		{
			what: 'Delete Network with Items in Parallel 10 (the old maximum was 5)',
			row: destroy,
			requestOptions: { concurrency: 10 },
			peak: 10,
		},
		{
			what: 'Delete Network with Items in Parallel 100',
			row: destroy,
			requestOptions: { concurrency: 100 },
			peak: 100,
			count: 120,
		},
		{
			what: 'Delete Network ignores Reads in Parallel',
			row: destroy,
			requestOptions: { readConcurrency: 20 },
			peak: 1,
		},
	];
	for (const { what, row, requestOptions, peak, count = 70 } of cases) {
		test(what, async () => {
			// Answers slow enough that a loaded machine starts every lane before the first one is answered.
			const budget = budgetHandler({
				limit: 2000,
				firstResetMs: 300_000,
				latencyMs: peak > 10 ? 250 : 40,
			});
			api.setHandler(budget.handler);
			const result = await run(row, { count, requestOptions, apiKey: freshKey('flight') });
			assert.equal(result.error, undefined, result.error?.message);
			assert.equal(result.items.length, count);
			assert.deepEqual(
				result.items.map((item) => item.pairedItem.item),
				Array.from({ length: count }, (_, i) => i),
				'output not in input order',
			);
			assert.equal(budget.stats.peakInFlight, peak);
		});
	}

	test('in flight never more than the budget holds above its reserve: 20 of 100 left, Reads in Parallel 50, 30 reads', async () => {
		const budget = budgetHandler({ limit: 100, spent: 80, firstResetMs: 3_000, latencyMs: 40 });
		api.setHandler(budget.handler);
		const result = await run(show, {
			count: 30,
			requestOptions: { readConcurrency: 50, maxRetries: 0 },
			apiKey: freshKey('cap'),
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(budget.stats.rejected, 0, 'the stand-in answered 429');
		assert.equal(result.items.length, 30);
		// The first request goes alone (nothing is known yet); then at most 20 − 4 (the reserve).
		assert.ok(budget.stats.peakInFlight <= 16, `peak ${budget.stats.peakInFlight} in flight`);
	});
});

describe('pacing only when the run would overrun the budget', () => {
	test('900 of 2,000 left, 300 s to the reset, 100 reads: no request waits', async () => {
		const budget = budgetHandler({
			limit: 2000,
			spent: 1100,
			firstResetMs: 300_000,
			latencyMs: 20,
		});
		api.setHandler(budget.handler);
		const started = Date.now();
		const result = await run(show, { count: 100, apiKey: freshKey('fits') });
		const elapsed = Date.now() - started;
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(result.items.length, 100);
		assert.ok(
			!result.hints.some((hint) => /spaced its requests/.test(hint.message)),
			`paced: ${result.hints.map((h) => h.message).join(' | ')}`,
		);
		// Paced, the 100 would take more than 30 s (820 spread over 300 s); unpaced, well under 10 s.
		assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
	});

	test('60 of 2,000 left, 300 s to the reset, 100 reads: paced, and the hint says so (the test can fail)', async () => {
		const budget = budgetHandler({
			limit: 2000,
			spent: 1940,
			firstResetMs: 300_000,
			latencyMs: 20,
		});
		api.setHandler(budget.handler);
		// Max Total Wait 1 s: the first paced wait (minutes) fails the run at once, which is enough to show it.
		const result = await run(show, {
			count: 100,
			requestOptions: { maxWaitSeconds: 1, maxRetries: 0 },
			apiKey: freshKey('overrun'),
		});
		assert.match(
			result.error?.message ?? '',
			/DNSFilter rate limit: the request was not sent because it would have to wait/,
		);
		assert.equal(budget.stats.rejected, 0);
	});

	test(
		'150 reads on a budget of 100 per 4 s: all succeed, no 429, within 1.5 × the floor',
		{ timeout: 60_000 },
		async () => {
			const budget = budgetHandler({ limit: 100, firstResetMs: 4_000, latencyMs: 20 });
			api.setHandler(budget.handler);
			const started = Date.now();
			const result = await run(show, {
				count: 150,
				requestOptions: { maxRetries: 0 },
				apiKey: freshKey('over'),
			});
			const elapsed = Date.now() - started;
			assert.equal(result.error, undefined, result.error?.message);
			assert.equal(result.items.length, 150);
			assert.equal(budget.stats.rejected, 0, 'the stand-in answered 429');
			// The floor: the first window's 100, the reset at 4 s, then the last 50.
			assert.ok(elapsed >= 3_500 && elapsed < 6_000 * 1.5, `took ${elapsed} ms`);
		},
	);
});

describe('a 429 holds every request of the credential, not only the one refused', () => {
	/**
	 * Refuses the `refuseAt`-th request with Retry-After: 1 and no RateLimit headers (so nothing but
	 * the 429 tells the node to wait), and answers every other after `latencyMs`; arrival times kept.
	 */
	function refusingHandler({ refuseAt = 1, latencyMs = 30 } = {}) {
		const stats = { arrivals: [], refusedAt: undefined, answeredRefusalAt: undefined, early: 0 };
		const handler = async (req, res, record) => {
			const now = Date.now();
			const index = stats.arrivals.push(now);
			if (stats.answeredRefusalAt !== undefined && now < stats.answeredRefusalAt + 1_000)
				stats.early++;
			await new Promise((resolve) => setTimeout(resolve, latencyMs));
			if (index === refuseAt) {
				stats.refusedAt = now;
				stats.answeredRefusalAt = Date.now();
				return json(res, 429, { error: 'Rate limit exceeded' }, { 'retry-after': '1' });
			}
			return json(res, 200, {
				data: { id: record.path.split('/').pop(), type: 'networks', attributes: { name: 'Site' } },
			});
		};
		return { handler, stats };
	}

	test('Reads in Parallel at its default, the first answer a 429: nobody else sends during the wait, then one goes first', async () => {
		const refusing = refusingHandler({ refuseAt: 1 });
		api.setHandler(refusing.handler);
		const result = await run(show, { count: 20, apiKey: freshKey('refused') });
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(result.items.length, 20);
		const { arrivals, answeredRefusalAt } = refusing.stats;
		assert.equal(arrivals.length, 21, `${arrivals.length} requests for 20 items and one 429`);
		assert.equal(refusing.stats.early, 0, 'requests arrived while the 429 asked to wait');
		// The first after the wait goes alone: the next arrives only after its answer (30 ms later).
		const after = arrivals.filter((at) => at >= answeredRefusalAt + 1_000 - 50);
		assert.ok(
			after.length >= 2 && after[1] - after[0] >= 20,
			`after the wait: ${after
				.slice(0, 3)
				.map((at) => at - after[0])
				.join(', ')} ms`,
		);
	});

	test('a 429 in the middle of a run of 40 reads, Reads in Parallel 10: at most the requests already in flight arrive during the wait', async () => {
		const refusing = refusingHandler({ refuseAt: 15 });
		api.setHandler(refusing.handler);
		const result = await run(show, {
			count: 40,
			requestOptions: { readConcurrency: 10 },
			apiKey: freshKey('refused-mid'),
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(result.items.length, 40);
		assert.equal(refusing.stats.arrivals.length, 41);
		// Ten in flight at most; the refused one is not among those that come early.
		assert.ok(refusing.stats.early <= 9, `${refusing.stats.early} arrived during the wait`);
	});

	test('a 429 whose wait is longer than Max Total Wait: the others fail at once, naming the 429, and do not send', async () => {
		const stats = { arrivals: 0 };
		api.setHandler(async (req, res) => {
			stats.arrivals++;
			await new Promise((resolve) => setTimeout(resolve, 30));
			return json(res, 429, { error: 'Rate limit exceeded' }, { 'retry-after': '30' });
		});
		const started = Date.now();
		const result = await run(show, {
			count: 20,
			requestOptions: { maxWaitSeconds: 5 },
			apiKey: freshKey('refused-long'),
		});
		assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
		assert.match(result.error?.message ?? '', /429|rate limit/i);
		assert.equal(
			stats.arrivals,
			1,
			`${stats.arrivals} requests reached the server after its 429 asked for 30 s`,
		);
	});
});

// The client-side throttle against a stand-in that enforces DNSFilter's kind of limit (a sliding
// window per organization), the rate-limit hint, and bounded per-item concurrency — all through
// the real n8n-core engine.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadBuilt, loadDnsFilterNode, runNode } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { operationFor } from './support/node-params.mjs';
import { PROBE_TYPE, probeNode } from './support/probe-node.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const {
	RollingWindowBudget,
	budgetFor: budgetOf,
	credentialDigest,
} = loadBuilt('nodes/DnsFilter/transport/throttle.js');
const budgetFor = (baseUrl, apiKey, limit, windowSeconds) =>
	budgetOf(credentialDigest(baseUrl, apiKey), limit, windowSeconds);
const { dnsFilterApiRequest } = loadBuilt('nodes/DnsFilter/transport/index.js');
const { addRateLimitHint, rateLimitHintFor } = loadBuilt(
	'nodes/DnsFilter/actions/rateLimitHint.js',
);
const { clampConcurrency, concurrencyOption, mapWithConcurrency, runItemsWithConcurrency } =
	loadBuilt('nodes/DnsFilter/actions/boundedConcurrency.js');

/** A sliding-window limiter like DNSFilter's: `limit` requests per `windowMs`, 429 beyond. */
function enforcingLimiter({ limit, windowMs, headers = true }) {
	const arrivals = [];
	const stats = { ok: 0, rejected: 0, maxInWindow: 0 };
	const handler = (req, res, record) => {
		const now = Date.now();
		while (arrivals.length && arrivals[0] <= now - windowMs) arrivals.shift();
		if (arrivals.length >= limit) {
			stats.rejected++;
			const retryAfter = Math.max(1, Math.ceil((arrivals[0] + windowMs - now) / 1000));
			return json(
				res,
				429,
				{ error: 'Rate limit exceeded' },
				{
					'retry-after': String(retryAfter),
					'ratelimit-limit': String(limit),
					'ratelimit-remaining': '0',
				},
			);
		}
		arrivals.push(now);
		stats.ok++;
		stats.maxInWindow = Math.max(stats.maxInWindow, arrivals.length);
		const resetSeconds = Math.ceil((arrivals[0] + windowMs - now) / 1000);
		if (!headers)
			return json(res, 200, { data: { id: record.path.split('/').pop(), type: 'networks' } });
		return json(
			res,
			200,
			{ data: { id: record.path.split('/').pop(), type: 'networks' } },
			{
				'ratelimit-limit': String(limit),
				'ratelimit-remaining': String(limit - arrivals.length),
				'ratelimit-reset': String(resetSeconds),
			},
		);
	};
	return { handler, stats };
}

let server;
before(async () => {
	server = await startStandIn();
});
after(async () => {
	await server.close();
});

describe('RollingWindowBudget', () => {
	test('never lets more than `limit` requests start in any window', async () => {
		const budget = new RollingWindowBudget(5, 200);
		const starts = [];
		for (let i = 0; i < 15; i++) {
			const ticket = await budget.take();
			starts.push(Date.now());
			// As the transport does when the answer arrives: the token's window starts no earlier than now.
			ticket.settle();
		}
		for (let i = 5; i < starts.length; i++) {
			assert.ok(
				starts[i] - starts[i - 5] >= 200,
				`request ${i} started ${starts[i] - starts[i - 5]} ms after request ${i - 5}`,
			);
		}
		// Bursting the first five is allowed; the 15th needs two full windows.
		assert.ok(starts[14] - starts[0] >= 400);
	});

	test("a token's window starts when its request is answered, not when it was sent", async () => {
		const budget = new RollingWindowBudget(1, 100);
		const first = await budget.take();
		await new Promise((resolve) => setTimeout(resolve, 150));
		const answeredAt = Date.now();
		first.settle();
		await budget.take();
		assert.ok(
			Date.now() - answeredAt >= 100,
			`second request started ${Date.now() - answeredAt} ms after the first was answered`,
		);
	});

	test('concurrent callers are served in arrival order and share one budget', async () => {
		const budget = new RollingWindowBudget(3, 150);
		const order = [];
		await Promise.all(Array.from({ length: 9 }, (_, i) => budget.take().then(() => order.push(i))));
		assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
	});

	test('one budget per credential and process; a changed limit starts a fresh one; 0 turns it off', () => {
		const a = budgetFor('https://api.example', 'key-a', 100, 60);
		assert.equal(budgetFor('https://api.example', 'key-a', 100, 60), a);
		assert.notEqual(budgetFor('https://api.example', 'key-b', 100, 60), a);
		assert.notEqual(budgetFor('https://api.example', 'key-a', 50, 60), a);
		assert.equal(budgetFor('https://api.example', 'key-a', 0, 60), undefined);
	});
});

describe('a 3,000-request run against a server that enforces the limit', () => {
	test('budget 1,000 per 3 s vs server 1,000 per 3 s: no 429, all items succeed', async () => {
		const limiter = enforcingLimiter({ limit: 1000, windowMs: 3000 });
		server.setHandler(limiter.handler);
		server.requests.length = 0;
		const items = Array.from({ length: 3000 }, (_, i) => ({ id: i + 1 }));
		const result = await runNode({
			nodeType: probeNode,
			typeName: PROBE_TYPE,
			// No retries: a single 429 fails the run instead of being hidden by the backstop. Max Total
			// Wait also bounds the waits for the server's budget, which the headers ask for here.
			parameters: {
				method: 'GET',
				path: '={{ "/v1/networks/" + $json.id }}',
				maxRetries: 0,
				maxWaitMs: 60_000,
			},
			items,
			credentials: {
				apiKey: makeApiKey({ sub: 'throttle-3000' }),
				baseUrl: server.url,
				throttleRequests: 1000,
				throttleWindowSeconds: 3,
			},
			timeoutMs: 120_000,
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(limiter.stats.rejected, 0, 'the server answered 429');
		assert.equal(limiter.stats.ok, 3000);
		assert.equal(result.items.length, 3000);
		assert.equal(result.items[2999].json.body.data.id, '3000');
		assert.ok(limiter.stats.maxInWindow <= 1000);
		// Three windows' worth: the third thousand cannot start before two windows have passed.
		assert.ok(result.durationMs >= 6000, `finished in ${result.durationMs} ms`);
		const spread = server.requests[2999].at - server.requests[0].at;
		assert.ok(spread >= 6000, `3,000 requests arrived within ${spread} ms`);
	});

	test('the real DNSFilter node, Get Network × 3,000 items, 5 in parallel: no 429', async () => {
		const limiter = enforcingLimiter({ limit: 1000, windowMs: 3000 });
		server.setHandler(limiter.handler);
		const result = await runNode({
			nodeType: loadDnsFilterNode(),
			parameters: {
				...operationFor('V1_Networks-show'),
				id: '={{ $json.id }}',
				requestOptions: { maxRetries: 0, maxWaitSeconds: 60, concurrency: 5 },
			},
			items: Array.from({ length: 3000 }, (_, i) => ({ id: i + 1 })),
			credentials: {
				apiKey: makeApiKey({ sub: 'throttle-real-node' }),
				baseUrl: server.url,
				throttleRequests: 1000,
				throttleWindowSeconds: 3,
			},
			timeoutMs: 120_000,
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(limiter.stats.rejected, 0, 'the server answered 429');
		assert.equal(limiter.stats.ok, 3000);
		assert.deepEqual(
			result.items.slice(0, 3).map((i) => [i.pairedItem.item, i.json.id]),
			[
				[0, '1'],
				[1, '2'],
				[2, '3'],
			],
		);
		assert.equal(result.items[2999].json.id, '3000');
		assert.ok(result.durationMs >= 6000, `finished in ${result.durationMs} ms`);
	});

	// With headers, pacing from them (test/pacing.test.mjs) would keep this run within the limit too.
	test('without the throttle and without rate-limit headers the same server answers 429 (the test can fail)', async () => {
		const limiter = enforcingLimiter({ limit: 50, windowMs: 3000, headers: false });
		server.setHandler(limiter.handler);
		const result = await runNode({
			nodeType: probeNode,
			typeName: PROBE_TYPE,
			parameters: {
				method: 'GET',
				path: '={{ "/v1/networks/" + $json.id }}',
				maxRetries: 0,
				maxWaitMs: 0,
			},
			items: Array.from({ length: 60 }, (_, i) => ({ id: i + 1 })),
			credentials: {
				apiKey: makeApiKey({ sub: 'throttle-off' }),
				baseUrl: server.url,
				throttleRequests: 0,
			},
		});
		assert.ok(limiter.stats.rejected > 0);
		assert.match(result.error.message, /rate limit/i);
	});
});

/** A node that makes one request per item via the helpers the router is meant to call. */
const bulkType = 'test.dnsFilterBulk';
const bulkNode = {
	description: {
		displayName: 'DNSFilter Bulk',
		name: 'dnsFilterBulk',
		group: ['transform'],
		version: 1,
		defaults: { name: 'Bulk' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'dnsFilterApi', required: true }],
		properties: [concurrencyOption],
	},
	async execute() {
		const items = this.getInputData();
		const concurrency = clampConcurrency(this.getNodeParameter('concurrency', 0));
		const output = await runItemsWithConcurrency(this, items.length, concurrency, async (i) => {
			const response = await dnsFilterApiRequest.call(
				this,
				{ method: 'GET', path: `/v1/networks/${items[i].json.id}` },
				{ itemIndex: i },
			);
			return [{ json: response.body.data }];
		});
		addRateLimitHint(this);
		return [output];
	},
};

describe('rate-limit hint', () => {
	test('pure: warns below 10% of the limit only, with reset time', () => {
		assert.equal(rateLimitHintFor(undefined), undefined);
		assert.equal(rateLimitHintFor({ limit: 2000, remaining: 200 }), undefined);
		const hint = rateLimitHintFor({ limit: 2000, remaining: 199, resetMs: 42_000 });
		assert.equal(hint.type, 'warning');
		assert.match(hint.message, /199 of 2,000 requests left, the window resets in 42 s/);
		assert.match(rateLimitHintFor({ remaining: 5 }).message, /5 of 2,000/);
	});

	test('through the engine: low RateLimit-Remaining becomes an execution hint', async () => {
		server.setHandler((req, res, record) =>
			json(
				res,
				200,
				{ data: { id: record.path.split('/').pop() } },
				{ 'RateLimit-Limit': '2000', 'RateLimit-Remaining': '37', 'RateLimit-Reset': '120' },
			),
		);
		const result = await runNode({
			nodeType: bulkNode,
			typeName: bulkType,
			parameters: { concurrency: 1 },
			items: [{ id: 1 }],
			credentials: { apiKey: makeApiKey({ sub: 'hint' }), baseUrl: server.url },
		});
		assert.equal(result.error, undefined);
		assert.equal(result.hints.length, 1);
		assert.match(result.hints[0].message, /37 of 2,000 requests left, the window resets in 2 min/);
	});

	// Its own credential: the one above left its pacer at 37 left, which a run there would wait for.
	test('no hint when plenty is left', async () => {
		server.setHandler((req, res) =>
			json(
				res,
				200,
				{ data: { id: 1 } },
				{ 'RateLimit-Limit': '2000', 'RateLimit-Remaining': '1900' },
			),
		);
		const result = await runNode({
			nodeType: bulkNode,
			typeName: bulkType,
			parameters: { concurrency: 1 },
			items: [{ id: 1 }],
			credentials: { apiKey: makeApiKey({ sub: 'hint-plenty' }), baseUrl: server.url },
		});
		assert.deepEqual(result.hints, []);
	});
});

describe('bounded concurrency', () => {
	test('clamps to 1…100', () => {
		assert.deepEqual(
			[undefined, 0, -3, 1, 3, 5, 6, 50, 99, 100, 101, 5000, 'x'].map(clampConcurrency),
			[1, 1, 1, 1, 3, 5, 6, 50, 99, 100, 100, 100, 1],
		);
	});

	test('never more than N in flight, results in index order, errors kept per item', async () => {
		let inFlight = 0;
		let peak = 0;
		const outcomes = await mapWithConcurrency(20, 3, async (i) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			await new Promise((resolve) => setTimeout(resolve, (20 - i) * 2));
			inFlight--;
			if (i % 7 === 3) throw new Error(`item ${i} failed`);
			return i * 10;
		});
		assert.equal(peak, 3);
		assert.deepEqual(
			outcomes.map((o) => o.index),
			Array.from({ length: 20 }, (_, i) => i),
		);
		assert.deepEqual(
			outcomes.filter((o) => !o.ok).map((o) => o.error.message),
			['item 3 failed', 'item 10 failed', 'item 17 failed'],
		);
		assert.equal(outcomes[4].value, 40);
	});

	test('stopOnError starts nothing after the first failure', async () => {
		const started = [];
		const outcomes = await mapWithConcurrency(
			10,
			2,
			async (i) => {
				started.push(i);
				await new Promise((resolve) => setTimeout(resolve, 5));
				if (i === 2) throw new Error('boom');
				return i;
			},
			{ stopOnError: true },
		);
		assert.ok(started.length <= 4, `started ${started}`);
		assert.equal(outcomes.find((o) => !o.ok).index, 2);
	});

	function slowServer() {
		let inFlight = 0;
		const stats = { peak: 0 };
		server.setHandler(async (req, res, record) => {
			inFlight++;
			stats.peak = Math.max(stats.peak, inFlight);
			const id = Number(record.path.split('/').pop());
			// Later items answer sooner, so output order proves reordering.
			await new Promise((resolve) => setTimeout(resolve, (12 - id) * 4));
			inFlight--;
			if (id === 5) return json(res, 404, { error: 'Record not found' });
			return json(res, 200, { data: { id: String(id) } });
		});
		return stats;
	}

	test('through the engine: 4 in parallel, output in input order with pairedItem, continueOnFail keeps the error in place', async () => {
		const stats = slowServer();
		const result = await runNode({
			nodeType: bulkNode,
			typeName: bulkType,
			parameters: { concurrency: 4 },
			items: Array.from({ length: 12 }, (_, i) => ({ id: i })),
			credentials: { apiKey: makeApiKey({ sub: 'bulk' }), baseUrl: server.url },
			continueOnFail: true,
		});
		assert.equal(result.error, undefined);
		assert.equal(stats.peak, 4);
		assert.deepEqual(
			result.items.map((i) => i.pairedItem.item),
			Array.from({ length: 12 }, (_, i) => i),
		);
		assert.match(result.items[5].json.error, /Record not found/);
		assert.equal(result.items[6].json.id, '6');
	});

	test('through the engine: without continueOnFail the failing item is reported', async () => {
		slowServer();
		const result = await runNode({
			nodeType: bulkNode,
			typeName: bulkType,
			parameters: { concurrency: 3 },
			items: Array.from({ length: 12 }, (_, i) => ({ id: i })),
			credentials: { apiKey: makeApiKey({ sub: 'bulk' }), baseUrl: server.url },
		});
		assert.match(result.error.message, /Record not found/);
	});
});

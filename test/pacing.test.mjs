// Pacing from the server's RateLimit headers: every IETF draft form parsed, the pacer's decisions
// on a controlled clock, and several independent engine processes (separate Node processes, so
// separate throttle and pacer instances) sharing one organization-wide budget on a 127.0.0.1
// stand-in that answers 429 beyond it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadBuilt, loadDnsFilterNode, runNode } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { loadOperations, operationById } from './support/node-params.mjs';
import { runProcesses } from './support/pacing-run.mjs';
import { PROBE_TYPE, probeNode, probeSettledAt } from './support/probe-node.mjs';
import { startOutsideClient, startRateLimitedApi } from './support/ratelimit-standin.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const { readRateLimitState, parseRateLimitReset, resetToMs } = loadBuilt(
	'nodes/DnsFilter/transport/rateLimitHeaders.js',
);
const { ServerPacer, HIGH_WATER, MIN_RESERVE } = loadBuilt(
	'nodes/DnsFilter/transport/serverPacing.js',
);
const { rateLimitDelay } = loadBuilt('nodes/DnsFilter/transport/retryTiming.js');
const { pacingHintFor, rateLimitHintFor } = loadBuilt('nodes/DnsFilter/actions/rateLimitHint.js');

const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z

describe('RateLimit headers, every draft form', () => {
	test('draft 3-5: separate RateLimit-Limit / -Remaining / -Reset', () => {
		const state = readRateLimitState(
			{ 'ratelimit-limit': '2000', 'ratelimit-remaining': '1500', 'ratelimit-reset': '120' },
			NOW,
		);
		assert.deepEqual(
			{ limit: state.limit, remaining: state.remaining, resetMs: state.resetMs, form: state.form },
			{ limit: 2000, remaining: 1500, resetMs: 120_000, form: 'draft-03' },
		);
		// Draft 3 lets the limit carry its policies; mixed-case names as some servers send them.
		const withPolicy = readRateLimitState(
			{ 'RateLimit-Limit': '100, 100;w=60', 'RateLimit-Remaining': '7', 'RateLimit-Reset': '9' },
			NOW,
		);
		assert.deepEqual(
			[withPolicy.limit, withPolicy.remaining, withPolicy.resetMs, withPolicy.windowMs],
			[100, 7, 9000, 60_000],
		);
		// The common X- spelling.
		assert.equal(
			readRateLimitState(
				{ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '3' },
				NOW,
			).remaining,
			5,
		);
	});

	test('draft 6-7: RateLimit: limit=, remaining=, reset= with RateLimit-Policy', () => {
		const state = readRateLimitState(
			{ ratelimit: 'limit=100, remaining=50, reset=5', 'ratelimit-policy': '100;w=60' },
			NOW,
		);
		assert.deepEqual(
			[state.limit, state.remaining, state.resetMs, state.windowMs, state.form],
			[100, 50, 5000, 60_000, 'draft-06'],
		);
	});

	test('draft 8+: structured RateLimit "policy";r=;t= with RateLimit-Policy "policy";q=;w=', () => {
		const state = readRateLimitState(
			{ ratelimit: '"default";r=50;t=30', 'ratelimit-policy': '"default";q=100;w=60' },
			NOW,
		);
		assert.deepEqual(
			[state.limit, state.remaining, state.resetMs, state.windowMs, state.form, state.policy],
			[100, 50, 30_000, 60_000, 'draft-08', 'default'],
		);
		// Two policies at once: the one with the least room left binds.
		const two = readRateLimitState(
			{
				ratelimit: '"burst";r=90;t=10, "org";r=20;t=200',
				'ratelimit-policy': '"burst";q=100;w=60, "org";q=2000;w=300',
			},
			NOW,
		);
		assert.deepEqual(
			[two.policy, two.limit, two.remaining, two.resetMs],
			['org', 2000, 20, 200_000],
		);
		// No t=: the policy's window bounds the wait; pacing uses it.
		const noReset = readRateLimitState(
			{ ratelimit: '"default";r=10', 'ratelimit-policy': '"default";q=100;w=60' },
			NOW,
		);
		assert.deepEqual(
			[noReset.remaining, noReset.resetMs, noReset.windowMs],
			[10, undefined, 60_000],
		);
	});

	test('reset: delta seconds, or an epoch timestamp (seconds or ms) recognised by its size', () => {
		assert.equal(resetToMs('30', NOW), 30_000);
		assert.equal(resetToMs(String(NOW / 1000 + 45), NOW), 45_000);
		assert.equal(resetToMs(String(NOW + 12_000), NOW), 12_000);
		assert.equal(resetToMs(String(NOW / 1000 - 100), NOW), 0, 'a timestamp in the past means now');
		assert.equal(parseRateLimitReset({ 'ratelimit-reset': String(NOW / 1000 + 45) }, NOW), 45_000);
		assert.deepEqual(rateLimitDelay({ ratelimit: '"default";r=0;t=7' }, 0, NOW), {
			delayMs: 7000,
			source: 'RateLimit-Reset',
		});
	});

	test("malformed or absent headers: nothing, so today's behaviour applies", () => {
		for (const headers of [
			{},
			{ 'ratelimit-limit': 'many', 'ratelimit-remaining': 'some' },
			{ 'ratelimit-remaining': '-5', 'ratelimit-limit': '-1' },
			{ ratelimit: 'garbage' },
			{ ratelimit: '"default";r=abc;t=30' },
			{ ratelimit: 'limit=x, remaining=y' },
		]) {
			const state = readRateLimitState(headers, NOW);
			assert.equal(state.form, undefined, JSON.stringify(headers));
			assert.equal(state.remaining, undefined, JSON.stringify(headers));
		}
		assert.equal(resetToMs('soon', NOW), undefined);
		assert.equal(resetToMs('-3', NOW), undefined);
		// Self-contradicting: more remaining than the limit.
		assert.equal(
			readRateLimitState(
				{ 'ratelimit-limit': '10', 'ratelimit-remaining': '50', 'ratelimit-reset': '5' },
				NOW,
			).remaining,
			undefined,
		);
		assert.equal(
			readRateLimitState(
				{ 'ratelimit-limit': '10', 'ratelimit-remaining': '4.5', 'ratelimit-reset': '5' },
				NOW,
			).remaining,
			undefined,
		);
	});
});

describe('the pacer on a controlled clock', () => {
	// Far from zero, as Date.now() is: the pacer's "last start" begins at 0.
	const T0 = 1_000_000;
	const state = (remaining, resetSeconds, limit = 100) =>
		readRateLimitState(
			{
				'ratelimit-limit': String(limit),
				'ratelimit-remaining': String(remaining),
				'ratelimit-reset': String(resetSeconds),
			},
			0,
		);

	test('no headers, or above the high-water mark: full speed', () => {
		const pacer = new ServerPacer(() => T0);
		assert.equal(pacer.delayNow().delayMs, 0);
		pacer.observe(readRateLimitState({}, 0));
		assert.equal(pacer.delayNow().delayMs, 0);
		pacer.observe(state(100 * HIGH_WATER + 1, 30));
		assert.equal(pacer.delayNow().delayMs, 0);
	});

	test('below the mark: the remaining budget is spread until the reset', async () => {
		const pacer = new ServerPacer(() => T0);
		pacer.observe(state(30, 30));
		assert.equal(pacer.delayNow().delayMs, 0, 'the first paced request goes at once');
		await pacer.beforeStart();
		// 30 left, 4 held back, 1 of ours started and not yet counted: 25 over 30 s, one every 1.2 s.
		const next = pacer.delayNow();
		assert.equal(next.reason, 'paced');
		assert.ok(Math.abs(next.delayMs - 30_000 / 25) < 50, `${next.delayMs}`);
	});

	test("the others' spending (remaining falling faster than our own requests) slows us down", async () => {
		let now = T0;
		const alone = new ServerPacer(() => now);
		const shared = new ServerPacer(() => now);
		alone.observe(state(40, 30), await alone.beforeStart());
		shared.observe(state(40, 30), await shared.beforeStart());
		now = T0 + 1000;
		alone.observe(state(39, 29), await alone.beforeStart());
		// 1 of ours, 9 of somebody else's in the same second.
		shared.observe(state(30, 29), await shared.beforeStart());
		assert.ok(shared.othersRate() > 0.008 && shared.othersRate() < 0.01, `${shared.othersRate()}`);
		assert.equal(alone.othersRate(), 0);
		const a = alone.delayNow();
		const s = shared.delayNow();
		assert.ok(
			a.delayMs > 0 && s.delayMs > a.delayMs * 1.5,
			`with others ${s.delayMs} ms, alone ${a.delayMs} ms`,
		);
	});

	test('answers are matched to their requests: out of order, late, or from a window already over', async () => {
		let now = T0;
		const pacer = new ServerPacer(() => now);
		const tickets = [];
		for (let i = 0; i < 3; i++) tickets.push(await pacer.beforeStart());
		// Answered in reverse order: the counts still say nobody else spent anything.
		now = T0 + 600;
		pacer.observe(state(37, 20), tickets[2]);
		pacer.observe(state(38, 20), tickets[1]);
		pacer.observe(state(39, 20), tickets[0]);
		assert.equal(pacer.othersRate(), 0);
		// A late answer from an earlier window does not reset what we know.
		pacer.observe(state(2, 1), tickets[0]);
		assert.ok(
			pacer.delayNow().delayMs < 20_000,
			'a stale answer pushed the pacer into the reserve',
		);
	});

	test('at the reserve: hold until the window resets, then full speed', () => {
		let now = T0;
		const pacer = new ServerPacer(() => now);
		pacer.observe(state(MIN_RESERVE, 12));
		assert.deepEqual(pacer.delayNow(), { delayMs: 12_000, reason: 'reserve' });
		now = T0 + 12_000;
		assert.equal(pacer.delayNow().delayMs, 0);
	});
	test('a burst above the mark does not hold everyone for the reset on a guess', async () => {
		// Five processes at full speed: ours is one in five of the answers' fall, 5 per 30 ms.
		let now = T0;
		const pacer = new ServerPacer(() => now);
		let remaining = 100;
		while (remaining > 46) {
			const ticket = await pacer.beforeStart();
			now += 30;
			remaining -= 5;
			pacer.observe(state(remaining, 30), ticket);
		}
		// Then nothing is heard for 600 ms. The burst's rate (0.13 requests per ms from the others)
		// extrapolated would say the budget is gone; below the mark nothing has been measured yet.
		now += 600;
		const next = pacer.delayNow();
		assert.equal(next.reason, 'paced');
		assert.ok(next.delayMs > 0 && next.delayMs < 10_000, `${next.delayMs} ms`);
		assert.ok(Math.abs(pacer.share() - 0.2) < 0.02, `share ${pacer.share()}`);
	});

	test("a guess of the others' spending is checked within a second, not held until the reset", async () => {
		let now = T0;
		const pacer = new ServerPacer(() => now);
		pacer.observe(state(45, 20), await pacer.beforeStart());
		// 41 over 20 s is one request every 488 ms for a process alone.
		now += 500;
		// Ours and 14 of the others' in 500 ms: 0.028 requests per ms.
		pacer.observe(state(30, 20), await pacer.beforeStart());
		assert.ok(Math.abs(pacer.othersRate() - 0.028) < 0.001, `${pacer.othersRate()}`);
		// 950 ms on, 30 - 0.028 × 950 is below the reserve: a guess, so a wait until it is a second
		// old, not until the reset.
		now += 950;
		const guessed = pacer.delayNow();
		assert.equal(guessed.reason, 'paced');
		assert.ok(guessed.delayMs <= 50, `${guessed.delayMs} ms`);
		// A second old, the guess no longer holds anything back: the next request is paced (slowly:
		// the others were seen spending far more than the even pace), not held for the reset.
		now += 50;
		assert.equal(pacer.delayNow().reason, 'paced');
		// An answer saying only the reserve is left: a fact, held until the reset.
		now += 9_000;
		pacer.observe(state(4, 10));
		const held = pacer.delayNow();
		assert.equal(held.reason, 'reserve');
		assert.ok(held.delayMs > 9_000, `${held.delayMs} ms`);
	});
});

describe('many pacers on one simulated budget (controlled clock, no sockets)', () => {
	// A discrete-time model of N independent processes, each sending one request at a time as soon as
	// its pacer lets it, against one organization-wide budget in fixed windows with draft-3 headers,
	// plus optionally a client that ignores the headers. The pacer's law is what is under test: with
	// the others' rate subtracted from the even pace the processes swing between the floor and the
	// whole pace and leave a third of the budget unused; with the share they converge. Beyond these
	// rows the full-speed half of each window is the limit: a client that ignores the headers and
	// needs more than the half the burst leaves (8 processes and 40 %, or 2 and 50 %) gets 429s.
	const LIMIT = 300;
	const WINDOW_MS = 15_000;
	const LATENCY_MS = 20;

	async function simulate({ processes, outsideShare = 0, windows = 4 }) {
		const T0 = 1_800_000;
		let now = T0;
		const clock = () => now;
		const windowOf = (t) => Math.floor((t - T0) / WINDOW_MS);
		const counts = [];
		let rejected = 0;
		let outsideRejected = 0;
		const arrive = (t) => {
			const k = windowOf(t);
			counts[k] ??= 0;
			if (counts[k] >= LIMIT) return undefined;
			counts[k]++;
			return readRateLimitState(
				{
					'ratelimit-limit': String(LIMIT),
					'ratelimit-remaining': String(LIMIT - counts[k]),
					'ratelimit-reset': String(Math.max(1, Math.ceil((T0 + (k + 1) * WINDOW_MS - t) / 1000))),
				},
				0,
			);
		};
		const workers = Array.from({ length: processes }, () => ({
			pacer: new ServerPacer(clock),
			busyUntil: 0,
			pending: undefined,
		}));
		const outsideEvery = outsideShare ? WINDOW_MS / Math.floor(LIMIT * outsideShare) : Infinity;
		let nextOutside = T0 + outsideEvery / 2;
		for (; now < T0 + windows * WINDOW_MS; now += 5) {
			while (now >= nextOutside) {
				if (!arrive(nextOutside)) outsideRejected++;
				nextOutside += outsideEvery;
			}
			for (const w of workers) {
				if (w.pending && now >= w.busyUntil) {
					w.pacer.observe(w.pending.state, w.pending.ticket);
					w.pending = undefined;
				}
				if (w.pending || w.pacer.delayNow().delayMs > 0) continue;
				const ticket = await w.pacer.beforeStart();
				const answered = arrive(now + LATENCY_MS / 2);
				if (!answered) rejected++;
				w.pending = {
					ticket,
					state:
						answered ??
						readRateLimitState(
							{
								'ratelimit-limit': String(LIMIT),
								'ratelimit-remaining': '0',
								'ratelimit-reset': '1',
							},
							0,
						),
				};
				w.busyUntil = now + LATENCY_MS;
			}
		}
		return { counts: counts.slice(0, windows), rejected, outsideRejected };
	}

	for (const { processes, outsideShare } of [
		{ processes: 1 },
		{ processes: 2 },
		{ processes: 4 },
		{ processes: 8 },
		{ processes: 4, outsideShare: 0.3 },
		{ processes: 8, outsideShare: 0.3 },
		{ processes: 2, outsideShare: 0.45 },
	]) {
		test(`${processes} process${processes > 1 ? 'es' : ''}${outsideShare ? ` and a client ignoring the headers at ${outsideShare * 100} %` : ''}: no 429 for anyone, ≥ 90 % of every window used`, async () => {
			const run = await simulate({ processes, outsideShare });
			assert.equal(run.rejected, 0, `429s to the pacers (windows ${run.counts})`);
			assert.equal(run.outsideRejected, 0, `429s to the outside client (windows ${run.counts})`);
			for (const used of run.counts)
				assert.ok(used >= LIMIT * 0.9, `windows ${run.counts.join(', ')} of ${LIMIT}`);
		});
	}
});

describe('the execution hint says what was read and how it paced', () => {
	test('names the limit, the window, the headers and the waits; nothing when nothing waited', () => {
		const state = readRateLimitState(
			{ ratelimit: '"default";r=300;t=95', 'ratelimit-policy': '"default";q=2000;w=300' },
			NOW,
		);
		const hint = pacingHintFor({ paced: 3, waitedMs: 4000, longestWaitMs: 2000, state });
		assert.equal(hint.type, 'info');
		assert.match(
			hint.message,
			/limit of 2,000 requests per 5 min \(RateLimit \/ RateLimit-Policy structured headers \(policy "default"\)\)/,
		);
		assert.match(
			hint.message,
			/less than 50 % of it was left.*3 requests waited 4 s in all, the longest 2 s/,
		);
		assert.equal(pacingHintFor({ paced: 0, waitedMs: 0, longestWaitMs: 0, state }), undefined);
		assert.equal(pacingHintFor(undefined), undefined);
		assert.match(
			rateLimitHintFor({ ...state, remaining: 100 }).message,
			/100 of 2,000 requests left.*read from DNSFilter's RateLimit \/ RateLimit-Policy/,
		);
	});
});

describe('independent processes converge on one budget', () => {
	// 80 requests per 4 s (a scaled-down 2,000 per 300 s), each process's own budget set to the whole
	// organization's: no per-process split. Runs here measured 93-95 % (74-76 of 80, 4 held in
	// reserve); the bound leaves room for a busy machine. The queue tier holds the issue's 90 %.
	const LIMIT = 80;
	const WINDOW_MS = 4000;

	test(
		'3 processes, draft 3-5 headers: zero 429s, most of the budget used',
		{ timeout: 240_000 },
		async () => {
			const api = await startRateLimitedApi({
				limit: LIMIT,
				windowMs: WINDOW_MS,
				form: 'draft-03',
			});
			try {
				const run = await runProcesses(api, { processes: 3, itemsEach: 110 });
				for (const r of run.results) {
					assert.deepEqual(r.errors, []);
					assert.equal(r.items, 110);
				}
				assert.equal(run.rejected, 0, 'the stand-in answered 429');
				assert.equal(api.stats.idCounts.size, 330, 'every item requested');
				assert.ok(
					[...api.stats.idCounts.values()].every((n) => n === 1),
					'an item was requested twice',
				);
				assert.ok(run.windows.length >= 2, `only ${run.windows.length} full windows`);
				const used = run.windows.reduce((sum, w) => sum + w.ok, 0) / (run.windows.length * LIMIT);
				assert.ok(
					used >= 0.85,
					`budget used ${Math.round(used * 100)} % (${run.windows.map((w) => w.ok).join(', ')})`,
				);
				assert.ok(
					run.results.some((r) =>
						r.hints.some((h) => /announced a limit of 80 requests.*spaced its requests/.test(h)),
					),
					'no pacing hint',
				);
			} finally {
				await api.close();
			}
		},
	);

	test(
		'2 processes, draft 8 headers, an outside client eating 30 %: zero 429s for anyone',
		{ timeout: 240_000 },
		async () => {
			const api = await startRateLimitedApi({
				limit: LIMIT,
				windowMs: WINDOW_MS,
				form: 'draft-08',
			});
			const outside = startOutsideClient({
				url: api.url,
				limit: LIMIT,
				windowMs: WINDOW_MS,
				share: 0.3,
			});
			try {
				const run = await runProcesses(api, { processes: 2, itemsEach: 110 });
				await outside.stop();
				for (const r of run.results) assert.deepEqual(r.errors, []);
				assert.equal(run.rejected, 0, 'the stand-in answered 429 to the n8n processes');
				assert.equal(outside.stats.rejected, 0, 'the outside client got 429s');
				const used = run.windows.reduce((sum, w) => sum + w.ok, 0) / (run.windows.length * LIMIT);
				assert.ok(
					used >= 0.85,
					`budget used ${Math.round(used * 100)} % (${run.windows.map((w) => w.ok).join(', ')})`,
				);
			} finally {
				await outside.stop();
				await api.close();
			}
		},
	);

	test(
		'control: the same 3 processes with header pacing off get 429s (the test can fail)',
		{ timeout: 240_000 },
		async () => {
			const api = await startRateLimitedApi({
				limit: LIMIT,
				windowMs: WINDOW_MS,
				form: 'draft-03',
			});
			try {
				const run = await runProcesses(api, { processes: 3, itemsEach: 110, pacing: false });
				assert.ok(
					run.rejected > 0,
					'no 429 without pacing: the stand-in does not enforce its budget',
				);
			} finally {
				await api.close();
			}
		},
	);
});

describe('one process, no headers', () => {
	test(
		"the credential's budget alone still holds (no 429) and no pacing hint is shown",
		{ timeout: 120_000 },
		async () => {
			const api = await startRateLimitedApi({ limit: 40, windowMs: 3000, form: 'none' });
			try {
				const row = operationById(loadOperations(), 'V1_Networks-show');
				const idField = row.fields.find((f) => f.in === 'path' && f.wireName === 'id');
				const result = await runNode({
					nodeType: loadDnsFilterNode(),
					parameters: {
						resource: row.resource,
						operation: row.operation,
						[idField.field]: '={{ $json.id }}',
						requestOptions: { maxRetries: 0, maxWaitSeconds: 0 },
					},
					items: Array.from({ length: 90 }, (_, i) => ({ id: i + 1 })),
					credentials: {
						apiKey: makeApiKey({ sub: 'pacing-no-headers' }),
						baseUrl: api.url,
						throttleRequests: 40,
						throttleWindowSeconds: 3,
					},
					timeoutMs: 60_000,
				});
				assert.equal(result.error, undefined, result.error?.message);
				assert.equal(api.stats.rejected, 0);
				assert.equal(result.items.length, 90);
				assert.deepEqual(result.hints, []);
			} finally {
				await api.close();
			}
		},
	);
});

describe('waiting for the budget is cancellable', () => {
	test(
		'a request held for the reset stops when the execution is cancelled',
		{ timeout: 60_000 },
		async () => {
			// 2 of 100 left, reset in 60 s: below the reserve, so the second request waits for the reset.
			const server = await startStandIn((req, res) =>
				json(
					res,
					200,
					{ data: { id: '1' } },
					{ 'ratelimit-limit': '100', 'ratelimit-remaining': '2', 'ratelimit-reset': '60' },
				),
			);
			try {
				probeSettledAt.length = 0;
				const started = Date.now();
				await runNode({
					nodeType: probeNode,
					typeName: PROBE_TYPE,
					parameters: { method: 'GET', path: '/v1/current_user' },
					items: [{}, {}, {}],
					credentials: {
						apiKey: makeApiKey({ sub: 'pacing-cancel' }),
						baseUrl: server.url,
						throttleRequests: 0,
					},
					cancelAfterMs: 800,
				});
				await new Promise((resolve) => setTimeout(resolve, 1500));
				assert.equal(
					server.requests.length,
					1,
					'a request went out although the budget was at the reserve',
				);
				assert.equal(probeSettledAt.length, 1);
				assert.ok(
					probeSettledAt[0] - started < 5000,
					`the node kept waiting for ${probeSettledAt[0] - started} ms after the cancel`,
				);
			} finally {
				await server.close();
			}
		},
	);
});

describe('after a 429: the credential waits, then recovers as TCP does (the pacer on its own clock)', () => {
	const { ServerPacer } = loadBuilt('nodes/DnsFilter/transport/serverPacing.js');
	const setUp = async (inFlight) => {
		const clock = { t: 1_000_000 };
		const pacer = new ServerPacer(() => clock.t);
		// Answered once, so the first-answer rule is out of the way; then `inFlight` unanswered starts.
		pacer.observe({}, await pacer.beforeStart());
		const open = [];
		for (let i = 0; i < inFlight; i++) open.push(await pacer.beforeStart());
		return { clock, pacer, open };
	};
	/** Starts requests until the pacer says wait; returns them. */
	const startAll = async (pacer) => {
		const started = [];
		while (pacer.delayNow().delayMs === 0 && started.length < 500)
			started.push(await pacer.beforeStart());
		return started;
	};

	test('everyone waits out the Retry-After; then one, two, four … up to half of what was in flight, then one more per round trip', async () => {
		const { clock, pacer } = await setUp(16);
		pacer.refused(1_000);
		clock.t += 500;
		assert.deepEqual(pacer.delayNow(), { delayMs: 500, reason: 'refused' });
		clock.t += 500;
		const windows = [];
		for (let round = 0; round < 7; round++) {
			const started = await startAll(pacer);
			windows.push(started.length);
			assert.equal(pacer.delayNow().reason, 'refused');
			clock.t += 50;
			for (const request of started) pacer.observe({}, request);
		}
		// Slow start to 8 (half of 16), then one more per round trip.
		assert.deepEqual(windows, [1, 2, 4, 8, 9, 10, 11]);
	});

	test('a 429 during the recovery halves again from what the recovery allowed', async () => {
		const { clock, pacer } = await setUp(16);
		pacer.refused(1_000);
		clock.t += 1_000;
		for (let round = 0; round < 3; round++)
			for (const request of await startAll(pacer)) pacer.observe({}, request);
		// 8 in flight now allowed; 8 start, and the first answer is a 429.
		const started = await startAll(pacer);
		assert.equal(started.length, 8);
		pacer.observe({}, started[0]);
		pacer.refused(1_000);
		clock.t += 1_000;
		const windows = [];
		for (let round = 0; round < 4; round++) {
			const next = await startAll(pacer);
			windows.push(next.length);
			for (const request of next) pacer.observe({}, request);
		}
		// Half of the 8 the recovery allowed (not of everything unanswered): 4, then one more per round trip.
		assert.deepEqual(windows, [1, 2, 4, 5]);
	});

	test('an answer that never comes holds the others 2 s at most; a minute without a 429 ends the recovery', async () => {
		const { clock, pacer } = await setUp(4);
		pacer.refused(1_000);
		clock.t += 1_000;
		assert.equal((await startAll(pacer)).length, 1);
		clock.t += 1_999;
		assert.equal(pacer.delayNow().reason, 'refused');
		clock.t += 2;
		assert.equal(pacer.delayNow().delayMs, 0, 'a lost answer held the credential');
		clock.t += 60_000;
		assert.equal((await startAll(pacer)).length, 500, 'the recovery outlived its minute');
	});

	test('a Retry-After of 40 days holds the credential for one window (300 s), not 40 days', async () => {
		const { pacer } = await setUp(1);
		pacer.refused(40 * 86_400_000);
		assert.equal(pacer.delayNow().delayMs, 300_000);
	});
});

// Local DNSFilter-like servers for the benchmarks. They run in the orchestrator process
// (bench/run.mjs), so the measured client processes hold only the client's memory.
// Every server binds 127.0.0.1, keeps connections alive, and is closed by its caller.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

import { seededRandom } from './lib.mjs';

function send(res, status, body, headers = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

async function listen(handler) {
	const stats = { requests: 0, connections: 0, withoutApiKey: 0 };
	const server = http.createServer({ keepAlive: true, keepAliveTimeout: 30_000 }, (req, res) => {
		stats.requests++;
		// Every side sends the same credential; a request without it would not be the same GET.
		if (!req.headers.authorization) stats.withoutApiKey++;
		// Bodies are ignored; drain so keep-alive works for any method.
		req.resume();
		req.on('end', () => handler(req, res));
	});
	server.keepAliveTimeout = 30_000;
	server.on('connection', () => stats.connections++);
	// A deep accept queue: n8n's HTTP Request node opens one connection per item, all at once, and
	// Node's default backlog (511) would make the overflow wait for SYN retransmits (1 s and up).
	await new Promise((resolve) =>
		server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
	);
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		stats,
		async close() {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

export function networkRecord(id) {
	return {
		id: String(id),
		type: 'networks',
		attributes: {
			name: `Branch office ${id}`,
			organization_id: 4242,
			policy_id: 17,
			scheduled_policy_id: null,
			block_page_id: 3,
			is_protected: true,
			physical_address: '1 Main Street, Springfield',
			latitude: 39.78,
			longitude: -89.65,
			created_at: '2025-01-02T03:04:05.000Z',
			updated_at: '2025-06-07T08:09:10.000Z',
		},
	};
}

/** GET /v1/networks/:id answers one network; anything else 404. */
export function startRecordServer() {
	return listen((req, res) => {
		const match = /^\/v1\/networks\/(\d+)/.exec(req.url);
		if (req.method === 'GET' && match) return send(res, 200, { data: networkRecord(match[1]) });
		return send(res, 404, { error: `No route for ${req.method} ${req.url}` });
	});
}

/** GET /v1/networks?page[number]&page[size]: `total` records in V1 shape with links.next. */
export async function startPagedServer({ total, maxPageSize = 100 }) {
	const seen = { pages: 0, records: 0 };
	const server = await listen((req, res) => {
		const url = new URL(req.url, 'http://127.0.0.1');
		if (req.method !== 'GET' || url.pathname !== '/v1/networks')
			return send(res, 404, { error: 'not found' });
		const number = Math.max(1, Number(url.searchParams.get('page[number]') ?? 1));
		const size = Math.min(
			maxPageSize,
			Math.max(1, Number(url.searchParams.get('page[size]') ?? 25)),
		);
		const first = (number - 1) * size;
		const count = Math.max(0, Math.min(size, total - first));
		const data = new Array(count);
		for (let i = 0; i < count; i++) data[i] = networkRecord(first + i + 1);
		const last = first + count >= total;
		seen.pages++;
		seen.records += count;
		return send(res, 200, {
			data,
			links: {
				self: `${server.url}/v1/networks?page[number]=${number}&page[size]=${size}`,
				next: last
					? null
					: `${server.url}/v1/networks?page[number]=${number + 1}&page[size]=${size}`,
			},
		});
	});
	server.seen = seen;
	return server;
}

/**
 * Answers 429 with `Retry-After: 1` to a seeded 30% of calls. A call that comes back before the
 * server's Retry-After has elapsed is refused again (and counted as early), so a client that
 * ignores Retry-After pays for it in extra requests.
 */
export async function startRateLimitedServer({
	probability = 0.3,
	seed = 20240601,
	retryAfterSeconds = 1,
}) {
	const random = seededRandom(seed);
	const state = {
		ok: 0,
		limited: 0,
		early: 0,
		blockedUntil: 0,
		firstAt: undefined,
		lastAt: undefined,
	};
	const server = await listen((req, res) => {
		const now = performance.now();
		state.firstAt ??= now;
		state.lastAt = now;
		if (now < state.blockedUntil) {
			state.early++;
			return send(
				res,
				429,
				{ error: 'Too many requests' },
				{ 'retry-after': String(Math.ceil((state.blockedUntil - now) / 1000)) },
			);
		}
		if (random() < probability) {
			state.limited++;
			state.blockedUntil = now + retryAfterSeconds * 1000;
			return send(
				res,
				429,
				{ error: 'Too many requests' },
				{ 'retry-after': String(retryAfterSeconds) },
			);
		}
		state.ok++;
		const match = /^\/v1\/networks\/(\d+)/.exec(req.url);
		return send(res, 200, { data: networkRecord(match ? match[1] : 0) });
	});
	server.state = state;
	return server;
}

/** Records the arrival time of every request (performance.now, ms) for the throttle benchmark. */
export async function startArrivalServer() {
	const arrivals = [];
	const server = await listen((req, res) => {
		arrivals.push(performance.now());
		const match = /^\/v1\/networks\/(\d+)/.exec(req.url);
		return send(res, 200, { data: networkRecord(match ? match[1] : 0) });
	});
	server.arrivals = arrivals;
	return server;
}

/** The most arrivals inside any half-open window [t, t + windowMs). */
export function maxInAnyWindow(times, windowMs) {
	const sorted = [...times].sort((a, b) => a - b);
	let max = 0;
	let left = 0;
	for (let right = 0; right < sorted.length; right++) {
		while (sorted[right] - sorted[left] >= windowMs) left++;
		max = Math.max(max, right - left + 1);
	}
	return max;
}

/**
 * DNSFilter across the internet: every answer `latencyMs` after the request arrived, an
 * organization budget of `limit` per `windowMs` of which `spent` is gone at the start and the first
 * window ends `firstResetMs` after it, honest RateLimit-Limit/Remaining/Reset headers on every
 * answer and 429 with Retry-After beyond the budget. GET /v1/networks/:id answers a network,
 * DELETE /v1/api_keys/:id answers 204. Peak requests in flight and 429s are counted.
 */
export async function startBudgetServer({
	latencyMs = 50,
	limit = 2000,
	windowMs = 300_000,
	spent = 0,
	firstResetMs = windowMs,
}) {
	const state = {
		ok: 0,
		rejected: 0,
		inFlight: 0,
		peakInFlight: 0,
		firstAt: undefined,
		lastAt: undefined,
	};
	// The window starts with the first request, not with the server: the client process takes a few
	// seconds to load n8n, and the floor is measured from its first request.
	let windowEnds;
	let used = spent;
	const server = await listen((req, res) => {
		windowEnds ??= performance.now() + firstResetMs;
		state.inFlight++;
		state.peakInFlight = Math.max(state.peakInFlight, state.inFlight);
		setTimeout(() => {
			state.inFlight--;
			const now = performance.now();
			state.firstAt ??= now;
			state.lastAt = now;
			while (now >= windowEnds) {
				windowEnds += windowMs;
				used = 0;
			}
			const reset = String(Math.max(1, Math.ceil((windowEnds - now) / 1000)));
			if (used >= limit) {
				state.rejected++;
				return send(
					res,
					429,
					{ error: 'Rate limit exceeded' },
					{
						'retry-after': reset,
						'ratelimit-limit': String(limit),
						'ratelimit-remaining': '0',
						'ratelimit-reset': reset,
					},
				);
			}
			used++;
			state.ok++;
			const headers = {
				'ratelimit-limit': String(limit),
				'ratelimit-remaining': String(limit - used),
				'ratelimit-reset': reset,
			};
			if (req.method === 'DELETE' && /^\/v1\/api_keys\/\d+$/.test(req.url)) {
				res.writeHead(204, headers);
				return res.end();
			}
			const match = /^\/v1\/networks\/(\d+)$/.exec(req.url);
			if (req.method === 'GET' && match)
				return send(res, 200, { data: networkRecord(match[1]) }, headers);
			return send(res, 404, { error: `No route for ${req.method} ${req.url}` }, headers);
		}, latencyMs);
	});
	server.state = state;
	return server;
}

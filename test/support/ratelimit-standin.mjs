// A DNSFilter stand-in that enforces ONE organization-wide budget in fixed windows (scaled down:
// e.g. 300 requests per 30 s), answers 429 beyond it, and announces the budget in whichever IETF
// RateLimit draft form the test asks for (or not at all). Every request is counted per client
// (by a digest of its Authorization header), per window and per status, so tests and benchmarks
// can say who got 429s and how much of each window was used.
import { createHash } from 'node:crypto';

import { json, startStandIn } from './standin-server.mjs';

export const HEADER_FORMS = ['draft-03', 'draft-06', 'draft-08', 'none'];

function clientOf(record) {
	const auth = String(record.headers.authorization ?? '');
	return auth ? createHash('sha256').update(auth).digest('hex').slice(0, 12) : 'anonymous';
}

/** The headers announcing `remaining` of `limit` with `resetSeconds` to go, in `form`. */
export function rateLimitHeaders(form, { limit, remaining, resetSeconds, windowSeconds }) {
	switch (form) {
		case 'draft-03':
			return {
				'ratelimit-limit': String(limit),
				'ratelimit-remaining': String(remaining),
				'ratelimit-reset': String(resetSeconds),
			};
		case 'draft-06':
			return {
				ratelimit: `limit=${limit}, remaining=${remaining}, reset=${resetSeconds}`,
				'ratelimit-policy': `${limit};w=${windowSeconds}`,
			};
		case 'draft-08':
			return {
				ratelimit: `"default";r=${remaining};t=${resetSeconds}`,
				'ratelimit-policy': `"default";q=${limit};w=${windowSeconds}`,
			};
		default:
			return {};
	}
}

/**
 * Starts the stand-in. `GET /v1/networks/{id}` answers a network record; anything else 404.
 * Returns { url, stats, setForm, close, windowsSummary }.
 */
export async function startRateLimitedApi({ limit, windowMs, form = 'draft-03', latencyMs = 0 }) {
	const startedAt = Date.now();
	let headerForm = form;
	const windowSeconds = Math.round(windowMs / 1000);
	/** windows[k] = { ok, rejected } for the k-th window since start. */
	const windows = [];
	const stats = {
		ok: 0,
		rejected: 0,
		byClient: new Map(),
		/** How often each network id was answered 200, to spot lost or doubled work. */
		idCounts: new Map(),
		arrivals: [],
	};
	const windowAt = (at) => Math.floor((at - startedAt) / windowMs);

	const handler = async (req, res, record) => {
		if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
		const now = Date.now();
		const k = windowAt(now);
		windows[k] ??= { ok: 0, rejected: 0 };
		const win = windows[k];
		const client = clientOf(record);
		const mine = stats.byClient.get(client) ?? { ok: 0, rejected: 0 };
		stats.byClient.set(client, mine);
		const resetSeconds = Math.max(1, Math.ceil((startedAt + (k + 1) * windowMs - now) / 1000));
		if (win.ok >= limit) {
			win.rejected++;
			stats.rejected++;
			mine.rejected++;
			stats.arrivals.push({ at: now, client, status: 429 });
			return json(
				res,
				429,
				{ error: 'Rate limit exceeded' },
				{
					'retry-after': String(resetSeconds),
					...rateLimitHeaders(headerForm, { limit, remaining: 0, resetSeconds, windowSeconds }),
				},
			);
		}
		win.ok++;
		stats.ok++;
		mine.ok++;
		stats.arrivals.push({ at: now, client, status: 200 });
		const headers = rateLimitHeaders(headerForm, {
			limit,
			remaining: limit - win.ok,
			resetSeconds,
			windowSeconds,
		});
		const match = /^\/v1\/networks\/(\d+)$/.exec(record.path);
		if (record.method === 'GET' && match) {
			stats.idCounts.set(match[1], (stats.idCounts.get(match[1]) ?? 0) + 1);
			return json(
				res,
				200,
				{ data: { id: match[1], type: 'networks', attributes: { name: `Network ${match[1]}` } } },
				headers,
			);
		}
		if (record.method === 'GET' && record.path === '/v1/current_user') {
			return json(
				res,
				200,
				{ data: { id: '1', type: 'users', attributes: { email: 'admin@example.com' } } },
				headers,
			);
		}
		return json(res, 404, { error: `No route for ${record.method} ${record.path}` }, headers);
	};

	const server = await startStandIn(handler);
	// The recorded request list would grow without bound over a long run; arrivals are kept instead.
	server.requests.length = 0;
	const trim = setInterval(() => (server.requests.length = 0), 5_000);
	trim.unref();

	return {
		url: server.url,
		stats,
		limit,
		windowMs,
		startedAt,
		setForm(next) {
			headerForm = next;
		},
		/**
		 * Windows fully inside [from, to]: how many requests each accepted and rejected, and the
		 * share of the budget used.
		 */
		windowsBetween(from, to) {
			const out = [];
			for (let k = Math.max(0, windowAt(from) + 1); startedAt + (k + 1) * windowMs <= to; k++) {
				const w = windows[k] ?? { ok: 0, rejected: 0 };
				out.push({ index: k, ok: w.ok, rejected: w.rejected, used: w.ok / limit });
			}
			return out;
		},
		/** Milliseconds until the next window starts. */
		untilNextWindow() {
			const now = Date.now();
			return startedAt + (windowAt(now) + 1) * windowMs - now;
		},
		clientOf: (authorization) =>
			createHash('sha256').update(String(authorization)).digest('hex').slice(0, 12),
		async close() {
			clearInterval(trim);
			await server.close();
		},
	};
}

/**
 * Another user of the same organization (the dashboard, a script): sends `share` of the budget
 * evenly through every window, ignoring all headers. Returns { stop, stats }.
 */
export function startOutsideClient({ url, limit, windowMs, share, apiKey = 'outside-client-key' }) {
	const perWindow = Math.floor(limit * share);
	const intervalMs = windowMs / perWindow;
	const stats = { ok: 0, rejected: 0 };
	let stopped = false;
	const pending = new Set();
	const tick = async () => {
		const request = fetch(`${url}/v1/current_user`, {
			headers: { authorization: apiKey },
			signal: AbortSignal.timeout(10_000),
		})
			.then(async (res) => {
				await res.arrayBuffer();
				if (res.status === 429) stats.rejected++;
				else stats.ok++;
			})
			.catch(() => {});
		pending.add(request);
		request.finally(() => pending.delete(request));
	};
	const timer = setInterval(() => {
		if (!stopped) tick();
	}, intervalMs);
	return {
		stats,
		apiKey,
		async stop() {
			stopped = true;
			clearInterval(timer);
			await Promise.all(pending);
		},
	};
}

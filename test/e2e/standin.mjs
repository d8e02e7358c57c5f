// A small DNSFilter stand-in for the end-to-end tier: real HTTP on 127.0.0.1, a fresh state per
// test, and a record of every request (method, path, query, headers without Authorization, body)
// so tests can assert exactly what a real n8n sent over the wire.
//
// Routes (the subset the example workflows use):
//   GET    /v1/current_user
//   GET    /v1/api_keys                      v1 paging: page[number], page[size], links.next
//   POST   /v1/api_keys/:id/revoke
//   DELETE /v1/api_keys/:id
//   POST   /v1/networks/:id/secret_key       create
//   PATCH  /v1/networks/:id/secret_key       rotate
//   DELETE /v1/networks/:id/secret_key       revoke
//   GET    /v1/traffic_reports/query_logs    traffic-report paging: data.values, data.page.next;
//                                            result=blocked and security_report=true filter as the API does
//   POST   /siem/events                      a SIEM collector (no DNSFilter key needed): bodies in `siemEvents`
//
// `failQueryLogs: n` answers the next n query-log requests with an HTML maintenance page.
// Modes: `rateLimitHalf` answers every other request with 429 and `Retry-After: 1`;
// `retryAfterAll: n` answers every request with 429 and `Retry-After: n`.
// A wrong or missing Authorization header is a 401 with the API's own message; a key listed in
// `revokedApiKeys` gets a 401 with REVOKED_KEY_MESSAGE instead.
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';

const DAY = 86_400_000;

function iso(ms) {
	return new Date(ms).toISOString();
}

/** API keys in every state the hygiene workflow must tell apart. */
export function defaultApiKeys(now = Date.now()) {
	const key = (id, name, status, expiryMs) => ({
		id: String(id),
		type: 'api_keys',
		attributes: {
			name,
			expiry: expiryMs === null ? null : iso(expiryMs),
			last_four: String(1000 + id).slice(-4),
			token: `***************${String(1000 + id).slice(-4)}`,
			status,
			created_at: iso(now - 200 * DAY),
			updated_at: iso(now - 10 * DAY),
			'user_id:': 4242,
		},
	});
	return [
		key(101, 'ci-deploy (valid)', 'active', now + 200 * DAY),
		key(102, 'siem-export (valid)', 'active', now + 90 * DAY),
		key(103, 'old-laptop (revoked)', 'revoked', now + 100 * DAY),
		key(104, 'intern-2024 (expired)', 'active', now - 5 * DAY),
		key(105, 'psa-sync (expires in 3 days)', 'active', now + 3 * DAY),
		key(106, 'rmm-script (expires in 10 days)', 'active', now + 10 * DAY),
		key(107, 'no-expiry (valid)', 'active', null),
		...Array.from({ length: 5 }, (_, i) =>
			key(110 + i, `bulk-${i} (valid)`, 'active', now + (60 + i) * DAY),
		),
	];
}

export function defaultNetworks() {
	return new Map(
		[
			[2001, 'Head office'],
			[2002, 'Branch Leeds'],
			[2003, 'Guest Wi-Fi'],
			[2004, 'Warehouse'],
			[2005, 'Branch York'],
			[2006, 'Clinic'],
			[2007, 'School lab'],
			[2008, 'Remote staff'],
		].map(([id, name]) => [id, { id, name, secret_key: `nsk_${randomBytes(12).toString('hex')}` }]),
	);
}

/** Query-log rows, newest first, spread over the last hour. */
export function defaultQueryLogs(count = 230, now = Date.now()) {
	return Array.from({ length: count }, (_, i) => ({
		time: iso(now - i * 15_000),
		fqdn: `host${i % 17}.example${i % 5}.com`,
		domain: `example${i % 5}.com`,
		networkid: 2001 + (i % 3),
		network_name: ['Head office', 'Branch Leeds', 'Guest Wi-Fi'][i % 3],
		request_address: `198.51.100.${i % 250}`,
		result: i % 7 === 0 ? 'blocked' : 'allowed',
		threat: i % 21 === 0,
		categories: [i % 60],
		categories_names: [`category-${i % 60}`],
		question_type: i % 4 === 0 ? 'AAAA' : 'A',
		responsetime: 5 + (i % 40),
		agentid: null,
		policy_id: 77,
		policy_name: 'Default policy',
	}));
}

export const NOT_FOUND_NETWORK = 9999;
export const UNPROCESSABLE_NETWORK = 4220;
export const UNPROCESSABLE_MESSAGE =
	'Secret key can not be created for a network that is being deleted';
export const REVOKED_KEY_MESSAGE = 'API key has been revoked';
export const INVALID_KEY_MESSAGE = 'Invalid or expired API token';

function send(res, status, body, headers = {}) {
	const text = body === undefined ? '' : JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(text);
}

function pageParams(query) {
	const number = Math.max(1, Number(query.get('page[number]') ?? 1) || 1);
	const size = Math.min(100, Math.max(1, Number(query.get('page[size]') ?? 10) || 10));
	return { number, size };
}

function networkBody(network) {
	return {
		data: {
			id: String(network.id),
			type: 'networks',
			attributes: {
				name: network.name,
				secret_key: network.secret_key,
				secret_key_updated_at: network.updated_at ?? null,
			},
		},
	};
}

/**
 * Starts the stand-in. `apiKey` is the only Authorization value accepted; it and the
 * `revokedApiKeys` are compared, never stored in the request log.
 */
export async function startStandIn({
	apiKey,
	revokedApiKeys = [],
	rateLimitHalf = false,
	retryAfterAll,
	queryLogCount = 230,
} = {}) {
	const freshState = (opts) => ({
		apiKeys: defaultApiKeys(),
		networks: defaultNetworks(),
		queryLogs: defaultQueryLogs(opts.queryLogCount ?? 230),
		rateLimitHalf: Boolean(opts.rateLimitHalf),
		retryAfterAll: opts.retryAfterAll,
		calls: 0,
		rateLimited: 0,
		failQueryLogs: 0,
		siemEvents: [],
	});
	const state = freshState({ rateLimitHalf, retryAfterAll, queryLogCount });
	const requests = [];
	const digest = (value) => createHash('sha256').update(value).digest('hex');
	const authDigest = apiKey ? digest(apiKey) : undefined;
	const revokedDigests = new Set(revokedApiKeys.map(digest));

	function route(record, res) {
		const { method, path, query } = record;
		let m;
		if (method === 'GET' && path === '/v1/current_user') {
			return send(res, 200, {
				data: {
					id: '4242',
					type: 'users',
					attributes: { email: 'msp-admin@example.com', name: 'MSP Admin' },
				},
			});
		}
		if (method === 'GET' && path === '/v1/api_keys') {
			let keys = state.apiKeys;
			if (query.has('expired')) {
				const wantExpired = query.get('expired') === 'true';
				keys = keys.filter(
					(k) =>
						(k.attributes.expiry !== null && Date.parse(k.attributes.expiry) < Date.now()) ===
						wantExpired,
				);
			}
			// No paging is documented for this list: without page params every key comes back.
			if (!query.has('page[number]') && !query.has('page[size]'))
				return send(res, 200, { data: keys, links: { self: path, next: null } });
			const { number, size } = pageParams(query);
			const data = keys.slice((number - 1) * size, number * size);
			const hasNext = number * size < keys.length;
			const next = hasNext ? `/v1/api_keys?page[number]=${number + 1}&page[size]=${size}` : null;
			return send(res, 200, { data, links: { self: path, next } });
		}
		if ((m = /^\/v1\/api_keys\/([^/]+)\/revoke$/.exec(path)) && method === 'POST') {
			const key = state.apiKeys.find((k) => k.id === m[1]);
			if (!key) return send(res, 404, { error: `Api key ${m[1]} not found`, type: 'not_found' });
			key.attributes.status = 'revoked';
			key.attributes.updated_at = iso(Date.now());
			return send(res, 200, { data: key });
		}
		if ((m = /^\/v1\/api_keys\/([^/]+)$/.exec(path)) && method === 'DELETE') {
			const index = state.apiKeys.findIndex((k) => k.id === m[1]);
			if (index < 0)
				return send(res, 404, { error: `Api key ${m[1]} not found`, type: 'not_found' });
			state.apiKeys.splice(index, 1);
			res.writeHead(204);
			return res.end();
		}
		if ((m = /^\/v1\/networks\/([^/]+)\/secret_key$/.exec(path))) {
			const id = Number(m[1]);
			if (id === UNPROCESSABLE_NETWORK) return send(res, 422, [UNPROCESSABLE_MESSAGE]);
			const network = state.networks.get(id);
			if (!network)
				return send(res, 404, { error: `Network ${m[1]} not found`, type: 'not_found' });
			if (method === 'DELETE') {
				network.secret_key = null;
				network.updated_at = iso(Date.now());
				return send(res, 200, networkBody(network));
			}
			if (method === 'POST' || method === 'PATCH') {
				if (method === 'PATCH' && !network.secret_key) {
					return send(res, 422, ['Network has no secret key to rotate']);
				}
				network.secret_key = `nsk_${randomBytes(12).toString('hex')}`;
				network.updated_at = iso(Date.now());
				return send(res, 200, networkBody(network));
			}
		}
		if (method === 'GET' && path === '/v1/traffic_reports/query_logs') {
			const { number, size } = pageParams(query);
			if (state.failQueryLogs > 0) {
				state.failQueryLogs--;
				res.writeHead(200, { 'content-type': 'text/html' });
				return res.end(
					'<html><head><title>Down for maintenance</title></head><body></body></html>',
				);
			}
			let rows = [...state.queryLogs].sort((a, b) =>
				a.time < b.time ? 1 : a.time > b.time ? -1 : 0,
			);
			if (query.get('result') === 'blocked') rows = rows.filter((r) => r.result === 'blocked');
			if (query.get('security_report') === 'true') rows = rows.filter((r) => r.threat === true);
			const from = query.get('from');
			const to = query.get('to');
			if (from)
				rows = rows.filter(
					(r) => r.time >= new Date(from.endsWith('Z') ? from : `${from}Z`).toISOString(),
				);
			if (to)
				rows = rows.filter(
					(r) => r.time <= new Date(to.endsWith('Z') ? to : `${to}Z`).toISOString(),
				);
			const values = rows.slice((number - 1) * size, number * size);
			const next = number * size < rows.length ? number + 1 : null;
			return send(res, 200, {
				data: {
					organization_id: 31337,
					organization_name: 'Example MSP',
					values,
					page: { current: number, size, next },
				},
			});
		}
		return send(res, 404, { error: `No route for ${method} ${path}`, type: 'not_found' });
	}

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url, 'http://127.0.0.1');
			const raw = Buffer.concat(chunks).toString('utf8');
			let body;
			try {
				body = raw ? JSON.parse(raw) : undefined;
			} catch {
				body = raw;
			}
			const { authorization, ...headers } = req.headers;
			const authDigestOfRequest =
				typeof authorization === 'string' ? digest(authorization) : undefined;
			const authorized = authDigest !== undefined && authDigestOfRequest === authDigest;
			const revoked = authDigestOfRequest !== undefined && revokedDigests.has(authDigestOfRequest);
			if (req.method === 'POST' && url.pathname === '/siem/events') {
				state.siemEvents.push(body);
				return send(res, 200, { text: 'Success', code: 0 });
			}
			state.calls++;
			const record = {
				method: req.method,
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				headers,
				authorized,
				revoked,
				bearer: typeof authorization === 'string' && /^bearer\s/i.test(authorization),
				body,
				at: Date.now(),
				status: 0,
			};
			requests.push(record);
			const origWriteHead = res.writeHead.bind(res);
			res.writeHead = (status, ...rest) => {
				record.status = status;
				return origWriteHead(status, ...rest);
			};
			if (revoked) return send(res, 401, { error: REVOKED_KEY_MESSAGE, type: 'unauthorized' });
			if (!authorized) {
				return send(res, 401, { error: INVALID_KEY_MESSAGE, type: 'unauthorized' });
			}
			if (state.retryAfterAll !== undefined) {
				state.rateLimited++;
				return send(
					res,
					429,
					{ error: 'Rate limit exceeded' },
					{ 'retry-after': String(state.retryAfterAll) },
				);
			}
			if (state.rateLimitHalf && state.calls % 2 === 1) {
				state.rateLimited++;
				return send(res, 429, { error: 'Rate limit exceeded' }, { 'retry-after': '1' });
			}
			try {
				route({ method: req.method, path: url.pathname, query: url.searchParams }, res);
			} catch (error) {
				if (!res.headersSent) send(res, 500, { error: String(error?.message ?? error) });
			}
		});
	});
	server.requestTimeout = 30_000;
	server.headersTimeout = 30_000;
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		state,
		/** Back to the seeded data with an empty request log; options as for startStandIn. */
		reset(opts = {}) {
			Object.assign(state, freshState(opts));
			requests.length = 0;
		},
		/** Requests that reached a route (not 401, not the 429 of the rate-limit mode). */
		served() {
			return requests.filter((r) => r.status !== 429 && r.status !== 401);
		},
		async close() {
			server.closeAllConnections?.();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

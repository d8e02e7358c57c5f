// The DNSFilter stand-in for the browser and MCP proofs: real HTTP on 127.0.0.1 (built on
// test/support/standin-server.mjs), seeded with the records the walk touches, a scripted queue of
// 429 answers (`rateLimitNext(n)`), and a log of every request without its Authorization value:
// a key is only compared by digest, so the log can be printed and scanned freely.
import { createHash } from 'node:crypto';

import { json, startStandIn as startServer } from '../support/standin-server.mjs';

const DAY = 86_400_000;
const digest = (value) => createHash('sha256').update(value).digest('hex');

export const REVOKED_KEY_MESSAGE = 'API key has been revoked';

function seedApiKeys(now) {
	const key = (id, name, expiryMs) => ({
		id: String(id),
		type: 'api_keys',
		attributes: {
			name,
			expiry: expiryMs === null ? null : new Date(expiryMs).toISOString(),
			last_four: String(id).slice(-4),
			status: 'active',
			created_at: new Date(now - 100 * DAY).toISOString(),
		},
	});
	return [
		key(101, 'ci-deploy', now + 200 * DAY),
		key(105, 'psa-sync (expires in 3 days)', now + 3 * DAY + 3_600_000),
		key(107, 'no-expiry', null),
	];
}

/** Sites past the first two networks: enough for three pages of the record picker (50 a page). */
export const SITE_COUNT = 130;

function seedNetworks() {
	const sites = Array.from({ length: SITE_COUNT }, (_, index) => ({
		id: 3001 + index,
		name: `Site ${String(index + 1).padStart(3, '0')}`,
		secret_key: null,
	}));
	return [
		{ id: 2001, name: 'Head office', secret_key: 'nsk_head_office_secret' },
		{ id: 2002, name: 'Branch Leeds', secret_key: 'nsk_branch_leeds_secret' },
		...sites,
	];
}

/** A V1 list answer: `search` filters by name, page[number]/page[size] page it, links.next while more follow. */
function networkPage(networks, query, path) {
	const search = query.get('search')?.toLowerCase();
	const matching = search
		? networks.filter((n) => n.name.toLowerCase().includes(search))
		: networks;
	if (!query.has('page[number]') && !query.has('page[size]'))
		return { data: matching.map(networkRecord), links: { self: path, next: null } };
	const number = Math.max(1, Number(query.get('page[number]')) || 1);
	const size = Math.min(100, Math.max(1, Number(query.get('page[size]')) || 20));
	const more = number * size < matching.length;
	return {
		data: matching.slice((number - 1) * size, number * size).map(networkRecord),
		links: {
			self: `${path}?page[number]=${number}`,
			next: more ? `${path}?page[number]=${number + 1}` : null,
		},
	};
}

const networkRecord = (n) => ({
	id: String(n.id),
	type: 'networks',
	attributes: {
		name: n.name,
		secret_key: n.secret_key,
		secret_key_updated_at: n.updated_at ?? null,
	},
});

/**
 * `apiKey` is the only accepted Authorization value; `revokedApiKeys` get a 401 with
 * REVOKED_KEY_MESSAGE. Every answer is recorded in `requests[i].status`.
 */
export async function startDnsFilterStandIn({
	apiKey,
	revokedApiKeys = [],
	retryAfterSeconds = 1,
}) {
	const good = digest(apiKey);
	const revoked = new Set(revokedApiKeys.map(digest));
	let state;
	let pending429 = 0;
	const reset = () => {
		state = { apiKeys: seedApiKeys(Date.now()), networks: seedNetworks() };
		pending429 = 0;
		server.requests.length = 0;
	};

	const server = await startServer((req, res, record) => {
		const auth = req.headers.authorization;
		const authDigest = typeof auth === 'string' ? digest(auth) : undefined;
		delete record.headers.authorization;
		record.authorized = authDigest === good;
		record.bearer = typeof auth === 'string' && /^bearer\s/i.test(auth);
		const reply = (status, body, headers) => {
			record.status = status;
			if (status === 204) {
				res.writeHead(204, headers);
				return res.end();
			}
			return json(res, status, body, headers);
		};

		if (revoked.has(authDigest))
			return reply(401, { error: REVOKED_KEY_MESSAGE, type: 'unauthorized' });
		if (!record.authorized)
			return reply(401, { error: 'Invalid or expired API token', type: 'unauthorized' });
		if (pending429 > 0) {
			pending429--;
			return reply(
				429,
				{ error: 'Rate limit exceeded' },
				{ 'retry-after': String(retryAfterSeconds) },
			);
		}

		const { method, path } = record;
		let m;
		if (method === 'GET' && path === '/v1/current_user') {
			return reply(200, {
				data: { id: '4242', type: 'users', attributes: { email: 'msp-admin@example.com' } },
			});
		}
		if (method === 'GET' && path === '/v1/api_keys') {
			return reply(200, { data: state.apiKeys, links: { self: path, next: null } });
		}
		if (method === 'DELETE' && (m = /^\/v1\/api_keys\/([^/]+)$/.exec(path))) {
			const index = state.apiKeys.findIndex((k) => k.id === m[1]);
			if (index < 0) return reply(404, { error: `Api key ${m[1]} not found`, type: 'not_found' });
			state.apiKeys.splice(index, 1);
			return reply(204);
		}
		if (method === 'GET' && path === '/v1/networks')
			return reply(200, networkPage(state.networks, record.query, path));
		if (method === 'GET' && (m = /^\/v1\/networks\/(\d+)$/.exec(path))) {
			const network = state.networks.find((n) => String(n.id) === m[1]);
			return network
				? reply(200, { data: networkRecord(network) })
				: reply(404, { error: `Network ${m[1]} not found`, type: 'not_found' });
		}
		if (method === 'DELETE' && (m = /^\/v1\/networks\/([^/]+)\/secret_key$/.exec(path))) {
			const network = state.networks.find((n) => String(n.id) === m[1]);
			if (!network) return reply(404, { error: `Network ${m[1]} not found`, type: 'not_found' });
			network.secret_key = null;
			network.updated_at = new Date().toISOString();
			return reply(200, { data: networkRecord(network) });
		}
		return reply(404, { error: `No route for ${method} ${path}`, type: 'not_found' });
	});
	reset();

	return {
		url: server.url,
		requests: server.requests,
		get state() {
			return state;
		},
		reset,
		/** The next `n` authorized requests are answered 429 with Retry-After. */
		rateLimitNext(n) {
			pending429 = n;
		},
		/** "GET /v1/api_keys → 200" lines, for assertion messages. */
		summary() {
			return server.requests.map((r) => `${r.method} ${r.path}${r.search ?? ''} → ${r.status}`);
		},
		close: () => server.close(),
	};
}

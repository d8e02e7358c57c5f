// Computed API key fields at their boundaries, with a fixed clock.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';

const {
	computeKeyInsight,
	parseExpiry,
	withApiKeyInsight,
	apiKeyStateOf,
	DEFAULT_EXPIRING_SOON_DAYS,
} = loadBuilt('nodes/DnsFilter/records/apiKeyInsight.js');

const DAY = 86_400_000;
const now = new Date('2026-03-10T10:00:00.000Z');
const at = (ms) => new Date(now.getTime() + ms);
const insight = (expiry, status = 'active', threshold) =>
	computeKeyInsight({ expiry, status }, now, threshold);

describe('computeKeyInsight', () => {
	test('the default threshold is 14 days', () => {
		assert.equal(DEFAULT_EXPIRING_SOON_DAYS, 14);
	});

	test('expires later today: 0 days, not expired, expiring soon', () => {
		assert.deepEqual(insight(at(8 * 3600_000)), {
			expiresInDays: 0,
			isExpired: false,
			isExpiringSoon: true,
		});
		assert.deepEqual(insight(at(1)), { expiresInDays: 0, isExpired: false, isExpiringSoon: true });
	});

	test('expires exactly now: expired (the transport refuses it too)', () => {
		assert.deepEqual(insight(at(0)), { expiresInDays: 0, isExpired: true, isExpiringSoon: false });
	});

	test('exactly 14 days left: expiring soon; 14 days 23 h: still 14 whole days; 15 days: not', () => {
		assert.deepEqual(insight(at(14 * DAY)), {
			expiresInDays: 14,
			isExpired: false,
			isExpiringSoon: true,
		});
		assert.deepEqual(insight(at(15 * DAY - 1)), {
			expiresInDays: 14,
			isExpired: false,
			isExpiringSoon: true,
		});
		assert.deepEqual(insight(at(15 * DAY)), {
			expiresInDays: 15,
			isExpired: false,
			isExpiringSoon: false,
		});
	});

	test('the threshold option moves the boundary', () => {
		assert.equal(insight(at(30 * DAY), 'active', 30).isExpiringSoon, true);
		assert.equal(insight(at(31 * DAY), 'active', 30).isExpiringSoon, false);
		assert.equal(insight(at(3 * 3600_000), 'active', 0).isExpiringSoon, true);
		assert.equal(insight(at(DAY), 'active', 0).isExpiringSoon, false);
	});

	test('already expired by date: negative days, expired, not expiring soon', () => {
		assert.deepEqual(insight(at(-1)), {
			expiresInDays: -1,
			isExpired: true,
			isExpiringSoon: false,
		});
		assert.deepEqual(insight(at(-3 * DAY)), {
			expiresInDays: -3,
			isExpired: true,
			isExpiringSoon: false,
		});
	});

	test('status "expired" wins over a future date', () => {
		assert.deepEqual(insight(at(5 * DAY), 'expired'), {
			expiresInDays: 5,
			isExpired: true,
			isExpiringSoon: false,
		});
		assert.equal(insight(at(5 * DAY), 'EXPIRED').isExpired, true);
	});

	test('a revoked key is never "expiring soon", and not expired unless its date passed', () => {
		assert.deepEqual(insight(at(2 * DAY), 'revoked'), {
			expiresInDays: 2,
			isExpired: false,
			isExpiringSoon: false,
		});
		assert.deepEqual(insight(at(-2 * DAY), 'revoked'), {
			expiresInDays: -2,
			isExpired: true,
			isExpiringSoon: false,
		});
	});

	test('no or unreadable expiry: null days, expired only by status', () => {
		assert.deepEqual(insight(undefined), {
			expiresInDays: null,
			isExpired: false,
			isExpiringSoon: false,
		});
		assert.deepEqual(insight(undefined, 'expired'), {
			expiresInDays: null,
			isExpired: true,
			isExpiringSoon: false,
		});
		assert.equal(parseExpiry('not a date'), undefined);
		assert.equal(parseExpiry(''), undefined);
		assert.equal(parseExpiry(null), undefined);
	});
});

describe('reading API key records', () => {
	test('ISO expiry with an offset, as the API writes it', () => {
		assert.equal(
			parseExpiry('2024-12-22T17:24:32.162-05:00').toISOString(),
			'2024-12-22T22:24:32.162Z',
		);
		assert.equal(parseExpiry(1767225600).toISOString(), '2026-01-01T00:00:00.000Z');
		assert.equal(parseExpiry(1767225600000).toISOString(), '2026-01-01T00:00:00.000Z');
	});

	test('JSON:API resource, flattened record and whole response all work', () => {
		const attributes = {
			name: 'ci',
			expiry: '2026-03-17T10:00:00.000Z',
			status: 'active',
			last_four: 'Lhz4',
		};
		for (const shape of [
			{ id: '9', type: 'api_keys', attributes },
			attributes,
			{ data: { id: '9', attributes } },
		]) {
			assert.deepEqual(apiKeyStateOf(shape), {
				expiry: new Date('2026-03-17T10:00:00.000Z'),
				status: 'active',
			});
		}
	});

	test('withApiKeyInsight keeps the record and adds the three fields at the top level', () => {
		const item = {
			id: '9',
			type: 'api_keys',
			attributes: { name: 'ci', expiry: '2026-03-24T10:00:00.000Z', status: 'active' },
		};
		const out = withApiKeyInsight(item, now);
		assert.deepEqual(out, { ...item, expiresInDays: 14, isExpired: false, isExpiringSoon: true });
		assert.equal(item.expiresInDays, undefined, 'the input is not mutated');
		assert.equal(withApiKeyInsight(item, now, 7).isExpiringSoon, false);
	});
});

describe('Check Current Key, through the engine', async () => {
	const { runNode } = await import('./support/engine.mjs');
	const { makeApiKey } = await import('./support/jwt.mjs');
	const { json, startStandIn } = await import('./support/standin-server.mjs');
	const { checkCurrentKey, apiKeyInsightProperties } = loadBuilt(
		'nodes/DnsFilter/actions/handwritten/checkCurrentKey.js',
	);

	const typeName = 'test.checkCurrentKey';
	const nodeType = {
		description: {
			displayName: 'Check Key',
			name: 'checkCurrentKey',
			group: ['transform'],
			version: 1,
			defaults: { name: 'Check' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'dnsFilterApi', required: true }],
			properties: [
				{ displayName: 'Resource', name: 'resource', type: 'hidden', default: 'apiKey' },
				{ displayName: 'Operation', name: 'operation', type: 'hidden', default: 'checkCurrentKey' },
				...apiKeyInsightProperties,
			],
		},
		async execute() {
			const items = this.getInputData();
			const out = [];
			for (let i = 0; i < items.length; i++)
				out.push({ json: await checkCurrentKey.call(this, i), pairedItem: { item: i } });
			return [out];
		},
	};

	const server = await startStandIn();
	after(() => server.close());

	test('reports expiry, days left, subject and issued-at from the JWT, without a request or the key', async () => {
		const nowSec = Math.floor(Date.now() / 1000);
		const apiKey = makeApiKey({ sub: '777', iat: nowSec - 3600, exp: nowSec + 10 * 86400 + 600 });
		server.requests.length = 0;
		const result = await runNode({
			nodeType,
			typeName,
			parameters: {},
			credentials: { apiKey, baseUrl: server.url },
		});
		assert.equal(result.error, undefined);
		const out = result.items[0].json;
		assert.equal(server.requests.length, 0);
		assert.equal(out.subject, '777');
		assert.equal(out.issuedAt, new Date((nowSec - 3600) * 1000).toISOString());
		assert.equal(out.expiresAt, new Date((nowSec + 10 * 86400 + 600) * 1000).toISOString());
		assert.equal(out.expiresInDays, 10);
		assert.equal(out.isExpired, false);
		assert.equal(out.isExpiringSoon, true);
		assert.equal(out.expiringSoonThresholdDays, 14);
		assert.equal(out.lastFour, apiKey.slice(-4));
		const serialised = JSON.stringify(result.run);
		assert.equal(serialised.includes(apiKey), false);
		assert.equal(serialised.includes(apiKey.split('.')[2]), false, 'the signature is not output');
		assert.equal(serialised.includes(apiKey.split('.')[1]), false, 'the raw claims are not output');
	});

	test('an expired credential key is reported, not refused', async () => {
		const apiKey = makeApiKey({ exp: Math.floor(Date.now() / 1000) - 2 * 86400 - 60 });
		const result = await runNode({
			nodeType,
			typeName,
			parameters: { includeKeyCount: true },
			credentials: { apiKey, baseUrl: server.url },
		});
		assert.equal(result.error, undefined);
		assert.deepEqual(
			[
				result.items[0].json.expiresInDays,
				result.items[0].json.isExpired,
				result.items[0].json.isExpiringSoon,
			],
			[-3, true, false],
		);
		assert.equal(result.items[0].json.keyCount, undefined, 'no request with an expired key');
	});

	test('Include Key Count: counts active keys out of 5 and finds the current one by its last four', async () => {
		const apiKey = makeApiKey({ sub: '778' });
		const lastFour = apiKey.slice(-4);
		const future = new Date(Date.now() + 200 * 86400_000).toISOString();
		server.setHandler((req, res, record) =>
			record.path === '/v1/api_keys'
				? json(res, 200, {
						data: [
							{
								id: '1',
								type: 'api_keys',
								attributes: { name: 'ci', status: 'active', expiry: future, last_four: lastFour },
							},
							{
								id: '2',
								type: 'api_keys',
								attributes: { name: 'old', status: 'revoked', expiry: future, last_four: 'zzzz' },
							},
							{
								id: '3',
								type: 'api_keys',
								attributes: {
									name: 'soon',
									status: 'active',
									expiry: new Date(Date.now() + 3 * 86400_000).toISOString(),
									last_four: 'yyyy',
								},
							},
						],
					})
				: json(res, 404, {}),
		);
		const result = await runNode({
			nodeType,
			typeName,
			parameters: { includeKeyCount: true, expiringSoonThresholdDays: 7 },
			credentials: { apiKey, baseUrl: server.url },
		});
		const out = result.items[0].json;
		assert.deepEqual(
			{
				keyCount: out.keyCount,
				activeKeyCount: out.activeKeyCount,
				maxActiveKeys: out.maxActiveKeys,
				canCreateKey: out.canCreateKey,
				keyId: out.keyId,
				keyName: out.keyName,
				status: out.status,
				otherKeysExpiringSoon: out.otherKeysExpiringSoon,
			},
			{
				keyCount: 3,
				activeKeyCount: 2,
				maxActiveKeys: 5,
				canCreateKey: true,
				keyId: '1',
				keyName: 'ci',
				status: 'active',
				otherKeysExpiringSoon: 1,
			},
		);
	});

	test("a malformed credential key fails with the transport's clear message", async () => {
		const result = await runNode({
			nodeType,
			typeName,
			parameters: {},
			credentials: { apiKey: 'nope', baseUrl: server.url },
		});
		assert.match(result.error.message, /malformed/);
	});
});

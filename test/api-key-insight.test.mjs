// Computed API key fields at their boundaries, with a fixed clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';

const { computeKeyInsight, parseExpiry, withApiKeyInsight, apiKeyStateOf, DEFAULT_EXPIRING_SOON_DAYS } = loadBuilt(
	'nodes/DnsFilter/actions/custom/apiKeyInsight.js',
);

const DAY = 86_400_000;
const now = new Date('2026-03-10T10:00:00.000Z');
const at = (ms) => new Date(now.getTime() + ms);
const insight = (expiry, status = 'active', threshold) => computeKeyInsight({ expiry, status }, now, threshold);

describe('computeKeyInsight', () => {
	test('the default threshold is 14 days', () => {
		assert.equal(DEFAULT_EXPIRING_SOON_DAYS, 14);
	});

	test('expires later today: 0 days, not expired, expiring soon', () => {
		assert.deepEqual(insight(at(8 * 3600_000)), { expiresInDays: 0, isExpired: false, isExpiringSoon: true });
		assert.deepEqual(insight(at(1)), { expiresInDays: 0, isExpired: false, isExpiringSoon: true });
	});

	test('expires exactly now: expired (the transport refuses it too)', () => {
		assert.deepEqual(insight(at(0)), { expiresInDays: 0, isExpired: true, isExpiringSoon: false });
	});

	test('exactly 14 days left: expiring soon; 14 days 23 h: still 14 whole days; 15 days: not', () => {
		assert.deepEqual(insight(at(14 * DAY)), { expiresInDays: 14, isExpired: false, isExpiringSoon: true });
		assert.deepEqual(insight(at(15 * DAY - 1)), { expiresInDays: 14, isExpired: false, isExpiringSoon: true });
		assert.deepEqual(insight(at(15 * DAY)), { expiresInDays: 15, isExpired: false, isExpiringSoon: false });
	});

	test('the threshold option moves the boundary', () => {
		assert.equal(insight(at(30 * DAY), 'active', 30).isExpiringSoon, true);
		assert.equal(insight(at(31 * DAY), 'active', 30).isExpiringSoon, false);
		assert.equal(insight(at(3 * 3600_000), 'active', 0).isExpiringSoon, true);
		assert.equal(insight(at(DAY), 'active', 0).isExpiringSoon, false);
	});

	test('already expired by date: negative days, expired, not expiring soon', () => {
		assert.deepEqual(insight(at(-1)), { expiresInDays: -1, isExpired: true, isExpiringSoon: false });
		assert.deepEqual(insight(at(-3 * DAY)), { expiresInDays: -3, isExpired: true, isExpiringSoon: false });
	});

	test('status "expired" wins over a future date', () => {
		assert.deepEqual(insight(at(5 * DAY), 'expired'), { expiresInDays: 5, isExpired: true, isExpiringSoon: false });
		assert.equal(insight(at(5 * DAY), 'EXPIRED').isExpired, true);
	});

	test('a revoked key is never "expiring soon", and not expired unless its date passed', () => {
		assert.deepEqual(insight(at(2 * DAY), 'revoked'), { expiresInDays: 2, isExpired: false, isExpiringSoon: false });
		assert.deepEqual(insight(at(-2 * DAY), 'revoked'), { expiresInDays: -2, isExpired: true, isExpiringSoon: false });
	});

	test('no or unreadable expiry: null days, expired only by status', () => {
		assert.deepEqual(insight(undefined), { expiresInDays: null, isExpired: false, isExpiringSoon: false });
		assert.deepEqual(insight(undefined, 'expired'), { expiresInDays: null, isExpired: true, isExpiringSoon: false });
		assert.equal(parseExpiry('not a date'), undefined);
		assert.equal(parseExpiry(''), undefined);
		assert.equal(parseExpiry(null), undefined);
	});
});

describe('reading API key records', () => {
	test('ISO expiry with an offset, as the API writes it', () => {
		assert.equal(parseExpiry('2024-12-22T17:24:32.162-05:00').toISOString(), '2024-12-22T22:24:32.162Z');
		assert.equal(parseExpiry(1767225600).toISOString(), '2026-01-01T00:00:00.000Z');
		assert.equal(parseExpiry(1767225600000).toISOString(), '2026-01-01T00:00:00.000Z');
	});

	test('JSON:API resource, flattened record and whole response all work', () => {
		const attributes = { name: 'ci', expiry: '2026-03-17T10:00:00.000Z', status: 'active', last_four: 'Lhz4' };
		for (const shape of [{ id: '9', type: 'api_keys', attributes }, attributes, { data: { id: '9', attributes } }]) {
			assert.deepEqual(apiKeyStateOf(shape), { expiry: new Date('2026-03-17T10:00:00.000Z'), status: 'active' });
		}
	});

	test('withApiKeyInsight keeps the record and adds the three fields at the top level', () => {
		const item = { id: '9', type: 'api_keys', attributes: { name: 'ci', expiry: '2026-03-24T10:00:00.000Z', status: 'active' } };
		const out = withApiKeyInsight(item, now);
		assert.deepEqual(out, { ...item, expiresInDays: 14, isExpired: false, isExpiringSoon: true });
		assert.equal(item.expiresInDays, undefined, 'the input is not mutated');
		assert.equal(withApiKeyInsight(item, now, 7).isExpiringSoon, false);
	});
});

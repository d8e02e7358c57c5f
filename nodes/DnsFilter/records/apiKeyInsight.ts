import type { IDataObject } from 'n8n-workflow';

import { isRecord } from '../utils/isRecord';

/**
 * Computed expiry fields for DNSFilter API keys. DNSFilter sends no expiry warning of its own
 * (the dashboard only shows the date), so list/get results and the credential's own key carry:
 *
 * - `expiresInDays`: whole days left, rounded down; 0 means "expires within the next 24 hours"
 *   (e.g. later today), negative once the expiry has passed, null when the key has no usable expiry.
 * - `isExpired`: the status says `expired`, or the expiry is now or in the past (the same rule the
 *   transport uses to refuse an expired credential).
 * - `isExpiringSoon`: still usable (not expired, not revoked) and `expiresInDays` is at most the
 *   threshold, so a key with exactly 14 days left is expiring soon with the default threshold of 14.
 *
 * Pure: the clock is a parameter, so the boundaries are tested without waiting.
 */

export const DEFAULT_EXPIRING_SOON_DAYS = 14;

/** DNSFilter allows at most this many active keys per user. */
export const MAX_ACTIVE_KEYS_PER_USER = 5;

const DAY_MS = 86_400_000;

export interface ApiKeyInsight {
	expiresInDays: number | null;
	isExpired: boolean;
	isExpiringSoon: boolean;
}

export interface ApiKeyState {
	expiry?: Date;
	/** `active`, `revoked` or `expired` as the API reports it; undefined for the credential's own key. */
	status?: string;
}

/** Parses an API expiry (ISO 8601 with offset, or epoch seconds/milliseconds); undefined when unusable. */
export function parseExpiry(value: unknown): Date | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
	if (typeof value === 'number' && Number.isFinite(value)) {
		return new Date(value < 100_000_000_000 ? value * 1000 : value);
	}
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const trimmed = value.trim();
	if (/^\d+$/.test(trimmed)) return parseExpiry(Number(trimmed));
	const parsed = Date.parse(trimmed);
	return Number.isNaN(parsed) ? undefined : new Date(parsed);
}

export function normaliseThreshold(thresholdDays: unknown): number {
	const value = Number(thresholdDays);
	return Number.isFinite(value) && value >= 0 ? Math.floor(value) : DEFAULT_EXPIRING_SOON_DAYS;
}

export function computeKeyInsight(
	state: ApiKeyState,
	now: Date,
	thresholdDays: number = DEFAULT_EXPIRING_SOON_DAYS,
): ApiKeyInsight {
	const status = state.status?.toLowerCase();
	const expiry = state.expiry && !Number.isNaN(state.expiry.getTime()) ? state.expiry : undefined;
	const msLeft = expiry ? expiry.getTime() - now.getTime() : undefined;
	const expiresInDays = msLeft === undefined ? null : Math.floor(msLeft / DAY_MS);
	const isExpired = status === 'expired' || (msLeft !== undefined && msLeft <= 0);
	const usable = !isExpired && status !== 'revoked';
	const isExpiringSoon =
		usable && expiresInDays !== null && expiresInDays <= normaliseThreshold(thresholdDays);
	return { expiresInDays, isExpired, isExpiringSoon };
}

const HOUR_MS = 3_600_000;

export interface ExpiryDetail {
	/** The exact expiry, ISO 8601 UTC, or null when the key has no usable expiry. */
	expiresAt: string | null;
	/** Whole hours left, rounded down (negative once passed): "2 days" may be 71 hours. */
	expiresInHours: number | null;
}

/** The exact expiry beside the whole days, so a workflow never has to guess what "2 days" means. */
export function expiryDetail(state: ApiKeyState, now: Date): ExpiryDetail {
	const expiry = state.expiry && !Number.isNaN(state.expiry.getTime()) ? state.expiry : undefined;
	if (!expiry) return { expiresAt: null, expiresInHours: null };
	return {
		expiresAt: expiry.toISOString(),
		expiresInHours: Math.floor((expiry.getTime() - now.getTime()) / HOUR_MS),
	};
}

/**
 * Reads `expiry` and `status` from an API key record in any of the shapes an item may have:
 * the JSON:API resource (`{id, type, attributes: {expiry, status}}`), a flattened record, or the
 * whole response (`{data: {...}}`).
 */
export function apiKeyStateOf(record: unknown): ApiKeyState {
	if (!isRecord(record)) return {};
	if (isRecord(record.attributes)) return apiKeyStateOf(record.attributes);
	if (record.expiry === undefined && record.status === undefined && isRecord(record.data)) {
		return apiKeyStateOf(record.data);
	}
	return {
		expiry: parseExpiry(record.expiry),
		status: typeof record.status === 'string' ? record.status : undefined,
	};
}

/** A copy of the item's JSON with the three computed fields added at the top level. */
export function withApiKeyInsight(
	json: IDataObject,
	now: Date,
	thresholdDays: number = DEFAULT_EXPIRING_SOON_DAYS,
): IDataObject {
	return { ...json, ...computeKeyInsight(apiKeyStateOf(json), now, thresholdDays) };
}

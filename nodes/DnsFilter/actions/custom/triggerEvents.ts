import type { IDataObject } from 'n8n-workflow';

import { apiKeyStateOf, computeKeyInsight } from './apiKeyInsight';
import { isRecord } from '../../utils/isRecord';

/**
 * What the DNSFilter Trigger watches and how it remembers what it has already reported.
 * Pure: the node fetches the records, these functions decide what to emit and what to store in
 * the node's static data, so "each event exactly once" is tested without a server.
 */

export type TriggerEvent =
	| 'apiKeyExpiringSoon'
	| 'apiKeyRevokedOrExpired'
	| 'newNetwork'
	| 'newRoamingClient'
	| 'newPolicy'
	| 'newBlockPage'
	| 'newOrganization';

export interface NewRecordSource {
	/** List endpoint, walked with Return All through the shared transport. */
	path: string;
	/** What one record is, for messages and docs. */
	noun: string;
}

export const NEW_RECORD_SOURCES: Record<Exclude<TriggerEvent, 'apiKeyExpiringSoon' | 'apiKeyRevokedOrExpired'>, NewRecordSource> = {
	newNetwork: { path: '/v1/networks', noun: 'network' },
	newRoamingClient: { path: '/v1/user_agents', noun: 'roaming client' },
	newPolicy: { path: '/v1/policies', noun: 'policy' },
	newBlockPage: { path: '/v1/block_pages', noun: 'block page' },
	newOrganization: { path: '/v1/organizations', noun: 'organization' },
};

export function isKeyEvent(event: TriggerEvent): event is 'apiKeyExpiringSoon' | 'apiKeyRevokedOrExpired' {
	return event === 'apiKeyExpiringSoon' || event === 'apiKeyRevokedOrExpired';
}

export const STATE_VERSION = 1;

/** Node static data. Only ids, expiry dates and statuses: never a record, never a key. */
export interface TriggerState extends IDataObject {
	version: number;
	event: string;
	baselineAt: string;
	/** New-record events, numeric ids: the highest id seen. DNSFilter ids are increasing integers. */
	maxId?: number;
	/** New-record events, non-numeric ids (UUIDs or composite keys): the ids present at the last poll. */
	ids?: string[];
	/** API Key Expiring Soon: key id → the expiry it was reported for. */
	notified?: IDataObject;
	/** API Key Revoked or Expired: key id → `revoked` or `expired`, once reported (or in the baseline). */
	ended?: IDataObject;
}

export interface PollOutcome {
	emit: IDataObject[];
	state: TriggerState;
}

function attributesOf(record: IDataObject): IDataObject {
	return isRecord(record.attributes) ? record.attributes : record;
}

/**
 * A record's identity: its `id`, or for lists whose schema has none (block pages are a bare
 * array of attributes) the owner, creation date and name.
 */
export function recordId(record: unknown): string | undefined {
	if (!isRecord(record)) return undefined;
	const id = record.id ?? attributesOf(record).id;
	if (typeof id === 'string' || typeof id === 'number') return String(id);
	const attributes = attributesOf(record);
	if (attributes.created_at === undefined && attributes.name === undefined) return undefined;
	return ['composite', attributes.organization_id ?? '', attributes.created_at ?? '', attributes.name ?? ''].join('|');
}

function numericId(id: string): number | undefined {
	return /^\d{1,15}$/.test(id) ? Number(id) : undefined;
}

function freshState(event: string, now: Date): TriggerState {
	return { version: STATE_VERSION, event, baselineAt: now.toISOString() };
}

/** The stored state when it belongs to this event, otherwise undefined (first poll: baseline). */
export function usableState(stored: IDataObject, event: string): TriggerState | undefined {
	return stored.version === STATE_VERSION && stored.event === event && typeof stored.baselineAt === 'string'
		? (stored as TriggerState)
		: undefined;
}

/** New networks, roaming clients, policies, block pages, organizations: records not seen before. */
export function diffNewRecords(event: string, records: unknown[], previous: TriggerState | undefined, now: Date): PollOutcome {
	const state = freshState(event, now);
	if (previous) state.baselineAt = previous.baselineAt;
	const known = new Set(previous?.ids ?? []);
	let maxId = previous?.maxId;
	const ids: string[] = [];
	const emit: IDataObject[] = [];
	const seenThisPoll = new Set<string>();
	for (const record of records) {
		const id = recordId(record);
		if (id === undefined || seenThisPoll.has(id) || !isRecord(record)) continue;
		seenThisPoll.add(id);
		const numeric = numericId(id);
		if (numeric === undefined) ids.push(id);
		if (!previous) continue;
		const isNew = numeric === undefined ? !known.has(id) : previous.maxId === undefined || numeric > previous.maxId;
		if (isNew) emit.push(record);
	}
	for (const id of seenThisPoll) {
		const numeric = numericId(id);
		if (numeric !== undefined && (maxId === undefined || numeric > maxId)) maxId = numeric;
	}
	if (maxId !== undefined) state.maxId = maxId;
	if (ids.length) state.ids = ids;
	// Oldest first, so a workflow sees them in the order they were created.
	emit.sort((a, b) => compareIds(recordId(a) ?? '', recordId(b) ?? ''));
	return { emit, state };
}

function compareIds(a: string, b: string): number {
	const x = numericId(a);
	const y = numericId(b);
	if (x !== undefined && y !== undefined) return x - y;
	return 0;
}

function keyId(record: IDataObject): string | undefined {
	const id = recordId(record);
	if (id && !id.startsWith('composite|')) return id;
	const attributes = attributesOf(record);
	return attributes.last_four !== undefined ? `last_four|${String(attributes.last_four)}|${String(attributes.created_at ?? '')}` : id;
}

export interface KeyEventOptions {
	thresholdDays: number;
	/** Report keys that already match on the first poll instead of only recording them. */
	includeExisting: boolean;
}

/** API keys that have become expiring soon since the last poll, once per key and expiry. */
export function diffExpiringKeys(records: unknown[], previous: TriggerState | undefined, now: Date, options: KeyEventOptions): PollOutcome {
	const state = freshState('apiKeyExpiringSoon', now);
	if (previous) state.baselineAt = previous.baselineAt;
	const before = previous?.notified ?? {};
	const notified: IDataObject = {};
	const emit: IDataObject[] = [];
	for (const record of records) {
		if (!isRecord(record)) continue;
		const id = keyId(record);
		if (id === undefined) continue;
		const keyState = apiKeyStateOf(record);
		const insight = computeKeyInsight(keyState, now, options.thresholdDays);
		const expiry = keyState.expiry?.toISOString() ?? '';
		if (!insight.isExpiringSoon) {
			// Keep the mark while the key still exists, so a later threshold change does not repeat it.
			if (before[id] === expiry) notified[id] = expiry;
			continue;
		}
		notified[id] = expiry;
		if (before[id] === expiry) continue;
		if (!previous && !options.includeExisting) continue;
		emit.push({ ...record, ...insight });
	}
	state.notified = notified;
	return { emit, state };
}

/** API keys that have been revoked or have expired since the last poll, once per key. */
export function diffEndedKeys(records: unknown[], previous: TriggerState | undefined, now: Date, options: KeyEventOptions): PollOutcome {
	const state = freshState('apiKeyRevokedOrExpired', now);
	if (previous) state.baselineAt = previous.baselineAt;
	const before = previous?.ended ?? {};
	const ended: IDataObject = {};
	const emit: IDataObject[] = [];
	for (const record of records) {
		if (!isRecord(record)) continue;
		const id = keyId(record);
		if (id === undefined) continue;
		const keyState = apiKeyStateOf(record);
		const insight = computeKeyInsight(keyState, now, options.thresholdDays);
		const reason = keyState.status?.toLowerCase() === 'revoked' ? 'revoked' : insight.isExpired ? 'expired' : undefined;
		if (!reason) continue;
		ended[id] = before[id] ?? reason;
		if (before[id] !== undefined) continue;
		if (!previous && !options.includeExisting) continue;
		emit.push({ ...record, ...insight, reason });
	}
	state.ended = ended;
	return { emit, state };
}

function timeOf(record: IDataObject, field: string): number {
	const value = attributesOf(record)[field];
	const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
	return Number.isNaN(parsed) ? -Infinity : parsed;
}

/**
 * Manual mode ("Fetch Test Event"): the latest record that matches the event, or the latest
 * record at all so the user still sees the shape; undefined when the list is empty.
 */
export function sampleFor(event: TriggerEvent, records: unknown[], now: Date, thresholdDays: number): IDataObject | undefined {
	const list = records.filter(isRecord);
	if (!list.length) return undefined;
	if (!isKeyEvent(event)) {
		return list.reduce((latest, record) => {
			const a = numericId(recordId(latest) ?? '');
			const b = numericId(recordId(record) ?? '');
			if (a !== undefined && b !== undefined) return b > a ? record : latest;
			return record;
		});
	}
	const annotated = list.map((record) => {
		const insight = computeKeyInsight(apiKeyStateOf(record), now, thresholdDays);
		const status = apiKeyStateOf(record).status?.toLowerCase();
		const reason = status === 'revoked' ? 'revoked' : insight.isExpired ? 'expired' : undefined;
		return { record, insight, reason };
	});
	if (event === 'apiKeyExpiringSoon') {
		const soon = annotated.filter((entry) => entry.insight.isExpiringSoon);
		const pick = (soon.length ? soon : annotated).reduce((best, entry) =>
			(entry.insight.expiresInDays ?? Infinity) < (best.insight.expiresInDays ?? Infinity) ? entry : best,
		);
		return { ...pick.record, ...pick.insight };
	}
	const endedKeys = annotated.filter((entry) => entry.reason);
	const pick = (endedKeys.length ? endedKeys : annotated).reduce((latest, entry) =>
		timeOf(entry.record, 'updated_at') > timeOf(latest.record, 'updated_at') ? entry : latest,
	);
	return { ...pick.record, ...pick.insight, ...(pick.reason ? { reason: pick.reason } : {}) };
}

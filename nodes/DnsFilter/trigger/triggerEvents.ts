import type { IDataObject } from 'n8n-workflow';

import { apiKeyStateOf, computeKeyInsight, expiryDetail } from '../actions/handwritten/apiKeyInsight';
import { isRecord } from '../utils/isRecord';
import { simplifyRecord } from '../actions/shapeOutput';

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
	/** The list operation of the same endpoint: its secret attributes are masked in the trigger's output too. */
	operationId: string;
}

export const NEW_RECORD_SOURCES: Record<Exclude<TriggerEvent, 'apiKeyExpiringSoon' | 'apiKeyRevokedOrExpired'>, NewRecordSource> = {
	newNetwork: { path: '/v1/networks', noun: 'network', operationId: 'V1_Networks-index' },
	newRoamingClient: { path: '/v1/user_agents', noun: 'roaming client', operationId: 'V1_User_Agents-index' },
	newPolicy: { path: '/v1/policies', noun: 'policy', operationId: 'V1_Policies-index' },
	newBlockPage: { path: '/v1/block_pages', noun: 'block page', operationId: 'V1_Block_Pages-index' },
	newOrganization: { path: '/v1/organizations', noun: 'organization', operationId: 'V1_Organizations-index' },
};

/** What the two API key events list: the credential user's keys (not paged). */
export const EXPIRY_EVENTS_SOURCE: NewRecordSource = { path: '/v1/api_keys', noun: 'API key', operationId: 'V1_Api_Keys-index' };

export function isKeyEvent(event: TriggerEvent): event is 'apiKeyExpiringSoon' | 'apiKeyRevokedOrExpired' {
	return event === 'apiKeyExpiringSoon' || event === 'apiKeyRevokedOrExpired';
}

/**
 * Version 2 of the trigger lists a "New …" collection at most this often by default, whatever
 * the Poll Times say: n8n's own default poll is every minute and a node cannot change it.
 */
export const DEFAULT_MINIMUM_LISTING_MINUTES = 15;

export const STATE_VERSION = 2;

/**
 * How many ids that have left the listing (deleted, or no longer visible to the key's user) are
 * remembered, most recently gone kept. Ids in the current listing are always kept: forgetting one
 * would report it again on the next poll. A record that comes back after more than this many
 * others have gone is reported again.
 */
export const GONE_IDS_LIMIT = 10_000;

/** Key events: at most this many keys are remembered after they left `/v1/api_keys`. */
export const KEY_MARKS_LIMIT = 10_000;

/**
 * Node static data. Only ids, expiry dates and statuses: never a record, never a key.
 * Version 1 stored `maxId` (highest numeric id) and `ids` (non-numeric ids); it is read once
 * and replaced by version 2 on the next well-formed listing.
 */
export interface TriggerState extends IDataObject {
	version: number;
	event: string;
	baselineAt: string;
	/** When the collection was last listed completely (for the minimum interval between listings). */
	listedAt?: string;
	/** New-record events: numeric ids in the last listing, as runs (see `encodeIdRuns`). */
	listedNumeric?: string;
	/** New-record events: non-numeric ids (UUIDs, composite keys) in the last listing. */
	listedIds?: string[];
	/** New-record events: ids seen before but absent from the last listing, oldest first. */
	gone?: string[];
	/** Version 1 only: the highest numeric id seen. */
	maxId?: number;
	/** Version 1 only: the non-numeric ids present at the last poll. */
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

/** Canonical decimal ids only ("7", not "007"), so a numeric id and its text form are one id. */
function numericId(id: string): number | undefined {
	return /^(0|[1-9]\d{0,14})$/.test(id) ? Number(id) : undefined;
}

/** Sorted numeric ids as `[first, last]` runs: consecutive DNSFilter ids store in a few numbers. */
export function toRanges(numbers: number[]): number[][] {
	const sorted = [...new Set(numbers)].sort((a, b) => a - b);
	const ranges: number[][] = [];
	for (const n of sorted) {
		const last = ranges[ranges.length - 1];
		if (last && n === last[1] + 1) last[1] = n;
		else ranges.push([n, n]);
	}
	return ranges;
}

function inRanges(ranges: number[][], n: number): boolean {
	let low = 0;
	let high = ranges.length - 1;
	while (low <= high) {
		const mid = (low + high) >> 1;
		const [first, last] = ranges[mid];
		if (n < first) high = mid - 1;
		else if (n > last) low = mid + 1;
		else return true;
	}
	return false;
}

/**
 * Runs as text, a few bytes per run however scattered the ids: each run is `gap` or `gap+extra`
 * in base 36, where `gap` is its first id minus the previous run's last id (0 before the first run)
 * and `extra` is its last id minus its first. `[[1, 150], [152, 152]]` → `1+45,2`.
 */
export function encodeIdRuns(ranges: number[][]): string {
	let previous = 0;
	return ranges
		.map(([first, last]) => {
			const token = (first - previous).toString(36) + (last > first ? `+${(last - first).toString(36)}` : '');
			previous = last;
			return token;
		})
		.join(',');
}

export function decodeIdRuns(text: unknown): number[][] {
	if (typeof text !== 'string' || text === '') return [];
	const ranges: number[][] = [];
	let previous = 0;
	for (const token of text.split(',')) {
		const [gap, extra] = token.split('+');
		const first = previous + parseInt(gap, 36);
		const last = first + (extra === undefined ? 0 : parseInt(extra, 36));
		if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return ranges;
		ranges.push([first, last]);
		previous = last;
	}
	return ranges;
}

function stringList(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** Whether an id was seen at an earlier poll, for the stored state of either version. */
function knownIds(previous: TriggerState): (id: string) => boolean {
	if (previous.version === 1) {
		// Version 1 only knew the highest numeric id: everything at or below it counts as seen once.
		const maxId = typeof previous.maxId === 'number' ? previous.maxId : undefined;
		const ids = new Set(stringList(previous.ids));
		return (id) => {
			const n = numericId(id);
			return n === undefined ? ids.has(id) : maxId !== undefined && n <= maxId;
		};
	}
	const ranges = decodeIdRuns(previous.listedNumeric);
	const others = new Set([...stringList(previous.listedIds), ...stringList(previous.gone)]);
	return (id) => {
		if (others.has(id)) return true;
		const n = numericId(id);
		return n !== undefined && inRanges(ranges, n);
	};
}

/** Every id of the previous listing, in a stable order (for the ids that have now gone). */
function previouslyListed(previous: TriggerState): string[] {
	if (previous.version === 1) return stringList(previous.ids);
	const ids: string[] = [];
	for (const [first, last] of decodeIdRuns(previous.listedNumeric)) for (let n = first; n <= last; n++) ids.push(String(n));
	return [...ids, ...stringList(previous.listedIds)];
}

function freshState(event: string, now: Date): TriggerState {
	return { version: STATE_VERSION, event, baselineAt: now.toISOString(), listedAt: now.toISOString() };
}

/**
 * The stored state when it belongs to this event (version 2, or version 1 to migrate), otherwise
 * undefined (first poll: baseline).
 */
export function usableState(stored: IDataObject, event: string): TriggerState | undefined {
	return (stored.version === STATE_VERSION || stored.version === 1) && stored.event === event && typeof stored.baselineAt === 'string'
		? (stored as TriggerState)
		: undefined;
}

/**
 * New networks, roaming clients, policies, block pages, organizations: every record whose id was
 * not seen before, whatever the id (an older organization that becomes visible is new too).
 * `records` must be a complete, well-formed listing: the returned state replaces the stored one.
 */
export function diffNewRecords(event: string, records: unknown[], previous: TriggerState | undefined, now: Date): PollOutcome {
	const state = freshState(event, now);
	if (previous) state.baselineAt = previous.baselineAt;
	const known = previous ? knownIds(previous) : () => true;
	const current = new Set<string>();
	const emit: IDataObject[] = [];
	for (const record of records) {
		const id = recordId(record);
		if (id === undefined || current.has(id) || !isRecord(record)) continue;
		current.add(id);
		if (!known(id)) emit.push(record);
	}
	const numbers: number[] = [];
	const others: string[] = [];
	for (const id of current) {
		const n = numericId(id);
		if (n === undefined) others.push(id);
		else numbers.push(n);
	}
	const ranges = toRanges(numbers);
	if (ranges.length) state.listedNumeric = encodeIdRuns(ranges);
	if (others.length) state.listedIds = others;
	if (previous) {
		const goneBefore = previous.version === 1 ? [] : stringList(previous.gone);
		const goneNow = [...goneBefore, ...previouslyListed(previous)].filter((id) => !current.has(id));
		const gone = [...new Set(goneNow.reverse())].reverse().slice(-GONE_IDS_LIMIT);
		if (gone.length) state.gone = gone;
	}
	// Oldest first, so a workflow sees them in the order they were created.
	emit.sort((a, b) => compareIds(recordId(a) ?? '', recordId(b) ?? ''));
	return { emit, state };
}

function compareIds(a: string, b: string): number {
	const x = numericId(a);
	const y = numericId(b);
	if (x !== undefined && y !== undefined) return x - y;
	if (x !== undefined) return -1;
	if (y !== undefined) return 1;
	return 0;
}

/** Marks of keys that are no longer listed, kept (bounded) so a key that reappears is not reported twice. */
function carryOver(marks: IDataObject, before: IDataObject, listed: Set<string>): IDataObject {
	for (const [id, value] of Object.entries(before)) {
		if (Object.keys(marks).length >= KEY_MARKS_LIMIT) break;
		if (!listed.has(id) && marks[id] === undefined) marks[id] = value;
	}
	return marks;
}

/**
 * Checks that a 2xx answer is a listing: a JSON array, or an object whose `data` is an array, of
 * JSON objects. Returns the records, or a sentence saying what came back instead.
 */
export function listingRecords(body: unknown): { records: unknown[] } | { problem: string } {
	const records = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.data) ? body.data : undefined;
	if (!records) return { problem: describeBody(body) };
	const bad = records.findIndex((record) => !isRecord(record));
	if (bad >= 0) return { problem: `record ${bad + 1} of the list is ${kindOf(records[bad])}, not an object` };
	return { records };
}

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A short description of a body, never more than a few dozen characters of it (it may echo secrets). */
function describeBody(body: unknown): string {
	if (body === undefined || body === null || body === '') return 'an empty body';
	if (typeof body === 'string') {
		const title = /<title[^>]{0,100}>([^<]{0,200})<\/title>/i.exec(body.slice(0, 4096));
		if (title) return `an HTML page titled "${title[1].trim().slice(0, 80)}"`;
		const start = body.slice(0, 40).replace(/[A-Za-z0-9_\-.]{20,}/g, '…').replace(/\s+/g, ' ');
		return `${body.length} characters of text that are not JSON, starting "${start}"`;
	}
	if (isRecord(body)) {
		if (!('data' in body)) return `an object without "data" (keys: ${Object.keys(body).slice(0, 5).join(', ') || 'none'})`;
		return `an object whose "data" is ${kindOf(body.data)}, not an array`;
	}
	return kindOf(body);
}

function keyId(record: IDataObject): string | undefined {
	const id = recordId(record);
	if (id && !id.startsWith('composite|')) return id;
	const attributes = attributesOf(record);
	return attributes.last_four !== undefined ? `last_four|${String(attributes.last_four)}|${String(attributes.created_at ?? '')}` : id;
}

/** The listing's API keys with an id, each with its state and insight; records every id in `listed`. */
function* listedKeys(records: unknown[], listed: Set<string>, now: Date, thresholdDays: number) {
	for (const record of records) {
		if (!isRecord(record)) continue;
		const id = keyId(record);
		if (id === undefined) continue;
		listed.add(id);
		const keyState = apiKeyStateOf(record);
		yield { record, id, keyState, insight: computeKeyInsight(keyState, now, thresholdDays) };
	}
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
	const listed = new Set<string>();
	for (const { record, id, keyState, insight } of listedKeys(records, listed, now, options.thresholdDays)) {
		const expiry = keyState.expiry?.toISOString() ?? '';
		if (!insight.isExpiringSoon) {
			// Keep the mark while the key still exists, so a later threshold change does not repeat it.
			if (before[id] === expiry) notified[id] = expiry;
			continue;
		}
		notified[id] = expiry;
		if (before[id] === expiry) continue;
		if (!previous && !options.includeExisting) continue;
		emit.push({ ...record, ...insight, ...expiryDetail(keyState, now) });
	}
	state.notified = carryOver(notified, before, listed);
	return { emit, state };
}

/** API keys that have been revoked or have expired since the last poll, once per key. */
export function diffEndedKeys(records: unknown[], previous: TriggerState | undefined, now: Date, options: KeyEventOptions): PollOutcome {
	const state = freshState('apiKeyRevokedOrExpired', now);
	if (previous) state.baselineAt = previous.baselineAt;
	const before = previous?.ended ?? {};
	const ended: IDataObject = {};
	const emit: IDataObject[] = [];
	const listed = new Set<string>();
	for (const { record, id, keyState, insight } of listedKeys(records, listed, now, options.thresholdDays)) {
		const reason = keyState.status?.toLowerCase() === 'revoked' ? 'revoked' : insight.isExpired ? 'expired' : undefined;
		if (!reason) continue;
		ended[id] = before[id] ?? reason;
		if (before[id] !== undefined) continue;
		if (!previous && !options.includeExisting) continue;
		emit.push({ ...record, ...insight, ...expiryDetail(keyState, now), reason });
	}
	state.ended = carryOver(ended, before, listed);
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
		return { ...pick.record, ...pick.insight, ...expiryDetail(apiKeyStateOf(pick.record), now) };
	}
	const endedKeys = annotated.filter((entry) => entry.reason);
	const pick = (endedKeys.length ? endedKeys : annotated).reduce((latest, entry) =>
		timeOf(entry.record, 'updated_at') > timeOf(latest.record, 'updated_at') ? entry : latest,
	);
	return { ...pick.record, ...pick.insight, ...expiryDetail(apiKeyStateOf(pick.record), now), ...(pick.reason ? { reason: pick.reason } : {}) };
}

/** The trigger's Simplify: `{id, type, attributes}` flattened as the DNSFilter node does; computed fields stay on top. */
export function simplifyEmitted(record: IDataObject, simplify: boolean): IDataObject {
	if (!simplify) return record;
	const { attributes, ...rest } = record;
	const flat = simplifyRecord({ id: record.id, type: record.type, attributes });
	return isRecord(flat) && isRecord(attributes) ? { ...flat, ...rest } : record;
}

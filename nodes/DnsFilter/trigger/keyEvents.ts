import type { IDataObject } from 'n8n-workflow';

import { apiKeyStateOf, computeKeyInsight, expiryDetail } from '../records/apiKeyInsight';
import { isRecord } from '../utils/isRecord';
import { idDigest, numericId } from './idSets';
import { attributesOf, recordId } from './records';
import type { PollOutcome, TriggerState } from './state';
import { entriesOf, freshState, STATE_VERSION } from './state';

/** Key events: at most this many keys are remembered after they left `/v1/api_keys`. */
export const KEY_MARKS_LIMIT = 10_000;

export interface KeyEventOptions {
	thresholdDays: number;
	/** Report keys that already match on the first poll instead of only recording them. */
	includeExisting: boolean;
}

function keyId(record: IDataObject): string | undefined {
	const id = recordId(record);
	if (id && !id.startsWith('composite|')) return id;
	const attributes = attributesOf(record);
	return attributes.last_four !== undefined
		? `last_four|${String(attributes.last_four)}|${String(attributes.created_at ?? '')}`
		: id;
}

/**
 * A key's name in the stored marks: `n:` and the id for canonical numeric ids, `h:` and a digest
 * otherwise. The prefix keeps ids such as `__proto__` or `constructor` from meaning anything to
 * a JavaScript object, and the digest keeps an id that is really a secret out of the static data.
 */
function markToken(id: string): string {
	return numericId(id) !== undefined ? `n:${id}` : `h:${idDigest(id)}`;
}

/** The stored marks, token → value, from a version 3 state or (keyed by the id itself) versions 1 and 2. */
function marksOf(
	previous: TriggerState | undefined,
	legacyField: 'notified' | 'ended',
): Map<string, string> {
	const marks = new Map<string, string>();
	if (!previous) return marks;
	if (previous.version !== STATE_VERSION) {
		for (const [id, value] of entriesOf(previous[legacyField]))
			if (typeof value === 'string') marks.set(markToken(id), value);
		return marks;
	}
	for (const [token, value] of entriesOf(previous.marks))
		if (typeof value === 'string' && /^[nh]:/.test(token)) marks.set(token, value);
	return marks;
}

/** The marks to store: those of listed keys, then (bounded) those of keys no longer listed, so a key that reappears is not reported twice. */
function storedMarks(
	marks: Map<string, string>,
	before: Map<string, string>,
	listed: Set<string>,
): IDataObject {
	for (const [token, value] of before) {
		if (marks.size >= KEY_MARKS_LIMIT + listed.size) break;
		if (!listed.has(token) && !marks.has(token)) marks.set(token, value);
	}
	const stored: IDataObject = {};
	for (const [token, value] of marks) stored[token] = value;
	return stored;
}

/** The listing's API keys with an id, each with its token, state and insight; records every token in `listed`. */
function* listedKeys(records: unknown[], listed: Set<string>, now: Date, thresholdDays: number) {
	for (const record of records) {
		if (!isRecord(record)) continue;
		const id = keyId(record);
		if (id === undefined) continue;
		const token = markToken(id);
		listed.add(token);
		const keyState = apiKeyStateOf(record);
		yield { record, token, keyState, insight: computeKeyInsight(keyState, now, thresholdDays) };
	}
}

/** API keys that have become expiring soon since the last poll, once per key and expiry. */
export function diffExpiringKeys(
	records: unknown[],
	previous: TriggerState | undefined,
	now: Date,
	options: KeyEventOptions,
): PollOutcome {
	const state = freshState('apiKeyExpiringSoon', now, previous);
	const before = marksOf(previous, 'notified');
	const notified = new Map<string, string>();
	const emit: IDataObject[] = [];
	const listed = new Set<string>();
	for (const { record, token, keyState, insight } of listedKeys(
		records,
		listed,
		now,
		options.thresholdDays,
	)) {
		const expiry = keyState.expiry?.toISOString() ?? '';
		if (!insight.isExpiringSoon) {
			// Keep the mark while the key still exists, so a later threshold change does not repeat it.
			if (before.get(token) === expiry) notified.set(token, expiry);
			continue;
		}
		const reported = before.get(token) === expiry || notified.get(token) === expiry;
		notified.set(token, expiry);
		if (reported) continue;
		if (!previous && !options.includeExisting) continue;
		emit.push({ ...record, ...insight, ...expiryDetail(keyState, now) });
	}
	state.marks = storedMarks(notified, before, listed);
	return { emit, state };
}

/** API keys that have been revoked or have expired since the last poll, once per key. */
export function diffEndedKeys(
	records: unknown[],
	previous: TriggerState | undefined,
	now: Date,
	options: KeyEventOptions,
): PollOutcome {
	const state = freshState('apiKeyRevokedOrExpired', now, previous);
	const before = marksOf(previous, 'ended');
	const ended = new Map<string, string>();
	const emit: IDataObject[] = [];
	const listed = new Set<string>();
	for (const { record, token, keyState, insight } of listedKeys(
		records,
		listed,
		now,
		options.thresholdDays,
	)) {
		const reason =
			keyState.status?.toLowerCase() === 'revoked'
				? 'revoked'
				: insight.isExpired
					? 'expired'
					: undefined;
		if (!reason) continue;
		const earlier = before.get(token) ?? ended.get(token);
		ended.set(token, earlier ?? reason);
		if (earlier !== undefined) continue;
		if (!previous && !options.includeExisting) continue;
		emit.push({ ...record, ...insight, ...expiryDetail(keyState, now), reason });
	}
	state.marks = storedMarks(ended, before, listed);
	return { emit, state };
}

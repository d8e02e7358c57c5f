import type { IDataObject } from 'n8n-workflow';

import { apiKeyStateOf, computeKeyInsight, expiryDetail } from '../records/apiKeyInsight';
import { isRecord } from '../utils/isRecord';
import { simplifyRecord } from '../records/shapeOutput';
import { numericId } from './idSets';
import type { TriggerEvent } from './eventCatalogue';
import { isKeyEvent } from './eventCatalogue';
import { attributesOf, recordId } from './records';

/**
 * What the DNSFilter Trigger watches. The node fetches the records; the modules beside this one
 * decide what to emit and what to store in the node's static data (newRecords, keyEvents, with
 * the stored forms in idSets and state), so "each event exactly once" is tested poll by poll.
 */

export { decodeIdRuns, encodeIdRuns, DIGEST_CHARS, idDigest, toRanges } from './idSets';
export { recordId } from './records';
export { STATE_VERSION, usableState } from './state';
export type { PollOutcome, TriggerState } from './state';
export {
	diffNewRecords,
	GONE_IDS_LIMIT,
	LISTED_DIGESTS_LIMIT,
	SHRINK_CONFIRM_LISTINGS,
	SHRINK_CONFIRM_MS,
} from './newRecords';
export { diffEndedKeys, diffExpiringKeys, KEY_MARKS_LIMIT } from './keyEvents';
export type { KeyEventOptions } from './keyEvents';
export { listingRecords } from './listingCheck';
export {
	DEFAULT_MAX_ENTRIES_PER_POLL,
	DEFAULT_OVERLAP_MINUTES,
	MAX_ENTRIES_PER_POLL,
	MAX_OVERLAP_MINUTES,
	MAX_REPORT_LAST_MINUTES,
	THREAT_SEEN_LIMIT,
	THREAT_SOURCE,
	decodeSeen,
	diffThreats,
	entryIdentity,
	entryTime,
	latestEntry,
	summarise,
} from './threatEvents';
export type { ThreatOutput } from './threatEvents';

export {
	EVENT_OPTIONS,
	eventRow,
	eventsOfKind,
	EXPIRY_EVENTS_SOURCE,
	isKeyEvent,
	NEW_RECORD_SOURCES,
	TRIGGER_EVENTS,
} from './eventCatalogue';
export type {
	EventKind,
	EventOfKind,
	EventSource,
	EventSource as NewRecordSource,
	KeyEvent,
	NewRecordEvent,
	TriggerEvent,
} from './eventCatalogue';

/**
 * Version 2 of the trigger lists a "New …" collection at most this often by default, whatever
 * the Poll Times say: n8n's own default poll is every minute and a node cannot change it.
 */
export const DEFAULT_MINIMUM_LISTING_MINUTES = 15;

function timeOf(record: IDataObject, field: string): number {
	const value = attributesOf(record)[field];
	const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
	return Number.isNaN(parsed) ? -Infinity : parsed;
}

/**
 * Manual mode ("Fetch Test Event"): the latest record that matches the event, or the latest
 * record at all so the user still sees the shape; undefined when the list is empty.
 */
export function sampleFor(
	event: TriggerEvent,
	records: unknown[],
	now: Date,
	thresholdDays: number,
): IDataObject | undefined {
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
			(entry.insight.expiresInDays ?? Infinity) < (best.insight.expiresInDays ?? Infinity)
				? entry
				: best,
		);
		return { ...pick.record, ...pick.insight, ...expiryDetail(apiKeyStateOf(pick.record), now) };
	}
	const endedKeys = annotated.filter((entry) => entry.reason);
	const pick = (endedKeys.length ? endedKeys : annotated).reduce((latest, entry) =>
		timeOf(entry.record, 'updated_at') > timeOf(latest.record, 'updated_at') ? entry : latest,
	);
	return {
		...pick.record,
		...pick.insight,
		...expiryDetail(apiKeyStateOf(pick.record), now),
		...(pick.reason ? { reason: pick.reason } : {}),
	};
}

/** The trigger's Simplify: `{id, type, attributes}` flattened as the DNSFilter node does; computed fields stay on top. */
export function simplifyEmitted(record: IDataObject, simplify: boolean): IDataObject {
	if (!simplify) return record;
	const { attributes, ...rest } = record;
	const flat = simplifyRecord({ id: record.id, type: record.type, attributes });
	return isRecord(flat) && isRecord(attributes) ? { ...flat, ...rest } : record;
}

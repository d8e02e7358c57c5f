import type { IDataObject } from 'n8n-workflow';

import { apiKeyStateOf, computeKeyInsight, expiryDetail } from '../records/apiKeyInsight';
import { isRecord } from '../utils/isRecord';
import { simplifyRecord } from '../records/shapeOutput';
import { numericId } from './idSets';
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

export type TriggerEvent =
	| 'apiKeyExpiringSoon'
	| 'apiKeyRevokedOrExpired'
	| 'newNetwork'
	| 'newRoamingClient'
	| 'newPolicy'
	| 'newBlockPage'
	| 'newOrganization'
	| 'threatBlocked';

/** The events that watch a collection for records it did not have before. */
export type NewRecordEvent = Exclude<
	TriggerEvent,
	'apiKeyExpiringSoon' | 'apiKeyRevokedOrExpired' | 'threatBlocked'
>;

export interface NewRecordSource {
	/** List endpoint, walked with Return All through the shared transport. */
	path: string;
	/** What one record is, for messages and docs. */
	noun: string;
	/** The list operation of the same endpoint: its secret attributes are masked in the trigger's output too. */
	operationId: string;
}

export const NEW_RECORD_SOURCES: Record<NewRecordEvent, NewRecordSource> = {
	newNetwork: { path: '/v1/networks', noun: 'network', operationId: 'V1_Networks-index' },
	newRoamingClient: {
		path: '/v1/user_agents',
		noun: 'roaming client',
		operationId: 'V1_User_Agents-index',
	},
	newPolicy: { path: '/v1/policies', noun: 'policy', operationId: 'V1_Policies-index' },
	newBlockPage: {
		path: '/v1/block_pages',
		noun: 'block page',
		operationId: 'V1_Block_Pages-index',
	},
	newOrganization: {
		path: '/v1/organizations',
		noun: 'organization',
		operationId: 'V1_Organizations-index',
	},
};

/** What the two API key events list: the credential user's keys (not paged). */
export const EXPIRY_EVENTS_SOURCE: NewRecordSource = {
	path: '/v1/api_keys',
	noun: 'API key',
	operationId: 'V1_Api_Keys-index',
};

export function isKeyEvent(
	event: TriggerEvent,
): event is 'apiKeyExpiringSoon' | 'apiKeyRevokedOrExpired' {
	return event === 'apiKeyExpiringSoon' || event === 'apiKeyRevokedOrExpired';
}

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

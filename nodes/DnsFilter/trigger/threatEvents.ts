import type { IDataObject } from 'n8n-workflow';

import { canonicalJson } from '../transport/pageIntegrity';
import { isRecord } from '../utils/isRecord';
import { DIGEST_CHARS, idDigest, packDigests, unpackDigests } from './idSets';
import type { TriggerState } from './state';
import { freshState } from './state';

/**
 * Threat Blocked: blocked security events from the query logs, each reported once. Query-log
 * entries have no id, so each is known by a digest of the fields that describe the query itself
 * (when, what, from where, under which policy); names the server fills in or renames later
 * (network, agent and category names) are left out so a renamed network does not make last
 * hour's entries new. Entries equal in all those fields are told apart by their position among
 * their equals in the listing. An entry without a readable `time` is known by its whole content.
 *
 * Polls read a window of time: from the end of the last complete window minus the overlap (late
 * logs) to now. Only the digests of entries inside the next window's overlap are kept, grouped
 * by second, so the state stays a few bytes per recent entry whatever the volume.
 */

export const THREAT_SOURCE = {
	path: '/v1/traffic_reports/query_logs',
	noun: 'query-log entry',
	operationId: 'V1_Traffic_Reports-query_logs',
};

export const DEFAULT_OVERLAP_MINUTES = 10;
export const MAX_OVERLAP_MINUTES = 1_440;
export const DEFAULT_MAX_ENTRIES_PER_POLL = 1_000;
export const MAX_ENTRIES_PER_POLL = 50_000;
export const MAX_REPORT_LAST_MINUTES = 10_080;

/** Digests kept for the overlap at most (800 KB); past it the oldest go, and the window starts after them. */
export const THREAT_SEEN_LIMIT = 100_000;

/** The fields that make a query what it is; see the module comment. */
const IDENTITY_FIELDS = [
	'time',
	'fqdn',
	'domain',
	'networkid',
	'agentid',
	'request_address',
	'question_type',
	'result',
	'threat',
	'server_id',
	'local_ipv4_address',
	'local_ipv6_address',
	'local_user_id',
	'mac_address',
	'protocol',
	'method',
	'policy_id',
	'scheduled_policy_id',
	'application_id',
];

export type ThreatOutput = 'entries' | 'summaryByDomain' | 'summaryByDomainAndAgent';

export interface ListedEntry {
	entry: IDataObject;
	/** The organization filter the entry was listed under ('' without one): the same query in two organizations is two events. */
	organization: string;
}

export interface ThreatWindow {
	/** Epoch ms, whole seconds: what was asked for (`from` and `to` are inclusive). */
	from: number;
	to: number;
}

export interface ThreatDiffOptions {
	overlapMs: number;
	maxEntries: number;
	/** First activation: entries before this are recorded, not reported (Infinity: none reported). */
	emitFrom?: number;
}

export interface ThreatOutcome {
	emit: IDataObject[];
	state: TriggerState;
	/** More new entries were read than Max Entries per Poll: the rest come on the next polls. */
	deferred: number;
}

/** Epoch ms of an entry's `time` (UTC; a time without a zone is read as UTC), or undefined. */
export function entryTime(entry: IDataObject): number | undefined {
	const value = entry.time;
	if (typeof value !== 'string' || value === '') return undefined;
	const zoned = /(?:Z|[+-]\d\d:?\d\d)$/i.test(value) ? value : `${value.replace(' ', 'T')}Z`;
	const ms = Date.parse(zoned);
	return Number.isNaN(ms) ? undefined : ms;
}

/** The text an entry is known by, before its position among equals is added. */
export function entryIdentity(entry: IDataObject, organization: string): string {
	if (entryTime(entry) === undefined) return `whole|${organization}|${canonicalJson(entry)}`;
	const fields: IDataObject = {};
	for (const field of IDENTITY_FIELDS) if (entry[field] !== undefined) fields[field] = entry[field];
	return `fields|${organization}|${canonicalJson(fields)}`;
}

/** Seconds → digests, as stored: `gap:digests` per second, gaps in base 36 from the previous second (the first from 0). */
export function encodeSeen(seen: Map<number, string[]>): string {
	let previous = 0;
	const parts: string[] = [];
	for (const second of [...seen.keys()].sort((a, b) => a - b)) {
		const digests = seen.get(second)!;
		if (!digests.length) continue;
		parts.push(`${(second - previous).toString(36)}:${packDigests(digests)}`);
		previous = second;
	}
	return parts.join(',');
}

export function decodeSeen(text: unknown): Map<number, string[]> {
	const seen = new Map<number, string[]>();
	if (typeof text !== 'string' || text === '') return seen;
	let previous = 0;
	for (const part of text.split(',')) {
		const colon = part.indexOf(':');
		if (colon < 1) break;
		const second = previous + parseInt(part.slice(0, colon), 36);
		if (!Number.isSafeInteger(second) || second < previous) break;
		const digests = unpackDigests(part.slice(colon + 1));
		if (digests.length) seen.set(second, [...(seen.get(second) ?? []), ...digests]);
		previous = second;
	}
	return seen;
}

function countSeen(seen: Map<number, string[]>, fromMs = -Infinity): number {
	let count = 0;
	for (const [second, digests] of seen) if (second * 1000 >= fromMs) count += digests.length;
	return count;
}

/** How many remembered entries fall at or after `fromMs`: the part of a window's listing already reported. */
export function seenSince(state: TriggerState | undefined, fromMs: number): number {
	return state ? countSeen(decodeSeen(state.seenEntries), fromMs) : 0;
}

/** Epoch ms of a stored ISO time, or undefined. */
export function storedTime(value: unknown): number | undefined {
	const ms = typeof value === 'string' ? Date.parse(value) : NaN;
	return Number.isNaN(ms) ? undefined : ms;
}

/** Where the next window starts: the stored floor (digests before it are gone), or the cursor minus the overlap if later. */
export function windowStart(state: TriggerState, overlapMs: number): number | undefined {
	const cursor = storedTime(state.cursor);
	if (cursor === undefined) return undefined;
	const floor = storedTime(state.windowFrom) ?? -Infinity;
	return Math.max(floor, cursor - overlapMs);
}

interface Keyed {
	entry: IDataObject;
	time: number;
	digest: string;
}

/**
 * What a complete listing of `window` emits and the state after it. Nothing in `previous` is
 * changed; the caller stores the state only once the items are made.
 */
export function diffThreats(
	listed: ListedEntry[],
	previous: TriggerState | undefined,
	now: Date,
	window: ThreatWindow,
	options: ThreatDiffOptions,
): ThreatOutcome {
	const state = freshState('threatBlocked', now, previous);
	const seen = decodeSeen(previous?.seenEntries);
	const known = new Set<string>();
	for (const digests of seen.values()) for (const digest of digests) known.add(digest);

	const occurrences = new Map<string, number>();
	const keyed: Keyed[] = [];
	for (const { entry, organization } of listed) {
		if (!isRecord(entry)) continue;
		const identity = entryIdentity(entry, organization);
		const occurrence = occurrences.get(identity) ?? 0;
		occurrences.set(identity, occurrence + 1);
		keyed.push({
			entry,
			time: entryTime(entry) ?? window.to,
			digest: idDigest(`threat:${identity}#${occurrence}`),
		});
	}
	// Oldest first, so a capped poll reports the oldest and leaves the newest for the next one.
	keyed.sort((a, b) => a.time - b.time);

	const remember = (item: Keyed) => {
		const second = Math.floor(item.time / 1000);
		const group = seen.get(second);
		if (group) group.push(item.digest);
		else seen.set(second, [item.digest]);
		known.add(item.digest);
	};
	const candidates: Keyed[] = [];
	for (const item of keyed) {
		if (known.has(item.digest)) continue;
		if (!previous && item.time < (options.emitFrom ?? Infinity)) remember(item);
		else candidates.push(item);
	}

	const emitted = candidates.slice(0, options.maxEntries);
	for (const item of emitted) remember(item);
	const deferred = candidates.length - emitted.length;
	// Capped: the window is done only up to the last entry reported; those after it (and any left at
	// that same time) are read again next time and are not in `seen`.
	const cursor =
		deferred > 0
			? Math.max(window.from, emitted[emitted.length - 1]?.time ?? window.from)
			: window.to;
	let floor = Math.max(window.from, cursor - options.overlapMs);

	for (const second of [...seen.keys()]) if ((second + 1) * 1000 <= floor) seen.delete(second);
	let kept = countSeen(seen);
	if (kept > THREAT_SEEN_LIMIT) {
		// Forgetting digests would report their entries again: the window starts after them instead,
		// at the cost of a late log in that stretch.
		for (const second of [...seen.keys()].sort((a, b) => a - b)) {
			if (kept <= THREAT_SEEN_LIMIT) break;
			kept -= seen.get(second)!.length;
			seen.delete(second);
			floor = Math.min(cursor, Math.max(floor, (second + 1) * 1000));
		}
	}

	state.cursor = new Date(cursor).toISOString();
	state.windowFrom = new Date(floor).toISOString();
	const encoded = encodeSeen(seen);
	if (encoded) state.seenEntries = encoded;
	return { emit: emitted.map((item) => item.entry), state, deferred };
}

/** One item per domain (and roaming client): how often it was blocked in this poll, when, where. */
export function summarise(
	entries: IDataObject[],
	output: ThreatOutput,
	window: ThreatWindow,
): IDataObject[] {
	const byAgent = output === 'summaryByDomainAndAgent';
	const groups = new Map<string, IDataObject[]>();
	for (const entry of entries) {
		const domain = text(entry.domain) ?? text(entry.fqdn) ?? '';
		const key = byAgent ? canonicalJson([domain, entry.agentid ?? null]) : domain;
		const group = groups.get(key);
		if (group) group.push(entry);
		else groups.set(key, [entry]);
	}
	const summaries: IDataObject[] = [];
	for (const group of groups.values()) {
		const times = group.map(entryTime).filter((t): t is number => t !== undefined);
		const first = group[0];
		summaries.push({
			domain: text(first.domain) ?? text(first.fqdn) ?? '',
			...(byAgent ? { agentId: first.agentid ?? null, agentName: first.agentname ?? null } : {}),
			count: group.length,
			firstSeen: times.length ? new Date(Math.min(...times)).toISOString() : null,
			lastSeen: times.length ? new Date(Math.max(...times)).toISOString() : null,
			fqdns: distinct(group.map((entry) => entry.fqdn)).slice(0, 20),
			networkIds: distinct(group.map((entry) => entry.networkid)),
			networkNames: distinct(group.map((entry) => entry.network_name)),
			categories: distinct(
				group.flatMap((entry) =>
					Array.isArray(entry.categories_names) ? entry.categories_names : [],
				),
			),
			...(byAgent ? {} : { agentIds: distinct(group.map((entry) => entry.agentid)) }),
			windowFrom: new Date(window.from).toISOString(),
			windowTo: new Date(window.to).toISOString(),
		});
	}
	return summaries;
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

function distinct(values: unknown[]): IDataObject[keyof IDataObject][] {
	const out = new Map<string, IDataObject[keyof IDataObject]>();
	for (const value of values) {
		if (value === undefined || value === null || value === '') continue;
		if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
			out.set(`${typeof value}:${value}`, value);
	}
	return [...out.values()];
}

/** The newest entry, for Fetch Test Event. */
export function latestEntry(entries: IDataObject[]): IDataObject | undefined {
	let latest: IDataObject | undefined;
	let latestTime = -Infinity;
	for (const entry of entries) {
		const time = entryTime(entry) ?? -Infinity;
		if (!latest || time > latestTime) {
			latest = entry;
			latestTime = time;
		}
	}
	return latest;
}

/** Characters a stored digest takes, for tests of the state's size. */
export const SEEN_DIGEST_CHARS = DIGEST_CHARS;

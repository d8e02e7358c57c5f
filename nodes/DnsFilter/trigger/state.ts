import type { IDataObject } from 'n8n-workflow';

/**
 * The trigger's node static data. n8n writes it back as JSON after every poll that changed it,
 * and saved active workflows carry whatever an earlier version stored, so every version ever
 * written is read (and upgraded on the next good listing), never dropped: dropping it would
 * report the whole collection again, or lose the events between the old state and a new baseline.
 * Only ids (as runs and digests), expiry dates and statuses: never a record, never a key.
 *
 * - Version 1: `maxId` (highest numeric id) and `ids` (non-numeric ids present at the last poll).
 * - Version 2: `listedNumeric` (runs), `listedIds` and `gone` (ids as text); key events keyed
 *   `notified` / `ended` by the key id itself, which lost ids such as `__proto__` or `constructor`.
 * - Version 3 (written now): digests instead of ids as text, key marks under prefixed tokens, and
 *   the record of a sharp shrink not yet confirmed. Threat Blocked (added later, within version 3)
 *   stores the end of the last complete window, where the next one may start, and the digests of
 *   the entries reported within the overlap, grouped by second.
 */
export const STATE_VERSION = 3;

const READABLE_VERSIONS = new Set([1, 2, STATE_VERSION]);

export interface TriggerState extends IDataObject {
	version: number;
	event: string;
	baselineAt: string;
	/** When the collection was last listed completely (for the minimum interval between listings). */
	listedAt?: string;
	/** New-record events: numeric ids in the last listing, as runs (see `encodeIdRuns`). */
	listedNumeric?: string;
	/** New-record events, version 3: digests of the other ids in the last listing, packed and sorted. */
	listedDigests?: string;
	/** New-record events, version 3: digests of ids seen before but absent from the listing, oldest first. */
	goneDigests?: string;
	/** New-record events, version 3: when the listing first came back sharply smaller, while that is unconfirmed. */
	shrinkingSince?: string;
	/** New-record events, version 3: how many listings in a row have come back sharply smaller. */
	shrinkingListings?: number;
	/** Key events, version 3: `n:<numeric id>` or `h:<digest>` → the expiry reported, or `revoked` / `expired`. */
	marks?: IDataObject;
	/** Threat Blocked: the end of the window read completely (or the time of the last entry reported, when capped). */
	cursor?: string;
	/** Threat Blocked: the earliest time the next window may start (the digests before it are gone). */
	windowFrom?: string;
	/** Threat Blocked: digests of the entries reported since `windowFrom`, grouped by second (see `encodeSeen`). */
	seenEntries?: string;
	/** Version 2: non-numeric ids of the last listing, as text. */
	listedIds?: string[];
	/** Version 2: ids that had left the listing, as text, oldest first. */
	gone?: string[];
	/** Version 2, API Key Expiring Soon: key id → the expiry it was reported for. */
	notified?: IDataObject;
	/** Version 2, API Key Revoked or Expired: key id → `revoked` or `expired`. */
	ended?: IDataObject;
	/** Version 1: the highest numeric id seen. */
	maxId?: number;
	/** Version 1: the non-numeric ids present at the last poll. */
	ids?: string[];
}

export interface PollOutcome {
	emit: IDataObject[];
	state: TriggerState;
}

export function freshState(event: string, now: Date, previous?: TriggerState): TriggerState {
	return {
		version: STATE_VERSION,
		event,
		baselineAt: previous?.baselineAt ?? now.toISOString(),
		listedAt: now.toISOString(),
	};
}

/**
 * The stored state when it belongs to this event (any version this code reads), otherwise
 * undefined (first poll: baseline).
 */
export function usableState(stored: IDataObject, event: string): TriggerState | undefined {
	return typeof stored.version === 'number' &&
		READABLE_VERSIONS.has(stored.version) &&
		stored.event === event &&
		typeof stored.baselineAt === 'string'
		? (stored as TriggerState)
		: undefined;
}

export function stringList(value: unknown): string[] {
	return Array.isArray(value)
		? value.filter((entry): entry is string => typeof entry === 'string')
		: [];
}

/** The own entries of a stored object, as a Map: ids such as `constructor` are data, not inherited members. */
export function entriesOf(value: unknown): Map<string, unknown> {
	const map = new Map<string, unknown>();
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return map;
	for (const key of Object.keys(value)) map.set(key, (value as Record<string, unknown>)[key]);
	return map;
}

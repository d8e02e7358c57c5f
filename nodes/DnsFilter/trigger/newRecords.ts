import type { IDataObject } from 'n8n-workflow';

import { isRecord } from '../utils/isRecord';
import {
	decodeIdRuns,
	encodeIdRuns,
	idDigest,
	inRanges,
	numericId,
	packDigests,
	toRanges,
	unpackDigests,
} from './idSets';
import { compareIds, recordId } from './records';
import type { PollOutcome, TriggerState } from './state';
import { freshState, stringList } from './state';

/**
 * How many ids that have left the listing (deleted, or no longer visible to the key's user) are
 * remembered, most recently gone kept. Ids in the current listing are always kept: forgetting one
 * would report it again on the next poll. A record that comes back after more than this many
 * others have gone is reported again.
 */
export const GONE_IDS_LIMIT = 10_000;

/**
 * At most this many non-numeric ids (UUIDs, composite keys) are remembered, 8 characters each:
 * 1.6 MB of static data. A listing with more fails the poll, with the state unchanged, rather
 * than write megabytes back after every listing. Numeric ids are stored as runs and not counted.
 */
export const LISTED_DIGESTS_LIMIT = 200_000;

/**
 * A listing is sharply smaller when it lacks more than half of the ids of the last accepted
 * listing (an empty listing after a non-empty one is the extreme case). A server that answers a
 * valid but partial or empty list for a while (a proxy, a permission hiccup, a maintenance mode)
 * must not make the trigger forget thousands of records and report them again when they return,
 * so their ids stay remembered as listed until the shrink has been seen on this many listings in
 * a row over at least `SHRINK_CONFIRM_MS`; only then do they move to the bounded "left" memory.
 */
export const SHRINK_CONFIRM_LISTINGS = 3;
export const SHRINK_CONFIRM_MS = 60 * 60_000;

/** What the state says was listed last, and what had left before. */
interface Remembered {
	numbers: number[][];
	digests: Set<string>;
	/** Digests of ids that had left, oldest first. */
	gone: string[];
	/** Every id of the previous listing, for the count and for what has now left. */
	listedNumbers: () => Iterable<number>;
}

function remembered(previous: TriggerState): Remembered {
	if (previous.version === 1) {
		// Version 1 only knew non-numeric ids by name and numeric ones by the highest: see `knownIn`.
		return {
			numbers: [],
			digests: new Set(stringList(previous.ids).map(idDigest)),
			gone: [],
			listedNumbers: () => [],
		};
	}
	const numbers = decodeIdRuns(previous.listedNumeric);
	const listedNumbers = function* () {
		for (const [first, last] of numbers) for (let n = first; n <= last; n++) yield n;
	};
	if (previous.version === 2) {
		return {
			numbers,
			digests: new Set(stringList(previous.listedIds).map(idDigest)),
			gone: stringList(previous.gone).map(idDigest),
			listedNumbers,
		};
	}
	return {
		numbers,
		digests: new Set(unpackDigests(previous.listedDigests)),
		gone: unpackDigests(previous.goneDigests),
		listedNumbers,
	};
}

function countOf(ranges: number[][]): number {
	let count = 0;
	for (const [first, last] of ranges) count += last - first + 1;
	return count;
}

/**
 * New networks, roaming clients, policies, block pages, organizations: every record whose id was
 * not seen before, whatever the id (an older organization that becomes visible is new too).
 * `records` must be a complete, well-formed listing: the returned state replaces the stored one.
 * A listing past `LISTED_DIGESTS_LIMIT` comes back as a problem instead, for the node to refuse.
 */
export function diffNewRecords(
	event: string,
	records: unknown[],
	previous: TriggerState | undefined,
	now: Date,
): PollOutcome | { problem: string } {
	const state = freshState(event, now, previous);
	const current = new Map<string, IDataObject>();
	for (const record of records) {
		const id = recordId(record);
		if (id === undefined || current.has(id) || !isRecord(record)) continue;
		current.set(id, record);
	}
	const numbers: number[] = [];
	/** Digests of the non-numeric ids, which is how they are stored. */
	const digests = new Set<string>();
	const digestOf = new Map<string, string>();
	for (const id of current.keys()) {
		const n = numericId(id);
		if (n !== undefined) {
			numbers.push(n);
			continue;
		}
		const digest = idDigest(id);
		digestOf.set(id, digest);
		digests.add(digest);
	}
	if (digests.size > LISTED_DIGESTS_LIMIT) {
		return {
			problem: `the listing has ${digests.size.toLocaleString('en-US')} records with non-numeric ids, more than the ${LISTED_DIGESTS_LIMIT.toLocaleString('en-US')} the trigger remembers`,
		};
	}

	if (!previous) {
		writeListed(state, toRanges(numbers), digests);
		return { emit: [], state };
	}

	const before = remembered(previous);
	const goneSet = new Set(before.gone);
	// Digests of the current ids that the previous listing lacked: the only ones that can be in
	// the "left" memory, which never holds a listed id. Numeric ids are hashed only here, not all
	// 100,000 of a large listing at every poll.
	const returning = new Set<string>();
	const maxId =
		previous.version === 1 && typeof previous.maxId === 'number' ? previous.maxId : undefined;
	const known = (id: string): boolean => {
		const n = numericId(id);
		if (n !== undefined) {
			if (previous.version === 1) return maxId !== undefined && n <= maxId;
			if (inRanges(before.numbers, n)) return true;
		}
		const digest = digestOf.get(id) ?? idDigest(id);
		if (before.digests.has(digest)) return true;
		returning.add(digest);
		return goneSet.has(digest);
	};
	const emit: IDataObject[] = [];
	for (const [id, record] of current) if (!known(id)) emit.push(record);

	// What the previous listing had that this one lacks.
	const currentNumbers = new Set(numbers);
	const missingNumbers: number[] = [];
	for (const n of before.listedNumbers()) if (!currentNumbers.has(n)) missingNumbers.push(n);
	const missingDigests = [...before.digests].filter((digest) => !digests.has(digest));
	const listedBefore = countOf(before.numbers) + before.digests.size;
	const missing = missingNumbers.length + missingDigests.length;

	const shrunk = listedBefore > 0 && missing * 2 > listedBefore;
	if (shrunk) {
		const since =
			typeof previous.shrinkingSince === 'string' &&
			!Number.isNaN(Date.parse(previous.shrinkingSince))
				? previous.shrinkingSince
				: now.toISOString();
		const listings =
			(typeof previous.shrinkingListings === 'number' && previous.shrinkingListings > 0
				? previous.shrinkingListings
				: 0) + 1;
		const keptDigests = new Set([...digests, ...missingDigests]);
		const confirmed =
			(listings >= SHRINK_CONFIRM_LISTINGS &&
				now.getTime() - Date.parse(since) >= SHRINK_CONFIRM_MS) ||
			keptDigests.size > LISTED_DIGESTS_LIMIT;
		if (!confirmed) {
			// Nothing is forgotten yet: the missing ids stay listed, the new ones join them.
			writeListed(state, toRanges([...numbers, ...missingNumbers]), keptDigests);
			const gone = before.gone.filter(
				(digest) => !returning.has(digest) && !keptDigests.has(digest),
			);
			if (gone.length) state.goneDigests = packDigests(gone);
			state.shrinkingSince = since;
			state.shrinkingListings = listings;
			return { emit: sorted(emit), state };
		}
	}

	writeListed(state, toRanges(numbers), digests);
	// Oldest first; an id that left again moves to the end; the oldest beyond the bound are dropped.
	const goneNow = [
		...before.gone,
		...missingNumbers.map((n) => idDigest(String(n))),
		...missingDigests,
	];
	const latest = new Map<string, number>();
	goneNow.forEach((digest, index) => latest.set(digest, index));
	const gone = goneNow.filter(
		(digest, index) => latest.get(digest) === index && !returning.has(digest),
	);
	if (gone.length) state.goneDigests = packDigests(gone.slice(-GONE_IDS_LIMIT));
	return { emit: sorted(emit), state };
}

function writeListed(state: TriggerState, ranges: number[][], digests: Set<string>): void {
	if (ranges.length) state.listedNumeric = encodeIdRuns(ranges);
	if (digests.size) state.listedDigests = packDigests([...digests].sort());
}

/** Oldest first, so a workflow sees them in the order they were created. */
function sorted(emit: IDataObject[]): IDataObject[] {
	return emit.sort((a, b) => compareIds(recordId(a) ?? '', recordId(b) ?? ''));
}

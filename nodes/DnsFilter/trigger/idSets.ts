import { createHash } from 'crypto';

/**
 * How the trigger stores sets of ids in the workflow's static data, which n8n writes back (as
 * JSON) after every listing: numeric ids as runs, every other id as a fixed-size digest. Neither
 * form can be read back as the id, so an id that happens to be a secret is not written out.
 */

/** Canonical decimal ids only ("7", not "007"), so a numeric id and its text form are one id. */
export function numericId(id: string): number | undefined {
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

export function inRanges(ranges: number[][], n: number): boolean {
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
			const token =
				(first - previous).toString(36) + (last > first ? `+${(last - first).toString(36)}` : '');
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

/**
 * Characters per stored digest: 48 bits of SHA-256 in base64url, with no separator. 48 bits keep
 * the chance that a new id is mistaken for one of 100,000 remembered ids under one in a billion;
 * a UUID costs 8 characters instead of 39.
 */
export const DIGEST_CHARS = 8;

const DIGEST_PATTERN = /^[A-Za-z0-9_-]{8}$/;

/** The stored form of one id. The prefix keeps the digests apart from any other use of SHA-256. */
export function idDigest(id: string): string {
	return createHash('sha256')
		.update(`dnsfilter-trigger-id:${id}`)
		.digest()
		.subarray(0, 6)
		.toString('base64url');
}

/** Digests as one string, in the order given. */
export function packDigests(digests: Iterable<string>): string {
	let text = '';
	for (const digest of digests) text += digest;
	return text;
}

/** The digests of a packed string, in order; a malformed tail (hand-edited static data) is ignored. */
export function unpackDigests(text: unknown): string[] {
	if (typeof text !== 'string') return [];
	const digests: string[] = [];
	for (let at = 0; at + DIGEST_CHARS <= text.length; at += DIGEST_CHARS) {
		const digest = text.slice(at, at + DIGEST_CHARS);
		if (DIGEST_PATTERN.test(digest)) digests.push(digest);
	}
	return digests;
}

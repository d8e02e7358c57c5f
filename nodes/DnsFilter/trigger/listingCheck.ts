import { isRecord } from '../utils/isRecord';

/**
 * Checks that a 2xx answer is a listing: a JSON array, or an object whose `data` is an array, of
 * JSON objects. Returns the records, or a sentence saying what came back instead.
 */
export function listingRecords(body: unknown): { records: unknown[] } | { problem: string } {
	const records = Array.isArray(body)
		? body
		: isRecord(body) && Array.isArray(body.data)
			? body.data
			: undefined;
	if (!records) return { problem: describeBody(body) };
	const bad = records.findIndex((record) => !isRecord(record));
	if (bad >= 0)
		return { problem: `record ${bad + 1} of the list is ${kindOf(records[bad])}, not an object` };
	return { records };
}

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Text a server chose, shortened for a message: runs of 20 or more token characters (a key, a
 * JWT, a session id) become `…`, whatever else the redactor later removes, because a server may
 * echo a secret the redactor does not know (another user's key, a network's secret key).
 */
export function elideTokens(text: string, max: number): string {
	const short = text
		.replace(/[A-Za-z0-9_\-.+/=%]{20,}/g, '…')
		.replace(/\s+/g, ' ')
		.trim();
	return short.length > max ? `${short.slice(0, max)}…` : short;
}

/** A short description of a body, never more than a few dozen characters of it (it may echo secrets). */
export function describeBody(body: unknown): string {
	if (body === undefined || body === null || body === '') return 'an empty body';
	if (typeof body === 'string') {
		const title = /<title[^>]{0,100}>([^<]{0,200})<\/title>/i.exec(body.slice(0, 4096));
		if (title) return `an HTML page titled "${elideTokens(title[1], 80)}"`;
		return `${body.length} characters of text that are not JSON, starting "${elideTokens(body.slice(0, 40), 40)}"`;
	}
	if (isRecord(body)) {
		if (!('data' in body)) {
			const keys = Object.keys(body);
			const shown = keys.slice(0, 5).map((key) => elideTokens(key, 30) || '""');
			return `an object without "data" (keys: ${shown.join(', ') || 'none'}${keys.length > 5 ? ', …' : ''})`;
		}
		return `an object whose "data" is ${kindOf(body.data)}, not an array`;
	}
	return kindOf(body);
}

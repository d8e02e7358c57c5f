import { isRecord } from '../utils/isRecord';

/** Key order does not change a record's or a page's identity: objects are written with sorted keys. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (isRecord(value)) {
		return `{${Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** What a page says about the list besides its records; each field only when the server sent it as a number. */
export interface PageSignals {
	/** Records in the whole list (`meta.total_count`, a traffic report's `page.total`). */
	totalRecords?: number;
	/** Pages in the whole list and this page's number (`meta.total_pages` / `meta.current_page`). */
	totalPages?: number;
	currentPage?: number;
	/** A traffic report's own page size and page number (`page.size` / `page.self`), which place its rows in the list. */
	reportedSize?: number;
	reportedPage?: number;
}

const count = (value: unknown, least: number): number | undefined =>
	typeof value === 'number' && Number.isSafeInteger(value) && value >= least ? value : undefined;

/** The signals of a V1 list's `meta` object. */
export function metaSignals(meta: unknown): PageSignals {
	if (!isRecord(meta)) return {};
	return { totalRecords: count(meta.total_count, 0), totalPages: count(meta.total_pages, 0), currentPage: count(meta.current_page, 1) };
}

/** The signals of a traffic report's `data.page` object. */
export function reportPageSignals(page: unknown): PageSignals {
	if (!isRecord(page)) return {};
	return { totalRecords: count(page.total, 0), reportedSize: count(page.size, 1), reportedPage: count(page.self, 1) };
}

/** A record's identity, its type and id, or undefined when it has no id to tell it by. */
export function identityOf(record: unknown): string | undefined {
	if (!isRecord(record)) return undefined;
	const { id } = record;
	if (typeof id !== 'string' && typeof id !== 'number') return undefined;
	return `${typeof record.type === 'string' ? record.type : ''}\u0000${String(id)}`;
}

/**
 * The records a walk has kept, by identity, so that a record sent again on an overlapping page
 * is dropped. Only the id is remembered per record; records are serialized only when two share
 * an id, and two that share an id but differ in content are both kept (they are distinct
 * records, or one changed while the list was read: dropping either could lose data).
 */
export class RecordIdentities {
	private readonly byKey = new Map<string, number | Set<string>>();

	/** Appends `record` to `records` unless an equal record with its type and id is already there; true when appended. */
	admit(record: unknown, records: unknown[]): boolean {
		const key = identityOf(record);
		if (key === undefined) {
			records.push(record);
			return true;
		}
		const known = this.byKey.get(key);
		if (known === undefined) {
			this.byKey.set(key, records.length);
			records.push(record);
			return true;
		}
		let texts: Set<string>;
		if (typeof known === 'number') {
			texts = new Set([canonicalJson(records[known])]);
			this.byKey.set(key, texts);
		} else {
			texts = known;
		}
		const text = canonicalJson(record);
		if (texts.has(text)) return false;
		texts.add(text);
		records.push(record);
		return true;
	}
}

/** True when every record has an id, so a page read twice can be told apart from new records. */
export function allIdentified(records: unknown[]): boolean {
	for (const record of records) if (identityOf(record) === undefined) return false;
	return true;
}

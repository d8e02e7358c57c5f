import { isRecord } from '../utils/isRecord';

/** Key order does not change a record's or a page's identity: objects are written with sorted keys. */
export function canonicalJson(value: unknown): string {
	// An explicit stack, not recursion: a record nested thousands of levels deep must not end the
	// walk with "Maximum call stack size exceeded".
	const parts: string[] = [];
	// Popped from the end: text to write as is, or a value to write.
	const work: Array<string | { value: unknown }> = [{ value }];
	while (work.length) {
		const next = work.pop() as string | { value: unknown };
		if (typeof next === 'string') {
			parts.push(next);
			continue;
		}
		const current = next.value;
		if (Array.isArray(current)) {
			work.push(']');
			for (let index = current.length - 1; index >= 0; index--)
				work.push({ value: current[index] }, ...(index ? [','] : []));
			work.push('[');
		} else if (isRecord(current)) {
			const keys = Object.keys(current).sort();
			work.push('}');
			for (let index = keys.length - 1; index >= 0; index--) {
				work.push(
					{ value: current[keys[index]] },
					`${JSON.stringify(keys[index])}:`,
					...(index ? [','] : []),
				);
			}
			work.push('{');
		} else {
			parts.push(JSON.stringify(current) ?? 'null');
		}
	}
	return parts.join('');
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
	return {
		totalRecords: count(meta.total_count, 0),
		totalPages: count(meta.total_pages, 0),
		currentPage: count(meta.current_page, 1),
	};
}

/** The signals of a traffic report's `data.page` object. */
export function reportPageSignals(page: unknown): PageSignals {
	if (!isRecord(page)) return {};
	return {
		totalRecords: count(page.total, 0),
		reportedSize: count(page.size, 1),
		reportedPage: count(page.self, 1),
	};
}

type RecordId = string | number;

/** A record's id, or undefined when it has none to tell it by. */
function idOf(record: unknown): RecordId | undefined {
	if (!isRecord(record)) return undefined;
	const { id } = record;
	return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** A record's type and id as one string, for the rare checks that compare whole pages by identity. */
export function identityKey(record: unknown): string | undefined {
	const id = idOf(record);
	if (id === undefined) return undefined;
	const type = (record as { type?: unknown }).type;
	return `${typeof type === 'string' ? type : ''}\u0000${typeof id}:${id}`;
}

/**
 * How many of the most recent records a walk remembers by identity. A record comes again when the
 * list shifts while it is read, on the next page or a few after it (a page size that shrank);
 * remembering every record of a Return All of 500,000 cost more memory than the records' wrappers.
 */
export const IDENTITY_WINDOW = 10_000;

/**
 * The records a walk has kept, by identity (type and id), so that a record sent again on an
 * overlapping page is dropped. Only the id is remembered per record, the record's own string
 * (nothing new is built per record), and only for the last IDENTITY_WINDOW records; records are
 * serialized only when two share a type and id, and two that share them but differ in content are
 * both kept (they are distinct records, or one changed while the list was read: dropping either
 * could lose data).
 */
export class RecordIdentities {
	private readonly byType = new Map<string, Map<RecordId, number | Set<string>>>();

	/** The remembered identities in the order they came, as a ring of IDENTITY_WINDOW slots. */
	private readonly order: Array<[Map<RecordId, number | Set<string>>, RecordId] | undefined> = [];

	private next = 0;

	constructor(private readonly window = IDENTITY_WINDOW) {}

	private remember(byId: Map<RecordId, number | Set<string>>, id: RecordId): void {
		const oldest = this.order[this.next];
		if (oldest) oldest[0].delete(oldest[1]);
		this.order[this.next] = [byId, id];
		this.next = (this.next + 1) % this.window;
	}

	/** Appends `record` to `records` unless an equal record with its type and id is already there; true when appended. */
	admit(record: unknown, records: unknown[]): boolean {
		const id = idOf(record);
		if (id === undefined) {
			records.push(record);
			return true;
		}
		const type = (record as { type?: unknown }).type;
		const typeKey = typeof type === 'string' ? type : '';
		let byId = this.byType.get(typeKey);
		if (!byId) {
			byId = new Map();
			this.byType.set(typeKey, byId);
		}
		const known = byId.get(id);
		if (known === undefined) {
			byId.set(id, records.length);
			this.remember(byId, id);
			records.push(record);
			return true;
		}
		let texts: Set<string>;
		if (typeof known === 'number') {
			texts = new Set([canonicalJson(records[known])]);
			byId.set(id, texts);
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
	for (const record of records) if (idOf(record) === undefined) return false;
	return true;
}

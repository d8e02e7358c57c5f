import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isRecord } from '../utils/isRecord';
import type { ApiRequest, ApiResponse, DnsFilterContext, RequestOptions } from './request';
import { DEFAULT_MAX_PAGES, dnsFilterApiRequest, unexpectedBodyError } from './request';

/**
 * `v1`: `{data: [...], links}` or a bare array, no totals; the end is a short page.
 * `trafficReport`: `{data: {values: [...], page: {next}}}`; the end is a missing `page.next`.
 */
export type PaginationStyle = 'v1' | 'trafficReport';

export interface PageOptions extends RequestOptions {
	style: PaginationStyle;
	returnAll: boolean;
	/** Records wanted when `returnAll` is false. */
	limit?: number;
	/** Records asked for per page; DNSFilter caps most lists at 100. */
	pageSize?: number;
	/** Called after each page, e.g. to report progress. */
	onPage?: (page: number, recordsSoFar: number) => void;
	/** Called with each page's body before it is read; throws to end the walk (the trigger refuses malformed listings). */
	checkPage?: (body: unknown, page: number) => void;
}

export interface PagedResult {
	records: unknown[];
	pages: number;
	/** The last page's body without its records, for callers that want the envelope (totals, ids). */
	envelope: IDataObject;
}

export const MAX_PAGE_SIZE = 100;

interface Page {
	records: unknown[];
	hasNext?: boolean;
	envelope: IDataObject;
}

/** The records of one page, or undefined when the body is not a list of the expected style. */
function pageOf(body: unknown, style: PaginationStyle): Page | undefined {
	if (Array.isArray(body)) return { records: body, envelope: {} };
	if (!isRecord(body)) return undefined;
	const { data, ...rest } = body;
	if (style === 'trafficReport' && isRecord(data)) {
		const { values, page, ...report } = data;
		if (!Array.isArray(values)) return undefined;
		const next = isRecord(page) ? page.next : undefined;
		return { records: values, hasNext: next !== undefined && next !== null, envelope: { ...rest, data: { ...report, page } } };
	}
	if (Array.isArray(data)) {
		const links = isRecord(rest.links) ? rest.links : undefined;
		const hasNext = links && 'next' in links ? Boolean(links.next) : undefined;
		return { records: data, hasNext, envelope: rest };
	}
	// The spec declares a few paged lists whose `data` is one object: one record, the last page.
	if (isRecord(data)) return { records: [data], hasNext: false, envelope: rest };
	return undefined;
}

/**
 * The records of any list answer (bare array, `data: [...]`, traffic-report `data.values`, or a
 * `data` object the spec declares as the whole list), or undefined when the body is none of these.
 */
export function listRecordsOf(body: unknown): unknown[] | undefined {
	if (Array.isArray(body)) return body;
	if (!isRecord(body)) return undefined;
	if (Array.isArray(body.data)) return body.data;
	if (isRecord(body.data)) return Array.isArray(body.data.values) ? body.data.values : [body.data];
	return undefined;
}

/** The error for a 2xx that is valid JSON but not the list the operation reads. */
export function notAListError(context: DnsFilterContext, request: ApiRequest, response: ApiResponse, itemIndex: number): NodeOperationError {
	return unexpectedBodyError(
		context.getNode(),
		{ method: request.method, path: request.path, ...response },
		'a JSON list (an array, or "data" holding one)',
		itemIndex,
	);
}

/**
 * Key order does not change a page's identity: objects are written with sorted keys. Written
 * with an explicit stack, not recursion: a record nested thousands of levels deep must not end
 * the walk with "Maximum call stack size exceeded".
 */
function canonicalJson(value: unknown): string {
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
			for (let index = current.length - 1; index >= 0; index--) work.push({ value: current[index] }, ...(index ? [','] : []));
			work.push('[');
		} else if (isRecord(current)) {
			const keys = Object.keys(current).sort();
			work.push('}');
			for (let index = keys.length - 1; index >= 0; index--) {
				work.push({ value: current[keys[index]] }, `${JSON.stringify(keys[index])}:`, ...(index ? [','] : []));
			}
			work.push('{');
		} else {
			parts.push(JSON.stringify(current) ?? 'null');
		}
	}
	return parts.join('');
}

function pageHash(records: unknown[]): string {
	return createHash('sha256').update(canonicalJson(records)).digest('hex');
}

interface SeenPage {
	pageNumber: number;
	records: unknown[];
	/** The whole page's hash, worked out only when another page's outline matches this one's. */
	hash?: string;
}

/**
 * Pages seen in one walk, to find a page whose records repeat an earlier page's (in any key
 * order). Hashing every page whole cost a tenth of a Return All's time; a page is first compared
 * by its outline (length, first and last record), which any repeat shares, and hashed whole only
 * when the outline matches an earlier page's, so distinct pages that share an outline still count
 * as distinct.
 */
class SeenPages {
	private readonly byOutline = new Map<string, SeenPage[]>();

	/** The earlier page number whose records equal `records`, or undefined (and `records` is remembered as `pageNumber`). */
	repeatOf(records: unknown[], pageNumber: number): number | undefined {
		const outline = `${records.length}:${canonicalJson(records[0])}:${canonicalJson(records[records.length - 1])}`;
		const candidates = this.byOutline.get(outline);
		if (candidates) {
			const hash = pageHash(records);
			for (const earlier of candidates) {
				earlier.hash ??= pageHash(earlier.records);
				if (earlier.hash === hash) return earlier.pageNumber;
			}
			candidates.push({ pageNumber, records, hash });
		} else {
			this.byOutline.set(outline, [{ pageNumber, records }]);
		}
		return undefined;
	}
}

/**
 * Walks `page[number]`/`page[size]` until the list ends or `limit` records are in hand.
 * Bounded against servers that never end a list: a page whose records were already seen in this
 * walk (any earlier page, compared by a hash of the whole page) and more than "Max Pages" pages
 * both stop the walk with an error that says how far it got. Distinct records are never dropped.
 */
export async function dnsFilterApiRequestPaged(
	this: DnsFilterContext,
	request: ApiRequest,
	options: PageOptions,
): Promise<PagedResult> {
	const itemIndex = options.itemIndex ?? 0;
	const wanted = options.returnAll ? Infinity : Math.max(0, Math.floor(options.limit ?? 50));
	const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE, wanted === Infinity ? MAX_PAGE_SIZE : Math.max(1, wanted));
	const maxPages = Math.max(1, Math.floor(options.maxPages ?? DEFAULT_MAX_PAGES));
	const records: unknown[] = [];
	let envelope: IDataObject = {};
	let pages = 0;
	const seenPages = new SeenPages();
	if (wanted === 0) return { records, pages, envelope };

	const stopped = (message: string, description: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex, description });
	const progress = () =>
		`${pages.toLocaleString('en-US')} ${pages === 1 ? 'page' : 'pages'} (${records.length.toLocaleString('en-US')} records)`;

	for (let pageNumber = 1; ; pageNumber++) {
		if (pageNumber > maxPages) {
			throw stopped(
				`DNSFilter's list at ${request.path} did not end after ${progress()}: stopped at the "Max Pages" limit of ${maxPages.toLocaleString('en-US')}`,
				'Nothing was returned, so a partial list is not mistaken for a complete one. If the list really is this long, raise "Max Pages" under Request Options; otherwise narrow it with filters, or use a Limit.',
			);
		}
		const pageRequest = { ...request, qs: { ...request.qs, 'page[number]': pageNumber, 'page[size]': pageSize } };
		const response = await dnsFilterApiRequest.call(this, pageRequest, options);
		const page = pageOf(response.body, options.style);
		if (!page) throw notAListError(this, pageRequest, response, itemIndex);
		if (page.records.length) {
			const earlier = seenPages.repeatOf(page.records, pageNumber);
			if (earlier !== undefined) {
				// With a Limit the walk is bounded anyway: keep the distinct records read so far.
				if (!options.returnAll) {
					this.logger.warn(`DNSFilter ${request.path}: page ${pageNumber} repeats page ${earlier}; stopped with ${records.length} records`);
					break;
				}
				throw stopped(
					`DNSFilter sent page ${pageNumber} of ${request.path} with the same records as page ${earlier}: the list does not advance`,
					`Read ${progress()} before the repeat. The server (or a proxy) ignores the page parameters; nothing was returned, so a partial or repeated list is not mistaken for a complete one.`,
				);
			}
		}
		pages++;
		options.checkPage?.(response.body, pageNumber);
		envelope = page.envelope;
		// A loop, not push(...page): a server that ignores page[size] can send more records than
		// one call takes as arguments.
		const take = Math.min(page.records.length, wanted - records.length);
		for (let index = 0; index < take; index++) records.push(page.records[index]);
		options.onPage?.(pageNumber, records.length);
		if (records.length >= wanted) break;
		if (page.hasNext === false) break;
		if (page.hasNext === undefined && page.records.length < pageSize) break;
		if (page.records.length === 0) break;
	}
	return { records, pages, envelope };
}

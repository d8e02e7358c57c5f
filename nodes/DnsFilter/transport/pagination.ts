import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isRecord } from '../utils/isRecord';
import type { PageSignals } from './pageIntegrity';
import {
	allIdentified,
	canonicalJson,
	identityKey,
	metaSignals,
	RecordIdentities,
	reportPageSignals,
} from './pageIntegrity';
import type { ApiRequest, ApiResponse, DnsFilterContext, RequestOptions } from './request';
import { unexpectedBodyError } from './errors';
import { DEFAULT_MAX_PAGES, dnsFilterApiRequest } from './request';

/**
 * `v1`: `{data: [...], links, meta}` or a bare array; the end is `links.next` when sent, else a short page.
 * `trafficReport`: `{data: {values: [...], page: {next, size, self, total}}}`; the end is a missing `page.next`.
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
	/**
	 * Turns each record into what the caller keeps, as its page comes in: the record as read is
	 * then garbage while it is young, instead of being held to the end of a walk of 500,000. It
	 * must keep `type` and `id`, by which repeated records are told apart.
	 */
	mapRecord?: (record: unknown) => unknown;
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
	signals: PageSignals;
	envelope: IDataObject;
}

/** The records of one page, or undefined when the body is not a list of the expected style. */
function pageOf(body: unknown, style: PaginationStyle): Page | undefined {
	if (Array.isArray(body)) return { records: body, signals: {}, envelope: {} };
	if (!isRecord(body)) return undefined;
	const { data, ...rest } = body;
	if (style === 'trafficReport' && isRecord(data)) {
		const { values, page, ...report } = data;
		if (!Array.isArray(values)) return undefined;
		const next = isRecord(page) ? page.next : undefined;
		return {
			records: values,
			hasNext: next !== undefined && next !== null,
			signals: reportPageSignals(page),
			envelope: { ...rest, data: { ...report, page } },
		};
	}
	if (Array.isArray(data)) {
		const links = isRecord(rest.links) ? rest.links : undefined;
		const hasNext = links && 'next' in links ? Boolean(links.next) : undefined;
		return { records: data, hasNext, signals: metaSignals(rest.meta), envelope: rest };
	}
	// The spec declares a few paged lists whose `data` is one object: one record, the last page.
	if (isRecord(data)) return { records: [data], hasNext: false, signals: {}, envelope: rest };
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
export function notAListError(
	context: DnsFilterContext,
	request: ApiRequest,
	response: ApiResponse,
	itemIndex: number,
): NodeOperationError {
	return unexpectedBodyError(
		context.getNode(),
		{ method: request.method, path: request.path, ...response },
		'a JSON list (an array, or "data" holding one)',
		itemIndex,
	);
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

const formatCount = (value: number) => value.toLocaleString('en-US');

/**
 * Walks `page[number]`/`page[size]` until the list ends or `limit` records are in hand.
 *
 * A short page ends the list only when nothing says otherwise: `links.next` or a traffic
 * report's `page.next`, when sent, decide; a `meta.total_count` / `page.total` above the records
 * read so far, or a `meta.current_page` below `meta.total_pages`, keeps the walk going; and a
 * short page that repeats records already read means the server shrank its page size (its pages
 * start earlier than the records read), so the walk goes on from the page that starts at or before
 * the first record it lacks. A page larger than the earlier ones starts past records never read;
 * it is set aside and the walk steps back to the first page of the new size that covers them.
 * Records sent twice (same type, id and content) are kept once; traffic-report rows, which have
 * no ids, are placed by the report's own `page.size` and `page.self`. A list that ends with
 * fewer records than its reported total, or that cannot be walked safely, fails with an error
 * rather than coming back short.
 *
 * Bounded against servers that never end a list: a page whose records were already seen in this
 * walk (any earlier page, compared by a hash of the whole page), two pages in a row that bring
 * nothing new, and more than "Max Pages" pages all stop the walk with an error that says how far
 * it got. Distinct records are never dropped.
 */
export async function dnsFilterApiRequestPaged(
	this: DnsFilterContext,
	request: ApiRequest,
	options: PageOptions,
): Promise<PagedResult> {
	const itemIndex = options.itemIndex ?? 0;
	const wanted = options.returnAll ? Infinity : Math.max(0, Math.floor(options.limit ?? 50));
	const pageSize = Math.min(
		options.pageSize ?? MAX_PAGE_SIZE,
		MAX_PAGE_SIZE,
		wanted === Infinity ? MAX_PAGE_SIZE : Math.max(1, wanted),
	);
	const maxPages = Math.max(1, Math.floor(options.maxPages ?? DEFAULT_MAX_PAGES));
	const records: unknown[] = [];
	let envelope: IDataObject = {};
	let pages = 0;
	const seenPages = new SeenPages();
	const identities = new RecordIdentities();
	if (wanted === 0) return { records, pages, envelope };

	const stopped = (message: string, description: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex, description });
	const progress = () =>
		`${formatCount(pages)} ${pages === 1 ? 'page' : 'pages'} (${formatCount(records.length)} records)`;
	const nothingReturned =
		'Nothing was returned, so a partial or repeated list is not mistaken for a complete one.';

	/** The page size the server is taken to use: what was asked for, until its pages say otherwise. */
	let serverSize = pageSize;
	/** The previous page brought no record not already read. */
	let stalled = false;
	let repeatedRecords = 0;
	let signals: PageSignals = {};
	let pageNumber = 1;
	/** One page of the list at the size asked for, or the error for an answer that is not a list. */
	const fetchPage = async (number: number) => {
		const pageRequest = {
			...request,
			qs: { ...request.qs, 'page[number]': number, 'page[size]': pageSize },
		};
		const response = await dnsFilterApiRequest.call(this, pageRequest, options);
		const page = pageOf(response.body, options.style);
		if (!page) throw notAListError(this, pageRequest, response, itemIndex);
		return { page, response };
	};
	const noteSizeChange = (from: number, to: number) => {
		this.logger.warn(
			`DNSFilter ${request.path}: page ${pageNumber} holds ${to} records where earlier pages held ${from}; the walk goes on from the records read`,
		);
	};

	for (;;) {
		if (pages >= maxPages) {
			throw stopped(
				`DNSFilter's list at ${request.path} did not end after ${progress()}: stopped at the "Max Pages" limit of ${formatCount(maxPages)}`,
				'Nothing was returned, so a partial list is not mistaken for a complete one. If the list really is this long, raise "Max Pages" under Request Options; otherwise narrow it with filters, or use a Limit.',
			);
		}
		const { page, response } = await fetchPage(pageNumber);
		signals = page.signals;
		const count = page.records.length;

		// Where this page starts in the list: a traffic report says so; a V1 page is taken to start at
		// (number - 1) x its own length, which only matters when it is longer than the pages before it.
		const placed = signals.reportedSize !== undefined && signals.reportedPage !== undefined;
		const start = placed
			? (signals.reportedPage! - 1) * signals.reportedSize!
			: pageNumber > 1 && count > serverSize
				? (pageNumber - 1) * count
				: undefined;
		if (start !== undefined && start > records.length && count > 0) {
			const size = placed ? signals.reportedSize! : count;
			if (!placed && !allIdentified(page.records)) {
				throw stopped(
					`DNSFilter's page size changed while reading ${request.path}: page ${pageNumber} held ${formatCount(count)} records where earlier pages held ${formatCount(serverSize)}, so records between them were never sent`,
					`Read ${progress()}. These records have no ids, so pages of the new size cannot be read again without repeating records. ${nothingReturned} Run it again, or use a Limit.`,
				);
			}
			if (stalled) throw noProgress(pageNumber);
			pages++;
			stalled = true;
			noteSizeChange(serverSize, size);
			serverSize = size;
			// Set aside unread: it is read again, in its place, once the records before it are in.
			pageNumber = Math.floor(records.length / size) + 1;
			continue;
		}

		if (count) {
			const earlier = seenPages.repeatOf(page.records, pageNumber);
			if (earlier !== undefined) {
				// With a Limit the walk is bounded anyway: keep the distinct records read so far.
				if (!options.returnAll) {
					this.logger.warn(
						`DNSFilter ${request.path}: page ${pageNumber} repeats page ${earlier}; stopped with ${records.length} records`,
					);
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

		// Rows a traffic report places before the end of those already read are read already.
		const skip = placed && start! < records.length ? Math.min(count, records.length - start!) : 0;
		let fresh = 0;
		for (let index = skip; index < count && records.length < wanted; index++) {
			const record = options.mapRecord
				? options.mapRecord(page.records[index])
				: page.records[index];
			if (identities.admit(record, records)) fresh++;
			else repeatedRecords++;
		}
		options.onPage?.(pageNumber, records.length);
		if (records.length >= wanted) break;
		if (count === 0) break;

		const overlapped = skip > 0 || fresh + skip < count;
		const short = count < serverSize;
		// A short V1 page of records already read is the server stepping back to a smaller page size
		// (each such page shrinks the size taken, so they cannot go on for long). Any other page of
		// records already read is a list that does not advance, but for a traffic report's first one,
		// which its page.size and page.self may explain.
		if (fresh === 0) {
			const shrinking = short && !placed;
			if (!shrinking && (stalled || !placed)) {
				if (!options.returnAll) {
					this.logger.warn(
						`DNSFilter ${request.path}: page ${pageNumber} holds only records already read; stopped with ${records.length} records`,
					);
					break;
				}
				throw noProgress(pageNumber);
			}
			stalled = true;
		} else {
			stalled = false;
		}

		let ended: boolean;
		if (page.hasNext !== undefined) ended = !page.hasNext;
		else if (signals.totalRecords !== undefined && records.length < signals.totalRecords)
			ended = false;
		else if (
			signals.totalPages !== undefined &&
			signals.currentPage !== undefined &&
			signals.currentPage < signals.totalPages
		)
			ended = false;
		else ended = short && !overlapped;
		// A short page that is an even fraction of the pages before it (50 after pages of 100) may be
		// a server that shrank its pages without going back: it looks like the last page but leaves
		// records unread. One more page tells: empty (or only records read already) is the end.
		if (
			ended &&
			!placed &&
			pages > 1 &&
			count > 1 &&
			serverSize % count === 0 &&
			page.hasNext === undefined
		) {
			const probeNumber = pageNumber + 1;
			const { page: probe } = await fetchPage(probeNumber);
			pages++;
			if (probe.records.length && !onlyRecordsRead(probe.records, records)) {
				throw stopped(
					`DNSFilter's page size changed while reading ${request.path}: page ${pageNumber} held ${formatCount(count)} records where earlier pages held ${formatCount(serverSize)}, and page ${probeNumber} has more`,
					`Read ${progress()}. The server's pages got smaller without starting again where the smaller size begins, so records between them were never sent. ${nothingReturned} Run it again, or use a Limit.`,
				);
			}
		}
		if (ended) break;

		let next = pageNumber + 1;
		if (placed) {
			if (signals.reportedSize !== serverSize && pages > 1)
				noteSizeChange(serverSize, signals.reportedSize!);
			serverSize = signals.reportedSize!;
			next = Math.floor(records.length / serverSize) + 1;
		} else if (short && overlapped) {
			// The page started before the records already read: the server's pages got smaller.
			noteSizeChange(serverSize, count);
			serverSize = count;
			next = Math.max(next, Math.floor(records.length / serverSize) + 1);
		} else if (count > serverSize) {
			serverSize = count;
		}
		pageNumber = next;
	}

	if (
		signals.totalRecords !== undefined &&
		records.length < Math.min(wanted, signals.totalRecords)
	) {
		throw stopped(
			`DNSFilter's list at ${request.path} ended after ${progress()}, but the server reported ${formatCount(signals.totalRecords)} records`,
			`${nothingReturned} Records may have been deleted while the list was read: run it again. If it keeps happening, the server's pages skip records.`,
		);
	}
	if (repeatedRecords) {
		this.logger.warn(
			`DNSFilter ${request.path}: ${repeatedRecords} records were sent again on overlapping pages and are returned once`,
		);
	}
	if (
		signals.totalRecords !== undefined &&
		records.length > signals.totalRecords &&
		options.returnAll
	) {
		this.logger.warn(
			`DNSFilter ${request.path}: read ${records.length} records where the server reported ${signals.totalRecords}`,
		);
	}
	return { records, pages, envelope };

	/** Whether every one of `candidates` is already among `read` (by type and id; a record without an id never is). */
	function onlyRecordsRead(this: void, candidates: unknown[], read: unknown[]): boolean {
		if (!allIdentified(candidates)) return false;
		const known = new Set(read.map(identityKey));
		return candidates.every((record) => known.has(identityKey(record)));
	}

	function noProgress(this: void, number: number): NodeOperationError {
		return stopped(
			`DNSFilter sent page ${number} of ${request.path} with only records already read on earlier pages: the list does not advance`,
			`Read ${progress()}. The server's pages overlap or repeat; ${nothingReturned.charAt(0).toLowerCase()}${nothingReturned.slice(1)}`,
		);
	}
}

import type { IDataObject } from 'n8n-workflow';

import type { ApiRequest, DnsFilterContext, RequestOptions } from './request';
import { dnsFilterApiRequest } from './request';

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

function recordsOf(body: unknown, style: PaginationStyle): { records: unknown[]; hasNext?: boolean; envelope: IDataObject } {
	if (Array.isArray(body)) return { records: body, envelope: {} };
	if (body === null || typeof body !== 'object') return { records: [], envelope: {} };
	const { data, ...rest } = body as IDataObject;
	if (style === 'trafficReport' && data && typeof data === 'object' && !Array.isArray(data)) {
		const { values, page, ...report } = data as IDataObject;
		const next = (page as IDataObject | undefined)?.next;
		return {
			records: Array.isArray(values) ? values : [],
			hasNext: next !== undefined && next !== null,
			envelope: { ...rest, data: { ...report, page } },
		};
	}
	if (Array.isArray(data)) {
		const links = rest.links as IDataObject | undefined;
		const hasNext = links && 'next' in links ? Boolean(links.next) : undefined;
		return { records: data, hasNext, envelope: rest };
	}
	return { records: data === undefined ? [] : [data], hasNext: false, envelope: rest };
}

function identityOf(record: unknown): string {
	return JSON.stringify(record)?.slice(0, 200) ?? '';
}

/** Walks `page[number]`/`page[size]` until the list ends or `limit` records are in hand. */
export async function dnsFilterApiRequestPaged(
	this: DnsFilterContext,
	request: ApiRequest,
	options: PageOptions,
): Promise<PagedResult> {
	const wanted = options.returnAll ? Infinity : Math.max(0, Math.floor(options.limit ?? 50));
	const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE, wanted === Infinity ? MAX_PAGE_SIZE : Math.max(1, wanted));
	const records: unknown[] = [];
	let envelope: IDataObject = {};
	let pages = 0;
	let previousFirst: string | undefined;
	if (wanted === 0) return { records, pages, envelope };

	for (let pageNumber = 1; ; pageNumber++) {
		const response = await dnsFilterApiRequest.call(
			this,
			{ ...request, qs: { ...request.qs, 'page[number]': pageNumber, 'page[size]': pageSize } },
			options,
		);
		pages++;
		options.checkPage?.(response.body, pageNumber);
		const page = recordsOf(response.body, options.style);
		envelope = page.envelope;
		// A server that ignores page[number] sends page 1 again; stop rather than loop forever.
		const first = page.records.length ? identityOf(page.records[0]) : undefined;
		if (pageNumber > 1 && first !== undefined && first === previousFirst) break;
		previousFirst = first;
		records.push(...page.records.slice(0, wanted - records.length));
		options.onPage?.(pageNumber, records.length);
		if (records.length >= wanted) break;
		if (page.hasNext === false) break;
		if (page.hasNext === undefined && page.records.length < pageSize) break;
		if (page.records.length === 0) break;
	}
	return { records, pages, envelope };
}

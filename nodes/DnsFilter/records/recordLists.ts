import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';

import { LIST_SEARCHES } from '../generated/listSearch';
import type { ListSearchSpec } from '../generated/listSearch';
import { dnsFilterApiRequest, listRecordsOf } from '../transport';
import type { ApiRequest } from '../transport';
import { isRecord } from '../utils/isRecord';

/** Records per page the picker asks for: a screenful, so the first page comes back quickly. */
export const PICKER_PAGE_SIZE = 50;
/**
 * Pages one search reads when the list has no search parameter of its own and the records are
 * filtered here: bounded, so a search that matches nothing in a long list ends, and the next
 * scroll carries on from where it stopped.
 */
export const CLIENT_FILTER_MAX_PAGES = 5;

/** Attributes a record's name is read from, in order; the first one set names it. */
const NAME_KEYS = [
	'name',
	'friendly_name',
	'hostname',
	'email',
	'title',
	'domain',
	'ip',
	'address',
	'mac_address',
	'description',
];

type Listed = { id: string; name: string };

/** `{ id, attributes: { name } }` (JSON:API) or `{ id, name }`: the id (or uuid) and a name to show. */
function listedOf(record: unknown, spec: ListSearchSpec): Listed | undefined {
	if (!isRecord(record)) return undefined;
	const uuid =
		spec.valueKey === 'uuid'
			? (record.uuid ?? (isRecord(record.attributes) ? record.attributes.uuid : undefined))
			: undefined;
	const id = typeof uuid === 'string' && uuid !== '' ? uuid : record.id;
	if (typeof id !== 'string' && typeof id !== 'number') return undefined;
	const attributes = isRecord(record.attributes) ? record.attributes : {};
	for (const key of NAME_KEYS) {
		const value = attributes[key] ?? record[key];
		if (typeof value === 'string' && value.trim() !== '')
			return { id: String(id), name: value.trim() };
	}
	const first = attributes.first_name ?? record.first_name;
	const last = attributes.last_name ?? record.last_name;
	if (typeof first === 'string' || typeof last === 'string')
		return {
			id: String(id),
			name: [first, last].filter((part) => typeof part === 'string' && part).join(' '),
		};
	return { id: String(id), name: `#${id}` };
}

function item({ id, name }: Listed): INodeListSearchItems {
	return { name: name === `#${id}` ? name : `${name} (${id})`, value: id };
}

function matches(listed: Listed, filter: string): boolean {
	const needle = filter.toLowerCase();
	return listed.name.toLowerCase().includes(needle) || listed.id.toLowerCase() === needle;
}

interface Page {
	records: Listed[];
	hasNext: boolean;
}

/** One page of the list through the node's transport (throttle, pacing, 429 waits, redaction). */
async function readPage(
	context: ILoadOptionsFunctions,
	spec: ListSearchSpec,
	page: number,
	qs: IDataObject,
): Promise<Page> {
	const request: ApiRequest = { method: 'GET', path: spec.path, qs: { ...qs } };
	if (spec.paged)
		Object.assign(request.qs as IDataObject, {
			'page[number]': page,
			'page[size]': PICKER_PAGE_SIZE,
		});
	const response = await dnsFilterApiRequest.call(context, request);
	const records = (listRecordsOf(response.body) ?? [])
		.map((record) => listedOf(record, spec))
		.filter((entry): entry is Listed => entry !== undefined);
	if (!spec.paged) return { records, hasNext: false };
	const links =
		isRecord(response.body) && isRecord(response.body.links) ? response.body.links : undefined;
	const hasNext =
		links && 'next' in links ? Boolean(links.next) : records.length >= PICKER_PAGE_SIZE;
	return { records, hasNext };
}

function pageNumber(token: string | undefined): number {
	const page = Number(token);
	return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}

/**
 * The picker's search over one list operation. The API searches where the list has a search
 * parameter; elsewhere pages are read and filtered here, at most CLIENT_FILTER_MAX_PAGES per
 * call. The pagination token is the next page number.
 */
export async function searchList(
	context: ILoadOptionsFunctions,
	spec: ListSearchSpec,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const text = (filter ?? '').trim();
	let page = pageNumber(paginationToken);
	if (!text || spec.searchParam) {
		const qs: IDataObject = text && spec.searchParam ? { [spec.searchParam]: text } : {};
		const result = await readPage(context, spec, page, qs);
		// An unpaged list comes whole: it is filtered here.
		const records = spec.paged
			? result.records
			: result.records.filter((entry) => !text || matches(entry, text));
		return {
			results: records.map(item),
			paginationToken: result.hasNext ? String(page + 1) : undefined,
		};
	}
	const found: Listed[] = [];
	for (let read = 0; read < CLIENT_FILTER_MAX_PAGES; read++) {
		const result = await readPage(context, spec, page, {});
		found.push(...result.records.filter((entry) => matches(entry, text)));
		if (!result.hasNext) return { results: found.map(item) };
		page++;
		if (found.length >= PICKER_PAGE_SIZE) break;
	}
	return { results: found.map(item), paginationToken: String(page) };
}

type SearchMethod = (
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
) => Promise<INodeListSearchResult>;

/** `methods.listSearch`: one search per list operation a record picker reads (generated/listSearch.ts). */
export const listSearch: Record<string, SearchMethod> = Object.fromEntries(
	Object.entries(LIST_SEARCHES).map(([name, spec]) => [
		name,
		async function (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
			return await searchList(this, spec, filter, paginationToken);
		},
	]),
);

/** Records a multi-select list offers at most: 20 pages of 50, beyond which an ID is typed. */
export const OPTIONS_MAX_PAGES = 20;

/**
 * Every record of one list as options for a multi-select (`loadOptions`), read through the same
 * transport, at most OPTIONS_MAX_PAGES pages; sorted by name, as n8n's lists are.
 */
export async function listOptions(
	context: ILoadOptionsFunctions,
	spec: ListSearchSpec,
): Promise<INodePropertyOptions[]> {
	const listed: Listed[] = [];
	for (let page = 1; page <= OPTIONS_MAX_PAGES; page++) {
		const result = await readPage(context, spec, page, {});
		listed.push(...result.records);
		if (!result.hasNext) break;
	}
	return listed
		.map(item)
		.map(({ name, value }) => ({ name, value: String(value) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** `methods.loadOptions` for the lists named here (the trigger's Threat Blocked filters). */
export function optionLoaders(
	names: Record<string, string>,
): Record<string, (this: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>> {
	return Object.fromEntries(
		Object.entries(names).map(([method, search]) => [
			method,
			async function (this: ILoadOptionsFunctions) {
				return await listOptions(this, LIST_SEARCHES[search]);
			},
		]),
	);
}

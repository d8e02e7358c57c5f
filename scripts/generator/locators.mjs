// Record pickers: which ID parameter is picked from which list operation. The document says it by
// structure: a path parameter is read from the path before it (`/v1/networks/{id}` → GET
// /v1/networks), a `network_id` from the collection its name spells (`networks`). What structure
// cannot tell is in overrides.locators. Every ID field gets a decision, with its reason, for the
// report (docs/locators.md).
import { literal } from './literal.mjs';
import { OVERRIDES } from './overrides.mjs';
import { pluralWord, words } from './naming.mjs';

/** Query parameters of a list operation that search records by name, in order of preference. */
const SEARCH_PARAMS = ['search', 'name_search', 'name'];

/** Whether a field holds one record's ID (the field naming says so: `hints.idOf`). */
export function isIdField(field) {
	return Boolean(field.hints.idOf) && ['number', 'string', 'idOrSelf'].includes(field.type);
}

/** GET operations without path parameters that answer with a list, by path. */
function listOperations(operations) {
	const byPath = new Map();
	for (const op of operations) {
		if (op.method !== 'GET' || op.path.includes('{') || op.row.output !== 'list') continue;
		byPath.set(op.path, op);
	}
	return byPath;
}

/** The list paths a field's ID may come from, most specific first. */
function candidatePaths(field, op) {
	const paths = [];
	if (field.in === 'path') {
		const index = op.path.indexOf(`{${field.wireName}}`);
		const prefix = op.path.slice(0, index).replace(/\/$/, '');
		if (prefix && !prefix.includes('{')) paths.push(prefix);
		if (field.hints.segment) paths.push(`/v1/${field.hints.segment}`, `/v2/${field.hints.segment}`);
	}
	const name = field.wireName.toLowerCase();
	if (name !== 'id') {
		const parts = words(name).slice(0, -1);
		if (parts.length) {
			const collection = [...parts.slice(0, -1), pluralWord(parts.at(-1))].join('_').toLowerCase();
			paths.push(`/v1/${collection}`, `/v2/${collection}`);
		}
	}
	return paths;
}

/** `getManyNetworks` → `searchNetworks`: the listSearch method named after its list operation. */
export function methodName(listOp) {
	return `search${listOp.value.replace(/^get(Many|All)?/, '')}`;
}

/** What By ID accepts: digits for numeric IDs, else one path segment's worth (as buildRequest checks it). */
function pattern(field, numeric) {
	if (field.type === 'idOrSelf')
		return { regex: '^([0-9]+|self)$', sample: '12', message: 'digits or self' };
	if (field.type === 'number' || numeric)
		return { regex: '^[0-9]+$', sample: '12', message: 'digits only' };
	if (field.hints.format === 'uuid')
		return {
			regex: '^[0-9a-fA-F-]{36}$',
			sample: '3f2b8c1e-0a6d-4e7f-9b21-5c4d3e2f1a0b',
			message: 'a UUID',
		};
	return { regex: '^[^\\s/\\\\?#%]+$', sample: 'abc123', message: 'no spaces, /, \\, ?, # or %' };
}

/**
 * Decides every ID field of every operation: sets `field.locator` ({ method, listOperationId,
 * regex, sample }) where it becomes a record picker, and returns the report rows and the search
 * table (method name → list operation and how it searches).
 */
export function assignLocators(operations) {
	const lists = listOperations(operations);
	const rows = [];
	const searches = new Map();
	const picked = [];
	for (const op of operations) {
		for (const field of op.fields) {
			if (!isIdField(field)) continue;
			const row = {
				operation: op.key,
				label: field.displayName,
				field: field.field,
				in: field.in,
				wireName: field.wireName,
			};
			rows.push(row);
			const override =
				OVERRIDES.locators[`${field.in} ${field.wireName}`] ??
				OVERRIDES.locators[`${op.key} ${field.in} ${field.wireName}`];
			if (override?.skip) {
				row.reason = override.skip;
				continue;
			}
			const listPath =
				override?.list ?? candidatePaths(field, op).find((candidate) => lists.has(candidate));
			const listOp = listPath ? lists.get(listPath) : undefined;
			if (!listOp) {
				row.reason =
					field.in === 'path' && /\{/.test(op.path.slice(0, op.path.indexOf(`{${field.wireName}}`)))
						? 'its records are listed only under a parent record (the list needs another ID first)'
						: 'the document has no list operation for these records';
				continue;
			}
			if (field.collection) {
				// n8n shows collection entries one by one; a picker there costs description weight for
				// every operation sharing the collection, so optional IDs stay text fields for now.
				row.reason = `optional (in ${field.collection === 'options' ? 'Options' : 'Additional Fields'}): kept a text field`;
				row.list = listOp.path;
				continue;
			}
			const method = methodName(listOp);
			const searchParam = SEARCH_PARAMS.find((name) =>
				listOp.fields.some(
					(entry) => entry.in === 'query' && entry.wireName === name && entry.type === 'string',
				),
			);
			if (!searches.has(method)) {
				const spec = {
					operationId: listOp.operationId,
					path: listOp.path,
					paged: listOp.row.pagination === 'v1',
				};
				if (searchParam) spec.searchParam = searchParam;
				searches.set(method, spec);
			}
			field.locator = { method, listOperationId: listOp.operationId };
			picked.push(field);
			row.list = listOp.path;
			row.method = method;
		}
	}
	// One record has one kind of ID, however each operation declares it: where any operation
	// picking from a list declares it an integer, By ID checks digits for all of them.
	const numeric = new Set(
		picked.filter((field) => field.type === 'number').map((field) => field.locator.method),
	);
	for (const field of picked)
		Object.assign(field.locator, pattern(field, numeric.has(field.locator.method)));
	// Records carry `id` (integer or UUID) and, where they have one, `uuid` (the document's IdType):
	// a list whose every picker takes a UUID hands over the record's uuid.
	for (const [method, spec] of searches) {
		const fields = picked.filter((field) => field.locator.method === method);
		if (fields.every((field) => field.hints.format === 'uuid')) spec.valueKey = 'uuid';
	}
	return { rows, searches: new Map([...searches].sort((a, b) => a[0].localeCompare(b[0]))) };
}

export function emitListSearchTable(header, searches) {
	const table = literal(Object.fromEntries(searches), 0, 160);
	return `${header}
/** One list operation a record picker searches: paged with page[number]/page[size] or not, and the API's own search parameter if it has one. */
export interface ListSearchSpec {
	operationId: string;
	path: string;
	paged: boolean;
	searchParam?: string;
	/** \`uuid\`: the record's uuid is the value picked (the pickers take UUIDs); else its id. */
	valueKey?: 'uuid';
}

/** listSearch method name → the list operation it reads. */
export const LIST_SEARCHES: Record<string, ListSearchSpec> = ${table};
`;
}

export function emitLocatorReport(rows) {
	const withPicker = rows.filter((row) => row.method);
	const without = rows.filter((row) => !row.method);
	const reasons = new Map();
	for (const row of without) reasons.set(row.reason, (reasons.get(row.reason) ?? 0) + 1);
	const cell = (text) => String(text ?? '').replace(/\|/g, '\\|');
	const lines = [
		'<!-- GENERATED by scripts/generate.mjs (scripts/generator/locators.mjs) — do not edit. -->',
		'# Record pickers',
		'',
		`${rows.length} ID parameters across the operations; ${withPicker.length} are record pickers (From List / By ID), ${without.length} stay text fields.`,
		'',
		'| Why not a picker | Parameters |',
		'| --- | --- |',
		...[...reasons]
			.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
			.map(([reason, count]) => `| ${cell(reason)} | ${count} |`),
		'',
		'| Operation | Field | Sent in | Picker | List operation / reason |',
		'| --- | --- | --- | --- | --- |',
		...rows.map(
			(row) =>
				`| ${cell(row.operation)} | ${cell(row.label)} | ${row.in} ${cell(row.wireName)} | ${row.method ? 'yes' : 'no'} | ${cell(row.method ? `GET ${row.list}` : row.list ? `${row.reason} (GET ${row.list})` : row.reason)} |`,
		),
		'',
	];
	return {
		text: lines.join('\n'),
		counts: { total: rows.length, pickers: withPicker.length, text: without.length },
	};
}

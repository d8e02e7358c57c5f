import type { GenericValue, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { generatedProperties } from '../generated/descriptions';
import { OPERATIONS } from '../generated/operations';
import type { ApiRequest } from '../transport';
import type { FieldSpec, OperationSpec } from '../types/operationSpec';
import { isRecord } from '../utils/isRecord';
import { locatorValue } from '../utils/locatorValue';
import { ALL_SECRET_NAMES } from './secretNames';

let labels: WeakMap<FieldSpec, string> | undefined;

/**
 * The label each field of each operation has in the editor ("Network ID", not the wire name's
 * "ID"), so an error names the field the user sees. Operation values are unique across resources,
 * so an operation and a parameter name find one property (or one entry of a collection).
 */
function editorLabels(): WeakMap<FieldSpec, string> {
	// Keyed by operation, collection ('' for a top-level field) and parameter name.
	const byName = new Map<string, string>();
	const key = (operation: string, collection: string, name: string) =>
		`${operation}\u0000${collection}\u0000${name}`;
	for (const property of generatedProperties) {
		const operations = property.displayOptions?.show?.operation;
		if (!Array.isArray(operations)) continue;
		const options =
			property.type === 'collection' && Array.isArray(property.options)
				? (property.options as INodeProperties[])
				: [];
		for (const operation of operations) {
			byName.set(key(String(operation), '', property.name), property.displayName);
			for (const option of options)
				if (option.displayName)
					byName.set(key(String(operation), property.name, option.name), option.displayName);
		}
	}
	const map = new WeakMap<FieldSpec, string>();
	for (const spec of OPERATIONS) {
		for (const field of spec.fields) {
			const label = byName.get(key(spec.operation, field.collection ?? '', field.field));
			if (label) map.set(field, label);
		}
	}
	return map;
}

/**
 * The field's label for error messages: its label in the editor, or for a field no property
 * shows, a readable form of its wire name (`block_page` → `Block Page`). Every value read asks for
 * it, so it is worked out once per field of the (static) operation table.
 */
export function fieldLabel(field: FieldSpec): string {
	labels ??= editorLabels();
	let label = labels.get(field);
	if (label === undefined) {
		const words = field.wireName
			.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
			.split(/[^A-Za-z0-9]+/)
			.filter(Boolean);
		label = words
			.map((word) =>
				word.toLowerCase() === 'id' ? 'ID' : word.charAt(0).toUpperCase() + word.slice(1),
			)
			.join(' ');
		labels.set(field, label);
	}
	return label;
}

function isEmptyValue(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}

type Fail = (message: string, description?: string) => never;

/** Parses and checks a JSON field, failing with the field named and the fix spelled out. */
export function parseJsonValue(
	value: unknown,
	shape: FieldSpec['jsonShape'] | 'object' | 'array' | 'any',
	label: string,
	fail: Fail,
): unknown {
	let parsed = value;
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return undefined;
		try {
			parsed = JSON.parse(text);
		} catch (error) {
			fail(
				`The "${label}" field is not valid JSON: ${(error as Error).message}`,
				shape === 'array'
					? `Enter a JSON array, e.g. [1, 2], or use an expression that returns an array.`
					: shape === 'object'
						? `Enter a JSON object, e.g. {"key": "value"}, or use an expression that returns an object.`
						: 'Enter valid JSON, or use an expression that returns the value.',
			);
		}
	}
	if (shape === 'object' && !isRecord(parsed)) {
		fail(
			`The "${label}" field must be a JSON object`,
			`Got ${Array.isArray(parsed) ? 'an array' : typeof parsed}. Wrap the value in {…}, e.g. {"key": "value"}.`,
		);
	}
	if (shape === 'array' && !Array.isArray(parsed)) {
		fail(
			`The "${label}" field must be a JSON array`,
			`Got ${isRecord(parsed) ? 'an object' : typeof parsed}. Wrap the values in […], e.g. [1, 2].`,
		);
	}
	return parsed;
}

function splitList(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	if (value === undefined || value === null) return [];
	return String(value)
		.split(',')
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}

/**
 * Numbers are decimal only: an optional sign, digits, and for non-integer fields a decimal point.
 * Surrounding spaces are ignored; hex (`0x1F`), exponents (`1e2`), trailing text (`12abc`) and
 * integers beyond 2^53 are refused rather than guessed at.
 */
const DECIMAL_INTEGER = /^[+-]?\d+$/;
const DECIMAL_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function describeRaw(raw: unknown): string {
	if (typeof raw === 'string') return `"${raw.length > 60 ? `${raw.slice(0, 60)}…` : raw}"`;
	if (raw === null || typeof raw !== 'object') return String(raw);
	return Array.isArray(raw) ? 'a list' : 'an object';
}

/** A number from a parameter value, or a failure naming the field and what was received. */
export function parseDecimal(raw: unknown, integer: boolean, label: string, fail: Fail): number {
	const wanted = integer ? 'a whole number' : 'a number';
	const example = integer ? 'e.g. 12' : 'e.g. 12 or 0.5';
	let number: number;
	if (typeof raw === 'number') {
		number = raw;
	} else if (
		typeof raw === 'string' &&
		(integer ? DECIMAL_INTEGER : DECIMAL_NUMBER).test(raw.trim())
	) {
		number = Number(raw.trim());
	} else {
		return fail(
			`The "${label}" field must be ${wanted}`,
			`Got ${describeRaw(raw)}. Enter decimal digits only (${example}); hex, exponents and extra text are not accepted.`,
		);
	}
	if (!Number.isFinite(number))
		fail(`The "${label}" field must be ${wanted}`, `Got ${describeRaw(raw)}.`);
	if (integer && !Number.isSafeInteger(number)) {
		fail(
			`The "${label}" field must be ${wanted}`,
			`Got ${describeRaw(raw)}${Number.isInteger(number) ? ', which is too large to send exactly' : ''}.`,
		);
	}
	return number;
}

/** Booleans are `true`/`false` (any case) or a boolean: "yes", "1" or "0" are refused, never guessed. */
export function parseBoolean(raw: unknown, label: string, fail: Fail): boolean {
	if (typeof raw === 'boolean') return raw;
	const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
	if (text === 'true') return true;
	if (text === 'false') return false;
	return fail(
		`The "${label}" field must be true or false`,
		`Got ${describeRaw(raw)}. Use true or false (or an expression that returns a boolean).`,
	);
}

/** `YYYY-MM-DD` from a Luxon DateTime, a JS Date, or an ISO date or date-time string (its own calendar date). */
export function parseDate(raw: unknown, label: string, fail: Fail): string {
	const invalid = (): never =>
		fail(
			`The "${label}" field must be a date`,
			`Got ${describeRaw(raw)}. Use the date picker or a date such as 2026-03-12.`,
		);
	// Dates made by expressions come from another realm: `instanceof Date` is false for them.
	if (Object.prototype.toString.call(raw) === '[object Date]') {
		const time = (raw as Date).getTime();
		return Number.isNaN(time) ? invalid() : new Date(time).toISOString().slice(0, 10);
	}
	if (typeof raw === 'object' && raw !== null) {
		const luxon = raw as { isValid?: unknown; toISODate?: unknown };
		if (typeof luxon.toISODate === 'function') {
			const date =
				luxon.isValid === false ? null : (luxon.toISODate as () => string | null).call(raw);
			return typeof date === 'string' ? date : invalid();
		}
		return invalid();
	}
	if (typeof raw !== 'string') return invalid();
	const match =
		/^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(
			raw.trim(),
		);
	if (!match) return invalid();
	const [, year, month, day] = match;
	const check = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
	if (
		check.getUTCFullYear() !== Number(year) ||
		check.getUTCMonth() !== Number(month) - 1 ||
		check.getUTCDate() !== Number(day)
	)
		invalid();
	return `${year}-${month}-${day}`;
}

function hasControlCharacter(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 || code === 0x7f) return true;
	}
	return false;
}

/**
 * A path value must stay one path segment: `.` and `..` would be resolved away by URL
 * normalisation (turning "delete user agent X" into "DELETE /v1/"), and `/`, `\`, `?`, `#` or
 * percent-escapes could be decoded into another path by a proxy or the server.
 */
export function checkPathSegment(value: unknown, label: string, fail: Fail): void {
	const text = String(value);
	if (
		text === '.' ||
		text === '..' ||
		/[/\\?#%]/.test(text) ||
		hasControlCharacter(text) ||
		text.trim() !== text
	) {
		fail(
			`The "${label}" field is not a usable ID: ${describeRaw(text)}`,
			'An ID must not be "." or "..", nor contain /, \\, ?, #, %, spaces at either end or control characters, which would change the request path. Nothing was sent.',
		);
	}
}

/**
 * Turns the n8n parameter value of a field into the value sent on the wire, or `undefined` when
 * nothing is to be sent (an optional field left empty).
 */
export function wireValue(field: FieldSpec, raw: unknown, fail: Fail): unknown {
	const label = fieldLabel(field);
	switch (field.type) {
		case 'number': {
			if (isEmptyValue(raw)) return undefined;
			// Path IDs are never signed: "-1" would be a different resource, not a typo.
			if (field.in === 'path' && typeof raw === 'string' && !/^\s*\d+\s*$/.test(raw)) {
				fail(
					`The "${label}" field must be a whole number`,
					`Got ${describeRaw(raw)}. Enter the ID's decimal digits only, e.g. 12.`,
				);
			}
			const number = parseDecimal(raw, field.integer === true || field.in === 'path', label, fail);
			if (field.in === 'path' && number < 0)
				fail(
					`The "${label}" field must be a whole number`,
					`Got ${number}: IDs are never negative.`,
				);
			return number;
		}
		case 'boolean':
			if (raw === undefined || raw === null || raw === '') return undefined;
			return parseBoolean(raw, label, fail);
		case 'multiOptions':
			return Array.isArray(raw)
				? raw.length
					? raw
					: undefined
				: isEmptyValue(raw)
					? undefined
					: splitList(raw);
		case 'stringList': {
			const list = splitList(raw);
			if (list.length === 0) return undefined;
			if (!field.integer)
				return list.map((entry) => (typeof entry === 'string' ? entry : String(entry)));
			return list.map((entry) =>
				parseDecimal(entry, true, label, (message, description) =>
					fail(
						`The "${label}" field must be a comma-separated list of whole numbers`,
						`${describeRaw(entry)} is not a whole number. ${description ?? message} Example: 12, 34, 56.`,
					),
				),
			);
		}
		case 'json':
			if (raw === undefined || raw === null) return undefined;
			return parseJsonValue(raw, field.jsonShape ?? 'any', label, fail);
		case 'idOrSelf': {
			if (isEmptyValue(raw)) return undefined;
			const text = String(raw).trim();
			if (text.toLowerCase() === 'self') return 'self';
			if (!/^\d+$/.test(text))
				fail(`The "${label}" field must be a numeric ID or "self"`, `Got "${text}".`);
			return text;
		}
		case 'date':
			if (isEmptyValue(raw)) return undefined;
			return parseDate(raw, label, fail);
		case 'dateTime':
			if (isEmptyValue(raw)) return undefined;
			if (isRecord(raw) && typeof (raw as { toISO?: unknown }).toISO === 'function') {
				return (raw as unknown as { toISO: () => string }).toISO();
			}
			return String(raw).trim();
		case 'options':
			return isEmptyValue(raw) ? undefined : raw;
		default:
			if (raw === undefined || raw === null) return undefined;
			if (typeof raw === 'string') return raw === '' ? undefined : raw;
			return typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
	}
}

/**
 * Reads a field's raw parameter value from where the generator put it. A collection is read on
 * its first field (once per item): operations without optional fields never pay for reading one.
 */
function rawValue(
	context: IExecuteFunctions,
	field: FieldSpec,
	itemIndex: number,
	collections: Partial<Record<Collection, IDataObject>>,
): unknown {
	if (field.collection) {
		const collected = (collections[field.collection] ??= collection(
			context,
			field.collection,
			itemIndex,
		));
		return Object.prototype.hasOwnProperty.call(collected, field.field)
			? collected[field.field]
			: undefined;
	}
	return locatorValue(context.getNodeParameter(field.field, itemIndex, undefined));
}

type Collection = NonNullable<FieldSpec['collection']>;

function collection(context: IExecuteFunctions, name: string, itemIndex: number): IDataObject {
	const value = context.getNodeParameter(name, itemIndex, {});
	return isRecord(value) ? value : {};
}

function containsObjectArray(value: unknown): boolean {
	if (Array.isArray(value))
		return value.some(
			(entry) => isRecord(entry) || Array.isArray(entry) || containsObjectArray(entry),
		);
	if (isRecord(value)) return Object.values(value).some(containsObjectArray);
	return false;
}

/** Rails nested-parameter encoding of `value` under `prefix`, appended to `out` in order. */
export function appendRailsPairs(out: string[], prefix: string, value: unknown): void {
	if (Array.isArray(value)) {
		for (const entry of value) appendRailsPairs(out, `${prefix}[]`, entry);
		return;
	}
	if (isRecord(value)) {
		for (const key of Object.keys(value)) appendRailsPairs(out, `${prefix}[${key}]`, value[key]);
		return;
	}
	if (value === undefined) return;
	out.push(
		`${encodeURIComponent(prefix)}=${encodeURIComponent(value === null ? '' : String(value))}`,
	);
}

/** Path template with each `{name}` replaced by the URL-encoded value. */
export function fillPath(template: string, values: Record<string, unknown>): string {
	return template.replace(/\{([^}]+)\}/g, (_match, name: string) =>
		encodeURIComponent(String(values[name])),
	);
}

/**
 * Builds the transport request for one item: path parameters URL-encoded into the path, query
 * parameters from top-level fields and the Options collection, the body from top-level fields and
 * Additional Fields (or the raw JSON Body), wrapped in the schema's root key.
 */
export function buildRequest(
	this: IExecuteFunctions,
	spec: OperationSpec,
	itemIndex: number,
): ApiRequest {
	// getNode() deep-copies the node in n8n-core: only a failure needs it.
	const fail: Fail = (message, description) => {
		throw new NodeOperationError(this.getNode(), message, { itemIndex, description });
	};
	const collections: Partial<Record<Collection, IDataObject>> = {};

	const pathValues: Record<string, unknown> = {};
	const qs: IDataObject = {};
	const bodyFields: IDataObject = {};
	const useJsonBody =
		spec.body !== undefined &&
		(spec.body.kind !== 'object' ||
			this.getNodeParameter('useJsonBody', itemIndex, false) === true);

	for (const field of spec.fields) {
		if (field.in === 'body' && useJsonBody) continue;
		const value = wireValue(field, rawValue(this, field, itemIndex, collections), fail);
		if (value === undefined) {
			if (field.in === 'path') {
				fail(
					`The "${fieldLabel(field)}" field is required`,
					`Enter the ${fieldLabel(field)} to build ${spec.method} ${spec.path}.`,
				);
			}
			if (field.required && field.type !== 'boolean') {
				fail(
					`The "${fieldLabel(field)}" field is required`,
					`DNSFilter requires ${field.wireName} for this operation.`,
				);
			}
			continue;
		}
		if (field.in === 'path') {
			checkPathSegment(value, fieldLabel(field), fail);
			pathValues[field.wireName] = value;
		} else if (field.in === 'query') qs[field.wireName] = value as IDataObject;
		else bodyFields[field.wireName] = value as IDataObject;
	}

	let body: IDataObject | GenericValue | GenericValue[] | IDataObject[] | undefined;
	if (spec.body) {
		const rootKey = spec.body.rootKey;
		if (useJsonBody) {
			const shape =
				spec.body.kind === 'array' ? 'array' : spec.body.kind === 'object' ? 'object' : 'any';
			const parsed = parseJsonValue(
				this.getNodeParameter('jsonBody', itemIndex, ''),
				shape,
				'JSON Body',
				fail,
			);
			if (parsed !== undefined) {
				const alreadyWrapped =
					rootKey !== undefined &&
					isRecord(parsed) &&
					Object.keys(parsed).length === 1 &&
					rootKey in parsed;
				body =
					rootKey && !alreadyWrapped
						? { [rootKey]: parsed as IDataObject }
						: (parsed as IDataObject);
			}
		} else if (Object.keys(bodyFields).length > 0 || spec.body.required) {
			body = rootKey ? { [rootKey]: bodyFields } : bodyFields;
		}
	}

	let path = fillPath(spec.path, pathValues);
	// n8n's HTTP helper never sends a GET body, so a GET body goes as bracketed query parameters
	// (`ip_address[ip]=…`), which the API's Rails params parser reads the same way.
	if (body !== undefined && spec.method === 'GET') {
		if (isRecord(body)) Object.assign(qs, body);
		body = undefined;
	}
	// Objects and arrays of objects are written Rails-style (`filter[value][]=1`,
	// `notes[][domain]=a&notes[][note]=x`), in order, into the path's query string: the generic
	// `repeat` format would drop the `[]` of nested lists, so Rails would keep only the last value,
	// and would lose the grouping of objects. Flat values and lists of scalars stay in `qs`.
	const railsPairs: string[] = [];
	for (const name of Object.keys(qs)) {
		if (!isRecord(qs[name]) && !containsObjectArray(qs[name])) continue;
		appendRailsPairs(railsPairs, name, qs[name]);
		delete qs[name];
	}
	if (railsPairs.length) path = `${path}?${railsPairs.join('&')}`;

	const request: ApiRequest = { method: spec.method, path, secretNames: ALL_SECRET_NAMES };
	if (Object.keys(qs).length) request.qs = qs;
	if (body !== undefined) request.body = body;
	return request;
}

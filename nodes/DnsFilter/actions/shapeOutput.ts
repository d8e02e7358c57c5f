import type { IDataObject } from 'n8n-workflow';

import { isRecord } from '../utils/isRecord';

/** JSON:API resource object `{id, type, attributes}` → `{id, type, ...attributes}`; anything else unchanged. */
export function simplifyRecord(record: unknown): unknown {
	if (!isRecord(record) || !isRecord(record.attributes)) return record;
	if (record.id === undefined && record.type === undefined) return record;
	const { id, type, attributes } = record;
	return { id, type, ...attributes };
}

/** Every output item must be an object: scalars (a list of names, a CSV string) are wrapped. */
export function asJson(value: unknown): IDataObject {
	if (isRecord(value)) return value;
	return { value: value as IDataObject['value'] };
}

export function shapeList(records: unknown[], simplify: boolean): IDataObject[] {
	return records.map((record) => asJson(simplify ? simplifyRecord(record) : record));
}

/** A single-record response: `data` unwrapped when the body is a `{data: {...}}` envelope. */
export function shapeRecord(body: unknown, simplify: boolean): IDataObject {
	let record: unknown = body;
	if (isRecord(body) && isRecord(body.data)) record = body.data;
	else if (typeof body === 'string' || typeof body === 'number' || typeof body === 'boolean') return { data: body };
	return asJson(simplify ? simplifyRecord(record) : record);
}

export function isEmptyBody(body: unknown): boolean {
	if (body === undefined || body === null || body === '') return true;
	if (isRecord(body)) return Object.keys(body).length === 0;
	return false;
}

/** Output for 204 / empty responses. `id` is the operation's record id when the path has one. */
export function successResult(id: unknown): IDataObject {
	const result: IDataObject = { success: true };
	if (id !== undefined) result.id = id as IDataObject['id'];
	return result;
}

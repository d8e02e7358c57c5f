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

/**
 * The list's records as output JSON, shaped in place: a Return All of 500,000 records would
 * otherwise hold every record twice (as read and as shaped) until the last one is done.
 */
export function shapeList(records: unknown[], simplify: boolean): IDataObject[] {
	for (let index = 0; index < records.length; index++)
		records[index] = shapeListRecord(records[index], simplify);
	return records as IDataObject[];
}

/** One record of a list as output JSON (type and id kept, so a paged walk still tells repeats apart). */
export function shapeListRecord(record: unknown, simplify: boolean): IDataObject {
	return asJson(simplify ? simplifyRecord(record) : record);
}

/** A single-record response: `data` unwrapped when the body is a `{data: {...}}` envelope. */
export function shapeRecord(body: unknown, simplify: boolean): IDataObject {
	let record: unknown = body;
	if (isRecord(body) && isRecord(body.data)) record = body.data;
	else if (typeof body === 'string' || typeof body === 'number' || typeof body === 'boolean')
		return { data: body };
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

type Container = IDataObject | unknown[];

function isContainer(value: unknown): value is Container {
	return value !== null && typeof value === 'object';
}

/**
 * What `rewriteJson` does with one entry of an object or array: `{ replace }` puts that value in
 * its place (nothing below it is visited); undefined goes on into the entry.
 */
export type JsonVisit = (
	entry: unknown,
	key: string | number,
	depth: number,
) => { replace: unknown } | undefined;

interface Frame {
	source: Container;
	keys?: string[];
	next: number;
	depth: number;
	copy?: Container;
}

function frameOf(source: Container, depth: number): Frame {
	return { source, keys: Array.isArray(source) ? undefined : Object.keys(source), next: 0, depth };
}

function put(frame: Frame, key: string | number, value: unknown): void {
	const { source } = frame;
	if ((source as Record<string | number, unknown>)[key] === value) return;
	frame.copy ??= Array.isArray(source) ? source.slice() : { ...source };
	// A JSON "__proto__" member is an own property: assigning it would set the copy's prototype instead.
	Object.defineProperty(frame.copy, key, {
		value,
		writable: true,
		enumerable: true,
		configurable: true,
	});
}

/**
 * A copy-on-write walk of a JSON value with an explicit stack instead of recursion, so an answer
 * nested 100,000 levels deep costs heap, not the call stack ("Maximum call stack size exceeded").
 * `visit` sees every entry of every object and array, the top value's entries at depth 1. Only the
 * objects and arrays on the way to a replaced entry are copied: with nothing replaced, `value`
 * itself comes back, and `value` is never changed.
 */
export function rewriteJson(value: unknown, visit: JsonVisit): unknown {
	if (!isContainer(value)) return value;
	const stack: Frame[] = [frameOf(value, 1)];
	for (;;) {
		const frame = stack[stack.length - 1];
		const length = frame.keys ? frame.keys.length : (frame.source as unknown[]).length;
		if (frame.next >= length) {
			stack.pop();
			const result = frame.copy ?? frame.source;
			const parent = stack[stack.length - 1];
			if (!parent) return result;
			put(parent, parent.keys ? parent.keys[parent.next] : parent.next, result);
			parent.next++;
			continue;
		}
		const key = frame.keys ? frame.keys[frame.next] : frame.next;
		const entry = (frame.source as Record<string | number, unknown>)[key];
		const decision = visit(entry, key, frame.depth);
		if (decision) {
			put(frame, key, decision.replace);
			frame.next++;
		} else if (isContainer(entry)) {
			stack.push(frameOf(entry, frame.depth + 1));
		} else {
			frame.next++;
		}
	}
}

/**
 * How deep output may nest. DNSFilter's records nest a few levels; n8n copies and serialises
 * items recursively and fails somewhere past a few thousand levels, after the trigger has moved on.
 */
export const MAX_OUTPUT_DEPTH = 100;

export const TOO_DEEP = `[nested more than ${MAX_OUTPUT_DEPTH} levels deep: left out]`;

/** Whether `value` has an object or array more than `maxDepth` levels below it (no recursion). */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
	let deeper = false;
	rewriteJson(value, (entry, key, depth) => {
		if (deeper) return { replace: entry };
		if (depth >= maxDepth && isContainer(entry)) deeper = true;
		return deeper ? { replace: entry } : undefined;
	});
	return deeper;
}

/** `value` with every object or array below `maxDepth` levels replaced by `TOO_DEEP`. */
export function cutDeeperThan(value: unknown, maxDepth = MAX_OUTPUT_DEPTH): unknown {
	return rewriteJson(value, (entry, key, depth) =>
		depth >= maxDepth && isContainer(entry) ? { replace: TOO_DEEP } : undefined,
	);
}

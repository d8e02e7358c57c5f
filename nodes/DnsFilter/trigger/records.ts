import type { IDataObject } from 'n8n-workflow';

import { isRecord } from '../utils/isRecord';
import { numericId } from './idSets';

export function attributesOf(record: IDataObject): IDataObject {
	return isRecord(record.attributes) ? record.attributes : record;
}

/**
 * A record's identity: its `id`, or for lists whose schema has none (block pages are a bare
 * array of attributes) the owner, creation date and name.
 */
export function recordId(record: unknown): string | undefined {
	if (!isRecord(record)) return undefined;
	const id = record.id ?? attributesOf(record).id;
	if (typeof id === 'string' || typeof id === 'number') return String(id);
	const attributes = attributesOf(record);
	if (attributes.created_at === undefined && attributes.name === undefined) return undefined;
	return [
		'composite',
		attributes.organization_id ?? '',
		attributes.created_at ?? '',
		attributes.name ?? '',
	].join('|');
}

/** Numeric ids in order, before the others (kept in listing order). */
export function compareIds(a: string, b: string): number {
	const x = numericId(a);
	const y = numericId(b);
	if (x !== undefined && y !== undefined) return x - y;
	if (x !== undefined) return -1;
	if (y !== undefined) return 1;
	return 0;
}

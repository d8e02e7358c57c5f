import { isRecord } from './isRecord';

/**
 * The ID a record picker holds. A picker stores `{ __rl: true, mode, value }`; a workflow saved
 * while the field was a text box holds the ID itself, which is read as it is, so both send the
 * same request.
 */
export function locatorValue(raw: unknown): unknown {
	if (isRecord(raw) && '__rl' in raw && 'value' in raw) return raw.value;
	return raw;
}

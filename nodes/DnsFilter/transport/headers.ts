import type { IDataObject } from 'n8n-workflow';

export type ResponseHeaders = IDataObject;

/**
 * A response header as text, found whatever its case (Node lowercases names; a proxy's copy or a
 * test may not). Repeated values are joined as HTTP folds them (", "); blank is absent.
 */
export function headerText(headers: ResponseHeaders, name: string): string | undefined {
	const lower = name.toLowerCase();
	const key =
		lower in headers ? lower : Object.keys(headers).find((k) => k.toLowerCase() === lower);
	const value = key === undefined ? undefined : headers[key];
	if (value === undefined || value === null) return undefined;
	const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
	return text.trim() === '' ? undefined : text;
}

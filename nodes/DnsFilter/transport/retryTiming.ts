import type { IDataObject } from 'n8n-workflow';

import { parseRateLimitReset } from './rateLimitHeaders';

export type ResponseHeaders = IDataObject;

function header(headers: ResponseHeaders, name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	if (value === undefined || value === null) return undefined;
	return Array.isArray(value) ? String(value[0]) : String(value);
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

// The RateLimit header forms (IETF drafts 3 to 8+) are parsed in rateLimitHeaders.ts.
export { parseRateLimitReset, readRateLimitState } from './rateLimitHeaders';
export type { RateLimitState } from './rateLimitHeaders';

/** Full-jitter exponential backoff: 0.5 s, 1 s, 2 s … capped at 30 s, randomised to spread retries. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
	const ceiling = Math.min(30_000, 500 * 2 ** attempt);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** How long to wait after a 429: the server's word first, our own backoff last. */
export function rateLimitDelay(
	headers: ResponseHeaders,
	attempt: number,
	now: number,
): { delayMs: number; source: 'Retry-After' | 'RateLimit-Reset' | 'backoff' } {
	const retryAfter = parseRetryAfter(header(headers, 'retry-after'), now);
	if (retryAfter !== undefined) return { delayMs: retryAfter, source: 'Retry-After' };
	const reset = parseRateLimitReset(headers, now);
	if (reset !== undefined) return { delayMs: reset, source: 'RateLimit-Reset' };
	return { delayMs: backoffDelay(attempt), source: 'backoff' };
}

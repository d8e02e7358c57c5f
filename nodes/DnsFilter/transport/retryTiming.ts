import type { IDataObject } from 'n8n-workflow';

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

/**
 * `RateLimit-Reset` is delta-seconds in the IETF drafts; some servers send an epoch timestamp
 * instead, which we recognise by its size. The combined `RateLimit` header carries `t=` (draft 8)
 * or `reset=`.
 */
export function parseRateLimitReset(headers: ResponseHeaders, now: number): number | undefined {
	let raw = header(headers, 'ratelimit-reset');
	if (raw === undefined) {
		const combined = header(headers, 'ratelimit');
		const match = combined ? /(?:^|[;,\s])(?:t|reset)=(\d+)/i.exec(combined) : null;
		raw = match?.[1];
	}
	if (raw === undefined || !/^\d+(\.\d+)?$/.test(raw.trim())) return undefined;
	const seconds = Number(raw.trim());
	if (seconds > 1_000_000_000) return Math.max(0, seconds * 1000 - now);
	return Math.round(seconds * 1000);
}

export interface RateLimitState {
	limit?: number;
	remaining?: number;
	resetMs?: number;
}

export function readRateLimitState(headers: ResponseHeaders, now: number): RateLimitState {
	const toNumber = (value: string | undefined) => {
		if (value === undefined) return undefined;
		const parsed = Number(value.split(/[;,]/)[0]);
		return Number.isFinite(parsed) ? parsed : undefined;
	};
	return {
		limit: toNumber(header(headers, 'ratelimit-limit')),
		remaining: toNumber(header(headers, 'ratelimit-remaining')),
		resetMs: parseRateLimitReset(headers, now),
	};
}

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

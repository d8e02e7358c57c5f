import type { ResponseHeaders } from './headers';
import { headerText } from './headers';
import { parseRateLimitReset } from './rateLimitHeaders';

export type { ResponseHeaders };

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** The three HTTP-date forms of RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime. */
const HTTP_DATE = [
	new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`),
	new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`),
	new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`),
];

/**
 * `Retry-After` is delay-seconds (a non-negative integer) or an HTTP-date (RFC 9110 §10.2.3).
 * Anything else (`-5`, `5, 10`, `1.5`, text) is ignored, so the caller's backoff applies.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
	if (value === undefined) return undefined;
	const trimmed = value.trim();
	if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, Number.MAX_SAFE_INTEGER);
	if (!HTTP_DATE.some((form) => form.test(trimmed))) return undefined;
	// asctime carries no zone: it is GMT by definition.
	const date = Date.parse(/GMT$/.test(trimmed) ? trimmed : `${trimmed} GMT`);
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
	random: () => number = Math.random,
): { delayMs: number; source: 'Retry-After' | 'RateLimit-Reset' | 'backoff' } {
	const retryAfter = parseRetryAfter(headerText(headers, 'retry-after'), now);
	if (retryAfter !== undefined) return { delayMs: retryAfter, source: 'Retry-After' };
	const reset = parseRateLimitReset(headers, now);
	if (reset !== undefined) return { delayMs: reset, source: 'RateLimit-Reset' };
	return { delayMs: backoffDelay(attempt, random), source: 'backoff' };
}

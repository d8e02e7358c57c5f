import type { IHttpRequestMethods } from 'n8n-workflow';

import type { ResponseHeaders } from './headers';
import { headerText } from './headers';
import { backoffDelay, parseRetryAfter, rateLimitDelay } from './retryTiming';

/** The longest delay a timer can hold (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

// A POST or PATCH that got no answer may have been applied: only these are sent again.
const IDEMPOTENT = new Set<IHttpRequestMethods>(['GET', 'HEAD', 'PUT', 'DELETE']);

export function isIdempotent(method: IHttpRequestMethods): boolean {
	return IDEMPOTENT.has(method);
}

/** What one try came back with. */
export type TryResult =
	| { kind: 'network'; code: string }
	| { kind: 'answer'; statusCode: number; headers: ResponseHeaders };

/** Where the request stands before this decision. */
export interface RetryState {
	/** Tries made before this one (0 for the first). */
	attempt: number;
	maxRetries: number;
	/** What is left of Max Total Wait. */
	waitLeftMs: number;
	/** A DELETE was sent again after a try whose outcome is unknown. */
	deleteOutcomeUnknown: boolean;
}

export type DelaySource = 'Retry-After' | 'RateLimit-Reset' | 'backoff';

export type RetryDecision =
	/** Wait `delayMs`, then send again. */
	| {
			action: 'retry';
			delayMs: number;
			source: DelaySource;
			/** For the debug log: what was retried. */
			reason: string;
			deleteOutcomeUnknown: boolean;
	  }
	/** No answer and no retry left (or a write, which is never resent without an answer). */
	| { action: 'fail-network'; code: string }
	/** 429 and no retry left: `delayMs` is what the API still asked to wait. */
	| { action: 'fail-rate-limit'; delayMs: number; source: DelaySource }
	/** 404 to a DELETE resent after an unknown outcome: the first try deleted it. */
	| { action: 'already-deleted' }
	/** The answer stands: a success to read, or an error status to report. */
	| { action: 'use' };

function clampDelay(delayMs: number): number {
	return Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
}

function allowed(state: RetryState, delayMs: number): boolean {
	return state.attempt < state.maxRetries && delayMs <= state.waitLeftMs;
}

/**
 * The retry rules, with no I/O: network failures and 5xx are retried for idempotent methods only
 * (a write may have been applied), a 429 for every method (the API did not act on it), each within
 * Max Retries and what is left of Max Total Wait.
 */
export function decideRetry(
	method: IHttpRequestMethods,
	result: TryResult,
	state: RetryState,
	now: number,
	random: () => number = Math.random,
): RetryDecision {
	const idempotent = isIdempotent(method);
	// Resending a DELETE whose try got no usable answer: it may have been applied already.
	const resentDelete = method === 'DELETE' || state.deleteOutcomeUnknown;

	if (result.kind === 'network') {
		const delayMs = clampDelay(backoffDelay(state.attempt, random));
		if (idempotent && allowed(state, delayMs)) {
			return {
				action: 'retry',
				delayMs,
				source: 'backoff',
				reason: result.code,
				deleteOutcomeUnknown: resentDelete,
			};
		}
		return { action: 'fail-network', code: result.code };
	}

	const { statusCode, headers } = result;
	if (statusCode === 429) {
		const { delayMs: asked, source } = rateLimitDelay(headers, state.attempt, now, random);
		const delayMs = clampDelay(asked);
		if (allowed(state, delayMs)) {
			return {
				action: 'retry',
				delayMs,
				source,
				reason: '429',
				deleteOutcomeUnknown: state.deleteOutcomeUnknown,
			};
		}
		return { action: 'fail-rate-limit', delayMs, source };
	}

	if (statusCode >= 500 && idempotent) {
		// A 503 may say when to come back (RFC 9110 §10.2.3); other 5xx use backoff.
		const retryAfter =
			statusCode === 503 ? parseRetryAfter(headerText(headers, 'retry-after'), now) : undefined;
		const delayMs = clampDelay(retryAfter ?? backoffDelay(state.attempt, random));
		if (allowed(state, delayMs)) {
			return {
				action: 'retry',
				delayMs,
				source: retryAfter === undefined ? 'backoff' : 'Retry-After',
				reason: `HTTP ${statusCode}`,
				deleteOutcomeUnknown: resentDelete,
			};
		}
	}

	if (statusCode === 404 && method === 'DELETE' && state.deleteOutcomeUnknown) {
		return { action: 'already-deleted' };
	}
	return { action: 'use' };
}

import type { IExecuteFunctions, NodeExecutionHint } from 'n8n-workflow';

import { lastRateLimit } from '../transport';

/** DNSFilter's documented limit, used when a response carries `RateLimit-Remaining` but no limit. */
export const DOCUMENTED_LIMIT = 2000;

/** Warn once fewer than this share of the organization's requests are left in the window. */
export const LOW_REMAINING_RATIO = 0.1;

export interface RateLimitSnapshot {
	limit?: number;
	remaining?: number;
	resetMs?: number;
}

function formatCount(value: number): string {
	return Math.round(value).toLocaleString('en-US');
}

function formatWait(ms: number): string {
	const seconds = Math.ceil(ms / 1000);
	if (seconds < 90) return `${seconds} s`;
	return `${Math.ceil(seconds / 60)} min`;
}

/**
 * The hint to show when the last response said the organization's budget is nearly spent;
 * none when the headers were absent or plenty is left. Pure, for tests and for the router.
 */
export function rateLimitHintFor(
	state: RateLimitSnapshot | undefined,
	ratio: number = LOW_REMAINING_RATIO,
): NodeExecutionHint | undefined {
	if (!state || state.remaining === undefined || !Number.isFinite(state.remaining)) return undefined;
	const limit = state.limit !== undefined && state.limit > 0 ? state.limit : DOCUMENTED_LIMIT;
	const remaining = Math.max(0, state.remaining);
	if (remaining >= limit * ratio) return undefined;
	const reset = state.resetMs !== undefined ? `, the window resets in ${formatWait(state.resetMs)}` : '';
	return {
		type: 'warning',
		location: 'outputPane',
		message: `DNSFilter rate limit nearly used up: ${formatCount(remaining)} of ${formatCount(limit)} requests left${reset}. The limit is per organization and shared with the dashboard and other workflows; further requests may wait or be answered 429. Lower "Requests per Window" in the credential or spread the work out.`,
	};
}

/**
 * Call once at the end of `execute()`: adds the hint above from the last `RateLimit-*` headers this
 * execution saw. Safe to call when no request was made.
 */
export function addRateLimitHint(context: IExecuteFunctions, ratio: number = LOW_REMAINING_RATIO): void {
	const hint = rateLimitHintFor(lastRateLimit(context), ratio);
	if (hint) context.addExecutionHints(hint);
}

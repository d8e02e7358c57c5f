import type { IExecuteFunctions, NodeExecutionHint } from 'n8n-workflow';

import type { PacingReport } from '../transport';
import { lastRateLimit, pacingReport, PACING_HIGH_WATER } from '../transport';

/** DNSFilter's documented limit, used when a response carries `RateLimit-Remaining` but no limit. */
export const DOCUMENTED_LIMIT = 2000;

/** Warn once fewer than this share of the organization's requests are left in the window. */
export const LOW_REMAINING_RATIO = 0.1;

export interface RateLimitSnapshot {
	limit?: number;
	remaining?: number;
	resetMs?: number;
	/** Which headers the values were read from, e.g. "RateLimit-Limit/-Remaining/-Reset headers". */
	source?: string;
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
	if (!state || state.remaining === undefined || !Number.isFinite(state.remaining))
		return undefined;
	const limit = state.limit !== undefined && state.limit > 0 ? state.limit : DOCUMENTED_LIMIT;
	const remaining = Math.max(0, state.remaining);
	if (remaining >= limit * ratio) return undefined;
	const reset =
		state.resetMs !== undefined ? `, the window resets in ${formatWait(state.resetMs)}` : '';
	const from = state.source ? ` (read from DNSFilter's ${state.source})` : '';
	return {
		type: 'warning',
		location: 'outputPane',
		message: `DNSFilter rate limit nearly used up: ${formatCount(remaining)} of ${formatCount(limit)} requests left${reset}${from}. The limit is per organization and shared with the dashboard and other workflows; further requests may wait or be answered 429. Lower "Requests per Window" in the credential or spread the work out.`,
	};
}

/**
 * The hint saying which limit the server announced and how this execution's requests were paced
 * to it; none when nothing was paced.
 */
export function pacingHintFor(report: PacingReport | undefined): NodeExecutionHint | undefined {
	if (!report || report.paced === 0) return undefined;
	const state = report.state;
	const limit =
		state?.limit !== undefined ? `${formatCount(state.limit)} requests` : 'its requests';
	const window =
		state?.windowMs !== undefined ? ` per ${formatWait(state.windowMs)}` : ' per window';
	const source = state?.source ? ` (${state.source})` : '';
	const waited = `${report.paced} ${report.paced === 1 ? 'request' : 'requests'} waited ${formatWait(report.waitedMs)} in all, the longest ${formatWait(report.longestWaitMs)}`;
	return {
		type: 'info',
		location: 'outputPane',
		message: `DNSFilter announced a limit of ${limit}${window}${source}. Once less than ${Math.round(PACING_HIGH_WATER * 100)} % of it was left and the requests still to send would not have lasted until the reset, this n8n process spaced its requests so the organization's remaining budget lasts until the window resets, leaving room for other workers and the dashboard: ${waited}.`,
	};
}

/**
 * Call once at the end of `execute()`: adds the hint above from the last `RateLimit-*` headers this
 * execution saw. Safe to call when no request was made.
 */
export function addRateLimitHint(
	context: IExecuteFunctions,
	ratio: number = LOW_REMAINING_RATIO,
): void {
	const last = lastRateLimit(context);
	const report = pacingReport(context);
	const hint = rateLimitHintFor(last?.form !== undefined ? last : report?.state, ratio);
	const pacing = pacingHintFor(report);
	const hints = [hint, pacing].filter((h): h is NodeExecutionHint => h !== undefined);
	if (hints.length) context.addExecutionHints(...hints);
}

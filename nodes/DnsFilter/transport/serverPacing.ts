import type { RateLimitState } from './rateLimitHeaders';
import { credentialDigest } from './throttle';
import { cancellableSleep } from './wait';

/**
 * Below this share of the window's quota, requests are paced; above it they go at full speed.
 * Half keeps the first half of every window fast (short jobs never wait) while leaving enough
 * room that N processes which each still have a request or two in flight when they cross the
 * mark cannot spend the rest before they see it.
 */
export const HIGH_WATER = 0.5;

/**
 * Requests held back from pacing: the last few of a window are left for whoever needs them
 * (the dashboard, a process whose news is a request old). 4 % of the quota, at least 3.
 */
export const RESERVE_SHARE = 0.04;
export const MIN_RESERVE = 3;

/**
 * However busy the others look, a process still gets this share of the even pace, so a worker
 * that joins late is slowed, not starved, and keeps hearing fresh headers. Small, because every
 * process may be at this floor at once: 4 workers at 5 % overshoot the even pace by 20 % at most.
 */
export const MIN_PACE_SHARE = 0.05;

/** How far back the others' spending rate is measured. */
const RATE_SPAN_MS = 2_000;

/**
 * How far ahead of the last answer the others' spending is extrapolated. Beyond it the next request
 * goes at the even pace and its answer brings fresh news; extrapolating further would have every
 * process hold back on a guess that nobody checks until the reset.
 */
const PREDICT_MS = 1_000;

/** Longest single sleep between re-reads of fresher headers. */
const MAX_NAP_MS = 1_000;

interface Observation {
	/** When the request this answer belongs to started (close to when the server counted it). */
	at: number;
	remaining: number;
	/** This process's start count when that request started, itself included. */
	seq: number;
}

export interface PacingDecision {
	/** Time this request waited for the server's budget (0 when it went at once). */
	waitedMs: number;
	/** Why it waited, for hints and logs. */
	reason?: 'paced' | 'reserve';
	/** This request's place among the process's starts, to match its answer to it. */
	seq: number;
	startedAt: number;
}

/**
 * Spreads one credential's requests from one n8n process so that the organization's remaining
 * budget, as the server reports it, lasts until the window resets. Every process doing this on
 * its own converges: each sees the others' requests as the remaining count falling faster than
 * its own requests explain, and leaves them room.
 *
 * Each answer is matched to the request it belongs to (by start order), not to when it arrived:
 * with several requests in flight answers come back out of order and late on a busy event loop,
 * and the count the server reported was taken when that request arrived, just after it started.
 */
export class ServerPacer {
	private state: RateLimitState = {};

	private resetAt = 0;

	private limitSeen = 0;

	/** This window's answers, in start order. */
	private history: Observation[] = [];

	private starts = 0;

	private lastStart = 0;

	private queue: Promise<void> = Promise.resolve();

	constructor(private readonly now: () => number = Date.now) {}

	/** Feeds the rate-limit headers of an answer (any status) in, with the request it answers. */
	observe(state: RateLimitState, request?: Pick<PacingDecision, 'seq' | 'startedAt'>): void {
		if (state.remaining === undefined || state.form === undefined) return;
		const now = this.now();
		const resetMs = state.resetMs ?? state.windowMs;
		if (resetMs === undefined) return;
		const seq = request?.seq ?? this.starts;
		const at = request?.startedAt ?? now;
		const resetAt = now + resetMs;
		const last = this.history[this.history.length - 1];
		const newer = !last || seq > last.seq;
		if (last && now < this.resetAt && resetAt < this.resetAt - 1_500) return; // a late answer from a window already over
		// A reset beyond this window's (by more than the headers' one-second resolution), the window's
		// end passing, or the count going up: a new window, about which the old history says nothing.
		if (!last || now >= this.resetAt || resetAt > this.resetAt + 1_500 || (newer && state.remaining > last.remaining + 5)) {
			if (last && !newer && now < this.resetAt) return;
			this.history = [];
			this.limitSeen = 0;
			this.resetAt = resetAt;
		} else {
			// Whole seconds, rounded up: each answer bounds the reset from above; the lowest bound is the
			// closest, and on short windows a second matters.
			this.resetAt = Math.min(resetAt, this.resetAt);
		}
		const observation = { at, remaining: state.remaining, seq };
		let i = this.history.length;
		while (i > 0 && this.history[i - 1].seq > seq) i--;
		this.history.splice(i, 0, observation);
		const newest = this.history[this.history.length - 1];
		while (this.history.length > 2 && this.history[0].at < newest.at - RATE_SPAN_MS) this.history.shift();
		if (newer) this.state = state;
		this.limitSeen = Math.max(this.limitSeen, state.limit ?? 0, state.remaining);
	}

	/** Requests per ms the rest of the organization spends, as the remaining count shows it. */
	othersRate(): number {
		if (this.history.length < 2) return 0;
		const first = this.history[0];
		const last = this.history[this.history.length - 1];
		const span = last.at - first.at;
		if (span < 250) return 0;
		return Math.max(0, first.remaining - last.remaining - (last.seq - first.seq)) / span;
	}

	/** Resolves when this process may start its next request; callers go in arrival order. */
	async beforeStart(signal?: AbortSignal): Promise<PacingDecision> {
		let decision: PacingDecision | undefined;
		const turn = this.queue.then(async () => {
			decision = await this.waitForTurn(signal);
		});
		this.queue = turn.catch(() => undefined);
		await turn;
		return decision as PacingDecision;
	}

	/** How long the next request should wait from now (0: go), and why. */
	delayNow(): { delayMs: number; reason?: 'paced' | 'reserve' } {
		const now = this.now();
		if (this.state.form === undefined || this.history.length === 0 || now >= this.resetAt) return { delayMs: 0 };
		const last = this.history[this.history.length - 1];
		const limit = this.state.limit ?? this.limitSeen;
		const others = this.othersRate();
		// What the server would say now: the last count, less what the others spent since and the
		// requests we started after the one it answered (in flight or not yet answered).
		const predicted = last.remaining - others * Math.min(now - last.at, PREDICT_MS) - (this.starts - last.seq);
		if (limit > 0 && predicted >= limit * HIGH_WATER) return { delayMs: 0 };
		const reserve = Math.max(MIN_RESERVE, Math.ceil(limit * RESERVE_SHARE));
		const available = predicted - reserve;
		const toReset = this.resetAt - now;
		if (available < 1) return { delayMs: toReset, reason: 'reserve' };
		const even = available / toReset;
		const ours = Math.max(even - others, even * MIN_PACE_SHARE);
		const next = this.lastStart + 1 / ours;
		return next > now ? { delayMs: Math.min(next - now, toReset), reason: 'paced' } : { delayMs: 0 };
	}

	private async waitForTurn(signal?: AbortSignal): Promise<PacingDecision> {
		let waitedMs = 0;
		let reason: PacingDecision['reason'];
		for (let step = this.delayNow(); step.delayMs > 0; step = this.delayNow()) {
			// Short naps: a concurrent request of this process may bring fresher headers meanwhile.
			const nap = Math.min(step.delayMs, MAX_NAP_MS);
			reason = step.reason;
			await cancellableSleep(nap, signal);
			waitedMs += nap;
		}
		this.lastStart = this.now();
		this.starts++;
		return { waitedMs, reason, seq: this.starts, startedAt: this.lastStart };
	}
}

const pacers = new Map<string, ServerPacer>();

let enabled = true;

/**
 * Benchmarks compare pacing with the per-process budget alone on the same server; nothing in the
 * node turns pacing off.
 */
export function setServerPacingEnabled(on: boolean): void {
	enabled = on;
}

/** The pacer of one credential in this process (keyed like the local budget, by a digest). */
export function pacerFor(baseUrl: string, apiKey: string): ServerPacer {
	const id = credentialDigest(baseUrl, apiKey);
	let pacer = pacers.get(id);
	if (!pacer) {
		pacer = new ServerPacer();
		pacers.set(id, pacer);
	}
	return pacer;
}

export interface PacingReport {
	/** The last usable rate-limit headers this execution saw. */
	state?: RateLimitState;
	/** Requests of this execution that waited for the server's budget, and how long in all. */
	paced: number;
	waitedMs: number;
	longestWaitMs: number;
}

const reports = new WeakMap<object, PacingReport>();

function reportOf(context: object): PacingReport {
	let report = reports.get(context);
	if (!report) {
		report = { paced: 0, waitedMs: 0, longestWaitMs: 0 };
		reports.set(context, report);
	}
	return report;
}

/** Waits for the server's budget before a request and records the wait for the execution. */
export async function paceRequest(context: object, pacer: ServerPacer, signal?: AbortSignal): Promise<PacingDecision> {
	if (!enabled) return { waitedMs: 0, seq: 0, startedAt: 0 };
	const decision = await pacer.beforeStart(signal);
	if (decision.waitedMs > 0) {
		const report = reportOf(context);
		report.paced++;
		report.waitedMs += decision.waitedMs;
		report.longestWaitMs = Math.max(report.longestWaitMs, decision.waitedMs);
	}
	return decision;
}

/** Feeds a response's rate-limit state, with the request it answers, to the pacer and to the execution's report. */
export function observeResponse(context: object, pacer: ServerPacer, state: RateLimitState, request?: PacingDecision): void {
	if (enabled) pacer.observe(state, request?.seq ? request : undefined);
	if (state.form !== undefined) reportOf(context).state = state;
}

/** What this execution read from the server and how it paced; undefined when it sent nothing. */
export function pacingReport(context: object): PacingReport | undefined {
	return reports.get(context);
}

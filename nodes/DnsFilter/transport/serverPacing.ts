import type { INode } from 'n8n-workflow';
import { ApplicationError, NodeOperationError } from 'n8n-workflow';

import { executionState, peekExecutionState } from './executionState';
import type { RateLimitState } from './rateLimitHeaders';
import type { WaitAllowance } from './wait';
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
 * However small this process's share of the recent spending was, it still gets this share of the
 * even pace, so a worker that joins late is slowed, not starved, and keeps hearing fresh headers.
 * Small, because every process may sit at it at once while a client that ignores the headers
 * spends the rest: 8 processes at 2 % take 16 % of the even pace.
 */
export const MIN_PACE_SHARE = 0.02;

/**
 * The fewest requests (anyone's) the recent history must hold before this process's share of
 * them is trusted; with fewer, it paces as if it were alone and the next answers correct it.
 */
const MIN_SHARE_SAMPLE = 4;

/**
 * Before it is known whether anyone else spends, a run that fits goes at full speed only when what
 * is left is this many times the sample that would tell: a wrong guess then costs a small part of it.
 */
const UNKNOWN_ALONE_FACTOR = 10;

/** How far back the others' spending rate is measured. */
const RATE_SPAN_MS = 2_000;

/**
 * How long after the last answer the others' spending is extrapolated. Beyond it the guess is
 * checked instead: the next request goes at the pace the last count allows and its answer brings
 * fresh news.
 */
const PREDICT_MS = 1_000;

/** Longest single sleep between re-reads of fresher headers. */
const MAX_NAP_MS = 1_000;

/**
 * Before anything was heard from the server, requests wait this long at most for the first one's
 * answer: its headers say how many may follow. A server that never answers does not hold them longer.
 */
const FIRST_ANSWER_WAIT_MS = 2_000;
const FIRST_ANSWER_NAP_MS = 5;

/**
 * After a 429's wait, requests go as TCP recovers from a loss: one first, then one more in flight
 * per answer (twice as many each round trip) up to half of what was in flight when the 429 came,
 * then one more per round trip. A burst the moment the wait ends would be refused again, and a
 * server that keeps refusing keeps the run near one at a time. A request waits for an answer at
 * most this long: an answer that never comes (a lost connection) does not hold the others.
 */
const RECOVERY_WAIT_MS = 2_000;

/** In flight at which the recovery is over: more than any Items in Parallel allows. */
const RECOVERED_WINDOW = 128;

/** A minute without another 429 ends the recovery too: the next run starts at full speed. */
const RECOVERY_SPAN_MS = 60_000;

interface Recovery {
	/** Requests started after this start count are the recovery's. */
	sinceSeq: number;
	/** How many of them may be in flight, and up to where that doubles per round trip. */
	window: number;
	threshold: number;
	/** Fractions of one more in flight, earned by answers past the threshold. */
	credit: number;
	answered: number;
	/** The last answer (or the wait's end), for RECOVERY_WAIT_MS. */
	progressAt: number;
}

/**
 * A reset further away than this (or beyond the window the server announced) is not believed:
 * DNSFilter's window is 300 s, and one odd answer (a timestamp in the wrong unit, a proxy's
 * header) must not hold every request of the credential for the life of the process.
 */
export const MAX_PLAUSIBLE_RESET_MS = 3_600_000;

/**
 * What an implausible reset is taken as: one window (the announced one, or DNSFilter's 300 s),
 * after which the next request goes and its answer says again how things stand.
 */
export const IMPLAUSIBLE_RESET_HOLD_MS = 300_000;

/** The reset the pacer works with: the announced one, unless it is implausible (see above). */
export function plausibleResetMs(resetMs: number, windowMs?: number): number {
	const bound = Math.min(windowMs ?? MAX_PLAUSIBLE_RESET_MS, MAX_PLAUSIBLE_RESET_MS) + 1_500;
	return resetMs > bound
		? Math.min(windowMs ?? IMPLAUSIBLE_RESET_HOLD_MS, IMPLAUSIBLE_RESET_HOLD_MS)
		: resetMs;
}

/** What the server announced in the answer the pacer last went by, for the message when a wait is too long. */
export interface Announced {
	state: RateLimitState;
	/** When that answer was read. */
	at: number;
	/** The reset the pacer holds to, which is earlier than the announced one when that was implausible. */
	resetAt: number;
	capped: boolean;
}

/**
 * Thrown instead of waiting when the wait a request needs for the server's budget is longer than
 * the wait it is allowed; nothing is sent.
 */
export class PacingWaitTooLong extends ApplicationError {
	constructor(
		readonly waitMs: number,
		readonly allowedMs: number,
		readonly reason: 'paced' | 'reserve' | 'refused' | 'queued',
		readonly announced: Announced | undefined,
	) {
		super("The wait for the server's rate-limit budget is longer than the request may wait");
	}
}

/**
 * How many requests one execution still has to send, as its router announced them: the pacer
 * slows a run down only when what it still needs would not last until the reset.
 */
export class RunDemand {
	done = false;

	constructor(public left: number) {}

	/** One item's request is about to be asked for. */
	started(): void {
		if (this.left > 0) this.left--;
	}

	end(): void {
		this.done = true;
		this.left = 0;
	}
}

interface Observation {
	/** When the request this answer belongs to started (close to when the server counted it). */
	at: number;
	remaining: number;
	/** This process's start count when that request started, itself included. */
	seq: number;
}

/** paced: spread until the reset; reserve: the last few are kept; refused: a 429 asked everyone to wait. */
type WaitReason = 'paced' | 'reserve' | 'refused';

export interface PacingDecision {
	/** Time this request waited for the server's budget (0 when it went at once). */
	waitedMs: number;
	/** Why it waited, for hints and logs. */
	reason?: WaitReason;
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

	/** Requests in the queue or at its head, not yet started. */
	private queued = 0;

	private announced: Announced | undefined;

	/** The runs of this process known to use this credential, with what they still need. */
	private readonly runs = new Set<RunDemand>();

	/** When a request whose run said nothing about its demand last came (a paged walk, the trigger). */
	private unknownDemandAt = -Infinity;

	/** Answers seen (with usable headers or not), and when the first request went out before any. */
	private answers = 0;

	private firstSentAt = 0;

	/** Until when a 429 asked every request of the credential to wait. */
	private heldUntil = 0;

	/** The slow start after that wait. */
	private recovery: Recovery | undefined;

	/** Answers matched to a start: with `starts`, how many are in flight (lost ones count as in flight). */
	private answeredStarts = 0;

	constructor(private readonly now: () => number = Date.now) {}

	/** Feeds the rate-limit headers of an answer (any status) in, with the request it answers. */
	observe(state: RateLimitState, request?: Pick<PacingDecision, 'seq' | 'startedAt'>): void {
		this.answers++;
		if (request) this.answeredStarts++;
		const recovery = this.recovery;
		if (recovery && request && request.seq > recovery.sinceSeq) {
			recovery.answered++;
			recovery.progressAt = this.now();
			if (recovery.window < recovery.threshold) recovery.window++;
			else if ((recovery.credit += 1 / recovery.window) >= 1) {
				recovery.credit -= 1;
				recovery.window++;
			}
			if (recovery.window >= RECOVERED_WINDOW) this.recovery = undefined;
		}
		if (state.remaining === undefined || state.form === undefined) return;
		const now = this.now();
		const announcedMs = state.resetMs ?? state.windowMs;
		if (announcedMs === undefined) return;
		const resetMs = plausibleResetMs(announcedMs, state.windowMs);
		const seq = request?.seq ?? this.starts;
		const at = request?.startedAt ?? now;
		const resetAt = now + resetMs;
		const last = this.history[this.history.length - 1];
		const newer = !last || seq > last.seq;
		// A late answer from a window already over. Only an older request's: a newer one's answer with
		// an earlier reset is the server's latest word (it is how a far-off reset gets corrected).
		if (last && !newer && now < this.resetAt && resetAt < this.resetAt - 1_500) return;
		// A reset beyond this window's (by more than the headers' one-second resolution), the window's
		// end passing, or the count going up: a new window, about which the old history says nothing.
		if (
			!last ||
			now >= this.resetAt ||
			resetAt > this.resetAt + 1_500 ||
			(newer && state.remaining > last.remaining + 5)
		) {
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
		while (this.history.length > 2 && this.history[0].at < newest.at - RATE_SPAN_MS)
			this.history.shift();
		if (newer) {
			this.state = state;
			this.announced = { state, at: now, resetAt: this.resetAt, capped: resetMs < announcedMs };
		}
		this.limitSeen = Math.max(this.limitSeen, state.limit ?? 0, state.remaining);
	}

	/**
	 * This window's recent answers below the high-water mark, once the count fell by enough between
	 * them to measure by. Above the mark everyone goes at full speed, and that burst says nothing
	 * about how fast the others spend once they pace, nor how the spending divides then (a client
	 * that ignores the headers is a sliver of a burst and a third of a paced window).
	 */
	private belowMark(): Observation[] | undefined {
		const limit = this.state.limit ?? this.limitSeen;
		const paced = this.history.filter((o) => o.remaining < limit * HIGH_WATER);
		return paced.length >= 2 &&
			paced[0].remaining - paced[paced.length - 1].remaining >= MIN_SHARE_SAMPLE
			? paced
			: undefined;
	}

	/**
	 * Requests per ms the rest of the organization spends below the mark, as the remaining count
	 * shows it; 0 until that can be measured (the burst's rate would hold everyone back on a guess).
	 */
	othersRate(history = this.belowMark()): number {
		if (!history) return 0;
		const first = history[0];
		const last = history[history.length - 1];
		const span = last.at - first.at;
		if (span < 250) return 0;
		return Math.max(0, first.remaining - last.remaining - (last.seq - first.seq)) / span;
	}

	/**
	 * This process's share of what the whole organization spent recently: its own starts over the
	 * fall of the remaining count. A ratio of counts, so it needs no clock and holds from the first
	 * answers below the mark; 1 until enough has been seen.
	 */
	share(below = this.belowMark()): number {
		// Across the crossing the burst's split is the best guess there is: a ratio holds at any speed.
		const history = below ?? this.history;
		if (history.length < 2) return 1;
		const first = history[0];
		const last = history[history.length - 1];
		const spent = first.remaining - last.remaining;
		const ours = last.seq - first.seq;
		if (spent < MIN_SHARE_SAMPLE || ours >= spent) return 1;
		return Math.max(MIN_PACE_SHARE, ours / spent);
	}

	/**
	 * Until the server's first answer, one request goes and the others wait for it (for at most
	 * FIRST_ANSWER_WAIT_MS, and no longer than `allowedMs`): a run of 50 reads in parallel sent at
	 * once could spend more than the 20 the server would have said are left. Real time, as in
	 * paceRequest; returns how long this request waited.
	 */
	async untilFirstAnswer(signal: AbortSignal | undefined, allowedMs: number): Promise<number> {
		if (this.answers > 0) return 0;
		const started = Date.now();
		if (this.firstSentAt === 0) {
			this.firstSentAt = started;
			return 0;
		}
		const until = Math.min(this.firstSentAt + FIRST_ANSWER_WAIT_MS, started + allowedMs);
		while (this.answers === 0 && Date.now() < until)
			await cancellableSleep(FIRST_ANSWER_NAP_MS, signal);
		return Date.now() - started;
	}

	/**
	 * Whether this process's own requests explain all of the recent fall of the remaining count:
	 * 'unknown' while the fall is too small or too quick to say (a few answers, as at a window's
	 * start, when the others' burst may still be arriving).
	 */
	private aloneRecently(): 'yes' | 'no' | 'unknown' {
		if (this.history.length < 2) return 'unknown';
		const first = this.history[0];
		const last = this.history[this.history.length - 1];
		const spent = first.remaining - last.remaining;
		if (spent > last.seq - first.seq) return 'no';
		// A few quick answers in a row can miss a slower spender; a second of them cannot as easily.
		return spent >= MIN_SHARE_SAMPLE && last.at - first.at >= RATE_SPAN_MS / 2 ? 'yes' : 'unknown';
	}

	/**
	 * A 429 asked to wait `delayMs`: every request of the credential in this process waits with the
	 * one refused (those already in flight cannot be called back), then they go in a slow start.
	 */
	refused(delayMs: number): void {
		const until = this.now() + plausibleResetMs(Math.max(0, delayMs));
		if (until > this.heldUntil) this.heldUntil = until;
		const inFlight = Math.min(Math.max(1, this.starts - this.answeredStarts), RECOVERED_WINDOW);
		const before = this.recovery ? Math.min(this.recovery.window, inFlight) : inFlight;
		this.recovery = {
			sinceSeq: this.starts,
			window: 1,
			threshold: Math.max(1, Math.floor(before / 2)),
			credit: 0,
			answered: 0,
			progressAt: this.heldUntil,
		};
	}

	/** Notes the run a request belongs to (undefined: one whose demand is not known). */
	noteDemand(demand: RunDemand | undefined): void {
		if (demand) this.runs.add(demand);
		else this.unknownDemandAt = this.now();
	}

	/**
	 * Requests this process still has to send for the credential (those waiting here included), or
	 * undefined when some of them are not known: then the share law alone decides.
	 */
	demand(): number | undefined {
		if (this.runs.size === 0 || this.now() - this.unknownDemandAt < RATE_SPAN_MS) return undefined;
		let left = 0;
		for (const run of this.runs) {
			if (run.done) this.runs.delete(run);
			else left += run.left;
		}
		return this.runs.size === 0 ? undefined : left + Math.max(1, this.queued);
	}

	/**
	 * Resolves when this process may start its next request; callers go in arrival order. A request
	 * that would have to wait longer than `allowedMs` (in the queue and for the budget together)
	 * fails with PacingWaitTooLong instead, at once when the wait is known up front.
	 */
	async beforeStart(signal?: AbortSignal, allowedMs = Infinity): Promise<PacingDecision> {
		const deadline = this.now() + allowedMs;
		const first = this.delayNow();
		if (first.delayMs > allowedMs)
			throw this.tooLong(first.delayMs, allowedMs, first.reason ?? 'paced');
		let decision: PacingDecision | undefined;
		let abandoned = false;
		const ahead = this.queued++;
		const turn = this.queue.then(async () => {
			try {
				if (!abandoned) decision = await this.waitForTurn(signal, deadline);
			} finally {
				this.queued--;
			}
		});
		this.queue = turn.catch(() => undefined);
		// Requests ahead of this one may sleep for the budget; a bounded request waits for them only
		// as long as it may. Nobody ahead, or no bound: no timer (this runs before every request).
		if (ahead > 0 && Number.isFinite(allowedMs)) {
			const timer = new AbortController();
			const stop = () => timer.abort();
			signal?.addEventListener('abort', stop, { once: true });
			try {
				const expired = cancellableSleep(allowedMs, timer.signal).then(
					() => true,
					() => false,
				);
				if (await Promise.race([turn.then(() => false), expired])) {
					abandoned = decision === undefined;
					if (abandoned) throw this.tooLong(allowedMs, allowedMs, 'queued');
				} else if (decision === undefined && signal?.aborted) {
					abandoned = true;
					throw signal.reason instanceof Error
						? signal.reason
						: new ApplicationError('The execution was cancelled');
				}
			} finally {
				signal?.removeEventListener('abort', stop);
				timer.abort();
			}
		}
		await turn;
		return decision as PacingDecision;
	}

	private tooLong(
		waitMs: number,
		allowedMs: number,
		reason: PacingWaitTooLong['reason'],
	): PacingWaitTooLong {
		return new PacingWaitTooLong(waitMs, Math.max(0, allowedMs), reason, this.announced);
	}

	/** How long the next request should wait from now (0: go), and why. */
	delayNow(): { delayMs: number; reason?: WaitReason } {
		const now = this.now();
		if (now < this.heldUntil) return { delayMs: this.heldUntil - now, reason: 'refused' };
		if (this.recovery && now > this.heldUntil + RECOVERY_SPAN_MS) this.recovery = undefined;
		const recovery = this.recovery;
		if (
			recovery &&
			this.starts - recovery.sinceSeq - recovery.answered >= recovery.window &&
			now < recovery.progressAt + RECOVERY_WAIT_MS
		) {
			return {
				delayMs: Math.min(FIRST_ANSWER_NAP_MS, recovery.progressAt + RECOVERY_WAIT_MS - now),
				reason: 'refused',
			};
		}
		if (this.state.form === undefined || this.history.length === 0 || now >= this.resetAt)
			return { delayMs: 0 };
		const last = this.history[this.history.length - 1];
		const limit = this.state.limit ?? this.limitSeen;
		const reserve = Math.max(MIN_RESERVE, Math.ceil(limit * RESERVE_SHARE));
		const toReset = this.resetAt - now;
		// One pass over the history for both measures: this runs before every start and every nap.
		const below = this.belowMark();
		const share = this.share(below);
		// What the server said, less the requests we started after the one it answered: a fact, so
		// the only thing that holds this process for the reset. Held once its part of what is left
		// above the reserve is less than one request: N processes that each see the same count act
		// on it at once, and the last ones would otherwise spend the reserve between them.
		const known = last.remaining - (this.starts - last.seq);
		if ((known - reserve) * share < 1) return { delayMs: toReset, reason: 'reserve' };
		// The others' spending since that answer, at the rate they were last seen at, for at most
		// PREDICT_MS: an older guess is not extrapolated further but checked, by letting the next
		// request go at the pace what is known allows. Otherwise every process could hold back on
		// the others' guessed spending and nobody would send the request that shows it wrong.
		const age = now - last.at;
		const others = this.othersRate(below);
		const predicted = age < PREDICT_MS ? known - others * age : known;
		if (limit > 0 && predicted >= limit * HIGH_WATER) return { delayMs: 0 };
		const available = predicted - reserve;
		// Below the mark, a run whose remaining requests fit in what is left goes at full speed: pacing
		// it would only make it slow. Only while nobody else is seen spending: their demand is unknown,
		// and processes each trusting their own would spend the rest between them.
		const demand = this.demand();
		if (demand !== undefined && demand <= available) {
			const alone = this.aloneRecently();
			if (
				alone === 'yes' ||
				(alone === 'unknown' && available >= UNKNOWN_ALONE_FACTOR * MIN_SHARE_SAMPLE)
			)
				return { delayMs: 0 };
		}
		if (available < 1) return { delayMs: Math.min(PREDICT_MS - age, toReset), reason: 'paced' };
		// The pace at which everyone together would spend what is left exactly by the reset, and this
		// process's part of it: the share of the spending it had. Each process scaling its own
		// recent rate by the same factor brings the sum to the even pace in one step, whatever the
		// number of processes; subtracting the others' rate instead overcorrects N - 1 times over
		// and swings every process between the floor and the whole pace. The share lags behind a
		// client that ignores the headers, so it is capped by what the others, at the rate they
		// spend now, leave until the reset; the floor keeps the answers coming.
		const even = available / toReset;
		const ours = Math.max(even * MIN_PACE_SHARE, Math.min(even * share, even - others));
		const next = this.lastStart + 1 / ours;
		return next > now
			? { delayMs: Math.min(next - now, toReset), reason: 'paced' }
			: { delayMs: 0 };
	}

	private async waitForTurn(
		signal: AbortSignal | undefined,
		deadline: number,
	): Promise<PacingDecision> {
		let waitedMs = 0;
		let reason: PacingDecision['reason'];
		for (let step = this.delayNow(); step.delayMs > 0; step = this.delayNow()) {
			// Checked before sleeping: a wait that cannot end in time fails now, not at its end.
			const now = this.now();
			if (now + step.delayMs > deadline)
				throw this.tooLong(step.delayMs, deadline - now, step.reason ?? 'paced');
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

/** The pacer of one credential in this process (`id` from credentialDigest, as for the local budget). */
export function pacerFor(id: string): ServerPacer {
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

/**
 * The router's word on how many requests this execution will send, one per item; call `started()`
 * as each item starts and `end()` when the run is over. Runs that say nothing are paced as before.
 */
export function announceDemand(context: object, requests: number): RunDemand {
	const demand = new RunDemand(requests);
	executionState(context).demand = demand;
	return demand;
}

function reportOf(context: object): PacingReport {
	const execution = executionState(context);
	return (execution.pacing ??= { paced: 0, waitedMs: 0, longestWaitMs: 0 });
}

/** The request's side of the bound on pacing waits: its Max Total Wait, and what an error needs. */
export interface PacingBound {
	allowance: WaitAllowance;
	node: () => INode;
	itemIndex: number;
}

/**
 * Waits for the server's budget before a request and records the wait for the execution. With a
 * bound, the wait draws on the request's Max Total Wait, and a wait longer than what is left of it
 * fails at once with what the server announced.
 */
export async function paceRequest(
	context: object,
	pacer: ServerPacer,
	signal?: AbortSignal,
	bound?: PacingBound,
): Promise<PacingDecision> {
	if (!enabled) return { waitedMs: 0, seq: 0, startedAt: 0 };
	pacer.noteDemand(peekExecutionState(context)?.demand);
	const started = Date.now();
	let decision: PacingDecision;
	try {
		await pacer.untilFirstAnswer(signal, bound?.allowance.leftMs ?? FIRST_ANSWER_WAIT_MS);
		decision = await pacer.beforeStart(
			signal,
			bound
				? Math.max(0, bound.allowance.maxMs - bound.allowance.spentMs - (Date.now() - started))
				: undefined,
		);
	} catch (error) {
		// Stop and other failures pass on as they are; only a wait too long becomes the node's error.
		throw bound && error instanceof PacingWaitTooLong ? pacingWaitError(bound, error) : error;
	} finally {
		bound?.allowance.spend(Date.now() - started);
	}
	if (decision.waitedMs > 0) {
		const report = reportOf(context);
		report.paced++;
		report.waitedMs += decision.waitedMs;
		report.longestWaitMs = Math.max(report.longestWaitMs, decision.waitedMs);
	}
	return decision;
}

/** A 429 that asks to wait `delayMs`: the credential's other requests in this process wait too. */
export function observeRefusal(pacer: ServerPacer, delayMs: number): void {
	if (enabled) pacer.refused(delayMs);
}

/** Feeds a response's rate-limit state, with the request it answers, to the pacer and to the execution's report. */
export function observeResponse(
	context: object,
	pacer: ServerPacer,
	state: RateLimitState,
	request?: PacingDecision,
): void {
	if (enabled) pacer.observe(state, request?.seq ? request : undefined);
	if (state.form !== undefined) reportOf(context).state = state;
}

/** What this execution read from the server and how it paced; undefined when it sent nothing. */
export function pacingReport(context: object): PacingReport | undefined {
	return peekExecutionState(context)?.pacing;
}

/** "2.0 s", "5 min", "3 h", "31 years": a wait as a person reads it. */
export function describeDuration(ms: number): string {
	const seconds = ms / 1000;
	if (seconds < 90) return `${Math.round(seconds * 10) / 10} s`;
	if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
	if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
	if (seconds < 2 * 365 * 86400) return `${Math.round(seconds / 86400)} days`;
	return `${Math.round(seconds / (365.25 * 86400))} years`;
}

function count(value: number | undefined): string {
	return value === undefined ? '?' : value.toLocaleString('en-US');
}

/** What the server said, as the message quotes it: counts, reset (as sent) and the headers it came in. */
export function describeAnnounced(announced: Announced | undefined, now: number): string {
	if (!announced) return "DNSFilter's rate-limit headers asked this process to slow down";
	const { state } = announced;
	const counts =
		state.limit !== undefined
			? `${count(state.remaining)} of ${count(state.limit)} requests left`
			: `${count(state.remaining)} requests left`;
	const resetMs = state.resetMs ?? state.windowMs;
	const sent =
		state.resetRaw !== undefined
			? `, reset ${state.resetRaw} (${state.resetAs}, ${describeDuration(Math.max(0, (resetMs ?? 0) - (now - announced.at)))} from now)`
			: resetMs !== undefined
				? `, the window (${describeDuration(resetMs)}) ending within it`
				: '';
	return `DNSFilter announced ${counts}${sent}, in its ${state.source ?? 'rate-limit headers'}`;
}

/** The error for a request whose wait for the server's budget is longer than its Max Total Wait allows. */
export function pacingWaitError(bound: PacingBound, error: PacingWaitTooLong): NodeOperationError {
	const now = Date.now();
	const { announced } = error;
	const why =
		error.reason === 'queued'
			? `it waited ${describeDuration(error.allowedMs)} behind other requests of this credential in this n8n process that wait for DNSFilter's rate-limit budget`
			: `it would have to wait ${describeDuration(error.waitMs)} for DNSFilter's rate-limit budget, more than the ${describeDuration(error.allowedMs)} left of its "Max Total Wait"`;
	const held =
		error.reason === 'reserve'
			? ' No more are left than the few the node keeps for the dashboard and other workers, so requests wait for the reset.'
			: error.reason === 'refused'
				? ' DNSFilter answered another request of this credential with HTTP 429 and asked to wait that long, so every request of the credential in this n8n process waits with it.'
				: error.reason === 'paced'
					? ' The node spreads what is left until the reset, so this request would wait its turn.'
					: '';
	const capped = announced?.capped
		? ` A reset that far away is not plausible: this n8n process holds this credential's requests for ${describeDuration(Math.max(0, announced.resetAt - now))} at most, then asks DNSFilter again.`
		: '';
	const resetAt = announced ? announced.resetAt : undefined;
	const after =
		resetAt !== undefined && resetAt > now
			? ` or run again after ${new Date(resetAt).toISOString().replace(/\.\d+Z$/, 'Z')}`
			: ' or run again later';
	const need =
		error.reason === 'queued' ? '' : `; ${Math.ceil(error.waitMs / 1000) + 1} s would do`;
	return new NodeOperationError(
		bound.node(),
		`DNSFilter rate limit: the request was not sent because ${why}`,
		{
			itemIndex: bound.itemIndex,
			description: `${describeAnnounced(announced, now)}.${held}${capped} Raise "Max Total Wait (Seconds)" under Request Options (it bounds the waits for the budget and between retries together${need})${after}.`,
		},
	);
}

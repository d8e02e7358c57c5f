import { createHash } from 'crypto';

import { cancellableSleep } from './wait';

export interface BudgetTicket {
	/** How long the caller waited for its token. */
	waitedMs: number;
	/** Call when the request has been answered (or has failed): the token's window starts then. */
	settle(): void;
}

/**
 * A token bucket whose tokens come back one window after the request they paid for was answered:
 * at most `limit` requests reach the server in any `windowMs`, which is what DNSFilter's
 * per-organization limit counts. Starting the window at the answer rather than at the send matters:
 * the server counts a request when it arrives, and an early request that took longer to arrive
 * (a new connection, a busy event loop) would otherwise let `limit + 1` requests into one server
 * window. A token whose request is never settled falls back to its send time.
 * It lives per n8n process, so all items and executions sharing a credential share it.
 */
export class RollingWindowBudget {
	private readonly spentAt: number[] = [];

	private readonly generation: number[] = [];

	private oldest = 0;

	private queue: Promise<void> = Promise.resolve();

	constructor(
		readonly limit: number,
		readonly windowMs: number,
		private readonly now: () => number = Date.now,
	) {}

	/** Resolves when a request may start; callers are served in arrival order. */
	async take(signal?: AbortSignal): Promise<BudgetTicket> {
		let ticket: BudgetTicket | undefined;
		const turn = this.queue.then(async () => {
			ticket = await this.waitForToken(signal);
		});
		this.queue = turn.catch(() => undefined);
		await turn;
		return ticket as BudgetTicket;
	}

	private async waitForToken(signal?: AbortSignal): Promise<BudgetTicket> {
		let slot: number;
		let waitedMs = 0;
		if (this.spentAt.length < this.limit) {
			slot = this.spentAt.length;
			this.spentAt.push(this.now());
			this.generation.push(0);
		} else {
			slot = this.oldest;
			// Re-read after each sleep: the request holding this token may have been answered meanwhile.
			for (
				let wait = this.spentAt[slot] + this.windowMs - this.now();
				wait > 0;
				wait = this.spentAt[slot] + this.windowMs - this.now()
			) {
				await cancellableSleep(wait, signal);
				waitedMs += wait;
			}
			this.spentAt[slot] = this.now();
			this.generation[slot]++;
			this.oldest = (this.oldest + 1) % this.limit;
		}
		const generation = this.generation[slot];
		return {
			waitedMs,
			settle: () => {
				if (this.generation[slot] === generation)
					this.spentAt[slot] = Math.max(this.spentAt[slot], this.now());
			},
		};
	}
}

const budgets = new Map<string, RollingWindowBudget>();

/** One credential's identity in this process. A digest, so the key itself is never held as a map key or shown in a heap dump label. */
export function credentialDigest(baseUrl: string, apiKey: string): string {
	return createHash('sha256').update(`${baseUrl}\u0000${apiKey}`).digest('hex');
}

/**
 * The budget for one credential (`id` from credentialDigest); a changed limit or window starts a
 * fresh budget.
 */
export function budgetFor(
	id: string,
	limit: number,
	windowSeconds: number,
): RollingWindowBudget | undefined {
	if (!(limit > 0) || !(windowSeconds > 0)) return undefined;
	const windowMs = windowSeconds * 1000;
	const existing = budgets.get(id);
	if (existing && existing.limit === Math.floor(limit) && existing.windowMs === windowMs)
		return existing;
	const fresh = new RollingWindowBudget(Math.floor(limit), windowMs);
	budgets.set(id, fresh);
	return fresh;
}

import { createHash } from 'crypto';
import { sleep } from 'n8n-workflow';

/**
 * How much later than one window a spent token comes back. A token is taken just before the
 * request is sent, but the server counts the request when it arrives; when an early request took
 * longer to arrive than a later one (a new connection, a busy event loop, network jitter), the
 * server would see `limit + 1` requests within one window without this margin. 2% of the window,
 * at least 250 ms and at most 5 s (6 s of 300 s would cost more throughput than it buys).
 */
export function safetyMarginFor(windowMs: number): number {
	return Math.round(Math.min(5000, Math.max(250, windowMs * 0.02)));
}

/**
 * A token bucket whose tokens come back one window (plus a small safety margin) after they were
 * spent: at most `limit` requests start in any `windowMs`, which is what DNSFilter's
 * per-organization limit counts. It lives per n8n process, so all items and executions sharing a
 * credential share it.
 */
export class RollingWindowBudget {
	private readonly startedAt: number[] = [];

	private oldest = 0;

	private queue: Promise<void> = Promise.resolve();

	constructor(
		readonly limit: number,
		readonly windowMs: number,
		private readonly now: () => number = Date.now,
		readonly marginMs: number = safetyMarginFor(windowMs),
	) {}

	/** Resolves when a request may start; callers are served in arrival order. */
	async take(signal?: AbortSignal): Promise<number> {
		let waited = 0;
		const turn = this.queue.then(async () => {
			waited = await this.waitForToken(signal);
		});
		this.queue = turn.catch(() => undefined);
		await turn;
		return waited;
	}

	private async waitForToken(signal?: AbortSignal): Promise<number> {
		if (this.startedAt.length < this.limit) {
			this.startedAt.push(this.now());
			return 0;
		}
		const wait = this.startedAt[this.oldest] + this.windowMs + this.marginMs - this.now();
		if (wait > 0) await sleep(wait, signal);
		this.startedAt[this.oldest] = this.now();
		this.oldest = (this.oldest + 1) % this.limit;
		return Math.max(0, wait);
	}
}

const budgets = new Map<string, RollingWindowBudget>();

/** The budget for one credential; a changed limit or window starts a fresh budget. */
export function budgetFor(
	baseUrl: string,
	apiKey: string,
	limit: number,
	windowSeconds: number,
): RollingWindowBudget | undefined {
	if (!(limit > 0) || !(windowSeconds > 0)) return undefined;
	// Keyed by a digest so the key itself is never held as a map key or shown in a heap dump label.
	const id = createHash('sha256').update(`${baseUrl}\u0000${apiKey}`).digest('hex');
	const windowMs = windowSeconds * 1000;
	const existing = budgets.get(id);
	if (existing && existing.limit === Math.floor(limit) && existing.windowMs === windowMs) return existing;
	const fresh = new RollingWindowBudget(Math.floor(limit), windowMs);
	budgets.set(id, fresh);
	return fresh;
}

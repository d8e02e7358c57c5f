/**
 * Whole-try deadlines without a timer per try. Tries with the same timeout reach their deadlines
 * in the order they started, so one queue per timeout length, served by one timer for its
 * earliest pending deadline, does the work of a timer per try: `AbortSignal.timeout` per request
 * cost about as much as the rest of the node's own request code and left a timer (120 s by
 * default) behind for every request until the garbage collector found its signal. Times are
 * monotonic (performance.now), as the timers' are: a wall-clock step must not end running tries.
 */
export interface Deadline {
	/** True once the deadline passed while the try was still running. */
	readonly expired: boolean;
	/** The try is over: the deadline no longer applies and `onExpire` is not called. */
	clear(): void;
}

interface Entry extends Deadline {
	at: number;
	expired: boolean;
	done: boolean;
	onExpire?: () => void;
}

/** Queues shorter than this are never compacted; longer ones once half of them is behind the head. */
const COMPACT_FROM = 1024;

class DeadlineQueue {
	private entries: Entry[] = [];

	private head = 0;

	/** When the armed timer fires (Infinity: none armed). */
	private armedAt = Infinity;

	constructor(private readonly ms: number) {}

	add(onExpire: () => void): Deadline {
		const at = performance.now() + this.ms;
		const entry: Entry = {
			at,
			expired: false,
			done: false,
			onExpire,
			clear: () => {
				entry.done = true;
				entry.onExpire = undefined;
				this.advance();
			},
		};
		this.entries.push(entry);
		// Entries are in deadline order: a timer armed for an earlier one fires first and re-arms.
		if (this.armedAt === Infinity) this.arm(at);
		return entry;
	}

	/** Entries still held: running tries, and finished ones behind a running head. */
	get held(): number {
		return this.entries.length - this.head;
	}

	private advance(): void {
		while (this.head < this.entries.length && this.entries[this.head].done) this.head++;
		if (this.head === this.entries.length) {
			this.entries = [];
			this.head = 0;
		} else if (this.head >= COMPACT_FROM && this.head * 2 >= this.entries.length) {
			this.entries = this.entries.slice(this.head);
			this.head = 0;
		}
	}

	private arm(at: number): void {
		this.armedAt = at;
		const timer = AbortSignal.timeout(Math.max(1, Math.ceil(at - performance.now())));
		timer.addEventListener('abort', () => this.fire(), { once: true });
	}

	private fire(): void {
		this.armedAt = Infinity;
		const now = performance.now();
		while (this.head < this.entries.length) {
			const entry = this.entries[this.head];
			if (!entry.done) {
				if (entry.at > now) break;
				entry.done = true;
				entry.expired = true;
				const onExpire = entry.onExpire;
				entry.onExpire = undefined;
				onExpire?.();
			}
			this.head++;
		}
		this.advance();
		if (this.head < this.entries.length) this.arm(this.entries[this.head].at);
	}
}

const queues = new Map<number, DeadlineQueue>();

/** Calls `onExpire` once `ms` have passed, unless the returned deadline is cleared first. */
export function deadlineAfter(ms: number, onExpire: () => void): Deadline {
	let queue = queues.get(ms);
	if (!queue) queues.set(ms, (queue = new DeadlineQueue(ms)));
	return queue.add(onExpire);
}

/** How many deadline entries the process holds, for tests: finished tries must not stay. */
export function heldDeadlines(): number {
	let held = 0;
	for (const queue of queues.values()) held += queue.held;
	return held;
}

import { ApplicationError, sleep } from 'n8n-workflow';

function cancelReason(signal: AbortSignal): Error {
	return signal.reason instanceof Error
		? signal.reason
		: new ApplicationError('The execution was cancelled');
}

/**
 * n8n-workflow's `sleep`, but one that ends as soon as the execution is stopped, on every n8n:
 * `sleep(ms, signal)` honours the signal only from n8n-workflow 2.x, while 1.x ignores it, so Stop
 * during a long Retry-After or throttle wait took effect only when the wait was over. Rejects with
 * the signal's reason, as 2.x's `sleep` does. On 1.x the underlying timer still runs out in the
 * background; it holds nothing but itself.
 */
export async function cancellableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (!signal) {
		await sleep(ms);
		return;
	}
	if (signal.aborted) throw cancelReason(signal);
	let onAbort = () => {};
	const cancelled = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(cancelReason(signal));
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms, signal), cancelled]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/**
 * One request's "Max Total Wait": waits for the server's budget (pacing) and waits between retries
 * draw on the same allowance, so a slow budget cannot add its waits on top of the retries' and
 * the setting bounds how long one request can keep an execution waiting.
 */
export class WaitAllowance {
	private spent = 0;

	constructor(readonly maxMs: number) {}

	get spentMs(): number {
		return this.spent;
	}

	get leftMs(): number {
		return Math.max(0, this.maxMs - this.spent);
	}

	spend(ms: number): void {
		if (ms > 0) this.spent += ms;
	}
}

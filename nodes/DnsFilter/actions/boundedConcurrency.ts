import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/**
 * Running per-item API calls several at a time, with results kept in item order.
 *
 * Every request still goes through the per-credential throttle and the pacer, so concurrency only
 * hides latency; it never lets more requests start per window than the credential allows, and the
 * pacer counts requests in flight against what the server said is left, so no more are in flight
 * than the budget holds above its reserve.
 */

export const DEFAULT_CONCURRENCY = 1;
export const MAX_CONCURRENCY = 100;

/**
 * Reads (GET) change nothing, so a run of them sends several at once by default: at internet
 * latency one at a time is most of a bulk run's time, and with ten a 500-item run still waits
 * fifty round trips. The pacer caps what is in flight by what the server says is left, so the
 * default costs the budget nothing a slower run would not. Writes keep 1 ("Items in Parallel").
 */
export const DEFAULT_READ_CONCURRENCY = 50;

/** For the router's Options collection on operations that take an id per item. */
export const concurrencyOption: INodeProperties = {
	displayName: 'Items in Parallel',
	name: 'concurrency',
	type: 'number',
	default: DEFAULT_CONCURRENCY,
	typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY, numberPrecision: 0 },
	description:
		"For operations that take an ID per item: how many items to send to DNSFilter at the same time (1–100). Output stays in input order; all requests still share the credential's rate budget. Applies to writes (create, update, delete); Get operations use Reads in Parallel unless only this is set. Other operations run one item at a time.",
};

/** A separate option, so a saved "Items in Parallel" keeps meaning what it meant. */
export const readConcurrencyOption: INodeProperties = {
	displayName: 'Reads in Parallel',
	name: 'readConcurrency',
	type: 'number',
	default: DEFAULT_READ_CONCURRENCY,
	typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY, numberPrecision: 0 },
	description:
		"For Get operations that take an ID per item: how many items to read from DNSFilter at the same time (1–100, default 50). Output stays in input order; all requests still share the credential's rate budget and slow down when it would not last.",
};

/**
 * The concurrency for this execution: for operations that take an ID per item (a path parameter),
 * "Reads in Parallel" for GETs (or a saved "Items in Parallel" when only that is set, so its
 * meaning holds) and "Items in Parallel" for writes; 1 for everything else.
 */
export function concurrencyFor(
	context: IExecuteFunctions,
	takesIdPerItem: boolean,
	method?: string,
): number {
	if (!takesIdPerItem) return DEFAULT_CONCURRENCY;
	const options = context.getNodeParameter('requestOptions', 0, {}) as {
		concurrency?: unknown;
		readConcurrency?: unknown;
	};
	if (method === 'GET')
		return clampConcurrency(
			options.readConcurrency ?? options.concurrency ?? DEFAULT_READ_CONCURRENCY,
		);
	return clampConcurrency(options.concurrency ?? DEFAULT_CONCURRENCY);
}

export function clampConcurrency(value: unknown): number {
	const parsed = Math.floor(Number(value));
	if (!Number.isFinite(parsed) || parsed < 1) return DEFAULT_CONCURRENCY;
	return Math.min(parsed, MAX_CONCURRENCY);
}

export type ItemOutcome<T> =
	| { index: number; ok: true; value: T }
	| { index: number; ok: false; error: Error };

export interface ConcurrencyOptions {
	/** Stop starting new items after the first failure (items in flight still finish). */
	stopOnError?: boolean;
	/** Stop starting new items once the execution is cancelled. */
	signal?: AbortSignal;
}

/**
 * Runs `worker(0…count-1)` with at most `concurrency` running at once and returns one outcome per
 * started item, ordered by index. Items are started in index order.
 */
export async function mapWithConcurrency<T>(
	count: number,
	concurrency: number,
	worker: (index: number) => Promise<T>,
	options: ConcurrencyOptions = {},
): Promise<Array<ItemOutcome<T>>> {
	const outcomes: Array<ItemOutcome<T> | undefined> = new Array(count);
	const lanes = Math.min(clampConcurrency(concurrency), Math.max(count, 1));
	let next = 0;
	let stopped = false;

	const lane = async () => {
		while (!stopped && next < count && !options.signal?.aborted) {
			const index = next++;
			try {
				outcomes[index] = { index, ok: true, value: await worker(index) };
			} catch (error) {
				outcomes[index] = {
					index,
					ok: false,
					error: error instanceof Error ? error : new Error(String(error)),
				};
				if (options.stopOnError) stopped = true;
			}
		}
	};
	await Promise.all(Array.from({ length: lanes }, lane));
	return outcomes.filter((outcome): outcome is ItemOutcome<T> => outcome !== undefined);
}

/**
 * The router's loop for "one request per item", with bounded concurrency and n8n's error rules:
 * output in item order with `pairedItem` set; a failed item becomes `{error}` when the node
 * continues on fail, otherwise the failure of the lowest item index is thrown (no new items start
 * after a failure, items already in flight finish).
 */
export async function runItemsWithConcurrency(
	context: IExecuteFunctions,
	itemCount: number,
	concurrency: number,
	worker: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const continueOnFail = context.continueOnFail();
	const outcomes = await mapWithConcurrency(itemCount, concurrency, worker, {
		stopOnError: !continueOnFail,
		signal: context.getExecutionCancelSignal?.(),
	});
	const output: INodeExecutionData[] = [];
	for (const outcome of outcomes) {
		if (outcome.ok) {
			// One push per item: a Return All hands back 100,000 items or more, too many to spread
			// into one call's arguments, and they need no copy when they already name their item.
			for (const item of outcome.value)
				output.push(item.pairedItem ? item : { ...item, pairedItem: { item: outcome.index } });
			continue;
		}
		if (!continueOnFail) throw withRunSummary(outcome.error, outcome.index, outcomes, itemCount);
		output.push({ json: { error: outcome.error.message }, pairedItem: { item: outcome.index } });
	}
	return output;
}

/** "0–4, 6 and 9": item indexes (ascending) as n8n numbers them, runs shortened. */
export function describeIndexes(indexes: number[]): string {
	const runs: string[] = [];
	for (let i = 0; i < indexes.length; ) {
		let j = i;
		while (j + 1 < indexes.length && indexes[j + 1] === indexes[j] + 1) j++;
		runs.push(j === i ? `${indexes[i]}` : `${indexes[i]}–${indexes[j]}`);
		i = j + 1;
	}
	return runs.length > 1
		? `${runs.slice(0, -1).join(', ')} and ${runs[runs.length - 1]}`
		: (runs[0] ?? '');
}

/**
 * The failure that stops a run of several items, with what happened to the others. n8n passes no
 * output on from a failed node, so without this an unattended clean-up could not tell which
 * deletions went through: the items before the failure, and with Items in Parallel above 1 also
 * items after it that were already on the wire.
 */
function withRunSummary(
	error: Error,
	failedIndex: number,
	outcomes: Array<ItemOutcome<unknown>>,
	itemCount: number,
): Error {
	if (itemCount < 2) return error;
	const succeeded = outcomes.filter((o) => o.ok).map((o) => o.index);
	const alsoFailed = outcomes.filter((o) => !o.ok && o.index !== failedIndex).map((o) => o.index);
	const started = new Set(outcomes.map((o) => o.index));
	const notSent: number[] = [];
	for (let index = 0; index < itemCount; index++) if (!started.has(index)) notSent.push(index);
	const parts = [
		succeeded.length
			? `item${succeeded.length > 1 ? 's' : ''} ${describeIndexes(succeeded)} succeeded (${succeeded.length > 1 ? 'their requests were' : 'its request was'} made; a failed node passes no output on)`
			: 'no other item succeeded',
		alsoFailed.length
			? `item${alsoFailed.length > 1 ? 's' : ''} ${describeIndexes(alsoFailed)} failed too`
			: '',
		notSent.length
			? `item${notSent.length > 1 ? 's' : ''} ${describeIndexes(notSent)} ${notSent.length > 1 ? 'were' : 'was'} not sent`
			: '',
	].filter(Boolean);
	const summary = `This run of ${itemCount} items stopped at item ${failedIndex}: ${parts.join('; ')}. Set "On Error" in the node's Settings to "Continue" to get one output item per input item, errors included.`;
	const described = error as Error & { description?: string | null };
	described.description = described.description ? `${described.description} ${summary}` : summary;
	return error;
}

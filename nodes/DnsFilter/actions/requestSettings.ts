import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RequestOptions } from '../transport';
import {
	DEFAULT_MAX_PAGES,
	DEFAULT_MAX_RESPONSE_BYTES,
	DEFAULT_RETRY_POLICY,
	DEFAULT_TIMEOUT_MS,
} from '../transport';
import { concurrencyOption, readConcurrencyOption } from './boundedConcurrency';
import { itemParameter } from './itemParameter';

/** Shared by every operation: how hard to retry, and how long and large one answer may be. */
export const requestOptionsProperty: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Max Pages',
			name: 'maxPages',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1000000, numberPrecision: 0 },
			default: 10000,
			description:
				'With Return All: how many pages (up to 100 records each) may be read before the node stops with an error, so a server that never ends its list cannot run forever',
		},
		{
			displayName: 'Max Response Size (MB)',
			name: 'maxResponseMb',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1024 },
			default: 50,
			description:
				'Largest answer (after decompression) accepted; a larger one fails instead of filling memory',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 100, numberPrecision: 0 },
			default: 5,
			description:
				'How many times to retry after a 429 (always) or a 5xx / network error (GET, PUT and DELETE only)',
		},
		{
			displayName: 'Max Total Wait (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 86400 },
			default: 120,
			description:
				'Upper bound on the total time spent waiting between retries for one request (at most one day)',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 86400 },
			default: 120,
			description:
				'Deadline for one request: connecting, the answer and its whole body. A request past it counts as a network error.',
		},
		concurrencyOption,
		readConcurrencyOption,
	],
};

interface Bound {
	label: string;
	min: number;
	max: number;
	fallback: number;
	integer?: boolean;
}

const BOUNDS: Record<string, Bound> = {
	maxRetries: {
		label: 'Max Retries',
		min: 0,
		max: 100,
		fallback: DEFAULT_RETRY_POLICY.maxRetries,
		integer: true,
	},
	maxWaitSeconds: {
		label: 'Max Total Wait (Seconds)',
		min: 0,
		max: 86_400,
		fallback: DEFAULT_RETRY_POLICY.maxWaitMs / 1000,
	},
	timeoutSeconds: {
		label: 'Timeout (Seconds)',
		min: 1,
		max: 86_400,
		fallback: DEFAULT_TIMEOUT_MS / 1000,
	},
	maxPages: {
		label: 'Max Pages',
		min: 1,
		max: 1_000_000,
		fallback: DEFAULT_MAX_PAGES,
		integer: true,
	},
	maxResponseMb: {
		label: 'Max Response Size (MB)',
		min: 1,
		max: 1024,
		fallback: DEFAULT_MAX_RESPONSE_BYTES / 1024 / 1024,
	},
};

/** A Request Options value inside its bounds; an absurd one fails before anything is sent, naming the field. */
function bounded(
	context: IExecuteFunctions,
	options: IDataObject,
	name: string,
	itemIndex: number,
): number {
	const { label, min, max, fallback, integer } = BOUNDS[name];
	const raw = options[name];
	if (raw === undefined || raw === null || raw === '') return fallback;
	const value = Number(raw);
	if (
		!Number.isFinite(value) ||
		value < min ||
		value > max ||
		(integer && !Number.isInteger(value))
	) {
		throw new NodeOperationError(
			context.getNode(),
			`"${label}" under Request Options must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max.toLocaleString('en-US')}; it is ${String(raw).slice(0, 40)}`,
			{ itemIndex, description: `Fix "${label}" under Request Options. Nothing was sent.` },
		);
	}
	return value;
}

/** The transport settings for one item, from the "Request Options" collection. */
export function requestSettingsFor(
	context: IExecuteFunctions,
	itemIndex: number,
): Required<RequestOptions> {
	const options = itemParameter(context, 'requestOptions', itemIndex, {}) as IDataObject;
	return {
		itemIndex,
		retry: {
			maxRetries: bounded(context, options, 'maxRetries', itemIndex),
			maxWaitMs: bounded(context, options, 'maxWaitSeconds', itemIndex) * 1000,
		},
		timeoutMs: bounded(context, options, 'timeoutSeconds', itemIndex) * 1000,
		maxPages: bounded(context, options, 'maxPages', itemIndex),
		maxResponseBytes: Math.round(
			bounded(context, options, 'maxResponseMb', itemIndex) * 1024 * 1024,
		),
	};
}

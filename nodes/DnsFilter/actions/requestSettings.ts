import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RequestOptions } from '../transport';
import { DEFAULT_RETRY_POLICY } from '../transport';
import { concurrencyOption } from './custom/boundedConcurrency';

// Literal defaults in the property below keep the n8n lint rules able to read them.
const DEFAULT_TIMEOUT_SECONDS = 120;

/** Shared by every operation: how hard to retry, and how long one request may take. */
export const requestOptionsProperty: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 0 },
			default: 5,
			description:
				'How many times to retry after a 429 (always) or a 5xx / network error (GET, PUT and DELETE only)',
		},
		{
			displayName: 'Max Total Wait (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 120,
			description: 'Upper bound on the total time spent waiting between retries for one request',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 120,
			description: 'How long one request may take before it counts as a network error',
		},
		concurrencyOption,
	],
};

function nonNegative(value: unknown, fallback: number): number {
	const number = Number(value ?? fallback);
	return Number.isFinite(number) && number >= 0 ? number : fallback;
}

/** The transport settings for one item, from the "Request Options" collection. */
export function requestSettingsFor(context: IExecuteFunctions, itemIndex: number): Required<RequestOptions> {
	const options = context.getNodeParameter('requestOptions', itemIndex, {}) as IDataObject;
	return {
		itemIndex,
		retry: {
			maxRetries: Math.floor(nonNegative(options.maxRetries, DEFAULT_RETRY_POLICY.maxRetries)),
			maxWaitMs: nonNegative(options.maxWaitSeconds, DEFAULT_RETRY_POLICY.maxWaitMs / 1000) * 1000,
		},
		timeoutMs: Math.max(1, nonNegative(options.timeoutSeconds, DEFAULT_TIMEOUT_SECONDS)) * 1000,
	};
}

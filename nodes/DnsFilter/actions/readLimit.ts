import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { parseDecimal } from './buildRequest';

/**
 * The Limit of a list operation: a positive whole number, checked before anything is sent.
 * "abc" used to become `page[size]=NaN` and a full walk; 0 or -1 an empty result with no error.
 */
export function readLimit(context: IExecuteFunctions, itemIndex: number): number {
	const raw = context.getNodeParameter('limit', itemIndex, 50);
	const fail = (message: string, description?: string): never => {
		throw new NodeOperationError(context.getNode(), message, { itemIndex, description });
	};
	const limit = parseDecimal(raw, true, 'Limit', (_message, description) =>
		fail(
			'The "Limit" field must be a positive whole number',
			`${description ?? ''} Or turn on Return All.`.trim(),
		),
	);
	if (limit < 1)
		fail(
			'The "Limit" field must be a positive whole number',
			`Got ${limit}. Enter 1 or more, or turn on Return All.`,
		);
	return limit;
}

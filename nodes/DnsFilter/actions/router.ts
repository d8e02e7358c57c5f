import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { findOperation } from '../generated/operations';
import { dnsFilterApiRequest, dnsFilterApiRequestPaged } from '../transport';
import { buildRequest } from './buildRequest';
import { concurrencyFor, runItemsWithConcurrency } from './custom/boundedConcurrency';
import { addRateLimitHint } from './custom/rateLimitHint';
import type { OperationContext } from './customRegistry';
import { customOperations, hooksFor, operationKey } from './customRegistry';
import { maskSecrets } from './maskSecrets';
import type { OperationSpec } from './operationSpec';
import { readLimit } from './readLimit';
import { requestSettingsFor } from './requestSettings';
import { isEmptyBody, recordsOf, shapeList, shapeRecord, successResult } from './shapeOutput';
import { waitForExport } from './waitForExport';

/** The id a 204 answer is about: the last path parameter (`/v1/networks/{id}` → the network id). */
function pathId(spec: OperationSpec, context: IExecuteFunctions, itemIndex: number): unknown {
	const pathFields = spec.fields.filter((field) => field.in === 'path');
	const field = pathFields.find((entry) => entry.wireName === 'id') ?? pathFields[pathFields.length - 1];
	return field ? context.getNodeParameter(field.field, itemIndex, undefined) : undefined;
}

/** Runs one generated operation for one item and returns the output JSON objects. */
export async function runGeneratedOperation(
	this: IExecuteFunctions,
	spec: OperationSpec,
	itemIndex: number,
): Promise<IDataObject[]> {
	const request = buildRequest.call(this, spec, itemIndex);
	const settings = requestSettingsFor(this, itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) === true;

	if (spec.pagination) {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) === true;
		const limit = returnAll ? undefined : readLimit(this, itemIndex);
		const { records } = await dnsFilterApiRequestPaged.call(this, request, {
			style: spec.pagination,
			returnAll,
			limit,
			...settings,
		});
		return shapeList(records, simplify);
	}

	const response = await dnsFilterApiRequest.call(this, request, settings);
	let body = response.body;
	if (response.statusCode === 204 || isEmptyBody(body)) return [successResult(pathId(spec, this, itemIndex))];

	if (spec.exportStatusOperationId && this.getNodeParameter('waitForCompletion', itemIndex, false) === true) {
		body = await waitForExport.call(this, spec, body, settings);
	}

	if (spec.output === 'list') return shapeList(recordsOf(body), simplify);
	if (spec.output === 'none') return [successResult(pathId(spec, this, itemIndex))];
	return [shapeRecord(body, simplify)];
}

async function runItem(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const resource = this.getNodeParameter('resource', itemIndex) as string;
	const operation = this.getNodeParameter('operation', itemIndex) as string;
	const spec = findOperation(resource, operation);
	const context: OperationContext = { itemIndex, resource, operation, spec };

	let results: IDataObject[];
	const custom = customOperations[operationKey(resource, operation)];
	if (custom) {
		results = await custom.call(this, context);
	} else if (spec) {
		results = await runGeneratedOperation.call(this, spec, itemIndex);
	} else {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for resource "${resource}"`, {
			itemIndex,
		});
	}
	for (const hook of hooksFor(resource, operation)) results = await hook.call(this, results, context);
	return maskSecrets(this, spec?.operationId, itemIndex, results);
}

/** n8n errors pass through (with the item index filled in); anything else is wrapped. */
function asNodeError(context: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

/**
 * The node's execute(): one request (or one paged walk) per input item; operations that take an
 * ID per item may run up to 5 items at a time ("Items in Parallel"), output still in item order.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const spec = items.length
		? findOperation(this.getNodeParameter('resource', 0) as string, this.getNodeParameter('operation', 0) as string)
		: undefined;
	const concurrency = concurrencyFor(this, spec?.fields.some((field) => field.in === 'path') === true);

	const output = await runItemsWithConcurrency(this, items.length, concurrency, async (itemIndex) => {
		try {
			const results = await runItem.call(this, itemIndex);
			return results.map((json) => ({ json, pairedItem: { item: itemIndex } }));
		} catch (error) {
			throw asNodeError(this, error, itemIndex);
		}
	});
	addRateLimitHint(this);
	return [output];
}

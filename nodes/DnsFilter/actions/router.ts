import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { findOperation } from '../generated/operations';
import {
	dnsFilterApiRequest,
	dnsFilterApiRequestPaged,
	listRecordsOf,
	notAListError,
	unexpectedBodyError,
} from '../transport';
import { buildRequest } from './buildRequest';
import { concurrencyFor, runItemsWithConcurrency } from './boundedConcurrency';
import { announceDemand } from '../transport/serverPacing';
import { addRateLimitHint } from './rateLimitHint';
import type { OperationContext } from './registry';
import { hooksFor, operationKey, registry, resolveSavedOperation } from './registry';
import { itemParameter } from './itemParameter';
import { maskSecrets } from './maskSecrets';
import type { OperationSpec } from '../types/operationSpec';
import { readLimit } from './readLimit';
import { requestSettingsFor } from './requestSettings';
import {
	isEmptyBody,
	shapeList,
	shapeListRecord,
	shapeRecord,
	successResult,
} from '../records/shapeOutput';
import { waitForExport } from './waitForExport';
import { locatorValue } from '../utils/locatorValue';

/** The id a 204 answer is about: the last path parameter (`/v1/networks/{id}` → the network id). */
function pathId(spec: OperationSpec, context: IExecuteFunctions, itemIndex: number): unknown {
	const pathFields = spec.fields.filter((field) => field.in === 'path');
	const field =
		pathFields.find((entry) => entry.wireName === 'id') ?? pathFields[pathFields.length - 1];
	return field
		? locatorValue(context.getNodeParameter(field.field, itemIndex, undefined))
		: undefined;
}

/**
 * Whether a 2xx without a body is a valid answer: a 204, a DELETE, an operation that returns
 * nothing, or a record operation answered without a JSON content type (the spec declares a few
 * 2xx answers without a body). A list never is (it would read as "no records"), nor is an empty
 * body labelled JSON (an empty document is not JSON).
 */
function emptyBodyAllowed(
	spec: OperationSpec,
	method: string,
	response: { statusCode: number; contentType: string },
): boolean {
	if (response.statusCode === 204 || method === 'DELETE' || spec.output === 'none') return true;
	if (spec.output === 'list') return false;
	return !/json/i.test(response.contentType);
}

/** Runs one generated operation for one item and returns the output JSON objects. */
export async function runGeneratedOperation(
	this: IExecuteFunctions,
	spec: OperationSpec,
	itemIndex: number,
): Promise<IDataObject[]> {
	const request = buildRequest.call(this, spec, itemIndex);
	const settings = requestSettingsFor(this, itemIndex);
	const simplify = itemParameter(this, 'simplify', itemIndex, true) === true;

	if (spec.pagination) {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) === true;
		const limit = returnAll ? undefined : readLimit(this, itemIndex);
		const { records } = await dnsFilterApiRequestPaged.call(this, request, {
			style: spec.pagination,
			returnAll,
			limit,
			mapRecord: (record) => shapeListRecord(record, simplify),
			...settings,
		});
		return records as IDataObject[];
	}

	const response = await dnsFilterApiRequest.call(this, request, settings);
	let body = response.body;
	if (response.alreadyDeleted)
		return [{ ...successResult(pathId(spec, this, itemIndex)), alreadyDeleted: true }];
	if (body === undefined && !emptyBodyAllowed(spec, request.method, response)) {
		throw unexpectedBodyError(
			this.getNode(),
			{ method: request.method, path: request.path, ...response },
			'the JSON body this operation returns',
			itemIndex,
		);
	}
	if (spec.output === 'none' || isEmptyBody(body))
		return [successResult(pathId(spec, this, itemIndex))];

	if (
		spec.exportStatusOperationId &&
		this.getNodeParameter('waitForCompletion', itemIndex, false) === true
	) {
		body = await waitForExport.call(this, spec, body, settings);
	}

	if (spec.output === 'list') {
		const records = listRecordsOf(body);
		if (!records) throw notAListError(this, request, response, itemIndex);
		return shapeList(records, simplify);
	}
	return [shapeRecord(body, simplify)];
}

/** The operation every item runs: Resource and Operation take no expressions, so item 0's are every item's. */
interface Selected {
	resource: string;
	operation: string;
	spec: OperationSpec | undefined;
}

async function runItem(
	this: IExecuteFunctions,
	itemIndex: number,
	{ resource, operation, spec }: Selected,
): Promise<IDataObject[]> {
	const context: OperationContext = { itemIndex, resource, operation, spec };

	let results: IDataObject[];
	const custom = registry.operations[operationKey(resource, operation)];
	if (custom) {
		results = await custom.call(this, context);
	} else if (spec) {
		results = await runGeneratedOperation.call(this, spec, itemIndex);
	} else {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" is not known for resource "${resource}"`,
			{
				itemIndex,
			},
		);
	}
	for (const hook of hooksFor(resource, operation))
		results = await hook.call(this, results, context);
	return maskSecrets(this, spec?.operationId, itemIndex, results);
}

/** n8n errors pass through (with the item index filled in); anything else is wrapped. */
function asNodeError(
	context: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

/**
 * The node's execute(): one request (or one paged walk) per input item; operations that take an
 * ID per item run several at a time (Get operations 10 by default, "Reads in Parallel"; writes
 * 1, "Items in Parallel"), output still in item order.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (!items.length) {
		addRateLimitHint(this);
		return [[]];
	}
	// Read once, as n8n's own routers (Airtable v2, Mattermost) do: each read is a validated
	// parameter lookup through n8n-core, and both are `noDataExpression`, so no item differs.
	const saved = resolveSavedOperation(
		this.getNodeParameter('resource', 0) as string,
		this.getNodeParameter('operation', 0) as string,
	);
	if (saved.removed)
		throw new NodeOperationError(this.getNode(), saved.removed, {
			description: 'Open the node and pick another operation',
		});
	const { resource, operation } = saved;
	const selected: Selected = { resource, operation, spec: findOperation(resource, operation) };
	const { spec } = selected;
	const concurrency = concurrencyFor(
		this,
		spec?.fields.some((field) => field.in === 'path') === true,
		spec?.method,
	);
	// One request per item, so the pacer can tell whether what the run still needs lasts until the
	// reset; paged walks and export waits send an unknown number and say nothing.
	const demand =
		spec && !spec.pagination && !spec.exportStatusOperationId
			? announceDemand(this, items.length)
			: undefined;

	const output = await runItemsWithConcurrency(
		this,
		items.length,
		concurrency,
		async (itemIndex) => {
			demand?.started();
			try {
				const results = await runItem.call(this, itemIndex, selected);
				// One pairing for all of an item's outputs: a Return All gives hundreds of thousands.
				const pairedItem = { item: itemIndex };
				return results.map((json) => ({ json, pairedItem }));
			} catch (error) {
				throw asNodeError(this, error, itemIndex);
			}
		},
	).finally(() => demand?.end());
	addRateLimitHint(this);
	return [output];
}

import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { findOperation, findOperationById } from '../generated/operations';
import type { RetryPolicy } from '../transport';
import { DEFAULT_RETRY_POLICY, dnsFilterApiRequest, dnsFilterApiRequestPaged } from '../transport';
import { buildRequest, fillPath } from './buildRequest';
import { concurrencyFor, runItemsWithConcurrency } from './custom/boundedConcurrency';
import { addRateLimitHint } from './custom/rateLimitHint';
import type { OperationContext } from './customRegistry';
import { customOperations, hooksFor, operationKey } from './customRegistry';
import type { OperationSpec } from './operationSpec';
import { isEmptyBody, recordsOf, shapeList, shapeRecord, successResult } from './shapeOutput';

function isRecord(value: unknown): value is IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The retry policy from the "Request Options" collection. */
export function retryPolicyFor(context: IExecuteFunctions, itemIndex: number): RetryPolicy {
	const options = context.getNodeParameter('requestOptions', itemIndex, {}) as IDataObject;
	const maxRetries = Number(options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries);
	const maxWaitSeconds = Number(options.maxWaitSeconds ?? DEFAULT_RETRY_POLICY.maxWaitMs / 1000);
	return {
		maxRetries: Number.isFinite(maxRetries) && maxRetries >= 0 ? Math.floor(maxRetries) : DEFAULT_RETRY_POLICY.maxRetries,
		maxWaitMs: Number.isFinite(maxWaitSeconds) && maxWaitSeconds >= 0 ? maxWaitSeconds * 1000 : DEFAULT_RETRY_POLICY.maxWaitMs,
	};
}

/** The id a 204 answer is about: the last path parameter (`/v1/networks/{id}` → the network id). */
function pathId(spec: OperationSpec, context: IExecuteFunctions, itemIndex: number): unknown {
	const pathFields = spec.fields.filter((field) => field.in === 'path');
	const field = pathFields.find((entry) => entry.wireName === 'id') ?? pathFields[pathFields.length - 1];
	return field ? context.getNodeParameter(field.field, itemIndex, undefined) : undefined;
}

/** The job id in an export's create/show answer: `{data: {id|uuid, url, error}}`. */
function exportJob(body: unknown): IDataObject {
	if (isRecord(body) && isRecord(body.data)) return body.data;
	return isRecord(body) ? body : {};
}

/**
 * Polls the export's status operation until its `url` is set, its `error` is set, or the time is
 * up. Bounded by both the timeout and a maximum number of polls.
 */
async function waitForExport(
	this: IExecuteFunctions,
	spec: OperationSpec,
	created: unknown,
	itemIndex: number,
	retry: RetryPolicy,
): Promise<unknown> {
	const node = this.getNode();
	const statusSpec = findOperationById(spec.exportStatusOperationId ?? '');
	const job = exportJob(created);
	const jobId = job.id ?? job.uuid;
	if (!statusSpec) return created;
	if (job.url) return created;
	if (jobId === undefined || jobId === null || jobId === '') {
		throw new NodeOperationError(node, 'DNSFilter did not return an export ID to wait for', {
			itemIndex,
			description: 'Turn off "Wait for Completion" to get the raw answer of the create call.',
		});
	}
	const intervalMs = Math.max(1, Number(this.getNodeParameter('pollInterval', itemIndex, 5))) * 1000;
	const timeoutMs = Math.max(1, Number(this.getNodeParameter('completionTimeout', itemIndex, 300))) * 1000;
	const maxPolls = Math.ceil(timeoutMs / intervalMs) + 1;
	const idParameter = statusSpec.fields.find((field) => field.in === 'path')?.wireName ?? 'id';
	const path = fillPath(statusSpec.path, { [idParameter]: jobId });
	const started = Date.now();
	const signal = this.getExecutionCancelSignal?.();

	for (let poll = 1; poll <= maxPolls; poll++) {
		const elapsed = Date.now() - started;
		if (elapsed + intervalMs > timeoutMs && poll > 1) break;
		await sleep(intervalMs, signal);
		const response = await dnsFilterApiRequest.call(this, { method: statusSpec.method, path }, { itemIndex, retry });
		const state = exportJob(response.body);
		if (state.error) {
			throw new NodeOperationError(node, `DNSFilter export ${String(jobId)} failed: ${String(state.error)}`, {
				itemIndex,
			});
		}
		if (state.url) return response.body;
	}
	throw new NodeOperationError(node, `DNSFilter export ${String(jobId)} was not ready after ${Math.round(timeoutMs / 1000)} seconds`, {
		itemIndex,
		description: `The export is still running. Raise "Timeout (Seconds)", or fetch it later with the "${statusSpec.displayName ?? statusSpec.operation}" operation and ID ${String(jobId)}.`,
	});
}

/** Runs one generated operation for one item and returns the output JSON objects. */
export async function runGeneratedOperation(
	this: IExecuteFunctions,
	spec: OperationSpec,
	itemIndex: number,
): Promise<IDataObject[]> {
	const request = buildRequest.call(this, spec, itemIndex);
	const retry = retryPolicyFor(this, itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) === true;

	if (spec.pagination) {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) === true;
		const limit = returnAll ? undefined : Number(this.getNodeParameter('limit', itemIndex, 50));
		const { records } = await dnsFilterApiRequestPaged.call(this, request, {
			style: spec.pagination,
			returnAll,
			limit,
			itemIndex,
			retry,
		});
		return shapeList(records, simplify);
	}

	const response = await dnsFilterApiRequest.call(this, request, { itemIndex, retry });
	let body = response.body;
	if (response.statusCode === 204 || isEmptyBody(body)) return [successResult(pathId(spec, this, itemIndex))];

	if (spec.exportStatusOperationId && this.getNodeParameter('waitForCompletion', itemIndex, false) === true) {
		body = await waitForExport.call(this, spec, body, itemIndex, retry);
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
	return results;
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

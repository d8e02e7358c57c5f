import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { findOperationById } from '../generated/operations';
import type { RequestOptions } from '../transport';
import { cancellableSleep, dnsFilterApiRequest } from '../transport';
import { fillPath } from './buildRequest';
import type { OperationSpec } from '../types/operationSpec';
import { isRecord } from '../utils/isRecord';

/** The job id in an export's create/show answer: `{data: {id|uuid, url, error}}`. */
function exportJob(body: unknown): IDataObject {
	if (isRecord(body) && isRecord(body.data)) return body.data;
	return isRecord(body) ? body : {};
}

/**
 * Polls the export's status operation until its `url` is set, its `error` is set, or the time is
 * up. Bounded by both the timeout and a maximum number of polls.
 */
export async function waitForExport(
	this: IExecuteFunctions,
	spec: OperationSpec,
	created: unknown,
	settings: Required<RequestOptions>,
): Promise<unknown> {
	const { itemIndex } = settings;
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
	const intervalMs =
		Math.max(1, Number(this.getNodeParameter('pollInterval', itemIndex, 5))) * 1000;
	const timeoutMs =
		Math.max(1, Number(this.getNodeParameter('completionTimeout', itemIndex, 300))) * 1000;
	const maxPolls = Math.ceil(timeoutMs / intervalMs) + 1;
	const idParameter = statusSpec.fields.find((field) => field.in === 'path')?.wireName ?? 'id';
	const path = fillPath(statusSpec.path, { [idParameter]: jobId });
	const started = Date.now();
	const signal = this.getExecutionCancelSignal?.();

	for (let poll = 1; poll <= maxPolls; poll++) {
		const elapsed = Date.now() - started;
		if (elapsed + intervalMs > timeoutMs && poll > 1) break;
		await cancellableSleep(intervalMs, signal);
		const response = await dnsFilterApiRequest.call(
			this,
			{ method: statusSpec.method, path },
			settings,
		);
		const state = exportJob(response.body);
		if (state.error) {
			throw new NodeOperationError(
				node,
				response.redact(
					`DNSFilter export ${String(jobId)} failed: ${String(state.error).slice(0, 500)}`,
				),
				{
					itemIndex,
				},
			);
		}
		if (state.url) return response.body;
	}
	throw new NodeOperationError(
		node,
		`DNSFilter export ${String(jobId)} was not ready after ${Math.round(timeoutMs / 1000)} seconds`,
		{
			itemIndex,
			description: `The export is still running. Raise "Export Wait Timeout (Seconds)", or fetch it later with the "${statusSpec.displayName ?? statusSpec.operation}" operation and ID ${String(jobId)}.`,
		},
	);
}
